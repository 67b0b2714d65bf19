package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"cardbot"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"
)

// maxCaption is how long a picture's caption may be, in characters; a longer text follows the
// picture as a message of its own. WhatsApp's documented limit for media captions is 1024.
const maxCaption = 1024

// Send delivers one message to m.To: a phone number in E.164 (+79161234567), or a "…@lid" id for a
// sender whose number WhatsApp kept hidden (see receive).
//
//   - Text goes as a plain message; with a picture it is the picture's caption (or follows it, when
//     too long for a caption). WhatsApp formats *bold* and _italic_ itself.
//   - WhatsApp shows no buttons here. Link buttons are written out under the text. Buttons with data
//     are left out: on channels without buttons the engine words their choices into the text itself
//     (the numbered menu, "write yes or no"), and only it knows what a digit means in each state, so a
//     second menu made here would repeat the first or offer digits the engine does not read.
//   - AskPhone means nothing here: WhatsApp tells us every sender's number.
//
// Before the first message to a number, WhatsApp is asked whether the number has an account (the
// answer is kept). Errors: not on WhatsApp, a malformed address or an unsendable message →
// *cardbot.SendError Permanent; rate limits → *cardbot.SendError with RetryAfter; anything else (not
// connected, timeouts, network) is returned as it is, a passing failure.
func (a *Adapter) Send(ctx context.Context, m cardbot.Outgoing) error {
	to, err := parseAddress(m.To)
	if err != nil {
		return err
	}
	text := withLinks(m.Text, m.Buttons)
	if len(m.Picture) == 0 && strings.TrimSpace(text) == "" {
		return permanent("the message has neither text nor a picture")
	}
	if !a.client.IsLoggedIn() {
		return fmt.Errorf("whatsapp is not connected (%s)", a.Status().State)
	}
	jid, err := a.resolve(ctx, to)
	if err != nil {
		return err
	}
	if len(m.Picture) > 0 {
		return a.sendPicture(ctx, jid, m.Picture, text)
	}
	return a.sendText(ctx, jid, text)
}

