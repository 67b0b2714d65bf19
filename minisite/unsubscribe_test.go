package minisite_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cardbot"
	"cardbot/minisite"

	"github.com/gofiber/fiber/v2"
)

// unsubRig is the mini-site rig with the unsubscribe page mounted, signing with tokens.
type unsubRig struct {
	*rig
	tokens *cardbot.UnsubscribeTokens
}

func newUnsubRig(t *testing.T, configure ...func(*cardbot.Config, *minisite.Links)) *unsubRig {
	t.Helper()
	r := newRig(t, configure...)
	tokens, err := cardbot.NewUnsubscribeTokens(bytes.Repeat([]byte("k"), cardbot.UnsubscribeSecretSize))
	if err != nil {
		t.Fatal(err)
	}
	site, err := minisite.New(minisite.Deps{Store: r.db, Wallet: r.w, Clock: r.clock, Config: r.cfg,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	site.Mount(app)
	if err := site.MountUnsubscribe(app, tokens); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { app.Shutdown() })
	served := *r
	served.url = "http://" + ln.Addr().String()
	return &unsubRig{rig: &served, tokens: tokens}
}

// client stores a client who agreed to marketing in the bot.
func (r *unsubRig) client(name, email string) *cardbot.Client {
	r.t.Helper()
	c := &cardbot.Client{Name: name, Email: email, Consent: cardbot.Consent{PersonalData: true, Marketing: true, Source: "telegram", At: r.clock.Now().AddDate(0, -1, 0)}}
	if err := r.db.Update(context.Background(), func(tx cardbot.Tx) error { return tx.CreateClient(c) }); err != nil {
		r.t.Fatal(err)
	}
	return c
}

func (r *unsubRig) consent(id uint64) cardbot.Consent {
	return read(r.rig, func(tx cardbot.Tx) (cardbot.Consent, error) {
		c, err := tx.Client(id)
		if err != nil {
			return cardbot.Consent{}, err
		}
		return c.Consent, nil
	})
}

func TestUnsubscribeLinkAsksFirstThenOptsOutEveryClientWithTheAddress(t *testing.T) {
	r := newUnsubRig(t)
	anna := r.client("Анна", "Anna@Example.com")
	son := r.client("Миша", "anna@example.com") // the family mailbox
	vera := r.client("Вера", "vera@example.com")
	link := "/u/" + r.tokens.Token("anna@example.com")
	b := r.browser()

	// A mail scanner or the customer opening the link: a question, nothing changes.
	ask := b.get(link)
	if ask.status != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", link, ask.status, ask.body)
	}
	mustContain(t, ask.body, "a***@example.com", "Кофейня «Зерно»", `method="post"`, `action="`+link+`"`,
		"Отписаться", "Уведомления о баллах и операциях по карте будут приходить")
	if strings.Contains(ask.body, "anna@example.com") {
		t.Errorf("the page shows the whole address:\n%s", ask.body)
	}
	if ask.header.Get("Cache-Control") != "no-store" || ask.header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("headers %v", ask.header)
	}
	for _, c := range []*cardbot.Client{anna, son, vera} {
		if got := r.consent(c.ID); !got.Marketing || got.Source != "telegram" {
			t.Fatalf("opening the link changed %s's consent: %+v", c.Name, got)
		}
	}

	// The button.
	done := b.do(http.MethodPost, link, url.Values{})
	if done.status != http.StatusOK {
		t.Fatalf("POST %s: %d\n%s", link, done.status, done.body)
	}
	mustContain(t, done.body, "Вы отписались", "a***@example.com", "Уведомления о баллах")
	for _, c := range []*cardbot.Client{anna, son} {
		got := r.consent(c.ID)
		if got.Marketing || got.Source != "email" || !got.At.Equal(r.clock.Now()) || !got.PersonalData {
			t.Errorf("%s after unsubscribing: %+v", c.Name, got)
		}
	}
	if got := r.consent(vera.ID); !got.Marketing {
		t.Errorf("another address was unsubscribed too: %+v", got)
	}
}

