package telegram_test

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"slices"
	"strings"
	"testing"
	"time"

	"cardbot"
	"cardbot/bot/telegram"
	"cardbot/bot/telegram/fakeapi"
)

func cardPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(2, 3, color.RGBA{R: 200, G: 10, B: 10, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var cardButtons = [][]cardbot.Button{
	{{Text: "Баланс", Data: "card:balance"}, {Text: "Сайт", URL: "https://cards.example.com/c/1"}},
	{},
	{{Text: "История", Data: "card:history"}},
}

// checkInline asserts the markup is cardButtons as an inline keyboard (the empty row left out).
func checkInline(t *testing.T, m *fakeapi.Markup) {
	t.Helper()
	if !m.IsInline() || len(m.InlineKeyboard) != 2 || len(m.InlineKeyboard[0]) != 2 {
		t.Fatalf("markup %+v", m)
	}
	b := m.InlineKeyboard
	if b[0][0].Text != "Баланс" || b[0][0].CallbackData != "card:balance" || b[0][1].URL != "https://cards.example.com/c/1" ||
		b[0][1].CallbackData != "" || b[1][0].CallbackData != "card:history" {
		t.Fatalf("buttons %+v", b)
	}
}

func TestSendTextWithInlineButtons(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, newRecorder())
	text := "Ваша карта *1234* <b>не HTML</b>"
	if err := a.Send(ctxT(t), cardbot.Outgoing{To: "1001", Text: text, Buttons: cardButtons}); err != nil {
		t.Fatal(err)
	}
	s := f.SentTo(alice.ID)
	if len(s) != 1 || s[0].Method != "sendMessage" || s[0].Text != text || s[0].ParseMode != "" {
		t.Fatalf("sent %+v", s)
	}
	checkInline(t, s[0].Markup)
	if strings.Contains(string(s[0].ReplyMarkup), "copy_text") {
		t.Fatalf("markup carries an empty copy_text: %s", s[0].ReplyMarkup)
	}
	if msgs := f.Messages(alice.ID); msgs[0].Text != text {
		t.Fatalf("the user sees %q: text must go without a parse mode", msgs[0].Text)
	}
}

func TestSendPhotoWithCaptionAndButtons(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, newRecorder())
	pic := cardPNG(t, 40, 25)
	if err := a.Send(ctxT(t), cardbot.Outgoing{To: "1001", Text: "Ваша карта", Picture: pic, Buttons: cardButtons}); err != nil {
		t.Fatal(err)
	}
	s := f.SentTo(alice.ID)
	if len(s) != 1 || s[0].Method != "sendPhoto" || s[0].Text != "Ваша карта" {
		t.Fatalf("sent %+v", s)
	}
	img, err := png.Decode(bytes.NewReader(s[0].Photo))
	if err != nil || img.Bounds().Dx() != 40 || img.Bounds().Dy() != 25 {
		t.Fatalf("the uploaded picture: %v", err)
	}
	if r, _, _, _ := img.At(2, 3).RGBA(); r>>8 != 200 {
		t.Fatalf("pixel changed in transit")
	}
	checkInline(t, s[0].Markup)
}

// Captions are limited to 1024 UTF-16 units: a longer text follows the photo as a message, which
// carries the buttons. Emoji count twice, as Telegram counts them.
func TestSendLongCaptionIsSplit(t *testing.T) {
	for name, text := range map[string]string{
		"1025 letters": strings.Repeat("ж", 1025),
		"513 emoji":    strings.Repeat("🎁", 513),
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t)
			a := newAdapter(t, f, newRecorder())
			if err := a.Send(ctxT(t), cardbot.Outgoing{To: "1001", Text: text, Picture: cardPNG(t, 4, 4), Buttons: cardButtons}); err != nil {
				t.Fatal(err)
			}
			s := f.SentTo(alice.ID)
			if len(s) != 2 || s[0].Method != "sendPhoto" || s[0].Text != "" || s[0].Markup != nil ||
				s[1].Method != "sendMessage" || s[1].Text != text {
				t.Fatalf("sent %+v", s)
			}
			checkInline(t, s[1].Markup)
		})
	}
	f := newFake(t)
	a := newAdapter(t, f, newRecorder())
	exact := strings.Repeat("ж", 1024)
	if err := a.Send(ctxT(t), cardbot.Outgoing{To: "1001", Text: exact, Picture: cardPNG(t, 4, 4)}); err != nil {
		t.Fatal(err)
	}
	if s := f.SentTo(alice.ID); len(s) != 1 || s[0].Text != exact {
		t.Fatalf("a caption of exactly 1024 should stay a caption: %d calls", len(s))
	}
}

