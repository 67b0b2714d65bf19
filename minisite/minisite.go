// Package minisite serves the public pages: a mini-site per business counter at /s/<slug> where a
// walk-in visitor gets a card, the card page at /c/<token> (no login: the token is the key), the QR
// codes the owner prints, and the web chat page at /chat with the widget script for the owner's own
// site. Pages are server-rendered, mobile-first, with their assets embedded in the binary; Russian by
// default, English with locale: en.
package minisite

import (
	"bytes"
	"embed"
	"fmt"
	"html"
	"html/template"
	"io/fs"
	"log/slog"
	"regexp"
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
	// Generation, when set, counts the store's commits (store.DB.Generation): a card page rendered
	// under the current generation is served again without reading the store. nil: always read.
	Generation func() uint64
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
	limits   *cardbot.IPLimiter // form submissions per address
	// cardPages are rendered card pages by what they show (the page is the busiest one: customers
	// reload it at the till).
	cardPages *pageCache
	gen       func() uint64
	// pictureCache keeps drawn card pictures by what they show.
	pictureCache *pageCache
	// notFoundPage is the 404 page, the same for every address.
	notFoundPage []byte
	fresh        *freshPages
	static       fs.FS
	widgetJS     []byte // widget.js with the locale's label
}

// pageNames are the templates, each rendered inside layout.html.
var pageNames = []string{"site", "exists", "card", "notfound", "chat", "referral"}

// partials are templates every page may include: the card form, the messenger buttons, the offer.
var partials = []string{"form"}

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
		loc: loc, pages: map[string]*template.Template{}, limits: cardbot.NewIPLimiter(d.Clock, formTries, formWindow),
		cardPages: newPageCache(4096), gen: d.Generation, fresh: newFreshPages(4096),
		pictureCache: newPageCache(128),
	}
	s.static, err = fs.Sub(assets, "static")
	if err != nil {
		return nil, err
	}
	layout, err := s.words.source("layout.html")
	if err != nil {
		return nil, err
	}
	var shared []string
	for _, name := range partials {
		body, err := s.words.source(name + ".html")
		if err != nil {
			return nil, err
		}
		shared = append(shared, body)
	}
	for _, name := range pageNames {
		body, err := s.words.source(name + ".html")
		if err != nil {
			return nil, err
		}
		t, err := template.New("layout.html").Parse(layout)
		for i := 0; err == nil && i < len(shared); i++ {
			_, err = t.New(partials[i] + ".html").Parse(shared[i])
		}
		if err == nil {
			_, err = t.New(name + ".html").Parse(body)
		}
		if err != nil {
			return nil, fmt.Errorf("minisite: template %s: %w", name, err)
		}
		s.pages[name] = t
	}
	if s.widgetJS, err = widgetScript(s.words.get("chat_open"), s.words.get("chat_close")); err != nil {
		return nil, err
	}
	s.notFoundPage, err = s.execute("notfound", struct{ layoutData }{s.layout(s.words.get("not_found_title"))})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// textRef is how templates name a text of the locale: {{t "key"}}.
var textRef = regexp.MustCompile(`\{\{t "([a-z_]+)"\}\}`)

// source reads a template with the locale's texts written in, HTML-escaped (they are our own words,
// and escaped they are safe in text and in quoted attributes alike). Done once at start, so a page
// costs no function calls for its words; an unknown key stops the start.
func (w words) source(name string) (string, error) {
	data, err := fs.ReadFile(assets, "templates/"+name)
	if err != nil {
		return "", err
	}
	var missing []string
	out := textRef.ReplaceAllStringFunc(string(data), func(ref string) string {
		key := textRef.FindStringSubmatch(ref)[1]
		text, ok := w.m[key]
		if !ok {
			missing = append(missing, key)
		}
		return html.EscapeString(text)
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("minisite: template %s names unknown texts %v", name, missing)
	}
	return out, nil
}

// Mount adds the public routes to app.
func (s *Site) Mount(app *fiber.App) {
	app.Get("/s/:slug", s.sitePage)
	app.Post("/s/:slug", s.siteSubmit)
	app.Get("/s/:slug/qr.png", s.siteQRPNG)
	app.Get("/s/:slug/qr.svg", s.siteQRSVG)
	app.Get("/s/:slug/logo", s.siteLogo)
	app.Get("/r/:code", s.referralPage)
	app.Post("/r/:code", s.referralSubmit)
	app.Get("/c/:token", s.cardPage)
	app.Get("/c/:token/card.png", s.cardPicture)
	app.Get("/c/:token/qr.svg", s.cardQR)
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
	page, err := s.execute(name, data)
	if err != nil {
		return c.Status(fiber.StatusInternalServerError).SendString("internal error")
	}
	return s.sendHTML(c, status, page)
}

// execute renders a page into bytes.
func (s *Site) execute(name string, data any) ([]byte, error) {
	return s.executeTemplate(s.pages[name], name, data)
}

// executeTemplate renders a page's template into bytes, logging what went wrong.
func (s *Site) executeTemplate(t *template.Template, name string, data any) ([]byte, error) {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		s.log.Error("minisite: rendering a page", "page", name, "err", err)
		return nil, err
	}
	return b.Bytes(), nil
}

// sendHTML answers with a rendered page.
func (s *Site) sendHTML(c *fiber.Ctx, status int, page []byte) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	return c.Status(status).Send(page)
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

// notFound answers 404 with the friendly page, rendered once at start.
func (s *Site) notFound(c *fiber.Ctx) error {
	return s.sendHTML(c, fiber.StatusNotFound, s.notFoundPage)
}

func (s *Site) layout(title string) layoutData {
	return layoutData{Title: title, Business: s.cfg.Business.Name}
}

// baseURL is the public address links are made of.
func (s *Site) baseURL() string { return strings.TrimRight(s.cfg.HTTP.BaseURL, "/") }
