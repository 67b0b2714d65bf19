package admin_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"cardbot"
	"cardbot/admin"
	"cardbot/cmd/cardbot/configfile"
	"cardbot/flows"
	"cardbot/store"
	"cardbot/wallet"

	"golang.org/x/crypto/bcrypt"
)

// site is the API and the admin page on a real store and a real listener, with the real
// conversation engine as the notifier, as the service wires them.
type site struct {
	t      testing.TB
	url    string
	db     *store.DB
	clock  *cardbot.ManualClock
	cfg    cardbot.Config
	wallet *wallet.Wallet
	engine *flows.Engine
	page   *admin.Page
	live   *recordingRuntime
	// The issue-6 screens' back ends, as the service wires them (nothing runs them until a test does).
	broadcasts *flows.Broadcasts
	scheduler  *flows.Scheduler
}

// recordingRuntime applies settings to the engine as the wiring does, and remembers the last cascade
// (the dispatcher's part) so tests can see it.
type recordingRuntime struct {
	engine  *flows.Engine
	cascade []string
}

func (r *recordingRuntime) Apply(cfg cardbot.Config) error {
	if err := r.engine.SetTexts(cfg.Texts); err != nil {
		return err
	}
	if err := r.engine.SetSettings(cfg.Settings); err != nil {
		return err
	}
	r.cascade = cfg.Settings.Cascade
	return nil
}

