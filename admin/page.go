package admin

import (
	"context"
	"crypto/rand"
	"embed"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"cardbot"
	"cardbot/wallet"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed assets
var assetFiles embed.FS

// Page is the owner's admin page under /admin: server-rendered HTML with htmx for the live parts.
// It shares the API's store, wallet, notifier and views, so an operation recorded here is the same
// operation, told to the client the same way, as one posted by a till.
type Page struct {
	api      *API
	runtime  Runtime
	channels Channels
	validate func(cardbot.Config) error
	secure   bool // cookies carry Secure: http.base_url is https
	views    *views
	logins   *cardbot.IPLimiter // wrong passwords per address
	counts   countCache
	auto     automation // broadcasts, statistics, the scheduler's jobs

	// setupToken opens /admin/setup while nobody can log in; it is made at start and dies with the
	// first owner account.
	setupMu    sync.Mutex
	setupToken string

	// overridesMu serialises "save the owner's settings, then apply them", so two edits cannot be
	// applied to the running service in the opposite order from the one they were stored in.
	overridesMu sync.Mutex
}

// Runtime is what the admin page changes in the running service besides the wallet's programmes:
// the engine's switches and texts and the dispatcher's cascade. The wiring implements it.
type Runtime interface {
	// Apply puts the effective settings (config.yaml with the owner's stored overrides) in force.
	Apply(cfg cardbot.Config) error
}

// ChannelStatus is one messenger or delivery channel as the settings page shows it.
type ChannelStatus struct {
	On     bool   // configured and running
	State  string // a short state: connected, not_paired, pairing, logged_out…; "" for simple channels
	Detail string // an account name, a phone, or why it is off
	Since  time.Time
}

// Channels reports on the channels and lets the owner act on them. The wiring implements it over
// the adapters; each method is safe to call while the service runs.
type Channels interface {
	Status(channel string) ChannelStatus
	// WhatsAppQR is the current pairing QR code as PNG (an error when no pairing round is on).
	WhatsAppQR() ([]byte, error)
	// WhatsAppPair starts a pairing round; WhatsAppLogout unlinks the device.
	WhatsAppPair()
	WhatsAppLogout(ctx context.Context) error
	// TestSend sends text to one address on channel (sms: a phone, email: an address) at once,
	// bypassing the outbox, so the owner sees whether the channel works.
	TestSend(ctx context.Context, channel, to, text string) error
}

// PageDeps are what the admin page needs from the wiring.
type PageDeps struct {
	Deps
	Runtime  Runtime                    // nil: stored settings take effect at the next start
	Channels Channels                   // nil: every channel shows as off
	Validate func(cardbot.Config) error // config.yaml's validation, run on every edit; nil: none
	// The owner's automation screens (issue 6); each one left nil shows as not running.
	Broadcasts cardbot.Broadcaster
	Stats      cardbot.StatsProvider
	Jobs       cardbot.JobLister
}

// NewPage builds the admin page and puts the owner's stored settings in force.
func NewPage(ctx context.Context, d PageDeps) (*Page, error) {
	api := NewAPI(d.Deps)
	v, err := parseViews(api.loc)
	if err != nil {
		return nil, err
	}
	p := &Page{
		api: api, runtime: d.Runtime, channels: d.Channels, validate: d.Validate,
		secure: strings.HasPrefix(api.cfg.HTTP.BaseURL, "https://"), views: v,
		logins: cardbot.NewIPLimiter(api.clock, loginFailures, loginWindow),
		auto:   automation{broadcasts: d.Broadcasts, stats: d.Stats, jobs: d.Jobs},
	}
	o, err := p.loadOverrides(ctx)
	if err != nil {
		return nil, err
	}
	if err := p.check(o); err != nil {
		// config.yaml changed under the stored settings (a programme they name is gone): run with the
		// file's values and say so, rather than refuse to start. The page shows the stored ones again
		// once they fit.
		p.log().Error("admin: the settings stored in the admin page do not fit config.yaml any more; using config.yaml's", "err", err)
		o = overrides{}
	}
	if err := p.applyOverrides(o); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *Page) store() cardbot.Store      { return p.api.store }
func (p *Page) wallet() *wallet.Wallet    { return p.api.wallet }
func (p *Page) cfg() cardbot.Config       { return p.api.cfg }
func (p *Page) log() *slog.Logger         { return p.api.log }
func (p *Page) now() time.Time            { return p.api.clock.Now() }
func (p *Page) loc() *time.Location       { return p.api.loc } // the business timezone
func (p *Page) baseURL() string           { return strings.TrimRight(p.api.cfg.HTTP.BaseURL, "/") }
func (p *Page) assets() (fs.FS, error)    { return fs.Sub(assetFiles, "assets") }
func randomToken() string                 { return strings.ToLower(rand.Text()) }
func (p *Page) setupLink(t string) string { return p.baseURL() + "/admin/setup?token=" + t }

// Mount adds /admin and everything under it to app.
func (p *Page) Mount(app *fiber.App) error {
	assets, err := p.assets()
	if err != nil {
		return err
	}
	app.Use("/admin/assets", filesystem.New(filesystem.Config{Root: http.FS(assets), MaxAge: 3600}))
	for _, r := range p.routes() {
		app.Add(r.method, r.path, p.guard(r))
	}
	app.Get("/admin/*", func(c *fiber.Ctx) error { return p.notFound(c) })
	return nil
}

// SetupLink returns the one-time link that creates the first owner account when nobody can log in
// yet, and "" when someone can. The wiring prints it in the log at start.
func (p *Page) SetupLink(ctx context.Context) (string, error) {
	n, err := p.userCount(ctx)
	if err != nil || n > 0 {
		return "", err
	}
	p.setupMu.Lock()
	defer p.setupMu.Unlock()
	if p.setupToken == "" {
		p.setupToken = randomToken()
	}
	return p.setupLink(p.setupToken), nil
}
