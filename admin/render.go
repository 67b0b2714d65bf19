package admin

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"
	"time"

	"cardbot"

	"github.com/gofiber/fiber/v2"
)

// views holds one parsed template set per page: the layout with that page's "content".
type views struct {
	pages map[string]*template.Template
}

// pageFuncs are the template functions; times show in the business timezone. Texts are translated
// with {{$.T "English text"}} instead, which needs the request's language.
func pageFuncs(loc *time.Location) template.FuncMap {
	return template.FuncMap{
		"date": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(loc).Format("2006-01-02 15:04")
		},
	}
}

func parseViews(loc *time.Location) (*views, error) {
	v := &views{pages: map[string]*template.Template{}}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, file := range names {
		name := strings.TrimSuffix(path.Base(file), ".html")
		if name == "layout" || strings.HasPrefix(name, "_") {
			continue
		}
		t, err := template.New(name).Funcs(pageFuncs(loc)).ParseFS(templateFiles, "templates/layout.html", "templates/_*.html", file)
		if err != nil {
			return nil, fmt.Errorf("admin: template %s: %w", name, err)
		}
		v.pages[name] = t
	}
	return v, nil
}

// view is what every template gets: the page's own data in Data, plus who is looking and in which
// language.
type view struct {
	Title   string
	Section string // the nav entry to mark as current
	Lang    string
	Who     *who
	CSRF    string
	Path    string
	Data    any
	Flash   string
	Error   string
}

// T translates an English text of the page into the request's language.
func (v view) T(s string) string {
	texts := englishTexts
	if v.Lang == "ru" {
		texts = russianTexts
	}
	if r, ok := texts[s]; ok {
		return r
	}
	return s
}

// Owner reports whether the viewer is an owner (the nav shows owner sections).
func (v view) Owner() bool { return v.Who != nil && v.Who.role == cardbot.RoleOwner }

// lang is the page language: the cookie set by the switch, else the service's locale.
func (p *Page) lang(c *fiber.Ctx) string {
	switch c.Cookies("cardbot_lang") {
	case "ru":
		return "ru"
	case "en":
		return "en"
	}
	if p.cfg().Locale == "en" {
		return "en"
	}
	return "ru"
}

func (p *Page) switchLang(c *fiber.Ctx) error {
	lang := c.Params("lang")
	if lang != "ru" && lang != "en" {
		return p.fail(c, fiber.StatusNotFound, "There is no such page.")
	}
	c.Cookie(&fiber.Cookie{Name: "cardbot_lang", Value: lang, Path: "/admin", MaxAge: 365 * 24 * 3600,
		SameSite: fiber.CookieSameSiteLaxMode, Secure: p.secure, HTTPOnly: true})
	back := c.Get(fiber.HeaderReferer)
	if i := strings.Index(back, "/admin"); i >= 0 {
		back = back[i:]
	}
	return c.Redirect(safeNext(back), fiber.StatusSeeOther)
}

func (p *Page) newView(c *fiber.Ctx, title string, data any) view {
	v := view{Title: title, Lang: p.lang(c), Who: whoOf(c), Data: data, Path: c.Path()}
	if v.Who != nil {
		v.CSRF = v.Who.session.CSRF
	} else {
		v.CSRF = p.preCSRF(c)
	}
	v.Section = strings.SplitN(strings.TrimPrefix(c.Path(), "/admin/"), "/", 2)[0]
	return v
}

// render writes a whole page in the layout; fragment writes one block of it.
func (p *Page) render(c *fiber.Ctx, page, title string, data any) error {
	return p.renderView(c, page, "layout", p.newView(c, title, data))
}

// renderSaved writes a whole page that a save redirects back to with ?done=…, which it says was saved.
func (p *Page) renderSaved(c *fiber.Ctx, page, title string, data any) error {
	v := p.newView(c, title, data)
	if c.Query("done") != "" {
		v.Flash = "Saved."
	}
	return p.renderView(c, page, "layout", v)
}

// fragment writes one named block of a page: what htmx swaps in.
func (p *Page) fragment(c *fiber.Ctx, page, block string, data any) error {
	return p.renderView(c, page, block, p.newView(c, "", data))
}

func (p *Page) renderView(c *fiber.Ctx, page, block string, v view) error {
	t := p.views.pages[page]
	if t == nil {
		return fmt.Errorf("admin: no template %q", page)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, block, v); err != nil {
		return fmt.Errorf("admin: render %s/%s: %w", page, block, err)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(b.Bytes())
}

// fail answers with a status and a message: a small page, or for htmx just the message.
func (p *Page) fail(c *fiber.Ctx, status int, message string) error {
	c.Status(status)
	v := p.newView(c, "Error", nil)
	v.Error = message
	if c.Get("HX-Request") != "" {
		c.Set("HX-Reswap", "innerHTML")
		return p.renderView(c, "error", "message", v)
	}
	return p.renderView(c, "error", "layout", v)
}

// refused turns an error a person can fix (invalid input, a conflict, something not found) into a
// message for the form, and returns other errors as they are.
func refused(err error) (string, error) {
	switch cardbot.CodeOf(err) {
	case cardbot.Invalid, cardbot.Conflict, cardbot.NotFound, cardbot.Forbidden:
		return cardbot.MessageOf(err), nil
	}
	return "", err
}