func newSite(t testing.TB, edit ...func(*cardbot.Config)) *site {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(filepath.Join(dir, "cardbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return startSite(t, db, nil, edit...)
}

// startSite starts the service's HTTP side over an open database (a restart when called again).
func startSite(t testing.TB, db *store.DB, channels admin.Channels, edit ...func(*cardbot.Config)) *site {
	t.Helper()
	cfg := cardbot.DefaultConfig()
	cfg.Programs = testPrograms()
	cfg.HTTP.BaseURL = "http://cards.example" // https makes the cookies Secure, which a test over http cannot send back
	for _, e := range edit {
		e(&cfg)
	}
	clock := cardbot.NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	w, err := wallet.New(cfg, clock)
	if err != nil {
		t.Fatal(err)
	}
	var logTo io.Writer = io.Discard
	if testing.Verbose() {
		logTo = os.Stderr
	}
	log := slog.New(slog.NewTextHandler(logTo, nil))
	engine, err := flows.NewEngine(flows.Deps{Store: db, Wallet: w, Clock: clock, Config: cfg, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	live := &recordingRuntime{engine: engine}
	proxies, err := cardbot.ParseTrustedProxies(cfg.HTTP.TrustedProxies)
	if err != nil {
		t.Fatal(err)
	}
	app := admin.NewApp(log, proxies)
	deps := admin.Deps{Store: db, Wallet: w, Clock: clock, Config: cfg, Log: log, Notifier: engine}
	admin.NewAPI(deps).Mount(app)
	broadcasts, err := flows.NewBroadcasts(context.Background(), flows.BroadcastDeps{Store: db, Clock: clock, Config: cfg, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	stats, err := flows.NewStatistics(flows.StatsDeps{Store: db, Config: cfg, Ratings: flows.StoredRatings{Store: db}})
	if err != nil {
		t.Fatal(err)
	}
	scheduler, err := flows.NewScheduler(engine)
	if err != nil {
		t.Fatal(err)
	}
	page, err := admin.NewPage(context.Background(), admin.PageDeps{Deps: deps, Runtime: live, Channels: channels, Validate: configfile.Validate,
		Broadcasts: broadcasts, Stats: stats, Jobs: scheduler})
	if err != nil {
		t.Fatal(err)
	}
	if err := page.Mount(app); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { app.ShutdownWithTimeout(5 * time.Second) })
	return &site{t: t, url: "http://" + ln.Addr().String(), db: db, clock: clock, cfg: cfg, wallet: w,
		engine: engine, page: page, live: live, broadcasts: broadcasts, scheduler: scheduler}
}

// addUser stores an admin page user as `cardbot user add` does, but with bcrypt's lowest cost, so
// that tests logging in many times stay quick under the race detector (the cost is read from the
// hash; TestSetupLink and TestUsersPage cover the real one).
func (s *site) addUser(name, password string, role cardbot.Role) {
	s.t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		s.t.Fatal(err)
	}
	err = s.db.Update(context.Background(), func(tx cardbot.Tx) error {
		return tx.CreateUser(&cardbot.User{Name: name, Role: role, Hash: hash, CreatedAt: s.clock.Now()})
	})
	if err != nil {
		s.t.Fatal(err)
	}
}

// browser is one person's browser: its own cookies, redirects not followed so tests see them.
type browser struct {
	s    *site
	t    testing.TB
	http *http.Client
	csrf string // the last CSRF token a page carried
	// forwardedFor, when set, is the X-Forwarded-For of every request: the browser as a reverse
	// proxy in front of cardbot passes it on.
	forwardedFor string
}

// browser is a browser that reads the admin page in English (tests match English texts); the
// language switch has its own test.
func (s *site) browser() *browser {
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(s.url + "/admin")
	jar.SetCookies(u, []*http.Cookie{{Name: "cardbot_lang", Value: "en", Path: "/admin"}})
	return &browser{s: s, t: s.t, http: &http.Client{
		Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// page is an answer: status, Location and body.
type page struct {
	Status   int
	Location string
	Body     string
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (b *browser) do(method, path string, form url.Values, headers ...string) page {
	b.t.Helper()
	if form == nil {
		return b.send(method, path, nil, headers...)
	}
	headers = append([]string{"Content-Type", "application/x-www-form-urlencoded"}, headers...)
	return b.send(method, path, strings.NewReader(form.Encode()), headers...)
}

// send sends a request with any body (a multipart form, say); headers are name, value pairs.
func (b *browser) send(method, path string, body io.Reader, headers ...string) page {
	b.t.Helper()
	req, err := http.NewRequest(method, b.s.url+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if b.forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", b.forwardedFor)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := b.http.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	p := page{Status: resp.StatusCode, Location: resp.Header.Get("Location"), Body: string(raw)}
	if m := csrfField.FindStringSubmatch(p.Body); m != nil {
		b.csrf = m[1]
	}
	return p
}

func (b *browser) get(path string, headers ...string) page { return b.do("GET", path, nil, headers...) }

// post sends a form with the CSRF token of the last page, as a browser submitting it would.
func (b *browser) post(path string, form url.Values, headers ...string) page {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("_csrf") == "" && b.csrf != "" {
		form.Set("_csrf", b.csrf)
	}
	return b.do("POST", path, form, headers...)
}

// postBare sends a form without any CSRF token.
func (b *browser) postBare(path string, form url.Values) page {
	if form == nil {
		form = url.Values{}
	}
	return b.do("POST", path, form)
}

func (b *browser) login(name, password string) page {
	b.t.Helper()
	b.get("/admin/login")
	return b.post("/admin/login", url.Values{"name": {name}, "password": {password}})
}

// mustLogin logs in and checks it worked.
func (b *browser) mustLogin(name, password string) *browser {
	b.t.Helper()
	if p := b.login(name, password); p.Status != http.StatusSeeOther || p.Location != "/admin" {
		b.t.Fatalf("login as %s: %d %q\n%s", name, p.Status, p.Location, p.Body)
	}
	b.get("/admin/clients") // a page with the session's token
	return b
}

func (p page) must(t testing.TB, status int) page {
	t.Helper()
	if p.Status != status {
		t.Fatalf("status %d, want %d\n%s", p.Status, status, p.Body)
	}
	return p
}

func (p page) contains(t testing.TB, parts ...string) page {
	t.Helper()
	for _, s := range parts {
		if !strings.Contains(p.Body, s) {
			t.Fatalf("the page does not contain %q:\n%s", s, p.Body)
		}
	}
	return p
}
