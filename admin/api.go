// Package admin serves the owner's side of cardbot over HTTP: the REST API under /api/v1 that tills
// and CRMs call (and, later, the admin page).
package admin

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"cardbot"
	"cardbot/wallet"

	"github.com/gofiber/fiber/v2"
)

// API is the REST API. Each handler reads and writes through the Store and applies loyalty rules
// through the Wallet; nothing else holds state.
type API struct {
	store  cardbot.Store
	wallet *wallet.Wallet
	clock  cardbot.Clock
	cfg    cardbot.Config
	log    *slog.Logger
	notify cardbot.Notifier
	loc    *time.Location // the business timezone: "today" for birthdays
}

// Deps are what the API needs from the wiring.
type Deps struct {
	Store  cardbot.Store
	Wallet *wallet.Wallet
	Clock  cardbot.Clock
	Config cardbot.Config
	Log    *slog.Logger
	// Notifier tells the client about each operation, in the operation's transaction; nil: nobody is told.
	Notifier cardbot.Notifier
}

// NewAPI builds the API from its dependencies.
func NewAPI(d Deps) *API {
	if d.Clock == nil {
		d.Clock = cardbot.SystemClock{}
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	loc, err := time.LoadLocation(d.Config.Business.Timezone)
	if err != nil { // the config was validated; a bad zone here is a test's bare config
		loc = time.UTC
	}
	return &API{store: d.Store, wallet: d.Wallet, clock: d.Clock, cfg: d.Config, log: d.Log, notify: d.Notifier, loc: loc}
}

// maxBody bounds API request bodies: API requests are small, and a bound keeps a bad client from
// making the server buffer megabytes.
const maxBody = 64 << 10

// maxRead bounds every request body the server reads, the admin page's uploads (logos, broadcast
// pictures) included. A body over a route's own, smaller bound is read whole and then refused with a
// 413: refusing it unread would close a connection with data still in it, and the reset that sends
// can destroy the answer on its way, so the client would see a broken pipe instead of the 413.
const maxRead = 2 << 20

// NewApp returns a fiber app configured the way every cardbot HTTP surface needs: JSON errors with
// codes, bounded bodies and timeouts, and c.IP() the client's address behind the trusted proxies.
func NewApp(log *slog.Logger, proxies cardbot.TrustedProxies) *fiber.App {
	app := fiber.New(fiber.Config{
		AppName:               "cardbot",
		DisableStartupMessage: true,
		BodyLimit:             maxRead,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           2 * time.Minute,
		ErrorHandler:          errorHandler(log),
	})
	if len(proxies) > 0 {
		app.Use(clientAddress(proxies))
	}
	return app
}

// Mount adds /healthz and /api/v1 to app.
func (a *API) Mount(app *fiber.App) {
	app.Get("/healthz", a.health)
	v1 := app.Group("/api/v1", limitBody(maxBody), a.requireAPIKey)
	routes := []apiRoute{
		{fiber.MethodGet, "/programs", a.listPrograms},
		{fiber.MethodPost, "/clients", a.createClient},
		{fiber.MethodGet, "/clients", a.listClients},
		{fiber.MethodGet, "/clients/:id", a.getClient},
		{fiber.MethodPatch, "/clients/:id", a.updateClient},
		{fiber.MethodPost, "/clients/:id/cards", a.issueCard},
		{fiber.MethodGet, "/cards/:number", a.getCard},
		{fiber.MethodPost, "/cards/:number/block", a.blockCard},
		{fiber.MethodPost, "/cards/:number/unblock", a.unblockCard},
		{fiber.MethodPost, "/cards/:number/operations", a.postOperation},
		{fiber.MethodGet, "/cards/:number/operations", a.listOperations},
	}
	for _, r := range routes {
		v1.Add(r.method, r.path, r.handler)
	}
	v1.Use(func(c *fiber.Ctx) error {
		if allowed := allowedMethods(routes, strings.TrimPrefix(c.Path(), "/api/v1")); len(allowed) > 0 {
			c.Set(fiber.HeaderAllow, strings.Join(allowed, ", "))
			return fiber.NewError(fiber.StatusMethodNotAllowed,
				fmt.Sprintf("%s %s is not an API call: this address takes %s", c.Method(), c.Path(), strings.Join(allowed, ", ")))
		}
		return cardbot.Errorf(cardbot.NotFound, "no such API endpoint: %s %s", c.Method(), c.Path())
	})
}

// apiRoute is one call of the REST API.
type apiRoute struct {
	method, path string
	handler      fiber.Handler
}

// allowedMethods lists the methods the API answers at path (":name" segments match any one
// segment), so that a wrong method is told apart from a wrong address: 405 with Allow, not 404.
func allowedMethods(routes []apiRoute, path string) []string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	var allowed []string
	for _, r := range routes {
		pattern := strings.Split(strings.Trim(r.path, "/"), "/")
		if len(pattern) != len(parts) || slices.Contains(allowed, r.method) {
			continue
		}
		match := true
		for i, p := range pattern {
			if parts[i] == "" || (!strings.HasPrefix(p, ":") && p != parts[i]) {
				match = false
				break
			}
		}
		if match {
			allowed = append(allowed, r.method)
		}
	}
	return allowed
}

// limitBody refuses a request whose body is longer than n bytes with a 413.
func limitBody(n int) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if len(c.Body()) > n {
			return fiber.NewError(fiber.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is over %d KiB", n>>10))
		}
		return c.Next()
	}
}

// health answers 200 when the database can be read.
func (a *API) health(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	err := a.store.View(ctx, func(tx cardbot.Tx) error {
		_, err := tx.Clients(0, 1)
		return err
	})
	if err != nil {
		return cardbot.Errorf(cardbot.Unavailable, "database unavailable")
	}
	return c.JSON(fiber.Map{"status": "ok"})
}

func (a *API) listPrograms(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"programs": a.wallet.Programs()})
}

// actor names the API key in ledger entries and consent records.
func actor(c *fiber.Ctx) string {
	if k := caller(c); k != nil {
		return "api:" + k.Name
	}
	return "api"
}

// idParam reads a positive numeric path parameter.
func idParam(c *fiber.Ctx, name, what string) (uint64, error) {
	id, err := strconv.ParseUint(c.Params(name), 10, 64)
	if err != nil || id == 0 {
		return 0, cardbot.Errorf(cardbot.Invalid, "%s must be a positive whole number, got %q", what, c.Params(name))
	}
	return id, nil
}

// pageParams reads after/before cursors and a limit (default 50, at most 500).
func pageParams(c *fiber.Ctx, cursor string) (uint64, int, error) {
	var from uint64
	if s := c.Query(cursor); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return 0, 0, cardbot.Errorf(cardbot.Invalid, "%s must be a whole number, got %q", cursor, s)
		}
		from = v
	}
	limit := 50
	if s := c.Query("limit"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 || v > 500 {
			return 0, 0, cardbot.Errorf(cardbot.Invalid, "limit must be between 1 and 500, got %q", s)
		}
		limit = v
	}
	return from, limit, nil
}