// parseAddress reads an address the adapter gave out: +digits (E.164: a country code and the
// number, at most 15 digits), or a hidden user id "…@lid".
func parseAddress(to string) (types.JID, error) {
	if user, ok := strings.CutSuffix(to, "@"+types.HiddenUserServer); ok && allDigits(user) {
		return types.NewJID(user, types.HiddenUserServer), nil
	}
	digits, ok := strings.CutPrefix(to, "+")
	if !ok || len(digits) < 7 || len(digits) > 15 || !allDigits(digits) || digits[0] == '0' {
		return types.JID{}, permanent("%q is not a phone number in E.164 form like +79161234567", to)
	}
	return types.NewJID(digits, types.DefaultUserServer), nil
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// resolve finds the account behind a phone number, asking WhatsApp the first time. WhatsApp's own
// JID for a number may differ from its digits (some countries' numbers gained or lost a digit), so
// messages go to the JID it names. A LID is an account already.
func (a *Adapter) resolve(ctx context.Context, to types.JID) (types.JID, error) {
	if to.Server != types.DefaultUserServer {
		return to, nil
	}
	phone := "+" + to.User
	if jid, on, known := a.numbers.lookup(phone); known {
		if !on {
			return types.JID{}, notOnWhatsApp(phone)
		}
		return jid, nil
	}
	answers, err := a.client.IsOnWhatsApp(ctx, []string{phone})
	if err != nil {
		return types.JID{}, a.classify("checking the number", err)
	}
	if len(answers) == 0 {
		return types.JID{}, fmt.Errorf("whatsapp gave no answer whether %s has an account", phone)
	}
	jid := answers[0].JID.ToNonAD()
	if !answers[0].IsIn || jid.IsEmpty() {
		a.numbers.remember(phone, types.JID{}, false)
		return types.JID{}, notOnWhatsApp(phone)
	}
	a.numbers.remember(phone, jid, true)
	return jid, nil
}

func notOnWhatsApp(phone string) *cardbot.SendError {
	return permanent("%s is not on WhatsApp", phone)
}

func (a *Adapter) sendText(ctx context.Context, to types.JID, text string) error {
	_, err := a.client.SendMessage(ctx, to, &waE2E.Message{Conversation: proto.String(text)})
	return a.classify("sending a message", err)
}

// sendPicture uploads the picture and sends it with the text as its caption. A text too long for a
// caption follows in a message of its own; if that one fails, the dispatcher's retry sends the
// picture again: a duplicate picture is the price of not losing the text.
func (a *Adapter) sendPicture(ctx context.Context, to types.JID, picture []byte, text string) error {
	img, err := imageMessage(picture)
	if err != nil {
		return err
	}
	caption, rest := text, ""
	if utf8.RuneCountInString(text) > maxCaption {
		caption, rest = "", text
	}
	up, err := a.client.Upload(ctx, picture, whatsmeow.MediaImage)
	if err != nil {
		return a.classify("uploading the picture", err)
	}
	img.URL, img.DirectPath, img.MediaKey = proto.String(up.URL), proto.String(up.DirectPath), up.MediaKey
	img.FileEncSHA256, img.FileSHA256, img.FileLength = up.FileEncSHA256, up.FileSHA256, proto.Uint64(up.FileLength)
	if strings.TrimSpace(caption) != "" {
		img.Caption = proto.String(caption)
	}
	if _, err := a.client.SendMessage(ctx, to, &waE2E.Message{ImageMessage: img}); err != nil {
		return a.classify("sending the picture", err)
	}
	if strings.TrimSpace(rest) == "" {
		return nil
	}
	return a.sendText(ctx, to, rest)
}

// withLinks writes the link buttons under the text, one "label: address" line each (see Send).
func withLinks(text string, rows [][]cardbot.Button) string {
	var links []string
	for _, row := range rows {
		for _, b := range row {
			if b.URL != "" {
				links = append(links, strings.TrimSpace(b.Text+": "+b.URL))
			}
		}
	}
	if len(links) == 0 {
		return text
	}
	if strings.TrimSpace(text) == "" {
		return strings.Join(links, "\n")
	}
	return text + "\n\n" + strings.Join(links, "\n")
}

// classify turns a whatsmeow error into what the dispatcher acts on.
func (a *Adapter) classify(action string, err error) error {
	if err == nil {
		return nil
	}
	reason := "whatsapp: " + action + ": " + err.Error()
	switch {
	case rateLimited(err):
		// WhatsApp names no wait, and it bans numbers that keep pushing: pause the channel a while.
		return &cardbot.SendError{RetryAfter: a.timing.rateLimitPause, Reason: reason}
	case errors.Is(err, whatsmeow.ErrRecipientADJID), errors.Is(err, whatsmeow.ErrUnknownServer),
		errors.Is(err, whatsmeow.ErrBroadcastListUnsupported):
		return &cardbot.SendError{Permanent: true, Reason: reason}
	}
	return fmt.Errorf("whatsapp: %s: %w", action, err)
}

// rateLimited recognises WhatsApp's 429: from a query (rate-overlimit) or as a send's error code.
func rateLimited(err error) bool {
	return errors.Is(err, whatsmeow.ErrIQRateOverLimit) || serverErrorCode(err) == 429
}

// serverErrorCode is the code of a send the server refused; whatsmeow formats it into the error as
// "server returned error <code>".
func serverErrorCode(err error) int {
	if !errors.Is(err, whatsmeow.ErrServerReturnedError) {
		return 0
	}
	msg := err.Error()
	code, _ := strconv.Atoi(msg[strings.LastIndexByte(msg, ' ')+1:])
	return code
}

func permanent(format string, args ...any) *cardbot.SendError {
	return &cardbot.SendError{Permanent: true, Reason: "whatsapp: " + fmt.Sprintf(format, args...)}
}
