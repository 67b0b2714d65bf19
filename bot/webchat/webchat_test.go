package webchat_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"cardbot"
	"cardbot/bot/webchat"
	"cardbot/store"

	"github.com/gofiber/fiber/v2"
)

// fakeEngine stands for the conversation engine and the dispatcher: it records what comes in and
// answers each text with an echo sent through the adapter, as the dispatcher would.
type fakeEngine struct {
	mu       sync.Mutex
	got      []cardbot.Inbound
	adapter  *webchat.Adapter
	messages uint64
	fail     error
}

func (f *fakeEngine) Handle(ctx context.Context, in cardbot.Inbound) error {
	f.mu.Lock()
	if f.fail != nil {
		defer f.mu.Unlock()
		return f.fail
	}
	f.got = append(f.got, in)
	f.messages++
	id := f.messages
	f.mu.Unlock()
	reply := cardbot.Outgoing{To: in.UserID, Text: "you said " + in.Text + in.Button, Message: id,
		Buttons: [][]cardbot.Button{{{Text: "Баланс", Data: "balance"}}}}
	if in.Text == "card" {
		reply.CardID = 7
	}
	return f.adapter.Send(ctx, reply)
}

func (f *fakeEngine) inbound() []cardbot.Inbound {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]cardbot.Inbound(nil), f.got...)
}

type fakePictures struct{}

func (fakePictures) CardPicture(_ context.Context, cardID uint64) ([]byte, error) {
	return []byte(fmt.Sprintf("PNG of card %d", cardID)), nil
}

type chatRig struct {
	t       *testing.T
	engine  *fakeEngine
	adapter *webchat.Adapter
	db      *store.DB
	url     string
	clock   *cardbot.ManualClock
}

func newChatRig(t *testing.T, opts ...webchat.Option) *chatRig {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "cardbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	r := &chatRig{t: t, engine: &fakeEngine{}, db: db, clock: cardbot.NewManualClock(time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC))}
	r.start(append([]webchat.Option{webchat.WithClock(r.clock)}, opts...)...)
	return r
}

// start serves a new adapter (a restart of the service keeps only the store).
func (r *chatRig) start(opts ...webchat.Option) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	r.adapter = webchat.New(r.engine, r.db, fakePictures{}, log, opts...)
	r.engine.adapter = r.adapter
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	r.adapter.Mount(app)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		r.t.Fatal(err)
	}
	go app.Listener(ln)
	a := r.adapter
	r.t.Cleanup(func() { a.Close(); app.Shutdown() })
	r.url = "http://" + ln.Addr().String()
}

// visitor is one browser with its cookies.
type visitor struct {
	r      *chatRig
	client *http.Client
	header string // a session sent in the header instead of a cookie (the widget's frame)
	epoch  string
	after  uint64
}

func (r *chatRig) visitor() *visitor {
	jar, _ := cookiejar.New(nil)
	return &visitor{r: r, client: &http.Client{Jar: jar, Timeout: 40 * time.Second}}
}

