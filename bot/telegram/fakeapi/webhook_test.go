package fakeapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot"
)

func TestWebhookWithRealClient(t *testing.T) {
	f := newFake(t)
	got := newUpdates()
	b := newBot(t, f, bot.WithDefaultHandler(got.handler), bot.WithWebhookSecretToken("s3cret-token"))

	// The library's handler answers 200 even on a wrong secret, so the
	// test (like the adapter) checks the header in front of it.
	var mu sync.Mutex
	var secrets []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		secrets = append(secrets, r.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
		mu.Unlock()
		b.WebhookHandler()(w, r)
	}))
	t.Cleanup(hook.Close)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go b.StartWebhook(ctx)

	if ok, err := b.SetWebhook(ctxT(t), &bot.SetWebhookParams{URL: hook.URL, SecretToken: "s3cret-token"}); !ok || err != nil {
		t.Fatalf("setWebhook: %v %v", ok, err)
	}
	f.SendText(alice.ID, alice, "via webhook")
	if u := got.next(t); u.Message == nil || u.Message.Text != "via webhook" {
		t.Fatalf("update = %+v", u)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(secrets) != 1 || secrets[0] != "s3cret-token" {
		t.Fatalf("secret headers = %q", secrets)
	}
	// The update leaves the queue once its POST has been answered.
	eventually(t, func() bool {
		info, err := b.GetWebhookInfo(ctxT(t))
		return err == nil && info.URL == hook.URL && info.PendingUpdateCount == 0
	})
}

func TestGetUpdatesConflictsWithWebhook(t *testing.T) {
	f := newFake(t)
	a := call(t, f, token, "setWebhook", map[string]any{"url": "http://127.0.0.1:1/hook"})
	if !a.OK {
		t.Fatalf("setWebhook: %+v", a)
	}
	a = call(t, f, token, "getUpdates", map[string]any{})
	if a.OK || a.ErrorCode != 409 || a.status != 409 {
		t.Fatalf("getUpdates with webhook = %+v", a)
	}
	b := newBot(t, f)
	if _, err := b.DeleteWebhook(ctxT(t), &bot.DeleteWebhookParams{}); err != nil {
		t.Fatal(err)
	}
	if a = call(t, f, token, "getUpdates", map[string]any{}); !a.OK {
		t.Fatalf("after deleteWebhook = %+v", a)
	}
}

// hookRecorder is a webhook that fails its first failures requests.
type hookRecorder struct {
	mu       sync.Mutex
	failures int
	requests int
	ids      []int64
	got      chan struct{}
}

func (h *hookRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.requests++
	if h.requests <= h.failures {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	var u struct {
		ID int64 `json:"update_id"`
	}
	_ = json.Unmarshal(body, &u)
	h.ids = append(h.ids, u.ID)
	h.got <- struct{}{}
}

func TestWebhookRetriesInOrder(t *testing.T) {
	f := newFake(t)
	rec := &hookRecorder{failures: 3, got: make(chan struct{}, 10)}
	hook := httptest.NewServer(rec)
	t.Cleanup(hook.Close)
	for _, text := range []string{"one", "two", "three"} {
		f.SendText(alice.ID, alice, text)
	}
	if a := call(t, f, token, "setWebhook", map[string]any{"url": hook.URL}); !a.OK {
		t.Fatalf("setWebhook: %+v", a)
	}
	for range 3 {
		select {
		case <-rec.got:
		case <-time.After(5 * time.Second):
			t.Fatal("webhook deliveries stalled")
		}
	}
	rec.mu.Lock()
	if !slices.Equal(rec.ids, []int64{1, 2, 3}) || rec.requests != 6 {
		t.Fatalf("ids %v after %d requests", rec.ids, rec.requests)
	}
	rec.mu.Unlock()
	var info struct {
		LastErrorMessage string `json:"last_error_message"`
		Pending          int    `json:"pending_update_count"`
	}
	eventually(t, func() bool {
		_ = json.Unmarshal(call(t, f, token, "getWebhookInfo", nil).Result, &info)
		return info.Pending == 0
	})
	if info.LastErrorMessage != "Wrong response from the webhook: 500 Internal Server Error" {
		t.Fatalf("info = %+v", info)
	}
}
