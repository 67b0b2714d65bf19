package fakeapi

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// Telegram's limits, counted in UTF-16 code units after entity parsing.
const (
	maxText    = 4096
	maxCaption = 1024
)

func (s *Server) sendMessage(_ *http.Request, f *form) (any, *apiError) {
	chatID, err := f.chatID()
	if err != nil {
		return nil, err
	}
	text, mode := f.str("text"), f.str("parse_mode")
	if text == "" {
		return nil, badRequest("message text is empty")
	}
	plain, err := renderLimited(text, mode, maxText, "message is too long")
	if err != nil {
		return nil, err
	}
	pm, err := parseMarkup(f.str("reply_markup"))
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.newMessageLocked(s.chatLocked(chatID), s.me)
	m.wire.Text, m.source = plain, mode+"\x00"+text
	m.setMarkup(pm)
	s.recordLocked(Sent{
		Method: "sendMessage", ChatID: chatID, MessageID: m.wire.MessageID,
		Text: text, ParseMode: mode, ReplyMarkup: pm.raw, Markup: pm.m,
	})
	return m.wire, nil
}

func (s *Server) sendPhoto(_ *http.Request, f *form) (any, *apiError) {
	chatID, err := f.chatID()
	if err != nil {
		return nil, err
	}
	plain, err := captionOf(f)
	if err != nil {
		return nil, err
	}
	pm, err := parseMarkup(f.str("reply_markup"))
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ph, err := s.photoLocked(f)
	if err != nil {
		return nil, err
	}
	m := s.newMessageLocked(s.chatLocked(chatID), s.me)
	m.wire.Caption, m.wire.Photo, m.photo = plain, []photoSize{ph.size}, ph.data
	m.setMarkup(pm)
	s.recordLocked(Sent{
		Method: "sendPhoto", ChatID: chatID, MessageID: m.wire.MessageID,
		Text: f.str("caption"), ParseMode: f.str("parse_mode"), Photo: ph.data, PhotoRef: ph.ref, FileID: ph.size.FileID,
		ReplyMarkup: pm.raw, Markup: pm.m,
	})
	return m.wire, nil
}

// captionOf renders the optional caption; the visible text is returned.
func captionOf(f *form) (string, *apiError) {
	caption := f.str("caption")
	if caption == "" {
		return "", nil
	}
	return renderLimited(caption, f.str("parse_mode"), maxCaption, "message caption is too long")
}

// setMarkup attaches an inline keyboard to the message, or removes it.
// Other kinds of markup act on the user's input field, not the message,
// so Telegram does not echo them back.
func (m *stored) setMarkup(pm parsedMarkup) {
	m.wire.ReplyMarkup, m.markup = pm.inline(), nil
	if m.wire.ReplyMarkup != nil {
		m.markup = pm.m
	}
}

// inline is the markup as it appears on the message: only a non-empty
// inline keyboard.
func (pm parsedMarkup) inline() json.RawMessage {
	if !pm.m.IsInline() || len(pm.m.InlineKeyboard) == 0 {
		return nil
	}
	return pm.raw
}

// textEdit is a validated editMessageText request.
type textEdit struct {
	chatID     int64
	messageID  int
	text, mode string
	plain      string
	pm         parsedMarkup
}

func readTextEdit(f *form) (e textEdit, err *apiError) {
	e.text, e.mode = f.str("text"), f.str("parse_mode")
	if e.chatID, e.messageID, err = editTarget(f); err != nil {
		return e, err
	}
	if e.text == "" {
		return e, badRequest("message text is empty")
	}
	if e.plain, err = renderLimited(e.text, e.mode, maxText, "MESSAGE_TOO_LONG"); err != nil {
		return e, err
	}
	e.pm, err = parseEditMarkup(f)
	return e, err
}

