package admin

import (
	"crypto/subtle"
	"net/url"

	"cardbot"

	"github.com/gofiber/fiber/v2"
)

// access says who may use a route.
type access int

const (
	public    access = iota // anyone: login, setup, the language switch
	staffOnly               // any logged-in user: staff find clients and record operations
	ownerOnly               // owners only
)

// route is one admin page route. Every route is in routes(), which the security tests walk, so a new
// route cannot be forgotten by them.
type route struct {
	method string
	path   string
	access access
	handle func(*Page, *fiber.Ctx) error
}

// routes lists every admin page route with who may use it: Mount mounts them and the security
// tests walk them.
func (p *Page) routes() []route {
	return []route{
		{"GET", "/admin/login", public, (*Page).loginForm},
		{"POST", "/admin/login", public, (*Page).login},
		{"GET", "/admin/setup", public, (*Page).setupForm},
		{"POST", "/admin/setup", public, (*Page).setup},
		{"GET", "/admin/lang/:lang", public, (*Page).switchLang},

		{"GET", "/admin", staffOnly, (*Page).home},
		{"POST", "/admin/logout", staffOnly, (*Page).logout},
		{"GET", "/admin/clients", staffOnly, (*Page).clients},
		{"GET", "/admin/clients/:id", staffOnly, (*Page).client},
		{"POST", "/admin/clients/:id/operations", staffOnly, (*Page).operation},

		{"GET", "/admin/cards", ownerOnly, (*Page).programs},
		{"GET", "/admin/cards/new", ownerOnly, (*Page).newProgram},
		{"POST", "/admin/cards", ownerOnly, (*Page).createProgram},
		{"GET", "/admin/cards/:id", ownerOnly, (*Page).editProgram},
		{"POST", "/admin/cards/:id", ownerOnly, (*Page).saveProgram},
		{"POST", "/admin/cards/:id/archive", ownerOnly, (*Page).archiveProgram},
		{"POST", "/admin/cards/:id/delete", ownerOnly, (*Page).deleteProgram},

		{"GET", "/admin/sites", ownerOnly, (*Page).sites},
		{"GET", "/admin/sites/new", ownerOnly, (*Page).newSite},
		{"POST", "/admin/sites", ownerOnly, (*Page).createSite},
		{"GET", "/admin/sites/:id", ownerOnly, (*Page).editSite},
		{"POST", "/admin/sites/:id", ownerOnly, (*Page).saveSite},
		{"POST", "/admin/sites/:id/delete", ownerOnly, (*Page).deleteSite},

		{"GET", "/admin/messages", ownerOnly, (*Page).messages},
		{"GET", "/admin/messages/:name", ownerOnly, (*Page).editText},
		{"POST", "/admin/messages/:name", ownerOnly, (*Page).saveText},
		{"POST", "/admin/messages/:name/preview", ownerOnly, (*Page).previewText},
		{"POST", "/admin/messages/:name/reset", ownerOnly, (*Page).resetText},

		{"GET", "/admin/settings", ownerOnly, (*Page).settings},
		{"POST", "/admin/settings", ownerOnly, (*Page).saveSettings},
		{"POST", "/admin/settings/reset", ownerOnly, (*Page).resetSettings},
		{"POST", "/admin/settings/cascade", ownerOnly, (*Page).moveCascade},
		{"GET", "/admin/settings/whatsapp", ownerOnly, (*Page).whatsappPanel},
		{"GET", "/admin/settings/whatsapp/qr.png", ownerOnly, (*Page).whatsappQR},
		{"POST", "/admin/settings/whatsapp/pair", ownerOnly, (*Page).whatsappPair},
		{"POST", "/admin/settings/whatsapp/logout", ownerOnly, (*Page).whatsappLogout},
		{"POST", "/admin/settings/test", ownerOnly, (*Page).testSend},

		{"GET", "/admin/users", ownerOnly, (*Page).users},
		{"POST", "/admin/users", ownerOnly, (*Page).createUser},

		// Issue 6: broadcasts, statistics, the automation's jobs and the visit ratings.
		{"GET", "/admin/broadcasts", ownerOnly, (*Page).broadcastList},
		{"GET", "/admin/broadcasts/new", ownerOnly, (*Page).newBroadcast},
		{"POST", "/admin/broadcasts", ownerOnly, (*Page).createBroadcast},
		{"POST", "/admin/broadcasts/audience", ownerOnly, (*Page).broadcastAudience},
		{"GET", "/admin/broadcasts/:id", ownerOnly, (*Page).broadcast},
		{"POST", "/admin/broadcasts/:id", ownerOnly, (*Page).saveBroadcast},
		{"GET", "/admin/broadcasts/:id/progress", ownerOnly, (*Page).broadcastProgress},
		{"GET", "/admin/broadcasts/:id/image", ownerOnly, (*Page).broadcastImage},
		{"POST", "/admin/broadcasts/:id/start", ownerOnly, (*Page).startBroadcast},
		{"POST", "/admin/broadcasts/:id/pause", ownerOnly, (*Page).pauseBroadcast},
		{"POST", "/admin/broadcasts/:id/resume", ownerOnly, (*Page).resumeBroadcast},
		{"POST", "/admin/broadcasts/:id/cancel", ownerOnly, (*Page).cancelBroadcast},
		{"GET", "/admin/stats", ownerOnly, (*Page).statsPage},
		{"GET", "/admin/automation", ownerOnly, (*Page).automationPage},
		{"GET", "/admin/automation/ratings", ownerOnly, (*Page).ratingsPage},
	}
}

