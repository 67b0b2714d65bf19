// Package webchat is the web chat channel: the conversation engine in a browser, with no messenger
// and no token. A browser gets an anonymous session (a random id in an HttpOnly cookie), posts what the
// visitor types or presses, and reads the bot's replies by long poll.
//
// What the dispatcher sends goes into the session's mailbox, a bounded buffer of the last messages in
// memory, so a page reload shows the conversation again, including what was sent while no page was
// open. When a session has no mailbox in memory (after a restart, or after it was evicted to bound
// memory) the mailbox is rebuilt from the store: the outbox rows sent to that session, newest last.
// The visitor's own lines live only in memory; after a restart the rebuilt chat shows the bot's side.
package webchat

import (
	"context"
	"crypto/rand"
	"log/slog"
	"slices"
	"sync"
	"time"

	"cardbot"
)

// ChannelName is the channel's name in addresses, the cascade and the dispatcher's attempts.
const ChannelName = "webchat"

// Limits of what the adapter keeps in memory.
const (
	defaultMaxSessions = 10000 // mailboxes kept; the least recently used is dropped (and rebuilt on return)
	defaultKeep        = 50    // entries per mailbox
	replayRows         = 200   // outbox rows of the client read when a mailbox is rebuilt
)

// A browser may start newChatsPerIP sessions from one address in newChatsWindow: more than a family
// or an office behind one address starts, and few enough that a script cannot fill the database
// with clients and cards, nor push everybody's chat out of memory.
const (
	newChatsPerIP  = 20
	newChatsWindow = 10 * time.Minute
)

// Adapter is the web chat: a cardbot.Sender for the dispatcher and the HTTP endpoints for browsers.
type Adapter struct {
	handler  cardbot.Handler
	store    cardbot.Store
	pictures cardbot.Pictures
	clock    cardbot.Clock
	log      *slog.Logger
	keep     int
	secure   bool // cookies only over https (when the public address is https)

	boxes    *mailboxes
	limit    *sessionLimits
	newChats *cardbot.IPLimiter // new sessions per address

	stopOnce sync.Once
	stop     chan struct{} // closed by Close: long polls answer at once
}

var _ cardbot.Sender = (*Adapter)(nil)

// Option changes a default of New.
type Option func(*Adapter)

// WithClock sets the clock (tests move it).
func WithClock(c cardbot.Clock) Option { return func(a *Adapter) { a.clock = c } }

// WithLimits bounds the sessions kept in memory and the entries kept per session.
func WithLimits(sessions, entries int) Option {
	return func(a *Adapter) {
		a.boxes.max, a.keep = max(sessions, 1), max(entries, 1)
	}
}

// WithSecureCookies marks the session cookie Secure, for a service reached over https.
func WithSecureCookies(on bool) Option { return func(a *Adapter) { a.secure = on } }

// New builds the adapter. handler is the conversation engine; store rebuilds mailboxes of sessions not
// in memory; pictures draws card pictures in the chat.
func New(handler cardbot.Handler, store cardbot.Store, pictures cardbot.Pictures, log *slog.Logger, opts ...Option) *Adapter {
	a := &Adapter{
		handler: handler, store: store, pictures: pictures, clock: cardbot.SystemClock{}, log: log,
		keep: defaultKeep, boxes: newMailboxes(defaultMaxSessions), stop: make(chan struct{}),
	}
	for _, o := range opts {
		o(a)
	}
	a.limit = newSessionLimits(a.clock)
	a.newChats = cardbot.NewIPLimiter(a.clock, newChatsPerIP, newChatsWindow)
	return a
}

// Channel names the channel.
func (a *Adapter) Channel() string { return ChannelName }

// Send puts a message into the session's mailbox, where the browser picks it up. It never fails for
// an unknown session: the visitor may come back, and the mailbox is kept for them.
func (a *Adapter) Send(ctx context.Context, m cardbot.Outgoing) error {
	if !validSession(m.To) {
		return &cardbot.SendError{Permanent: true, Reason: "not a web chat session id"}
	}
	e := Entry{
		From: "bot", Text: m.Text, Buttons: m.Buttons, AskPhone: m.AskPhone, At: a.clock.Now(),
		// The picture is drawn again from the card when the browser asks (a picture without a card
		// would have to be kept in memory; no message carries one today).
		message: m.Message, cardID: m.CardID, Picture: m.CardID != 0,
	}
	return a.withBox(ctx, m.To, func(b *mailbox) { b.add(e, a.keep) })
}

// Close makes waiting long polls answer now; call it before shutting the HTTP server down.
func (a *Adapter) Close() {
	a.stopOnce.Do(func() { close(a.stop) })
}

// withBox runs fn on the session's mailbox under the lock, rebuilding the mailbox from the store first
// when it is not in memory.
func (a *Adapter) withBox(ctx context.Context, session string, fn func(*mailbox)) error {
	return a.boxFor(ctx, session, nil, fn)
}

// errTooManyChats refuses a new session past its address's limit.
var errTooManyChats = &cardbot.Error{Code: cardbot.Unavailable, Message: "too many new chats from this address"}

