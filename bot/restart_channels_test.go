package bot_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cardbot"
	"cardbot/bot"
	"cardbot/bot/email"
	"cardbot/bot/email/fakesmtp"
	"cardbot/bot/sms"
	"cardbot/bot/telegram"
	"cardbot/bot/telegram/fakeapi"
)

// whatsAppFake stands in for the WhatsApp adapter (whatsmeow has no offline server): numbers in notOn
// have no WhatsApp, and a send to a number in held waits until the hold is lifted or the send's
// context ends, as a send cut short by a shutdown.
type whatsAppFake struct {
	mu    sync.Mutex
	notOn map[string]bool
	held  map[string]chan struct{}
	asked map[string]int // sends started, per number
	sent  map[string]int // sends accepted, per number
}

func newWhatsAppFake() *whatsAppFake {
	return &whatsAppFake{notOn: map[string]bool{}, held: map[string]chan struct{}{}, asked: map[string]int{},
		sent: map[string]int{}}
}

func (w *whatsAppFake) Channel() string { return "whatsapp" }

func (w *whatsAppFake) Send(ctx context.Context, out cardbot.Outgoing) error {
	w.mu.Lock()
	w.asked[out.To]++
	gate, notOn := w.held[out.To], w.notOn[out.To]
	w.mu.Unlock()
	if notOn {
		return errNotOnWhatsApp
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	w.mu.Lock()
	w.sent[out.To]++
	w.mu.Unlock()
	return nil
}

// release lets the held sends to number go and no longer holds new ones.
func (w *whatsAppFake) release(number string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	close(w.held[number])
	delete(w.held, number)
}

func (w *whatsAppFake) counts(number string) (asked, sent int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.asked[number], w.sent[number]
}

// smsGateway is an httptest SMS gateway that answers each phone as told (200 when nothing is set) and
// counts the requests per phone.
type smsGateway struct {
	*httptest.Server
	mu      sync.Mutex
	answers map[string]int
	calls   map[string]int
}

func newSMSGateway(t *testing.T) *smsGateway {
	g := &smsGateway{answers: map[string]int{}, calls: map[string]int{}}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		to := r.URL.Query().Get("to")
		g.mu.Lock()
		g.calls[to]++
		code := g.answers[to]
		g.mu.Unlock()
		if code == 0 {
			code = http.StatusOK
		}
		w.WriteHeader(code)
		_, _ = w.Write([]byte(http.StatusText(code)))
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *smsGateway) answer(digits string, code int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.answers[digits] = code
}

func (g *smsGateway) callsTo(digits string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.calls[digits]
}

// fourChannels builds the real Telegram, SMS and email adapters against their fakes, as a process
// start does, with the WhatsApp fake in the cascade's second place.
func fourChannels(t *testing.T, tgAPI *fakeapi.Server, token string, wa *whatsAppFake, gw *smsGateway, mail *fakesmtp.Server) []cardbot.Sender {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	tg, err := telegram.New(cardbot.TelegramConfig{Token: token, APIURL: tgAPI.URL(), Mode: cardbot.TelegramPolling}, ignoreInbound{}, log)
	if err != nil {
		t.Fatal(err)
	}
	sm, err := sms.New(cardbot.SMSConfig{Enabled: true, Method: "GET", URL: gw.URL + "/send?to={{.Digits}}&text={{.Text | urlquery}}",
		Timeout: cardbot.Duration(5 * time.Second)}, nil, log)
	if err != nil {
		t.Fatal(err)
	}
	em, err := email.New(cardbot.EmailConfig{Enabled: true, Host: mail.Host, Port: mail.Port, From: "cards@example.com",
		TLS: cardbot.EmailNoTLS, UnsubscribeURL: "http://127.0.0.1/u/", Timeout: cardbot.Duration(5 * time.Second)},
		cardbot.Business{Name: "Кофейня"}, log)
	if err != nil {
		t.Fatal(err)
	}
	return []cardbot.Sender{tg, wa, sm, em}
}

// The process stops while three notices are each on a different step of the cascade, and a new
// process (a new dispatcher and new adapters on the same database file) carries each on from the
// channel it was on: Anna's waits for an SMS retry, Boris's for an email retry, Carol's is in flight on
// WhatsApp when the shutdown deadline cuts it. None is sent again on a channel it already left.
func TestCascadeResumesOnItsChannelAfterARestartWithEveryAdapter(t *testing.T) {
	const token = "123456:TEST-token_for_the_fake_bot_api"
	tgAPI := fakeapi.New(token)
	tgAPI.Start()
	defer tgAPI.Close()
	wa, gw, mail := newWhatsAppFake(), newSMSGateway(t), fakesmtp.Start(t)
	opt := bot.Options{Cascade: []string{"telegram", "whatsapp", "sms", "email"}, MaxAttempts: 3,
		Backoff: func(int) time.Duration { return time.Minute }} // on the harness's manual clock

	h := openHarness(t, cardbot.NewManualClock(t0))
	h.clock = h.now.(*cardbot.ManualClock)
	type customer struct {
		name, chat, phone, mail string
		id                      uint64
	}
	anna := &customer{name: "Анна", chat: "7001", phone: "+79160000001", mail: "anna@example.com"}
	boris := &customer{name: "Борис", chat: "7002", phone: "+79160000002", mail: "boris@example.com"}
	carol := &customer{name: "Карина", chat: "7003", phone: "+79160000003", mail: "carol@example.com"}
	for _, c := range []*customer{anna, boris, carol} {
		chat, _ := strconv.ParseInt(c.chat, 10, 64)
		tgAPI.BlockBy(chat) // all three blocked the bot
		cl := h.client(cardbot.Client{Name: c.name, Phone: c.phone, Email: c.mail,
			Channels: []cardbot.Address{{Channel: "telegram", ID: c.chat}, {Channel: "whatsapp", ID: c.phone}}})
		c.id = h.enqueue(notice(cl.ID, "Начислено 50 баллов"))[0]
	}
	wa.notOn[anna.phone], wa.notOn[boris.phone] = true, true
	wa.held[carol.phone] = make(chan struct{})
	gw.answer("79160000001", http.StatusBadGateway) // passing: Anna waits for a retry
	gw.answer("79160000002", http.StatusBadRequest) // final for Boris's number: on to email
	mail.Reject(boris.mail, 451)                    // passing: Boris waits for a retry

	h.start(opt, fourChannels(t, tgAPI, token, wa, gw, mail)...)
	h.waitAttempts(anna.id, 3)
	h.waitAttempts(boris.id, 4)
	eventually(t, "Carol's WhatsApp send is in flight", func() bool { asked, _ := wa.counts(carol.phone); return asked == 1 })
	h.drainPastDeadline() // the shutdown runs out of time while WhatsApp holds Carol's send
	trail := func(id uint64) string {
		var s []string
		for _, a := range h.message(id).Attempts {
			s = append(s, a.Channel+":"+a.Result)
		}
		return strings.Join(s, " ")
	}
	for id, want := range map[uint64]string{
		anna.id:  "telegram:failed whatsapp:failed sms:retry",
		boris.id: "telegram:failed whatsapp:failed sms:failed email:retry",
		carol.id: "telegram:failed",
	} {
		if got := trail(id); got != want {
			t.Fatalf("message %d at the stop: %s, want %s", id, got, want)
		}
	}
	tgBefore := tgAPI.Calls("sendMessage")
	if tgBefore != 3 {
		t.Fatalf("Telegram was asked %d times before the restart, want once per customer", tgBefore)
	}

	// Meanwhile the gateway and the mail server recover and WhatsApp answers again.
	gw.answer("79160000001", 0)
	mail.Reject(boris.mail, 0)
	wa.release(carol.phone)
	h.restart(opt, fourChannels(t, tgAPI, token, wa, gw, mail)...)
	h.moveTo(t0.Add(2 * time.Minute))
	for _, c := range []*customer{anna, boris, carol} {
		h.waitStatus(c.id, cardbot.MessageSent)
	}

	for _, tt := range []struct {
		who  *customer
		want string
	}{
		{anna, "telegram:failed whatsapp:failed sms:retry sms:sent"},
		{boris, "telegram:failed whatsapp:failed sms:failed email:retry email:sent"},
		{carol, "telegram:failed whatsapp:sent"}, // the send cut short left no outcome: it went again
	} {
		if got := trail(tt.who.id); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.who.name, got, tt.want)
		}
	}
	if n := tgAPI.Calls("sendMessage"); n != tgBefore {
		t.Errorf("Telegram was asked %d more times after the restart", n-tgBefore)
	}
	for _, c := range []*customer{anna, boris} {
		if asked, _ := wa.counts(c.phone); asked != 1 {
			t.Errorf("WhatsApp was asked about %s %d times, want once", c.name, asked)
		}
	}
	if asked, sent := wa.counts(carol.phone); asked != 2 || sent != 1 {
		t.Errorf("Carol on WhatsApp: %d sends started, %d accepted; want the cut one and one more", asked, sent)
	}
	if a, b, c := gw.callsTo("79160000001"), gw.callsTo("79160000002"), gw.callsTo("79160000003"); a != 2 || b != 1 || c != 0 {
		t.Errorf("SMS gateway calls: Anna %d (want 2), Boris %d (want 1), Carol %d (want 0)", a, b, c)
	}
	msgs := mail.Messages()
	if len(msgs) != 1 || msgs[0].To[0] != boris.mail {
		t.Errorf("email: %d messages, want one to Boris", len(msgs))
	}
}
