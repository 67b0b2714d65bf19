package minisite_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cardbot"
	"cardbot/flows"
	"cardbot/minisite"
	"cardbot/store"
	"cardbot/wallet"

	"github.com/gofiber/fiber/v2"
)

// rig is the public pages on a real store, wallet and conversation engine (for notices and pictures),
// served by a fiber app and reached through real HTTP.
type rig struct {
	t     testing.TB
	db    *store.DB
	w     *wallet.Wallet
	clock *cardbot.ManualClock
	cfg   cardbot.Config
	url   string
	site  *cardbot.MiniSite
}

func newRig(t testing.TB, configure ...func(*cardbot.Config, *minisite.Links)) *rig {
	t.Helper()
	return newRigOn(t, nil, configure...)
}

// newRigOn is newRig with the pages' store passed through wrap (nil: the store itself), for tests
// that watch what the pages ask of it.
func newRigOn(t testing.TB, wrap func(cardbot.Store) cardbot.Store, configure ...func(*cardbot.Config, *minisite.Links)) *rig {
	t.Helper()
	cfg := cardbot.DefaultConfig()
	cfg.Business.Name = "Кофейня «Зерно»"
	cfg.HTTP.BaseURL = "https://cards.example"
	cfg.Programs = []cardbot.Program{
		{ID: "bonus", Name: "Бонусная карта", Type: cardbot.Bonus, Cashback: 500, WelcomeBonus: 10000, MaxRedeemPercent: 3000},
		{ID: "coffee", Name: "Кофейная карта", Type: cardbot.Stamp, Stamps: 6, Reward: "бесплатный кофе", StampsPerVisit: 1},
	}
	links := minisite.Links{TelegramBot: func() string { return "zerno_bot" }, WebChat: true}
	for _, f := range configure {
		f(&cfg, &links)
	}
	db, err := store.Open(filepath.Join(t.TempDir(), "cardbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clock := cardbot.NewManualClock(time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC))
	w, err := wallet.New(cfg, clock)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng, err := flows.NewEngine(flows.Deps{Store: db, Wallet: w, Clock: clock, Config: cfg, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	var pagesStore cardbot.Store = db
	if wrap != nil {
		pagesStore = wrap(db)
	}
	site, err := minisite.New(minisite.Deps{
		Store: pagesStore, Wallet: w, Clock: clock, Config: cfg, Log: log, Notifier: eng,
		Pictures: flows.NewPictures(db, w, cfg), Links: links, Generation: db.Generation,
	})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	site.Mount(app)
	r := &rig{t: t, db: db, w: w, clock: clock, cfg: cfg}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { app.Shutdown() })
	r.url = "http://" + ln.Addr().String()
	r.site = r.addSite(&cardbot.MiniSite{Slug: "tverskaya", Title: "Кофейня на Тверской", Text: "Карта за минуту", ProgramID: "bonus"})
	return r
}

func (r *rig) addSite(s *cardbot.MiniSite) *cardbot.MiniSite {
	r.t.Helper()
	err := r.db.Update(context.Background(), func(tx cardbot.Tx) error { return tx.CreateMiniSite(s) })
	if err != nil {
		r.t.Fatal(err)
	}
	return s
}

// browser is one visitor's browser: its own cookies, no redirects followed.
type browser struct {
	r      *rig
	client *http.Client
}

func (r *rig) browser() *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		r.t.Fatal(err)
	}
	return &browser{r: r, client: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

type page struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(method, path string, form url.Values) page {
	b.r.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.r.url+path, body)
	if err != nil {
		b.r.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.r.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		b.r.t.Fatal(err)
	}
	return page{status: resp.StatusCode, header: resp.Header, body: string(data)}
}

func (b *browser) get(path string) page { return b.do(http.MethodGet, path, nil) }

func (b *browser) submit(slug string, fields map[string]string) page {
	form := url.Values{}
	for k, v := range fields {
		form.Set(k, v)
	}
	return b.do(http.MethodPost, "/s/"+slug, form)
}

// anna is a visitor filling the form as people do.
func anna() map[string]string {
	return map[string]string{"name": "Анна", "phone": "8 916 123-45-67", "birthday": "1990-03-15", "consent": "1"}
}

// read returns what fn reads from the store.
func read[T any](r *rig, fn func(cardbot.Tx) (T, error)) T {
	r.t.Helper()
	var out T
	err := r.db.View(context.Background(), func(tx cardbot.Tx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	if err != nil {
		r.t.Fatal(err)
	}
	return out
}

// clients returns every client in the store.
func (r *rig) clients() []*cardbot.Client {
	return read(r, func(tx cardbot.Tx) ([]*cardbot.Client, error) { return tx.Clients(0, 1000) })
}

func (r *rig) cards(clientID uint64) []*cardbot.Card {
	return read(r, func(tx cardbot.Tx) ([]*cardbot.Card, error) { return tx.ClientCards(clientID) })
}

func (r *rig) messages(clientID uint64) []*cardbot.Message {
	return read(r, func(tx cardbot.Tx) ([]*cardbot.Message, error) { return tx.ClientMessages(clientID, 0, 100) })
}

func mustContain(t testing.TB, body string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(body, p) {
			if len(body) > 3000 {
				body = body[:3000] + "…"
			}
			t.Fatalf("the page lacks %q:\n%s", p, body)
		}
	}
}