// boxFor is withBox for a browser, which may be refused: a session the service has never seen (no
// mailbox in memory, no conversation in the store: new, or an id the browser made up) gets its
// mailbox only when admit says so, and otherwise the answer is errTooManyChats.
func (a *Adapter) boxFor(ctx context.Context, session string, admit func() bool, fn func(*mailbox)) error {
	a.boxes.mu.Lock()
	if b := a.boxes.get(session); b != nil {
		fn(b)
		a.boxes.mu.Unlock()
		return nil
	}
	a.boxes.mu.Unlock()
	rebuilt, known, err := a.replay(ctx, session)
	if err != nil {
		return err
	}
	a.boxes.mu.Lock()
	defer a.boxes.mu.Unlock()
	b := a.boxes.get(session)
	if b == nil { // nobody built it meanwhile
		if !known && admit != nil && !admit() {
			return errTooManyChats
		}
		b = &mailbox{session: session, epoch: rand.Text(), changed: make(chan struct{})}
		for _, e := range rebuilt {
			b.add(e, a.keep)
		}
		a.boxes.put(b)
	}
	fn(b)
	return nil
}

// replay reads what was sent to the session from the outbox: replies to its address, and notices
// the dispatcher sent on the web chat to its client, oldest first. known tells whether the session
// has a conversation at all.
func (a *Adapter) replay(ctx context.Context, session string) (_ []Entry, known bool, _ error) {
	addr := cardbot.Address{Channel: ChannelName, ID: session}
	var rows []*cardbot.Message
	err := a.store.View(ctx, func(tx cardbot.Tx) error {
		conv, err := tx.Conversation(addr)
		if cardbot.CodeOf(err) == cardbot.NotFound {
			return nil
		}
		known = err == nil
		if err != nil || conv.ClientID == 0 {
			return err
		}
		rows, err = tx.ClientMessages(conv.ClientID, 0, replayRows)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	var out []Entry
	for _, m := range slices.Backward(rows) {
		if m.Status != cardbot.MessageSent || !sentHere(m, addr) {
			continue
		}
		out = append(out, Entry{
			From: "bot", Text: m.Text, Buttons: m.Buttons, AskPhone: m.AskPhone, At: m.SentAt,
			message: m.ID, cardID: m.CardID, Picture: m.CardID != 0,
		})
	}
	return out, known, nil
}

// sentHere reports whether a sent row reached this session: a reply addressed to it, or a notice whose
// successful attempt was on the web chat (the client's web chat address is this session's).
func sentHere(m *cardbot.Message, addr cardbot.Address) bool {
	if m.To != nil {
		return *m.To == addr
	}
	for _, at := range m.Attempts {
		if at.Channel == ChannelName && at.Result == cardbot.AttemptSent {
			return true
		}
	}
	return false
}

// entries returns the session's entries after seq and the mailbox's epoch. When epoch is not the
// mailbox's (the browser read an older mailbox), every entry is returned. With wait > 0 and nothing
// new, it waits up to wait for an entry.
func (a *Adapter) entries(ctx context.Context, session, epoch string, seq uint64, wait time.Duration) (string, []Entry, error) {
	var (
		out     []Entry
		current string
		changed chan struct{}
	)
	read := func(b *mailbox) {
		current, changed = b.epoch, b.changed
		if b.epoch != epoch {
			seq = 0
		}
		out = b.after(seq)
	}
	if err := a.withBox(ctx, session, read); err != nil {
		return "", nil, err
	}
	if len(out) > 0 || wait <= 0 {
		return current, out, nil
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-changed:
	case <-timer.C:
		return current, nil, nil
	case <-ctx.Done():
		return current, nil, nil
	case <-a.stop:
		return current, nil, nil
	}
	if err := a.withBox(ctx, session, read); err != nil {
		return "", nil, err
	}
	return current, out, nil
}

// picture draws the card picture of one of the session's entries.
func (a *Adapter) picture(ctx context.Context, session string, seq uint64) ([]byte, error) {
	var cardID uint64
	err := a.withBox(ctx, session, func(b *mailbox) {
		if e, ok := b.entry(seq); ok {
			cardID = e.cardID
		}
	})
	if err != nil {
		return nil, err
	}
	if cardID == 0 || a.pictures == nil {
		return nil, cardbot.Errorf(cardbot.NotFound, "no picture")
	}
	return a.pictures.CardPicture(ctx, cardID)
}

// say records what the visitor sent and hands it to the engine.
func (a *Adapter) say(ctx context.Context, session string, in cardbot.Inbound, shown string) error {
	if shown != "" {
		if err := a.withBox(ctx, session, func(b *mailbox) {
			b.add(Entry{From: "me", Text: shown, At: a.clock.Now(), update: in.UpdateID}, a.keep)
		}); err != nil {
			return err
		}
	}
	if err := a.handler.Handle(ctx, in); err != nil {
		if code := cardbot.CodeOf(err); code != cardbot.Internal {
			return err
		}
		a.log.Error("web chat: the engine failed", "err", err)
		return cardbot.Errorf(cardbot.Unavailable, "the message was not handled; send it again")
	}
	return nil
}
