package telegram_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"cardbot"
	"cardbot/bot/telegram"
)

// webhookServer serves the adapter's webhook the way the wiring mounts it.
func webhookServer(t *testing.T, a *telegram.Adapter) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle(telegram.WebhookPath, a.WebhookHandler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func postUpdate(t *testing.T, url, secret, body string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func textUpdate(id int, text string) string {
	return fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":1700000000,
		"from":{"id":1001,"is_bot":false,"first_name":"Alice"},
		"chat":{"id":1001,"type":"private","first_name":"Alice"},"text":%q}}`, id, id, text)
}

func TestWebhookStatuses(t *testing.T) {
	f := newFake(t)
	rec := newRecorder()
	rec.fail = func(in cardbot.Inbound, _ int) error {
		switch in.Text {
		case "fails":
			return errors.New("store down")
		case "refused":
			return cardbot.Errorf(cardbot.Invalid, "bad input")
		}
		return nil
	}
	srv := webhookServer(t, newAdapter(t, f, rec))
	url := srv.URL + telegram.WebhookPath

	for _, tc := range []struct {
		name, secret, body string
		want               int
	}{
		{"no secret", "", textUpdate(1, "x"), 401},
		{"wrong secret", "s3cret_Token-2", textUpdate(2, "x"), 401},
		{"secret prefix", secret[:5], textUpdate(3, "x"), 401},
		{"bad JSON", secret, `{"update_id":`, 400},
		{"not an update", secret, `[1,2]`, 400},
		{"too big", secret, `{"update_id":4,"x":"` + strings.Repeat("a", 2<<20) + `"}`, 413},
		{"group message", secret, `{"update_id":5,"message":{"message_id":1,"date":1,"chat":{"id":-5,"type":"group"},"from":{"id":1,"first_name":"A"},"text":"hi"}}`, 200},
	} {
		if got := postUpdate(t, url, tc.secret, tc.body); got != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, got, tc.want)
		}
	}
	if len(rec.texts(alice.ID)) != 0 || rec.triesOf(1)+rec.triesOf(2)+rec.triesOf(3) != 0 {
		t.Fatal("the handler ran for a refused call")
	}

	// 200 comes only after Handle returned: the update is recorded by the time we read the status.
	if got := postUpdate(t, url, secret, textUpdate(10, "hello")); got != 200 || !slices.Equal(rec.texts(alice.ID), []string{"hello"}) {
		t.Fatalf("valid update: status %d, handled %v", got, rec.texts(alice.ID))
	}
	if got := postUpdate(t, url, secret, textUpdate(11, "fails")); got != 500 {
		t.Fatalf("failing handler: status %d, want 500", got)
	}
	if got := postUpdate(t, url, secret, textUpdate(12, "refused")); got != 200 {
		t.Fatalf("refused for good: status %d, want 200 (delivering it again cannot help)", got)
	}
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 405 {
		t.Fatalf("GET: %v %v", resp, err)
	}
}

// End to end with the fake delivering: the first delivery of an update fails, the fake sees the 500,
// delivers it again, and the updates are handled once each, in order.
func TestWebhookRedeliveryThroughTheFake(t *testing.T) {
	f := newFake(t)
	rec := newRecorder()
	rec.fail = func(in cardbot.Inbound, try int) error {
		if in.Text == "two" && try == 1 {
			return errors.New("store busy")
		}
		return nil
	}
	a := newAdapter(t, f, rec)
	srv := webhookServer(t, a)
	if err := a.SetWebhook(ctxT(t), srv.URL+telegram.WebhookPath); err != nil {
		t.Fatal(err)
	}
	f.SendText(alice.ID, alice, "one")
	two := f.SendText(alice.ID, alice, "two")
	f.SendText(alice.ID, alice, "three")

	eventually(t, "three handled", func() bool { return len(rec.texts(alice.ID)) == 3 })
	if got := rec.texts(alice.ID); !slices.Equal(got, []string{"one", "two", "three"}) {
		t.Fatalf("order %v", got)
	}
	if rec.triesOf(two) != 2 {
		t.Fatalf("update two tried %d times, want 2", rec.triesOf(two))
	}
	eventually(t, "queue drained", func() bool { return getWebhookInfo(t, f).Pending == 0 })
	if info := getWebhookInfo(t, f); info.URL != srv.URL+telegram.WebhookPath || !strings.Contains(info.LastErrorMessage, "500") {
		t.Fatalf("webhook info %+v", info)
	}
}

func TestWebhookNeedsASecret(t *testing.T) {
	f := newFake(t)
	cfg := config(f)
	cfg.WebhookSecret = ""
	a, err := telegram.New(cfg, newRecorder(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetWebhook(ctxT(t), "https://cards.example.com/telegram/webhook"); err == nil {
		t.Fatal("SetWebhook without a secret succeeded")
	}
	srv := webhookServer(t, a)
	if got := postUpdate(t, srv.URL+telegram.WebhookPath, "", textUpdate(1, "x")); got != 401 {
		t.Fatalf("status %d: without a configured secret every call must be refused", got)
	}
}

// Webhook bodies are parsed input from the network: whatever arrives with the right secret, the
// handler answers 200 or 400 and does not panic.
func FuzzWebhookBody(f *testing.F) {
	fake := newFake(f).URL()
	a, err := telegram.New(cardbot.TelegramConfig{Token: token, APIURL: fake, WebhookSecret: secret}, nopHandler{}, quiet)
	if err != nil {
		f.Fatal(err)
	}
	h := a.WebhookHandler()
	f.Add(textUpdate(1, "/start ref_x"))
	f.Add(`{"update_id":2,"callback_query":{"id":"1","from":{"id":1},"data":"x"}}`)
	f.Add(`{"update_id":3,"callback_query":{"id":"1","from":{"id":1},"message":{"chat":{"id":1,"type":"private"},"message_id":1,"date":0},"data":"x"}}`)
	f.Add(`{"update_id":4,"message":{"chat":{"id":1,"type":"private"},"from":null,"contact":{"phone_number":"1"}}}`)
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, telegram.WebhookPath, strings.NewReader(body))
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 && w.Code != 400 {
			t.Fatalf("status %d for %q", w.Code, body)
		}
	})
}

// nopHandler accepts everything and keeps nothing: a fuzz run handles far more updates than a
// recorder holds.
type nopHandler struct{}

func (nopHandler) Handle(context.Context, cardbot.Inbound) error { return nil }

// Calls that Telegram makes side by side are handled one chat at a time, in arrival order, while
// another chat goes ahead.
func TestWebhookSerialisesEachChat(t *testing.T) {
	f := newFake(t)
	rec := newRecorder()
	release := make(chan struct{})
	rec.fail = func(in cardbot.Inbound, _ int) error {
		if in.Text == "first" {
			<-release
		}
		return nil
	}
	url := webhookServer(t, newAdapter(t, f, rec)).URL + telegram.WebhookPath
	statuses := make(chan int, 2)
	go func() { statuses <- postUpdateErr(url, textUpdate(1, "first")) }()
	eventually(t, "first in the handler", func() bool { return rec.triesOf(1) == 1 })
	go func() { statuses <- postUpdateErr(url, textUpdate(2, "second")) }()

	bobsUpdate := `{"update_id":3,"message":{"message_id":3,"date":1,"from":{"id":2002,"first_name":"Bob"},
		"chat":{"id":2002,"type":"private"},"text":"bob"}}`
	if got := postUpdate(t, url, secret, bobsUpdate); got != 200 {
		t.Fatalf("bob: %d", got)
	}
	time.Sleep(20 * time.Millisecond)
	if rec.triesOf(2) != 0 {
		t.Fatal("second ran while first was still being handled")
	}
	close(release)
	for range 2 {
		if s := <-statuses; s != 200 {
			t.Fatalf("status %d", s)
		}
	}
	if got := rec.texts(alice.ID); !slices.Equal(got, []string{"first", "second"}) {
		t.Fatalf("order %v", got)
	}
}

// postUpdateErr is postUpdate with the right secret for goroutines other than the test's.
func postUpdateErr(url, body string) int {
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}
