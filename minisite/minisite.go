// Package minisite serves the public pages: a mini-site per business counter at /s/<slug> where a
// walk-in visitor gets a card, the card page at /c/<token> (no login: the token is the key), the QR
// codes the owner prints, and the web chat page at /chat with the widget script for the owner's own
// site. Pages are server-rendered, mobile-first, with their assets embedded in the binary; Russian by
// default, English with locale: en.
package minisite

import (
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"strings"
	"time"

	"cardbot"
	"cardbot/wallet"

	"github.com/gofiber/fiber/v2"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Links says where the buttons "continue in a messenger" lead. Each function is asked on every page
// view (a WhatsApp account may be paired while the service runs); "" hides the button.
type Links struct {
	TelegramBot    func() string // the bot's username, without @
	WhatsAppNumber func() string // the business's WhatsApp number in E.164
	WebChat        bool          // the web chat is on: show its button and serve /chat
}

// Deps is what the pages need.
type Deps struct {
	Store    cardbot.Store // the wiring passes a store that wakes the dispatcher after commits
	Wallet   *wallet.Wallet
	Clock    cardbot.Clock
	Config   cardbot.Config
	Log      *slog.Logger
	Notifier cardbot.Notifier // tells a new client about their opening balance
	Pictures cardbot.Pictures // draws card pictures
	Links    Links
}

// Site serves the public pages.
type Site struct {
	store    cardbot.Store
	wallet   *wallet.Wallet
	clock    cardbot.Clock
	cfg      cardbot.Config
	log      *slog.Logger
	notifier cardbot.Notifier
	pictures cardbot.Pictures
	links    Links
	words    words
	loc      *time.Location
	pages    map[string]*template.Template
	limits   *ipLimits
	static   fs.FS
}

// pageNames are the templates, each rendered inside layout.html.
var pageNames = []string{"site", "exists", "card", "notfound", "chat"}

// New builds the pages, parsing every template now so that a mistake stops the start.
func New(d Deps) (*Site, error) {
	if d.Clock == nil {
		d.Clock = cardbot.SystemClock{}
	}
	loc, err := time.LoadLocation(d.Config.Business.Timezone)
	if err != nil {
		return nil, cardbot.Errorf(cardbot.Invalid, "business timezone %q is not known: %v", d.Config.Business.Timezone, err)
	}
	s := &Site{
		store: d.Store, wallet: d.Wallet, clock: d.Clock, cfg: d.Config, log: d.Log, notifier: d.Notifier,
		pictures: d.Pictures, links: d.Links, words: wordsFor(d.Config.Locale, d.Config.Business.Currency),
		loc: loc, pages: map[string]*template.Template{}, limits: newIPLimits(d.Clock, formTries, formWindow),
	}
	s.static, err = fs.Sub(assets, "static")
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{"t": s.words.get}
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		s.pages[name] = t
	}
	return s, nil
}

// Mount adds the public routes to app.
func (s *Site) Mount(app *fiber.App) {
	app.Get("/s/:slug", s.sitePage)
	app.Post("/s/:slug", s.siteForm)
	app.Get("/s/:slug/qr.png", s.siteQRPNG)
	app.Get("/s/:slug/qr.svg", s.siteQRSVG)
	app.Get("/s/:slug/logo", s.siteLogo)
	app.Get("/c/:token", s.cardPage)
	app.Get("/c/:token/card.png", s.cardPicture)
	app.Get("/static/site/:name", s.asset)
	if s.links.WebChat {
		app.Get("/chat", s.chatPage)
		app.Get("/chat/widget.js", s.widget)
	}
}

// layoutData is what every page's layout shows.
type layoutData struct {
	Title    string
	Business string
	Embed    bool // inside the widget's frame: no header
}

// render writes a page with the status.
func (s *Site) render(c *fiber.Ctx, status int, name string, data any) error {
	var b strings.Builder
	if err := s.pages[name].Execute(&b, data); err != nil {
		s.log.Error("minisite: rendering a page", "page", name, "err", err)
		return c.Status(fiber.StatusInternalServerError).SendString("internal error")
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	return c.Status(status).SendString(b.String())
}

// asset serves an embedded stylesheet or script. They change only with the binary.
func (s *Site) asset(c *fiber.Ctx) error {
	name := c.Params("name")
	data, err := fs.ReadFile(s.static, name)
	if err != nil || strings.Contains(name, "/") {
		return c.SendStatus(fiber.StatusNotFound)
	}
	switch {
	case strings.HasSuffix(name, ".css"):
		c.Set(fiber.HeaderContentType, "text/css; charset=utf-8")
	case strings.HasSuffix(name, ".js"):
		c.Set(fiber.HeaderContentType, "text/javascript; charset=utf-8")
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.Send(data)
}

// notFound answers 404 with the friendly page.
func (s *Site) notFound(c *fiber.Ctx) error {
	return s.render(c, fiber.StatusNotFound, "notfound", struct{ layoutData }{s.layout(s.words.get("not_found_title"))})
}

func (s *Site) layout(title string) layoutData {
	return layoutData{Title: title, Business: s.cfg.Business.Name}
}

// baseURL is the public address links are made of.
func (s *Site) baseURL() string { return strings.TrimRight(s.cfg.HTTP.BaseURL, "/") }
