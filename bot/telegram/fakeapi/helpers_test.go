package fakeapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"cardbot/bot/telegram/fakeapi"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

const token = "123456:TEST-token"

var alice = fakeapi.User{ID: 1001, FirstName: "Alice", Username: "alice", LanguageCode: "ru"}

func newFake(t *testing.T) *fakeapi.Server {
	t.Helper()
	f := fakeapi.New(token)
	f.Start()
	t.Cleanup(f.Close)
	return f
}

// newBot builds the real client against the fake. Errors the library
// reports in the background (failed polls) are collected, not logged.
func newBot(t *testing.T, f *fakeapi.Server, opts ...bot.Option) *bot.Bot {
	t.Helper()
	opts = append([]bot.Option{
		bot.WithServerURL(f.URL()),
		bot.WithErrorsHandler(func(error) {}),
		bot.WithDefaultHandler(func(context.Context, *bot.Bot, *models.Update) {}),
	}, opts...)
	b, err := bot.New(token, opts...)
	if err != nil {
		t.Fatalf("bot.New: %v", err)
	}
	return b
}

// startPolling runs b.Start until the test ends and waits for it to
// return, so no request is in flight when the fake closes.
func startPolling(t *testing.T, b *bot.Bot) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		b.Start(ctx)
		close(done)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// updates collects what handlers receive.
type updates struct {
	mu  sync.Mutex
	got []*models.Update
	ch  chan *models.Update
}

func newUpdates() *updates { return &updates{ch: make(chan *models.Update, 100)} }

func (u *updates) handler(_ context.Context, _ *bot.Bot, upd *models.Update) {
	u.mu.Lock()
	u.got = append(u.got, upd)
	u.mu.Unlock()
	u.ch <- upd
}

func (u *updates) next(t *testing.T) *models.Update {
	t.Helper()
	select {
	case upd := <-u.ch:
		return upd
	case <-time.After(5 * time.Second):
		t.Fatal("no update within 5s")
		return nil
	}
}

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// apiAnswer is the Bot API envelope as a test reads it.
type apiAnswer struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
	status int
}

// call posts params as JSON, the way a client other than go-telegram/bot
// would, and decodes the envelope.
func call(t *testing.T, f *fakeapi.Server, tok, method string, params map[string]any) apiAnswer {
	t.Helper()
	a, err := callErr(f, tok, method, params)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// callErr is call for goroutines other than the test's, which must not
// call t.Fatal.
func callErr(f *fakeapi.Server, tok, method string, params map[string]any) (apiAnswer, error) {
	body, _ := json.Marshal(params)
	return postErr(f.URL()+"/bot"+tok+"/"+method, "application/json", string(body))
}

func post(t *testing.T, url, contentType, body string) apiAnswer {
	t.Helper()
	a, err := postErr(url, contentType, body)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func postErr(url, contentType, body string) (apiAnswer, error) {
	resp, err := http.Post(url, contentType, strings.NewReader(body))
	if err != nil {
		return apiAnswer{}, err
	}
	defer resp.Body.Close()
	var a apiAnswer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		return apiAnswer{}, err
	}
	a.status = resp.StatusCode
	return a, nil
}

func updateIDs(t *testing.T, a apiAnswer) []int64 {
	t.Helper()
	if !a.OK {
		t.Fatalf("getUpdates failed: %d %s", a.ErrorCode, a.Description)
	}
	var ups []struct {
		ID int64 `json:"update_id"`
	}
	if err := json.Unmarshal(a.Result, &ups); err != nil {
		t.Fatalf("decode updates %s: %v", a.Result, err)
	}
	ids := []int64{}
	for _, u := range ups {
		ids = append(ids, u.ID)
	}
	return ids
}

func testPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(1, 1, color.RGBA{R: 255, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// eventually polls cond for up to five seconds, for state that settles
// just after the event a test waits on.
func eventually(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
	}
}