func TestSendAskPhone(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, newRecorder())
	ask := cardbot.Outgoing{To: "1001", Text: "Share your phone to link your card", AskPhone: true,
		Buttons: [][]cardbot.Button{{{Text: "Share my phone", Data: "phone"}}, {{Text: "Later", Data: "later"}}}}
	if err := a.Send(ctxT(t), ask); err != nil {
		t.Fatal(err)
	}
	ask.Buttons = nil
	if err := a.Send(ctxT(t), ask); err != nil {
		t.Fatal(err)
	}
	s := f.SentTo(alice.ID)
	for i, label := range []string{"Share my phone", telegram.DefaultPhoneLabel} {
		m := s[i].Markup
		if m == nil || m.IsInline() || !m.OneTimeKeyboard || len(m.Keyboard) != 1 || len(m.Keyboard[0]) != 1 {
			t.Fatalf("message %d markup %+v", i, m)
		}
		if b := m.Keyboard[0][0]; b.Text != label || !b.RequestContact {
			t.Fatalf("message %d button %+v, want %q with request_contact", i, b, label)
		}
	}
}

func TestSendErrors(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, newRecorder())
	send := func(m cardbot.Outgoing) *cardbot.SendError {
		t.Helper()
		err := a.Send(ctxT(t), m)
		var se *cardbot.SendError
		if err == nil || !errors.As(err, &se) {
			t.Fatalf("Send(%q) = %v, want a *SendError", m.Text, err)
		}
		return se
	}
	hi := cardbot.Outgoing{To: "1001", Text: "hi"}

	f.FailNext("sendMessage", alice.ID, fakeapi.TooManyRequests(7))
	if se := send(hi); se.RetryAfter != 7*time.Second || se.Permanent {
		t.Errorf("429: %+v", se)
	}
	f.FailNext("sendPhoto", alice.ID, fakeapi.TooManyRequests(3))
	if se := send(cardbot.Outgoing{To: "1001", Picture: cardPNG(t, 2, 2)}); se.RetryAfter != 3*time.Second {
		t.Errorf("429 on a photo: %+v", se)
	}
	f.BlockBy(alice.ID)
	if se := send(hi); !se.Permanent || !strings.Contains(se.Reason, "blocked") {
		t.Errorf("blocked: %+v", se)
	}
	f.Unblock(alice.ID)
	f.FailNext("sendMessage", alice.ID, fakeapi.Failure{Code: 403, Description: "Forbidden: user is deactivated"})
	if se := send(hi); !se.Permanent {
		t.Errorf("deactivated: %+v", se)
	}
	f.FailNext("sendMessage", alice.ID, fakeapi.Failure{Code: 400, Description: "Bad Request: chat not found"})
	if se := send(hi); !se.Permanent {
		t.Errorf("chat not found: %+v", se)
	}

	calls := f.Calls("sendMessage")
	for name, m := range map[string]cardbot.Outgoing{
		"bad chat id":   {To: "@alice", Text: "hi"},
		"no chat id":    {To: "", Text: "hi"},
		"empty message": {To: "1001", Text: "  "},
		"long data":     {To: "1001", Text: "hi", Buttons: [][]cardbot.Button{{{Text: "x", Data: strings.Repeat("d", 65)}}}},
		"no action":     {To: "1001", Text: "hi", Buttons: [][]cardbot.Button{{{Text: "x"}}}},
	} {
		if se := send(m); !se.Permanent {
			t.Errorf("%s: %+v", name, se)
		}
	}
	if f.Calls("sendMessage") != calls {
		t.Error("messages that cannot be sent went to Telegram")
	}

	f.FailNext("sendMessage", alice.ID, fakeapi.ServerError())
	err := a.Send(ctxT(t), hi)
	var se *cardbot.SendError
	if err == nil || errors.As(err, &se) {
		t.Errorf("5xx: %v, want a passing (non-SendError) error", err)
	}
}

func TestSendRateLimited(t *testing.T) {
	f := newFake(t)
	f.SetClock(func() time.Time { return time.Unix(1_700_000_000, 0) })
	f.SetRateLimit(0, 1)
	a := newAdapter(t, f, newRecorder())
	if err := a.Send(ctxT(t), cardbot.Outgoing{To: "1001", Text: "one"}); err != nil {
		t.Fatal(err)
	}
	err := a.Send(ctxT(t), cardbot.Outgoing{To: "1001", Text: "two"})
	var se *cardbot.SendError
	if !errors.As(err, &se) || se.RetryAfter != time.Second {
		t.Fatalf("second send in a second: %v", err)
	}
}

func TestSetCommands(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, newRecorder())
	cmds := []telegram.Command{{Name: "start", Description: "Получить карту"}, {Name: "balance", Description: "Баланс"}}
	if err := a.SetCommands(ctxT(t), cmds); err != nil {
		t.Fatal(err)
	}
	want := []fakeapi.BotCommand{{Command: "start", Description: "Получить карту"}, {Command: "balance", Description: "Баланс"}}
	if got := f.Commands(); !slices.Equal(got, want) {
		t.Fatalf("commands %+v", got)
	}
	if err := a.SetCommands(ctxT(t), []telegram.Command{{Name: "Bad", Description: "x"}}); err == nil {
		t.Fatal("an invalid command was accepted")
	}
}