func (s *Server) editMessageText(_ *http.Request, f *form) (any, *apiError) {
	e, err := readTextEdit(f)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.editableLocked(e.chatID, e.messageID)
	if err != nil {
		return nil, err
	}
	if m.wire.Photo != nil {
		return nil, badRequest("there is no text in the message to edit")
	}
	source := e.mode + "\x00" + e.text
	if m.source == source && bytes.Equal(m.wire.ReplyMarkup, e.pm.inline()) {
		return nil, errNotModified()
	}
	// Like Telegram, an edit without reply_markup drops the keyboard.
	m.wire.Text, m.source = e.plain, source
	m.setMarkup(e.pm)
	m.wire.EditDate = s.unixNowLocked()
	s.recordLocked(Sent{
		Method: "editMessageText", ChatID: e.chatID, MessageID: e.messageID,
		Text: e.text, ParseMode: e.mode, ReplyMarkup: e.pm.raw, Markup: e.pm.m,
	})
	return m.wire, nil
}

func (s *Server) editMessageReplyMarkup(_ *http.Request, f *form) (any, *apiError) {
	chatID, messageID, err := editTarget(f)
	if err != nil {
		return nil, err
	}
	pm, err := parseEditMarkup(f)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.editableLocked(chatID, messageID)
	if err != nil {
		return nil, err
	}
	if bytes.Equal(m.wire.ReplyMarkup, pm.inline()) {
		return nil, errNotModified()
	}
	m.setMarkup(pm)
	m.wire.EditDate = s.unixNowLocked()
	s.recordLocked(Sent{
		Method: "editMessageReplyMarkup", ChatID: chatID, MessageID: messageID,
		ReplyMarkup: pm.raw, Markup: pm.m,
	})
	return m.wire, nil
}

// errNotModified is the error an adapter must treat as success when it
// re-renders a message that did not change.
func errNotModified() *apiError {
	return badRequest("message is not modified: specified new message content and reply markup " +
		"are exactly the same as a current content and reply markup of the message")
}

// editTarget reads chat_id and message_id. Inline messages (sent via
// inline mode, addressed by inline_message_id) are not modelled.
func editTarget(f *form) (int64, int, *apiError) {
	if f.str("inline_message_id") != "" {
		return 0, 0, badRequest("inline_message_id is not supported by the fake")
	}
	chatID, err := f.chatID()
	if err != nil {
		return 0, 0, err
	}
	messageID, err := f.int("message_id", 0)
	if err != nil {
		return 0, 0, err
	}
	if messageID <= 0 {
		return 0, 0, badRequest("message identifier is not specified")
	}
	return chatID, messageID, nil
}

// parseEditMarkup accepts only inline keyboards: nothing else can be
// attached to an existing message.
func parseEditMarkup(f *form) (parsedMarkup, *apiError) {
	pm, err := parseMarkup(f.str("reply_markup"))
	if err == nil && pm.m != nil && !pm.m.IsInline() {
		err = badRequest("inline keyboard expected")
	}
	return pm, err
}

func (s *Server) editableLocked(chatID int64, messageID int) (*stored, *apiError) {
	c := s.chats[chatID]
	if c == nil || c.msgs[messageID] == nil {
		return nil, badRequest("message to edit not found")
	}
	m := c.msgs[messageID]
	if !m.fromBot {
		return nil, badRequest("message can't be edited")
	}
	return m, nil
}

func (s *Server) deleteMessage(_ *http.Request, f *form) (any, *apiError) {
	chatID, err := f.chatID()
	if err != nil {
		return nil, err
	}
	messageID, err := f.int("message_id", 0)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil || c.msgs[messageID] == nil {
		return nil, badRequest("message to delete not found")
	}
	delete(c.msgs, messageID)
	s.recordLocked(Sent{Method: "deleteMessage", ChatID: chatID, MessageID: messageID})
	return true, nil
}

// query is a callback query the fake issued through PressButton.
type query struct {
	chatID    int64
	messageID int
	answered  bool
}

func (s *Server) answerCallbackQuery(_ *http.Request, f *form) (any, *apiError) {
	id := f.str("callback_query_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queries[id]
	// Telegram accepts one answer per query; a second one gets this too.
	if q == nil || q.answered {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	q.answered = true
	s.answers = append(s.answers, CallbackAnswer{
		QueryID: id, ChatID: q.chatID, MessageID: q.messageID, Text: f.str("text"),
		ShowAlert: f.bool("show_alert"), URL: f.str("url"), At: s.now(),
	})
	s.notifyLocked()
	return true, nil
}
