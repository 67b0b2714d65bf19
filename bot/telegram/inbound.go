package telegram

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"cardbot"

	"github.com/go-telegram/bot/models"
)

// received is an update reduced to what the adapter acts on: the Inbound for the engine, the chat
// that orders it, and the callback query to answer, if it is a button press.
type received struct {
	in      cardbot.Inbound
	chatID  int64
	queryID string
}

// receive turns an update into what the engine gets. ok is false for updates the loyalty bot does
// not serve: anything outside private chats (groups, channels), edits, inline-mode buttons.
func (a *Adapter) receive(u *models.Update) (r received, ok bool) {
	switch {
	case u.Message != nil:
		return a.fromMessage(u.ID, u.Message)
	case u.CallbackQuery != nil:
		return a.fromCallback(u.ID, u.CallbackQuery)
	}
	return received{}, false
}

func (a *Adapter) fromMessage(updateID int64, m *models.Message) (received, bool) {
	if m.Chat.Type != models.ChatTypePrivate || m.From == nil {
		return received{}, false
	}
	text := m.Text
	if text == "" {
		text = m.Caption // a photo sent with words: the words are what the customer said
	}
	in := cardbot.Inbound{
		Channel:  ChannelName,
		UserID:   strconv.FormatInt(m.Chat.ID, 10),
		UpdateID: strconv.FormatInt(updateID, 10),
		Name:     displayName(m.From),
		Text:     text,
		Phone:    ownPhone(m.Contact, m.From),
		Payload:  startPayload(m.Text, a.username),
		At:       time.Unix(int64(m.Date), 0).UTC(),
	}
	return received{in: in, chatID: m.Chat.ID}, true
}

// fromCallback maps a button press. Its chat is the chat of the message the button was on; presses
// on inline-mode messages come without one and are not ours.
func (a *Adapter) fromCallback(updateID int64, q *models.CallbackQuery) (received, bool) {
	var chat models.Chat
	switch {
	case q.Message.Message != nil:
		chat = q.Message.Message.Chat
	case q.Message.InaccessibleMessage != nil: // a button on a message too old for Telegram to show
		chat = q.Message.InaccessibleMessage.Chat
	default:
		return received{}, false
	}
	if chat.Type != models.ChatTypePrivate {
		return received{}, false
	}
	in := cardbot.Inbound{
		Channel:  ChannelName,
		UserID:   strconv.FormatInt(chat.ID, 10),
		UpdateID: strconv.FormatInt(updateID, 10),
		Name:     displayName(&q.From),
		Button:   q.Data,
		At:       a.clock.Now(), // callback queries carry no date
	}
	return received{in: in, chatID: chat.ID, queryID: q.ID}, true
}

// displayName is the name Telegram shows for the user: first and last name, else the username.
func displayName(u *models.User) string {
	if name := strings.TrimSpace(u.FirstName + " " + u.LastName); name != "" {
		return name
	}
	return u.Username
}

// ownPhone returns the contact's phone only when the user shared their own contact (what the
// request_contact button sends). Anyone can forward someone else's contact card; taking that phone
// would tie the customer's card to a stranger's number.
func ownPhone(c *models.Contact, from *models.User) string {
	if c == nil || c.UserID == 0 || c.UserID != from.ID {
		return ""
	}
	return c.PhoneNumber
}

// startPayload returns the deep-link payload of "/start <payload>" ("/start@ourbot <payload>" too),
// which is how t.me/<bot>?start=ref_x links arrive; "" for any other text.
func startPayload(text, username string) string {
	text = strings.TrimSpace(text)
	cmd, rest := text, ""
	if i := strings.IndexFunc(text, unicode.IsSpace); i >= 0 {
		cmd, rest = text[:i], text[i:]
	}
	name, target, addressed := strings.Cut(cmd, "@")
	if name != "/start" || (addressed && !strings.EqualFold(target, username)) {
		return ""
	}
	return strings.TrimSpace(rest)
}