func (v *visitor) call(method, path, body string) (int, http.Header, []byte) {
	v.r.t.Helper()
	req, err := http.NewRequest(method, v.r.url+path, strings.NewReader(body))
	if err != nil {
		v.r.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if v.header != "" {
		req.Header.Set(webchat.SessionHeader, v.header)
	}
	resp, err := v.client.Do(req)
	if err != nil {
		v.r.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, data
}

func (v *visitor) say(id, text string) int {
	v.r.t.Helper()
	body, _ := json.Marshal(map[string]string{"id": id, "text": text})
	status, _, _ := v.call(http.MethodPost, "/chat/api/send", string(body))
	return status
}

// session is the browser's session id: made by a first read, then kept in its cookie.
func (v *visitor) session() string {
	v.r.t.Helper()
	if v.client.Jar == nil {
		return v.header
	}
	v.read(false)
	u, _ := url.Parse(v.r.url)
	for _, c := range v.client.Jar.Cookies(u) {
		if c.Name == webchat.CookieName {
			return c.Value
		}
	}
	v.r.t.Fatal("no session cookie")
	return ""
}

type polled struct {
	Session  string          `json:"session"`
	Epoch    string          `json:"epoch"`
	Messages []webchat.Entry `json:"messages"`
}

// read returns what is new since the last read; wait makes it a long poll.
func (v *visitor) read(wait bool) polled {
	v.r.t.Helper()
	path := fmt.Sprintf("/chat/api/messages?after=%d&epoch=%s", v.after, v.epoch)
	if wait {
		path += "&wait=1"
	}
	status, _, data := v.call(http.MethodGet, path, "")
	if status != 200 {
		v.r.t.Fatalf("messages: %d %s", status, data)
	}
	var p polled
	if err := json.Unmarshal(data, &p); err != nil {
		v.r.t.Fatal(err)
	}
	if p.Epoch != v.epoch {
		v.after = 0
	}
	v.epoch = p.Epoch
	for _, m := range p.Messages {
		v.after = max(v.after, m.Seq)
	}
	return p
}

func lines(p polled) []string {
	var out []string
	for _, m := range p.Messages {
		out = append(out, m.From+": "+m.Text)
	}
	return out
}

func TestASessionCookieIsMadeOnceAndIsHttpOnlyLax(t *testing.T) {
	r := newChatRig(t)
	v := r.visitor()
	_, h, _ := v.call(http.MethodPost, "/chat/api/session", "")
	c := h.Get("Set-Cookie")
	for _, want := range []string{webchat.CookieName + "=", "HttpOnly", "SameSite=Lax", "path=/"} {
		if !strings.Contains(c, want) {
			t.Fatalf("Set-Cookie %q lacks %q", c, want)
		}
	}
	first := v.session()
	if body := v.read(false).Session; body != "" {
		t.Fatalf("a browser whose cookie works is told the session id in the body: %q", body)
	}
	if second := v.session(); first == "" || second != first {
		t.Fatalf("sessions %q then %q", first, second)
	}
	if other := r.visitor().session(); other == first {
		t.Fatal("two browsers share a session")
	}
}

func TestWhatTheVisitorWritesReachesTheEngineAndTheReplyComesBack(t *testing.T) {
	r := newChatRig(t)
	v := r.visitor()
	session := v.session()
	body := `{"id":"m1","text":"  привет ","payload":"site_3"}`
	if status, _, data := v.call(http.MethodPost, "/chat/api/send", body); status != 200 {
		t.Fatalf("send: %d %s", status, data)
	}
	in := r.engine.inbound()
	if len(in) != 1 {
		t.Fatalf("%d inbound", len(in))
	}
	want := cardbot.Inbound{Channel: "webchat", UserID: session, UpdateID: session + ":m1", Text: "привет", Payload: "site_3", At: r.clock.Now()}
	if in[0] != want {
		t.Fatalf("inbound %+v, want %+v", in[0], want)
	}
	got := v.read(true)
	if l := lines(got); strings.Join(l, "|") != "me: привет|bot: you said привет" {
		t.Fatalf("chat %q", l)
	}
	if b := got.Messages[1].Buttons; len(b) != 1 || b[0][0].Data != "balance" {
		t.Fatalf("buttons %+v", b)
	}
	// A button press shows its label and sends its data.
	if status, _, _ := v.call(http.MethodPost, "/chat/api/send", `{"id":"m2","button":"balance","label":"Баланс"}`); status != 200 {
		t.Fatal("button press refused")
	}
	if in := r.engine.inbound(); in[1].Button != "balance" || in[1].Text != "" {
		t.Fatalf("button inbound %+v", in[1])
	}
	if l := lines(v.read(true)); strings.Join(l, "|") != "me: Баланс|bot: you said balance" {
		t.Fatalf("chat %q", l)
	}
}

func TestALongPollWakesWhenTheBotSends(t *testing.T) {
	r := newChatRig(t)
	v := r.visitor()
	session := v.session()
	done := make(chan polled)
	go func() { done <- v.read(true) }()
	time.Sleep(50 * time.Millisecond) // let the poll start waiting (if it has not, it finds the message anyway)
	if err := r.adapter.Send(context.Background(), cardbot.Outgoing{To: session, Text: "ваши баллы начислены", Message: 9}); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-done:
		if l := lines(got); len(l) != 1 || l[0] != "bot: ваши баллы начислены" {
			t.Fatalf("chat %q", l)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the long poll did not wake")
	}
}

func TestAReloadShowsTheWholeChatAgainIncludingWhatCameMeanwhile(t *testing.T) {
	r := newChatRig(t)
	v := r.visitor()
	v.say("a1", "hi")
	v.read(true)
	// The tab is closed; a notice arrives; the page is opened again from scratch.
	sid := v.session()
	if err := r.adapter.Send(context.Background(), cardbot.Outgoing{To: sid, Text: "начислено 50 баллов", Message: 20}); err != nil {
		t.Fatal(err)
	}
	v.after, v.epoch = 0, ""
	if l := lines(v.read(false)); strings.Join(l, "|") != "me: hi|bot: you said hi|bot: начислено 50 баллов" {
		t.Fatalf("after reload %q", l)
	}
}

func TestAResentMessageIsShownAndHandledOnce(t *testing.T) {
	r := newChatRig(t)
	v := r.visitor()
	v.say("same", "hi")
	v.say("same", "hi")
	// The engine dedups by UpdateID in the store; the fake does not, so it saw two, and the
	// adapter shows the visitor's line once.
	p := v.read(false)
	me := 0
	for _, m := range p.Messages {
		if m.From == "me" {
			me++
		}
	}
	if me != 1 {
		t.Fatalf("the visitor's line is shown %d times", me)
	}
	if in := r.engine.inbound(); len(in) != 2 || in[0].UpdateID != in[1].UpdateID {
		t.Fatalf("inbound %+v", in)
	}
}

func TestTheDispatcherSendingARowTwiceShowsItOnce(t *testing.T) {
	r := newChatRig(t)
	v := r.visitor()
	sid := v.session()
	for range 2 {
		if err := r.adapter.Send(context.Background(), cardbot.Outgoing{To: sid, Text: "once", Message: 5}); err != nil {
			t.Fatal(err)
		}
	}
	if l := lines(v.read(false)); len(l) != 1 {
		t.Fatalf("chat %q", l)
	}
}

func TestMailboxesAreBounded(t *testing.T) {
	r := newChatRig(t, webchat.WithLimits(2, 3))
	v := r.visitor()
	for i := range 5 {
		v.say(fmt.Sprintf("m%d", i), fmt.Sprint(i))
	}
	if l := lines(v.read(false)); strings.Join(l, "|") != "bot: you said 3|me: 4|bot: you said 4" {
		t.Fatalf("kept %q", l)
	}
	// Two more sessions push the first one out; it comes back empty (it has no client in the store).
	r.visitor().read(false)
	r.visitor().read(false)
	v.after, v.epoch = 0, ""
	if l := lines(v.read(false)); len(l) != 0 {
		t.Fatalf("an evicted mailbox kept %q", l)
	}
}

// After a restart the mailbox is rebuilt from the outbox rows sent to the session.
func TestAfterARestartTheChatIsRebuiltFromTheOutbox(t *testing.T) {
	r := newChatRig(t)
	v := r.visitor()
	sid := v.session()
	addr := cardbot.Address{Channel: "webchat", ID: sid}
	now := r.clock.Now()
	err := r.db.Update(context.Background(), func(tx cardbot.Tx) error {
		c := &cardbot.Client{Name: "Анна", Channels: []cardbot.Address{addr}, CreatedAt: now}
		if err := tx.CreateClient(c); err != nil {
			return err
		}
		if err := tx.PutConversation(&cardbot.Conversation{Address: addr, ClientID: c.ID, State: "idle", UpdatedAt: now}); err != nil {
			return err
		}
		sent := func(m *cardbot.Message) error {
			m.ClientID, m.Status, m.CreatedAt, m.SentAt = c.ID, cardbot.MessageSent, now, now
			return tx.EnqueueMessage(m)
		}
		other := cardbot.Address{Channel: "webchat", ID: "OTHERSESSIONOTHERSESSIONXX"}
		for _, m := range []*cardbot.Message{
			{Kind: cardbot.KindReply, To: &addr, Text: "ваша карта", CardID: 3},
			{Kind: cardbot.KindReply, To: &other, Text: "другой браузер"},
			{Kind: cardbot.KindNotice, Text: "по SMS", Attempts: []cardbot.Attempt{{Channel: "sms", Result: cardbot.AttemptSent}}},
			{Kind: cardbot.KindNotice, Text: "начислено", Attempts: []cardbot.Attempt{{Channel: "webchat", Result: cardbot.AttemptSent}}},
		} {
			if err := sent(m); err != nil {
				return err
			}
		}
		return tx.EnqueueMessage(&cardbot.Message{ClientID: c.ID, Kind: cardbot.KindReply, To: &addr, Text: "ещё не отправлено", Status: cardbot.MessagePending, NextAt: now, CreatedAt: now})
	})
	if err != nil {
		t.Fatal(err)
	}
	r.start(webchat.WithClock(r.clock)) // the service restarts: memory is gone, the store is not
	got := v.read(false)
	if l := lines(got); strings.Join(l, "|") != "bot: ваша карта|bot: начислено" {
		t.Fatalf("rebuilt %q", l)
	}
	if !got.Messages[0].Picture {
		t.Fatal("the card reply lost its picture")
	}
	status, h, body := v.call(http.MethodGet, fmt.Sprintf("/chat/api/picture/%d", got.Messages[0].Seq), "")
	if status != 200 || h.Get("Content-Type") != "image/png" || string(body) != "PNG of card 3" {
		t.Fatalf("picture: %d %s %q", status, h.Get("Content-Type"), body)
	}
}

func TestPicturesAreServedOnlyToTheirSession(t *testing.T) {
	r := newChatRig(t)
	v := r.visitor()
	v.say("p1", "card")
	p := v.read(true)
	var seq uint64
	for _, m := range p.Messages {
		if m.Picture {
			seq = m.Seq
		}
	}
	if seq == 0 {
		t.Fatalf("no picture in %+v", p.Messages)
	}
	path := fmt.Sprintf("/chat/api/picture/%d", seq)
	if status, _, body := v.call(http.MethodGet, path, ""); status != 200 || string(body) != "PNG of card 7" {
		t.Fatalf("own picture: %d %q", status, body)
	}
	stranger := r.visitor()
	stranger.read(false)
	if status, _, _ := stranger.call(http.MethodGet, path, ""); status != 404 {
		t.Fatalf("a stranger's picture request: %d", status)
	}
}

// The widget's frame is a third-party context: its session comes in a header.
func TestTheSessionMayComeInAHeader(t *testing.T) {
	r := newChatRig(t)
	first := r.visitor()
	sid := first.session()
	first.say("h1", "hi")
	framed := &visitor{r: r, client: &http.Client{Timeout: 40 * time.Second}, header: sid}
	if l := lines(framed.read(false)); len(l) != 2 {
		t.Fatalf("the framed chat sees %q", l)
	}
	// A frame without a session yet is told the new one, to keep it for the next calls.
	fresh := &visitor{r: r, client: &http.Client{Timeout: 40 * time.Second}}
	if id := fresh.read(false).Session; len(id) != 26 || id == sid {
		t.Fatalf("a new frame is told %q", id)
	}
}

func TestBadRequestsAreRefused(t *testing.T) {
	r := newChatRig(t)
	v := r.visitor()
	for body, want := range map[string]int{
		`not json`:                     400,
		`{"id":"x1","text":"   "}`:     400,
		`{"id":"","text":"hi"}`:        400,
		`{"id":"bad id!","text":"hi"}`: 400,
		`{"id":"x2","text":"` + strings.Repeat("a", 5000) + `"}`: 413,
	} {
		if status, _, _ := v.call(http.MethodPost, "/chat/api/send", body); status != want {
			t.Errorf("%.40s: status %d, want %d", body, status, want)
		}
	}
	if n := len(r.engine.inbound()); n != 0 {
		t.Fatalf("%d refused messages reached the engine", n)
	}
}

func TestASessionSendingTooFastIsSlowedDown(t *testing.T) {
	r := newChatRig(t)
	v := r.visitor()
	for i := range 10 {
		if status := v.say(fmt.Sprintf("r%d", i), "hi"); status != 200 {
			t.Fatalf("message %d: %d", i+1, status)
		}
	}
	if status := v.say("r10", "hi"); status != 429 {
		t.Fatalf("11th message at once: %d, want 429", status)
	}
	r.clock.Advance(time.Second)
	if status := v.say("r11", "hi"); status != 200 {
		t.Fatalf("a second later: %d", status)
	}
}

func TestAnEngineFailureAsksToSendAgain(t *testing.T) {
	r := newChatRig(t)
	r.engine.fail = fmt.Errorf("disk full")
	v := r.visitor()
	if status := v.say("f1", "hi"); status != 503 {
		t.Fatalf("status %d, want 503", status)
	}
}

func TestSendRefusesAnAddressThatIsNoSession(t *testing.T) {
	r := newChatRig(t)
	err := r.adapter.Send(context.Background(), cardbot.Outgoing{To: "123", Text: "x"})
	var se *cardbot.SendError
	if !errors.As(err, &se) || !se.Permanent {
		t.Fatalf("err %v, want a permanent SendError", err)
	}
}