func TestUnsubscribeRefusesLinksItDidNotSign(t *testing.T) {
	r := newUnsubRig(t)
	anna := r.client("Анна", "anna@example.com")
	good := r.tokens.Token("anna@example.com")
	addr, sig, _ := strings.Cut(good, ".")
	other, err := cardbot.NewUnsubscribeTokens(bytes.Repeat([]byte("x"), cardbot.UnsubscribeSecretSize))
	if err != nil {
		t.Fatal(err)
	}
	b := r.browser()
	unknown := b.get("/c/no-such-card")
	for name, token := range map[string]string{
		"the old unsigned link":      addr,
		"a changed signature":        addr + "." + strings.ToUpper(sig[:1]) + strings.ToLower(sig[1:]) + "A",
		"another address, same sig":  r.tokens.Token("boris@example.com")[:strings.Index(r.tokens.Token("boris@example.com"), ".")] + "." + sig,
		"another installation's key": other.Token("anna@example.com"),
	} {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			p := b.do(method, "/u/"+token, url.Values{"List-Unsubscribe": {"One-Click"}})
			if p.status != http.StatusNotFound || p.body != unknown.body {
				t.Errorf("%s, %s: %d, want the plain 404 page\n%s", name, method, p.status, p.body)
			}
		}
	}
	if got := r.consent(anna.ID); !got.Marketing {
		t.Fatalf("a forged link unsubscribed Anna: %+v", got)
	}
}

func TestOneClickUnsubscribeNeedsNoConfirmation(t *testing.T) {
	r := newUnsubRig(t)
	anna := r.client("Анна", "anna@example.com")
	// What a mail client sends for its own "unsubscribe" button (RFC 8058).
	p := r.browser().do(http.MethodPost, "/u/"+r.tokens.Token("ANNA@example.com"), url.Values{"List-Unsubscribe": {"One-Click"}})
	if p.status != http.StatusOK {
		t.Fatalf("one-click: %d\n%s", p.status, p.body)
	}
	if got := r.consent(anna.ID); got.Marketing || got.Source != "email" {
		t.Fatalf("after one-click: %+v", got)
	}
	// Again (the button pressed twice): still fine, and the first withdrawal stays on record.
	r.clock.Advance(60e9)
	if p := r.browser().do(http.MethodPost, "/u/"+r.tokens.Token("anna@example.com"), url.Values{"List-Unsubscribe": {"One-Click"}}); p.status != http.StatusOK {
		t.Fatalf("second one-click: %d", p.status)
	}
	if got := r.consent(anna.ID); got.At.Equal(r.clock.Now()) {
		t.Errorf("the second click rewrote the withdrawal: %+v", got)
	}
}

func TestUnsubscribeLinksOfAnAddressWithoutClientsShowTheSamePages(t *testing.T) {
	r := newUnsubRig(t)
	link := "/u/" + r.tokens.Token("gone@example.com") // the client was deleted since the mail
	b := r.browser()
	if p := b.get(link); p.status != http.StatusOK || !strings.Contains(p.body, "g***@example.com") {
		t.Fatalf("GET: %d\n%s", p.status, p.body)
	}
	if p := b.do(http.MethodPost, link, url.Values{}); p.status != http.StatusOK || !strings.Contains(p.body, "Вы отписались") {
		t.Fatalf("POST: %d\n%s", p.status, p.body)
	}
}

func TestGuessingUnsubscribeTokensIsCutOff(t *testing.T) {
	r := newUnsubRig(t)
	anna := r.client("Анна", "anna@example.com")
	b := r.browser()
	for i := range 10 {
		if p := b.get("/u/guess" + strings.Repeat("x", i) + ".AAAA"); p.status != http.StatusNotFound {
			t.Fatalf("guess %d: %d", i, p.status)
		}
	}
	p := b.do(http.MethodPost, "/u/"+r.tokens.Token("anna@example.com"), url.Values{})
	if p.status != http.StatusTooManyRequests || strings.Contains(p.body, "a***") {
		t.Fatalf("after 10 wrong tokens: %d\n%s", p.status, p.body)
	}
	if got := r.consent(anna.ID); !got.Marketing {
		t.Fatalf("a refused request unsubscribed: %+v", got)
	}
	// The window passes.
	r.clock.Advance(11 * 60e9)
	if p := b.do(http.MethodPost, "/u/"+r.tokens.Token("anna@example.com"), url.Values{}); p.status != http.StatusOK {
		t.Fatalf("after the window: %d", p.status)
	}
}

func TestUnsubscribePageInEnglish(t *testing.T) {
	r := newUnsubRig(t, func(c *cardbot.Config, _ *minisite.Links) { c.Locale = "en" })
	r.client("Anna", "anna@example.com")
	p := r.browser().get("/u/" + r.tokens.Token("anna@example.com"))
	mustContain(t, p.body, `lang="en"`, "Unsubscribe <strong>a***@example.com</strong> from marketing mail from Кофейня «Зерно»?",
		"Notices about your points and card operations will keep coming.")
}
