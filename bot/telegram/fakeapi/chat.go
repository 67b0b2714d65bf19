package fakeapi

import (
	"context"
	"encoding/json"
	"slices"
	"time"
)

// Wire types: the subset of Telegram's objects the fake produces, with
// Telegram's field names so any client's models decode them.

type chatInfo struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Username  string `json:"username,omitempty"`
}

type entity struct {
	Type   string `json:"type"`
	Offset int    `json:"offset"` // in UTF-16 code units, as Telegram counts
	Length int    `json:"length"`
}

type photoSize struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	FileSize     int    `json:"file_size,omitempty"`
}

type contact struct {
	PhoneNumber string `json:"phone_number"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name,omitempty"`
	UserID      int64  `json:"user_id,omitempty"`
}

type wireMessage struct {
	MessageID   int             `json:"message_id"`
	From        *User           `json:"from,omitempty"`
	Chat        chatInfo        `json:"chat"`
	Date        int64           `json:"date"`
	EditDate    int64           `json:"edit_date,omitempty"`
	Text        string          `json:"text,omitempty"`
	Entities    []entity        `json:"entities,omitempty"`
	Caption     string          `json:"caption,omitempty"`
	Photo       []photoSize     `json:"photo,omitempty"`
	Contact     *contact        `json:"contact,omitempty"`
	ReplyMarkup json.RawMessage `json:"reply_markup,omitempty"`
}

// chat is one private chat between a user and the bot.
type chat struct {
	id      int64
	user    User
	lastID  int // message ids are per chat and shared by both sides
	msgs    map[int]*stored
	blocked bool
}

// stored is a message as it stands now, after edits.
type stored struct {
	wire    wireMessage
	source  string // parse_mode and text as sent, for "not modified"
	fromBot bool
	photo   []byte
	markup  *Markup
	at      time.Time
}

func (s *Server) chatLocked(id int64) *chat {
	c := s.chats[id]
	if c == nil {
		c = &chat{id: id, user: User{ID: id, FirstName: "User"}, msgs: map[int]*stored{}}
		s.chats[id] = c
	}
	return c
}

func (c *chat) info() chatInfo {
	t := "private"
	if c.id < 0 {
		t = "group"
	}
	return chatInfo{ID: c.id, Type: t, FirstName: c.user.FirstName, LastName: c.user.LastName, Username: c.user.Username}
}

// newMessageLocked allocates the chat's next message id and keeps the
// message so it can later be edited, deleted or pressed.
func (s *Server) newMessageLocked(c *chat, from User) *stored {
	c.lastID++
	now := s.now()
	m := &stored{
		wire:    wireMessage{MessageID: c.lastID, From: &from, Chat: c.info(), Date: now.Unix()},
		fromBot: from.ID == s.me.ID && from.IsBot,
		at:      now,
	}
	c.msgs[m.wire.MessageID] = m
	return m
}

// Message is a message as it currently stands in a chat, for assertions
// on the end state and for showing the conversation in a demo.
type Message struct {
	ID      int
	FromBot bool
	Text    string // text or caption as the user sees it (markup applied)
	Photo   []byte // picture bytes when known
	Phone   string // shared contact
	Markup  *Markup
	Edited  bool
	At      time.Time
}

// Messages lists the chat's messages (both sides, deleted ones gone) in
// id order.
func (s *Server) Messages(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return nil
	}
	out := make([]Message, 0, len(c.msgs))
	for _, m := range c.msgs {
		out = append(out, m.view())
	}
	slices.SortFunc(out, func(a, b Message) int { return a.ID - b.ID })
	return out
}

func (m *stored) view() Message {
	v := Message{
		ID: m.wire.MessageID, FromBot: m.fromBot, Text: m.wire.Text,
		Photo: m.photo, Markup: m.markup, Edited: m.wire.EditDate != 0, At: m.at,
	}
	if m.wire.Photo != nil {
		v.Text = m.wire.Caption
	}
	if m.wire.Contact != nil {
		v.Phone = m.wire.Contact.PhoneNumber
	}
	return v
}

// Sent is one thing the bot did to a chat.
type Sent struct {
	Method      string // sendMessage, sendPhoto, editMessageText, editMessageReplyMarkup or deleteMessage
	ChatID      int64
	MessageID   int
	Text        string          // text or caption exactly as sent, markup included
	ParseMode   string          // as sent
	Photo       []byte          // uploaded bytes, or the bytes behind a known file_id
	PhotoRef    string          // file_id or URL when the photo was given as a string
	FileID      string          // file_id the fake assigned to the photo
	ReplyMarkup json.RawMessage // as sent
	Markup      *Markup         // ReplyMarkup decoded
	At          time.Time
}

// CallbackAnswer is one answerCallbackQuery call.
type CallbackAnswer struct {
	QueryID   string
	ChatID    int64
	MessageID int
	Text      string
	ShowAlert bool
	URL       string
	At        time.Time
}

func (s *Server) recordLocked(x Sent) {
	x.At = s.now()
	if s.sentBy == nil {
		s.sentBy = map[int64][]int{}
	}
	s.sentBy[x.ChatID] = append(s.sentBy[x.ChatID], len(s.sent))
	s.sent = append(s.sent, x)
	s.notifyLocked()
}

// Sent lists everything the bot sent, edited or deleted, in order.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

// SentTo is Sent for one chat.
func (s *Server) SentTo(chatID int64) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sentToLocked(chatID)
}

func (s *Server) sentToLocked(chatID int64) []Sent {
	var out []Sent
	for _, i := range s.sentBy[chatID] {
		out = append(out, s.sent[i])
	}
	return out
}

// WaitSent blocks until SentTo(chatID) has at least n entries (edits and
// deletes count) and returns all of them, or returns what there is with
// ctx's error.
func (s *Server) WaitSent(ctx context.Context, chatID int64, n int) ([]Sent, error) {
	for {
		s.mu.Lock()
		got, wake := s.sentToLocked(chatID), s.changed
		s.mu.Unlock()
		if len(got) >= n {
			return got, nil
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return got, ctx.Err()
		}
	}
}

// Answers lists answerCallbackQuery calls in order.
func (s *Server) Answers() []CallbackAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.answers)
}
