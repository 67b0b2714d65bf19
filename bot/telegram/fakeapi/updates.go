package fakeapi

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf16"
)

// pending is an update waiting to be confirmed (polling) or accepted by
// the webhook.
type pending struct {
	seq       uint64 // unique per queue entry, even when update ids repeat
	id        int64
	raw       json.RawMessage
	delivered bool // returned by getUpdates at least once
}

type update struct {
	ID            int64          `json:"update_id"`
	Message       *wireMessage   `json:"message,omitempty"`
	CallbackQuery *callbackQuery `json:"callback_query,omitempty"`
}

type callbackQuery struct {
	ID           string `json:"id"`
	From         User   `json:"from"`
	Message      any    `json:"message,omitempty"`
	ChatInstance string `json:"chat_instance"`
	Data         string `json:"data,omitempty"`
}

// inaccessibleMessage stands in for a message the fake does not know;
// date 0 is how clients tell it from a real one.
type inaccessibleMessage struct {
	Chat      chatInfo `json:"chat"`
	MessageID int      `json:"message_id"`
	Date      int      `json:"date"`
}

// SendText injects a text message from the user in a private chat and
// returns its update_id. Commands ("/start ref_x") get bot_command
// entities, which the client library's command matching relies on. A
// zero from.ID defaults to chatID, as in private chats.
func (s *Server) SendText(chatID int64, from User, text string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.userMessageLocked(chatID, from)
	m.wire.Text, m.wire.Entities = text, commandEntities(text)
	return s.enqueueLocked(update{Message: &m.wire})
}

// SendContact injects the user sharing their own phone number, as a
// request_contact button does.
func (s *Server) SendContact(chatID int64, from User, phone string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.userMessageLocked(chatID, from)
	u := *m.wire.From
	m.wire.Contact = &contact{PhoneNumber: phone, FirstName: u.FirstName, LastName: u.LastName, UserID: u.ID}
	return s.enqueueLocked(update{Message: &m.wire})
}

// PressButton injects a callback query for an inline button with data on
// messageID. The message is the bot's message as it stands now; pressing
// on an unknown message sends an inaccessible one, as Telegram does for
// old messages.
func (s *Server) PressButton(chatID int64, from User, messageID int, data string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	from = s.normalizeUserLocked(chatID, from)
	c := s.chatLocked(chatID)
	s.nextQID++
	q := callbackQuery{ID: strconv.Itoa(s.nextQID), From: from, ChatInstance: strconv.FormatInt(chatID, 10), Data: data}
	if m := c.msgs[messageID]; m != nil {
		q.Message = m.wire
	} else {
		q.Message = inaccessibleMessage{Chat: c.info(), MessageID: messageID}
	}
	s.queries[q.ID] = &query{chatID: chatID, messageID: messageID}
	return s.enqueueLocked(update{CallbackQuery: &q})
}

// Inject queues any update: a json.RawMessage, []byte or string of JSON,
// or a value marshalled to JSON. A missing or zero update_id is assigned;
// a given one is kept, so a test can deliver the same update twice. It
// panics on input that is not a JSON object, which is a bug in the test.
func (s *Server) Inject(upd any) int {
	obj, err := toObject(upd)
	if err != nil {
		panic(fmt.Sprintf("fakeapi: Inject: %v", err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var id int64
	if raw, ok := obj["update_id"]; ok {
		_ = json.Unmarshal(raw, &id)
	}
	if id <= 0 {
		id = s.nextUpd
		obj["update_id"] = json.RawMessage(strconv.FormatInt(id, 10))
	}
	raw, _ := json.Marshal(obj) // a map of raw JSON values always marshals
	return s.pushLocked(id, raw)
}

func toObject(upd any) (map[string]json.RawMessage, error) {
	var raw []byte
	switch v := upd.(type) {
	case json.RawMessage:
		raw = v
	case []byte:
		raw = v
	case string:
		raw = []byte(v)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		raw = b
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return nil, fmt.Errorf("update is not a JSON object: %s", raw)
	}
	return obj, nil
}

// userMessageLocked starts a message from the user in the chat and
// remembers the user for the chat's name fields.
func (s *Server) userMessageLocked(chatID int64, from User) *stored {
	from = s.normalizeUserLocked(chatID, from)
	return s.newMessageLocked(s.chatLocked(chatID), from)
}

func (s *Server) normalizeUserLocked(chatID int64, from User) User {
	if from.ID == 0 {
		from.ID = chatID
	}
	if from.FirstName == "" {
		from.FirstName = "User"
	}
	if chatID > 0 {
		s.chatLocked(chatID).user = from
	}
	return from
}

func (s *Server) enqueueLocked(u update) int {
	u.ID = s.nextUpd
	raw, _ := json.Marshal(u) // only our own plain types
	return s.pushLocked(u.ID, raw)
}

func (s *Server) pushLocked(id int64, raw json.RawMessage) int {
	s.nextUpd = max(s.nextUpd, id+1)
	s.seq++
	s.queue = append(s.queue, pending{seq: s.seq, id: id, raw: raw})
	s.notifyLocked()
	return int(id)
}

// commandEntities marks every "/command" or "/command@bot" that starts
// the text or follows whitespace, with offsets in UTF-16 code units like
// Telegram. (go-telegram/bot slices the Go string with these offsets, so
// its matching is only right while the text before a command is ASCII.)
func commandEntities(text string) []entity {
	var out []entity
	units := 0
	prevSpace := true
	rs := []rune(text)
	for i := 0; i < len(rs); i++ {
		if rs[i] == '/' && prevSpace {
			if n := commandLen(rs[i:]); n > 1 {
				out = append(out, entity{Type: "bot_command", Offset: units, Length: n})
			}
		}
		prevSpace = rs[i] == ' ' || rs[i] == '\n' || rs[i] == '\t'
		units += utf16.RuneLen(rs[i])
	}
	return out
}

// commandLen is the length of "/name[@bot]" at the start of rs, in runes
// (all ASCII, so also UTF-16 units); 0 or 1 means not a command.
func commandLen(rs []rune) int {
	n := 1
	for n < len(rs) && n <= 32 && isCommandRune(rs[n]) {
		n++
	}
	if n > 1 && n < len(rs) && rs[n] == '@' {
		m := n + 1
		for m < len(rs) && isCommandRune(rs[m]) {
			m++
		}
		if m > n+1 {
			n = m
		}
	}
	return n
}

func isCommandRune(r rune) bool {
	return r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}