// guard runs a route's handler only for who may use it: without a session a page redirects to the
// login and anything else (htmx, a form post) is 401; a POST without the session's CSRF token is 403;
// staff on an owner route is 403.
func (p *Page) guard(r route) fiber.Handler {
	return func(c *fiber.Ctx) error {
		err := p.allow(c, r)
		if err == nil {
			return nil
		}
		// The API's error handler answers JSON; a person gets a page.
		code := cardbot.CodeOf(err)
		if code == cardbot.Internal {
			p.log().Error("admin page request failed", "method", c.Method(), "path", c.Path(), "err", err)
			return p.fail(c, fiber.StatusInternalServerError, "Something went wrong; it is in the log. Try again.")
		}
		return p.fail(c, statusOf(code), cardbot.MessageOf(err))
	}
}

func (p *Page) allow(c *fiber.Ctx, r route) error {
	c.Set("Cache-Control", "no-store")
	c.Set("X-Frame-Options", "DENY")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "same-origin")
	if r.access == public {
		return r.handle(p, c)
	}
	who, err := p.session(c)
	if err != nil {
		return err
	}
	if who == nil {
		if c.Method() == fiber.MethodGet && c.Get("HX-Request") == "" {
			return c.Redirect("/admin/login?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
		}
		return p.fail(c, fiber.StatusUnauthorized, "Your session has ended. Please log in again.")
	}
	c.Locals(localWho, who)
	if c.Method() != fiber.MethodGet && !validCSRF(c, who.session.CSRF) {
		return p.fail(c, fiber.StatusForbidden, "The form has expired. Reload the page and try again.")
	}
	if r.access == ownerOnly && who.role != cardbot.RoleOwner {
		return p.fail(c, fiber.StatusForbidden, "Only the owner can open this.")
	}
	return r.handle(p, c)
}

// validCSRF checks the token a form (field _csrf) or htmx (header X-CSRF-Token) sent.
func validCSRF(c *fiber.Ctx, want string) bool {
	got := c.FormValue("_csrf")
	if got == "" {
		got = c.Get("X-CSRF-Token")
	}
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// home sends owners to the cards and staff to the client search.
func (p *Page) home(c *fiber.Ctx) error {
	if whoOf(c).role == cardbot.RoleOwner {
		return c.Redirect("/admin/cards", fiber.StatusSeeOther)
	}
	return c.Redirect("/admin/clients", fiber.StatusSeeOther)
}

func (p *Page) notFound(c *fiber.Ctx) error {
	return p.fail(c, fiber.StatusNotFound, "There is no such page.")
}
