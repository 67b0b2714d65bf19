package telegram

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"

	"cardbot"
)

// Telegram's limits that Send works within.
const (
	maxCaption      = 1024 // UTF-16 code units of a photo caption
	maxCallbackData = 64   // bytes of an inline button's callback_data
)

// DefaultPhoneLabel is the share-my-phone button's text when the message names none.
const DefaultPhoneLabel = "Поделиться номером"

// Send delivers one message to the chat m.To, as plain text (no parse mode, so nothing in a
// template needs escaping).
//
//   - A picture goes by sendPhoto with the text as its caption. A text longer than a caption may be
//     (1024 characters) follows in its own sendMessage, which then carries the keyboard, so the
//     buttons sit under the words. If that second call fails, the dispatcher's retry sends the
//     picture again: a duplicate picture is the price of not losing the text.
//   - Buttons become an inline keyboard: Data → callback_data (at most 64 bytes), URL → a link.
//   - AskPhone wins over Buttons: Telegram allows one reply_markup per message, and the contact
//     button only exists on a reply keyboard. The message gets a one-time reply keyboard with a single
//     request_contact button, labelled with the first button's text if Buttons has one (that is how
//     a flow words it in the customer's language), else DefaultPhoneLabel; other buttons are dropped.
//
// Errors: 429 → *cardbot.SendError with RetryAfter; 403 (blocked, deactivated, kicked) and 400 (chat
// not found, bad markup), a bad chat id or an unsendable message → *cardbot.SendError Permanent;
// anything else (5xx, network) is returned as it is, a passing failure.
func (a *Adapter) Send(ctx context.Context, m cardbot.Outgoing) error {
	chatID, err := strconv.ParseInt(m.To, 10, 64)
	if err != nil || chatID == 0 {
		return permanent("%q is not a Telegram chat id", m.To)
	}
	if m.AskPhone && buttonCount(m.Buttons) > 1 {
		a.log.Warn("a message asking for the phone shows only the phone button; its other buttons are dropped", "chat", chatID)
	}
	markup, err := replyMarkup(m)
	if err != nil {
		return err
	}
	if len(m.Picture) > 0 {
		return a.sendPicture(ctx, chatID, m, markup)
	}
	return a.sendText(ctx, chatID, m.Text, markup)
}

func (a *Adapter) sendText(ctx context.Context, chatID int64, text string, markup any) error {
	if strings.TrimSpace(text) == "" {
		return permanent("the message has neither text nor a picture")
	}
	return a.sendMessage(ctx, chatID, text, markup)
}

func (a *Adapter) sendPicture(ctx context.Context, chatID int64, m cardbot.Outgoing, markup any) error {
	caption, rest, photoMarkup := m.Text, "", markup
	if utf16Len(m.Text) > maxCaption {
		caption, rest, photoMarkup = "", m.Text, nil
	}
	err := a.sendPhoto(ctx, chatID, m.Picture, caption, photoMarkup)
	if err != nil || rest == "" {
		return err
	}
	return a.sendText(ctx, chatID, rest, markup)
}

// utf16Len counts as Telegram counts text lengths: in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += max(utf16.RuneLen(r), 1)
	}
	return n
}

func permanent(format string, args ...any) *cardbot.SendError {
	return &cardbot.SendError{Permanent: true, Reason: "telegram: " + fmt.Sprintf(format, args...)}
}
