package whatsapp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"cardbot"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
)

// online returns an adapter whose client is logged in, and the fake behind it.
func online(t *testing.T) (*Adapter, *fakeClient) {
	t.Helper()
	f := pairedFake()
	f.connected, f.loggedIn = true, true
	f.onWhatsApp["+79161234567"] = pnJID("79161234567")
	return newTestAdapter(t, f, &recorder{}), f
}

func testPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, h/2, color.RGBA{R: 200, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var menu = [][]cardbot.Button{
	{{Text: "Баланс", Data: "balance"}, {Text: "История", Data: "history"}},
	{{Text: "Сайт", URL: "https://cards.example.com/c/1"}},
}

func TestSendText(t *testing.T) {
	a, f := online(t)
	err := a.Send(context.Background(), cardbot.Outgoing{To: "+79161234567", Text: "Баланс: 100", Buttons: menu, AskPhone: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.sent) != 1 {
		t.Fatalf("sent %d messages, want 1", len(f.sent))
	}
	s := f.sent[0]
	if s.to != pnJID("79161234567") {
		t.Fatalf("sent to %s", s.to)
	}
	// The engine words a data button's choice into the text on channels without buttons; a link
	// button is written out.
	if want := "Баланс: 100\n\nСайт: https://cards.example.com/c/1"; s.msg.GetConversation() != want {
		t.Fatalf("text %q, want %q", s.msg.GetConversation(), want)
	}
}

func TestSendPicture(t *testing.T) {
	a, f := online(t)
	pic := testPNG(t, 640, 400)
	caption := "Бонусная карта\nНа карте: 100\n\nОтправьте цифру:\n1 — баланс"
	if err := a.Send(context.Background(), cardbot.Outgoing{To: "+79161234567", Text: caption, Picture: pic, Buttons: menu[:1]}); err != nil {
		t.Fatal(err)
	}
	if len(f.uploads) != 1 || !bytes.Equal(f.uploads[0], pic) {
		t.Fatal("the picture was not uploaded as it is")
	}
	if len(f.sent) != 1 {
		t.Fatalf("sent %d messages, want 1", len(f.sent))
	}
	img := f.sent[0].msg.GetImageMessage()
	switch {
	case img == nil:
		t.Fatal("no image message")
	case img.GetCaption() != caption:
		t.Fatalf("caption %q, want %q", img.GetCaption(), caption)
	case img.GetMimetype() != "image/png" || img.GetWidth() != 640 || img.GetHeight() != 400:
		t.Fatalf("described as %s %dx%d", img.GetMimetype(), img.GetWidth(), img.GetHeight())
	case img.GetURL() == "" || img.GetDirectPath() == "" || len(img.GetMediaKey()) == 0 || img.GetFileLength() != uint64(len(pic)):
		t.Fatalf("upload fields missing: %+v", img)
	case len(img.GetJPEGThumbnail()) == 0:
		t.Fatal("no preview")
	}
}

// A text too long for a caption follows the picture.
func TestSendPictureLongText(t *testing.T) {
	a, f := online(t)
	text := strings.Repeat("я", maxCaption+1)
	if err := a.Send(context.Background(), cardbot.Outgoing{To: "+79161234567", Text: text, Picture: testPNG(t, 10, 10)}); err != nil {
		t.Fatal(err)
	}
	if len(f.sent) != 2 || f.sent[0].msg.GetImageMessage().GetCaption() != "" || f.sent[1].msg.GetConversation() != text {
		t.Fatalf("want a picture without caption, then the text; got %d messages", len(f.sent))
	}
}

// The number is checked once; a number without WhatsApp fails for good, and stays known.
func TestSendNotOnWhatsApp(t *testing.T) {
	a, f := online(t)
	for range 2 {
		err := a.Send(context.Background(), cardbot.Outgoing{To: "+79160000000", Text: "hi"})
		if !isPermanent(err) || !strings.Contains(err.Error(), "not on WhatsApp") {
			t.Fatalf("got %v, want a permanent not-on-WhatsApp error", err)
		}
	}
	for range 2 {
		if err := a.Send(context.Background(), cardbot.Outgoing{To: "+79161234567", Text: "hi"}); err != nil {
			t.Fatal(err)
		}
	}
	if f.isOnCalls != 2 {
		t.Fatalf("asked WhatsApp about numbers %d times, want 2 (once per number)", f.isOnCalls)
	}
	if len(f.sent) != 2 {
		t.Fatalf("sent %d, want 2", len(f.sent))
	}
}

// WhatsApp's own JID for a number wins over the number's digits.
func TestSendUsesWhatsAppsJID(t *testing.T) {
	a, f := online(t)
	f.onWhatsApp["+5511987654321"] = pnJID("551187654321")
	if err := a.Send(context.Background(), cardbot.Outgoing{To: "+5511987654321", Text: "oi"}); err != nil {
		t.Fatal(err)
	}
	if f.sent[0].to != pnJID("551187654321") {
		t.Fatalf("sent to %s", f.sent[0].to)
	}
}

// A number that wrote to us needs no check, and a LID sender is answered at the LID.
func TestSendToKnownSenders(t *testing.T) {
	a, f := online(t)
	f.emit(textFrom("79170000002", "x", "hi"))
	for _, to := range []string{"+79170000002", "123456789012345@lid"} {
		if err := a.Send(context.Background(), cardbot.Outgoing{To: to, Text: "hi"}); err != nil {
			t.Fatalf("%s: %v", to, err)
		}
	}
	if f.isOnCalls != 0 {
		t.Fatalf("asked WhatsApp %d times, want 0", f.isOnCalls)
	}
	if lid := types.NewJID("123456789012345", types.HiddenUserServer); f.sent[1].to != lid {
		t.Fatalf("sent to %s, want %s", f.sent[1].to, lid)
	}
}

func TestSendErrors(t *testing.T) {
	goodPNG := testPNG(t, 4, 4)
	tests := []struct {
		name   string
		setup  func(f *fakeClient)
		out    cardbot.Outgoing
		kind   string // permanent, retry_after, passing
		reason string
	}{
		{"not E.164", nil, cardbot.Outgoing{To: "89161234567", Text: "hi"}, "permanent", "E.164"},
		{"too long", nil, cardbot.Outgoing{To: "+1234567890123456", Text: "hi"}, "permanent", "E.164"},
		{"telegram id", nil, cardbot.Outgoing{To: "123456789", Text: "hi"}, "permanent", "E.164"},
		{"nothing to send", nil, cardbot.Outgoing{To: "+79161234567", Text: " "}, "permanent", "neither"},
		{"not a picture", nil, cardbot.Outgoing{To: "+79161234567", Picture: []byte("GIF89a")}, "permanent", "PNG or JPEG"},
		{"disconnected", func(f *fakeClient) { f.connected, f.loggedIn = false, false }, cardbot.Outgoing{To: "+79161234567", Text: "hi"}, "passing", "not connected"},
		{"send timed out", func(f *fakeClient) { f.sendErr = whatsmeow.ErrMessageTimedOut }, cardbot.Outgoing{To: "+79161234567", Text: "hi"}, "passing", "timed out"},
		{"socket gone", func(f *fakeClient) { f.sendErr = whatsmeow.ErrNotConnected }, cardbot.Outgoing{To: "+79161234567", Text: "hi"}, "passing", "not connected"},
		{"number check rate-limited", func(f *fakeClient) { f.isOnErr = whatsmeow.ErrIQRateOverLimit }, cardbot.Outgoing{To: "+79160000009", Text: "hi"}, "retry_after", "rate"},
		{"number check timed out", func(f *fakeClient) { f.isOnErr = whatsmeow.ErrIQTimedOut }, cardbot.Outgoing{To: "+79160000009", Text: "hi"}, "passing", "timed out"},
		{"send rate-limited", func(f *fakeClient) {
			f.sendErr = fmt.Errorf("%w %d", whatsmeow.ErrServerReturnedError, 429)
		}, cardbot.Outgoing{To: "+79161234567", Text: "hi"}, "retry_after", "429"},
		{"send refused otherwise", func(f *fakeClient) {
			f.sendErr = fmt.Errorf("%w %d", whatsmeow.ErrServerReturnedError, 463)
		}, cardbot.Outgoing{To: "+79161234567", Text: "hi"}, "passing", "463"},
		{"upload failed", func(f *fakeClient) { f.uploadErr = errors.New("upload 503") }, cardbot.Outgoing{To: "+79161234567", Text: "x", Picture: goodPNG}, "passing", "upload 503"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, f := online(t)
			if tt.setup != nil {
				tt.setup(f)
			}
			err := a.Send(context.Background(), tt.out)
			if got := kindOf(err); got != tt.kind || !strings.Contains(err.Error(), tt.reason) {
				t.Fatalf("got %s error %v, want %s mentioning %q", got, err, tt.kind, tt.reason)
			}
			if len(f.sent) != 0 {
				t.Fatal("something was sent")
			}
		})
	}
}

func kindOf(err error) string {
	var se *cardbot.SendError
	switch {
	case err == nil:
		return "none"
	case !errors.As(err, &se):
		return "passing"
	case se.Permanent:
		return "permanent"
	case se.RetryAfter > 0:
		if se.RetryAfter < time.Second {
			return "retry_after too short"
		}
		return "retry_after"
	}
	return "SendError without a class"
}

func isPermanent(err error) bool { return kindOf(err) == "permanent" }
