package telegram_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"cardbot"
	"cardbot/bot/telegram"
	"cardbot/bot/telegram/fakeapi"
)

const (
	token  = "123456:TEST-token"
	secret = "s3cret_Token-1"
)

var (
	alice = fakeapi.User{ID: 1001, FirstName: "Alice", LastName: "Smith", Username: "alice"}
	bob   = fakeapi.User{ID: 2002, FirstName: "Bob"}
)

func newFake(t testing.TB) *fakeapi.Server {
	t.Helper()
	f := fakeapi.New(token)
	f.Start()
	t.Cleanup(f.Close)
	return f
}

func config(f *fakeapi.Server) cardbot.TelegramConfig {
	return cardbot.TelegramConfig{Token: token, APIURL: f.URL(), Mode: cardbot.TelegramPolling, WebhookSecret: secret}
}

// quiet drops the adapter's logs: they would outlive the test in background goroutines.
var quiet = slog.New(slog.DiscardHandler)

func newAdapter(t *testing.T, f *fakeapi.Server, h cardbot.Handler, opts ...telegram.Option) *telegram.Adapter {
	t.Helper()
	a, err := telegram.New(config(f), h, quiet, opts...)
	if err != nil {
		t.Fatalf("telegram.New: %v", err)
	}
	return a
}

// run polls until the test ends; cleanup stops it and checks it returned nil. The returned function
// stops it early.
func run(t *testing.T, a *telegram.Adapter) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// recorder is the engine's stand-in: it records what it handled and can fail on purpose.
type recorder struct {
	mu    sync.Mutex
	got   []cardbot.Inbound
	tries map[string]int // Handle calls per UpdateID, failed ones included
	fail  func(in cardbot.Inbound, try int) error
	ch    chan cardbot.Inbound
}

func newRecorder() *recorder {
	return &recorder{tries: map[string]int{}, ch: make(chan cardbot.Inbound, 1000)}
}

func (r *recorder) Handle(_ context.Context, in cardbot.Inbound) error {
	r.mu.Lock()
	r.tries[in.UpdateID]++
	try, fail := r.tries[in.UpdateID], r.fail
	r.mu.Unlock()
	if fail != nil {
		if err := fail(in, try); err != nil {
			return err
		}
	}
	r.mu.Lock()
	r.got = append(r.got, in)
	r.mu.Unlock()
	r.ch <- in
	return nil
}

func (r *recorder) next(t *testing.T) cardbot.Inbound {
	t.Helper()
	select {
	case in := <-r.ch:
		return in
	case <-time.After(5 * time.Second):
		t.Fatal("nothing handled within 5s")
		return cardbot.Inbound{}
	}
}

// texts returns the texts handled for one user, in order.
func (r *recorder) texts(userID int64) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, in := range r.got {
		if in.UserID == fmt.Sprint(userID) {
			out = append(out, in.Text)
		}
	}
	return out
}

func (r *recorder) triesOf(updateID int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tries[fmt.Sprint(updateID)]
}

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// eventually polls cond for up to five seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not within 5s: %s", what)
		}
	}
}

// webhookInfo asks the fake directly, as Telegram's getWebhookInfo.
type webhookInfo struct {
	URL              string `json:"url"`
	Pending          int    `json:"pending_update_count"`
	LastErrorMessage string `json:"last_error_message"`
}

func getWebhookInfo(t *testing.T, f *fakeapi.Server) webhookInfo {
	t.Helper()
	resp, err := http.Post(f.URL()+"/bot"+token+"/getWebhookInfo", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		Result webhookInfo `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatal(err)
	}
	return env.Result
}
