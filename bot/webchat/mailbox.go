package webchat

import (
	"container/list"
	"sync"
	"time"

	"cardbot"
)

// Entry is one line of a chat as the browser shows it: what the visitor wrote or what the bot sent.
type Entry struct {
	Seq      uint64             `json:"seq"`
	From     string             `json:"from"` // "me" or "bot"
	Text     string             `json:"text,omitempty"`
	Picture  bool               `json:"picture,omitempty"` // GET /chat/api/picture/<seq> draws it
	Buttons  [][]cardbot.Button `json:"buttons,omitempty"`
	AskPhone bool               `json:"ask_phone,omitempty"`
	At       time.Time          `json:"at"`

	message uint64 // the outbox row, to drop a row the dispatcher sends twice
	update  string // the browser's id of what the visitor sent, to drop a resent one
	cardID  uint64 // the card its picture shows
}

// mailbox is one session's recent chat: a bounded buffer the browser reads by sequence number.
type mailbox struct {
	session string
	epoch   string // changes when the mailbox is rebuilt, so a browser holding old numbers starts over
	entries []Entry
	seq     uint64
	changed chan struct{} // closed and replaced on every new entry: long polls wait on it
	elem    *list.Element // its place in the LRU list
}

// add appends an entry, dropping the oldest beyond limit, and wakes the session's long polls.
// An outbox row or a visitor's line already in the buffer is ignored (both may come twice).
func (b *mailbox) add(e Entry, limit int) {
	for _, old := range b.entries {
		if e.message != 0 && old.message == e.message || e.update != "" && old.update == e.update {
			return
		}
	}
	b.seq++
	e.Seq = b.seq
	b.entries = append(b.entries, e)
	if over := len(b.entries) - limit; over > 0 {
		b.entries = append(b.entries[:0:0], b.entries[over:]...)
	}
	close(b.changed)
	b.changed = make(chan struct{})
}

// after returns copies of the entries newer than seq.
func (b *mailbox) after(seq uint64) []Entry {
	var out []Entry
	for _, e := range b.entries {
		if e.Seq > seq {
			out = append(out, e)
		}
	}
	return out
}

// entry finds an entry by its number.
func (b *mailbox) entry(seq uint64) (Entry, bool) {
	for _, e := range b.entries {
		if e.Seq == seq {
			return e, true
		}
	}
	return Entry{}, false
}

// mailboxes holds the sessions' mailboxes, at most max of them: the least recently used goes first.
type mailboxes struct {
	mu    sync.Mutex
	max   int
	byID  map[string]*mailbox
	order *list.List // front: most recently used
}

func newMailboxes(max int) *mailboxes {
	return &mailboxes{max: max, byID: map[string]*mailbox{}, order: list.New()}
}

// get returns the session's mailbox, touching it, or nil. Call with mu held.
func (m *mailboxes) get(session string) *mailbox {
	b := m.byID[session]
	if b != nil {
		m.order.MoveToFront(b.elem)
	}
	return b
}

// put adds a new mailbox, evicting the least recently used beyond max. Call with mu held.
func (m *mailboxes) put(b *mailbox) {
	b.elem = m.order.PushFront(b)
	m.byID[b.session] = b
	for m.order.Len() > m.max {
		last := m.order.Back()
		old := last.Value.(*mailbox)
		m.order.Remove(last)
		delete(m.byID, old.session)
		close(old.changed) // its waiting polls answer now; the browser's next call rebuilds it
		old.changed = make(chan struct{})
	}
}
