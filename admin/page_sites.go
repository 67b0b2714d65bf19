package admin

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"cardbot"

	"github.com/gofiber/fiber/v2"
)

// maxLogo bounds a mini-site's logo: it is shown small.
const maxLogo = 48 << 10

type siteRow struct {
	*cardbot.MiniSite
	URL         string
	ProgramName string
}

type siteForm struct {
	Site     *cardbot.MiniSite
	URL      string
	New      bool
	Error    string
	Programs []cardbot.Program
}

func (p *Page) siteURL(slug string) string { return p.baseURL() + "/s/" + slug }

func (p *Page) sites(c *fiber.Ctx) error {
	var sites []*cardbot.MiniSite
	err := p.store().View(c.UserContext(), func(tx cardbot.Tx) error {
		var err error
		sites, err = tx.MiniSites()
		return err
	})
	if err != nil {
		return err
	}
	rows := make([]siteRow, 0, len(sites))
	for _, s := range sites {
		r := siteRow{MiniSite: s, URL: p.siteURL(s.Slug), ProgramName: p.programName(s.ProgramID)}
		rows = append(rows, r)
	}
	return p.renderSaved(c, "sites", "Mini-sites", rows)
}

// programName names a site's programme; "" is the default card.
func (p *Page) programName(id string) string {
	if id == "" {
		return ""
	}
	if prog := p.wallet().Program(id); prog != nil {
		return prog.Name
	}
	return id
}

func (p *Page) newSite(c *fiber.Ctx) error {
	return p.render(c, "site", "New mini-site", siteForm{Site: &cardbot.MiniSite{}, New: true, Programs: p.wallet().Programs()})
}

// pathID reads the :id of a client, mini-site or broadcast page; false (a 404) when it is not a
// positive number.
func pathID(c *fiber.Ctx) (uint64, bool) {
	id, err := idParam(c, "id", "id")
	return id, err == nil
}

func (p *Page) loadSite(c *fiber.Ctx) (*cardbot.MiniSite, error) {
	id, ok := pathID(c)
	if !ok {
		return nil, cardbot.Errorf(cardbot.NotFound, "no such mini-site")
	}
	var s *cardbot.MiniSite
	err := p.store().View(c.UserContext(), func(tx cardbot.Tx) error {
		var err error
		s, err = tx.MiniSite(id)
		return err
	})
	return s, err
}

func (p *Page) editSite(c *fiber.Ctx) error {
	s, err := p.loadSite(c)
	if cardbot.CodeOf(err) == cardbot.NotFound {
		return p.notFound(c)
	}
	if err != nil {
		return err
	}
	return p.render(c, "site", s.Title, siteForm{Site: s, URL: p.siteURL(s.Slug), Programs: p.wallet().Programs()})
}

// readSite copies the form onto s and checks what the store does not: lengths, the programme, the logo.
func (p *Page) readSite(c *fiber.Ctx, s *cardbot.MiniSite) error {
	s.Slug = strings.ToLower(strings.TrimSpace(c.FormValue("slug")))
	s.Title = strings.TrimSpace(c.FormValue("title"))
	s.Text = strings.TrimSpace(c.FormValue("text"))
	s.ProgramID = c.FormValue("program_id")
	s.ConsentText = strings.TrimSpace(c.FormValue("consent_text"))
	if s.Title == "" || utf8.RuneCountInString(s.Title) > 120 {
		return cardbot.Errorf(cardbot.Invalid, "the heading needs 1 to 120 characters")
	}
	if utf8.RuneCountInString(s.Text) > 2000 || utf8.RuneCountInString(s.ConsentText) > 4000 {
		return cardbot.Errorf(cardbot.Invalid, "the text is limited to 2000 characters and the consent text to 4000")
	}
	if s.ProgramID != "" {
		prog := p.wallet().Program(s.ProgramID)
		if prog == nil || prog.Archived {
			return cardbot.Errorf(cardbot.Invalid, "the card %q is not issued any more: choose another", s.ProgramID)
		}
	}
	if c.FormValue("remove_logo") == "on" {
		s.Logo, s.LogoType = nil, ""
	}
	logo, err := uploaded(c, "logo", maxLogo, "logo")
	if err != nil || logo == nil {
		return err // nil: no new logo
	}
	kind := http.DetectContentType(logo)
	if kind != "image/png" && kind != "image/jpeg" {
		return cardbot.Errorf(cardbot.Invalid, "the logo must be a PNG or JPEG picture")
	}
	s.Logo, s.LogoType = logo, kind
	return nil
}

func (p *Page) createSite(c *fiber.Ctx) error {
	s := &cardbot.MiniSite{}
	err := p.readSite(c, s)
	if err == nil {
		now := p.now()
		s.CreatedAt, s.UpdatedAt = now, now
		err = p.store().Update(c.UserContext(), func(tx cardbot.Tx) error {
			next := *s
			if err := tx.CreateMiniSite(&next); err != nil {
				return err
			}
			s.ID = next.ID
			return nil
		})
	}
	return p.siteSaved(c, s, true, err)
}

func (p *Page) saveSite(c *fiber.Ctx) error {
	s, err := p.loadSite(c)
	if cardbot.CodeOf(err) == cardbot.NotFound {
		return p.notFound(c)
	}
	if err != nil {
		return err
	}
	err = p.readSite(c, s)
	if err == nil {
		s.UpdatedAt = p.now()
		err = p.store().Update(c.UserContext(), func(tx cardbot.Tx) error {
			next := *s
			return tx.PutMiniSite(&next)
		})
	}
	return p.siteSaved(c, s, false, err)
}

func (p *Page) siteSaved(c *fiber.Ctx, s *cardbot.MiniSite, isNew bool, err error) error {
	msg, err := refused(err)
	if err != nil {
		return err
	}
	if msg != "" {
		c.Status(fiber.StatusBadRequest)
		return p.render(c, "site", "Mini-site", siteForm{Site: s, New: isNew, Error: msg, Programs: p.wallet().Programs()})
	}
	p.log().Info("admin: mini-site saved", "slug", s.Slug, "user", whoOf(c).name)
	return c.Redirect("/admin/sites?done=1", fiber.StatusSeeOther)
}

func (p *Page) deleteSite(c *fiber.Ctx) error {
	id, ok := pathID(c)
	if !ok {
		return p.notFound(c)
	}
	err := p.store().Update(c.UserContext(), func(tx cardbot.Tx) error { return tx.DeleteMiniSite(id) })
	if cardbot.CodeOf(err) == cardbot.NotFound {
		return p.notFound(c)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/admin/sites?done=1", fiber.StatusSeeOther)
}
