package minisite

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"cardbot"
	"cardbot/wallet"
	"cardbot/wallet/cardimage"

	"github.com/gofiber/fiber/v2"
)

// cardsCookie remembers the tokens of the cards issued in this browser, so that sending the form again
// (a reload, a second tap) lands on the same card page instead of "this number already has a card".
const (
	cardsCookie   = "cardbot_cards"
	maxCookieCard = 5
	// linkResendGap is how long a phone that already has a card gets no second link message, so the
	// form cannot be used to flood someone with messages.
	linkResendGap = 10 * time.Minute
	qrPrintSize   = 1024 // pixels of the PNG QR code: 8.7 cm at 300 dpi
)

// formValues is what the visitor typed, shown again when the form is refused.
type formValues struct {
	Name, Phone, Birthday string
	Consent               bool
}

type sitePageData struct {
	layoutData
	Site       *cardbot.MiniSite
	Program    string
	Offer      []string
	Consent    string
	Form       formValues
	Error      string
	HasLogo    bool
	Continue   bool
	Telegram   string
	WhatsApp   string
	WebChatURL string
}

// loadSite reads the mini-site by the slug in the path; nil when there is none.
func (s *Site) loadSite(ctx context.Context, slug string) (*cardbot.MiniSite, error) {
	if !cardbot.ValidSlug(slug) {
		return nil, nil
	}
	var site *cardbot.MiniSite
	err := s.store.View(ctx, func(tx cardbot.Tx) error {
		var err error
		site, err = tx.MiniSiteBySlug(slug)
		return err
	})
	if cardbot.CodeOf(err) == cardbot.NotFound {
		return nil, nil
	}
	return site, err
}

// programOf is the id of the programme a site issues: its own, or the default one.
func (s *Site) programOf(site *cardbot.MiniSite) string {
	if site.ProgramID != "" {
		return site.ProgramID
	}
	return s.cfg.Settings.DefaultProgram
}

func (s *Site) sitePage(c *fiber.Ctx) error {
	site, err := s.loadSite(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	if site == nil {
		return s.notFound(c)
	}
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return s.render(c, fiber.StatusOK, "site", s.siteData(site, formValues{}, ""))
}

func (s *Site) siteData(site *cardbot.MiniSite, form formValues, msg string) sitePageData {
	d := sitePageData{layoutData: s.layout(site.Title), Site: site, Form: form, Error: msg, HasLogo: len(site.Logo) > 0}
	if prog := s.wallet.Program(s.programOf(site)); prog != nil {
		d.Program, d.Offer = prog.Name, s.words.offer(prog)
	}
	d.Consent = site.ConsentText
	if d.Consent == "" {
		d.Consent = s.words.get("consent_default")
	}
	d.Telegram, d.WhatsApp, d.WebChatURL = s.continueLinks(site)
	d.Continue = d.Telegram != "" || d.WhatsApp != "" || d.WebChatURL != ""
	return d
}

// continueLinks are the deep links that start the bot with the site's payload.
func (s *Site) continueLinks(site *cardbot.MiniSite) (tg, wa, chat string) {
	payload := "site_" + strconv.FormatUint(site.ID, 10)
	if s.links.TelegramBot != nil {
		if bot := s.links.TelegramBot(); bot != "" {
			tg = "https://t.me/" + url.PathEscape(bot) + "?start=" + payload
		}
	}
	if s.links.WhatsAppNumber != nil {
		if number := strings.TrimPrefix(s.links.WhatsAppNumber(), "+"); number != "" {
			wa = "https://wa.me/" + url.PathEscape(number) + "?text=" + url.PathEscape("/start "+payload)
		}
	}
	if s.links.WebChat {
		chat = "/chat?start=" + payload
	}
	return tg, wa, chat
}

// siteForm issues the card: a new client with the site as the source, or the card the phone already
// has. It answers 303 to the card page, or the form again with what was typed and what is wrong.
func (s *Site) siteForm(c *fiber.Ctx) error {
	site, err := s.loadSite(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	if site == nil {
		return s.notFound(c)
	}
	form := formValues{
		Name: strings.TrimSpace(c.FormValue("name")), Phone: strings.TrimSpace(c.FormValue("phone")),
		Birthday: strings.TrimSpace(c.FormValue("birthday")), Consent: c.FormValue("consent") != "",
	}
	refuse := func(status int, key string) error {
		c.Set(fiber.HeaderCacheControl, "no-store")
		return s.render(c, status, "site", s.siteData(site, form, s.words.get(key)))
	}
	// The honeypot is a field people never see; bots fill every field they find.
	if c.FormValue("website") != "" {
		return refuse(fiber.StatusBadRequest, "err_bot")
	}
	if !s.limits.allow(c.IP()) {
		return refuse(fiber.StatusTooManyRequests, "err_rate")
	}
	req, key := s.readForm(form)
	if key != "" {
		return refuse(fiber.StatusUnprocessableEntity, key)
	}
	req.site, req.program, req.known = site, s.programOf(site), knownTokens(c.Cookies(cardsCookie))
	res, err := s.issue(c.UserContext(), req)
	switch {
	case cardbot.CodeOf(err) == cardbot.Conflict || cardbot.CodeOf(err) == cardbot.NotFound:
		s.log.Warn("minisite: the site's programme issues no cards", "site", site.ID, "err", err)
		return refuse(fiber.StatusConflict, "err_archived")
	case err != nil:
		s.log.Error("minisite: issuing a card", "site", site.ID, "err", err)
		return refuse(fiber.StatusServiceUnavailable, "err_unavailable")
	}
	if !res.show {
		c.Set(fiber.HeaderCacheControl, "no-store")
		d := s.siteData(site, formValues{}, "")
		d.Error = s.words.get("exists_text")
		if !res.sent {
			d.Error = s.words.get("exists_counter")
		}
		return s.render(c, fiber.StatusOK, "exists", d)
	}
	c.Cookie(&fiber.Cookie{
		Name: cardsCookie, Value: strings.Join(rememberToken(req.known, res.token), "."), Path: "/",
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: strings.HasPrefix(s.baseURL(), "https:"),
		Expires: s.clock.Now().AddDate(1, 0, 0),
	})
	return c.Redirect("/c/"+res.token, fiber.StatusSeeOther)
}

// issueRequest is a checked form.
type issueRequest struct {
	name, phone string
	birthday    *cardbot.Date
	site        *cardbot.MiniSite
	program     string
	known       []string // card tokens this browser was given before
}

// readForm checks the form; a refusal comes as the key of its text.
func (s *Site) readForm(f formValues) (issueRequest, string) {
	var req issueRequest
	if f.Name == "" || utf8.RuneCountInString(f.Name) > 200 || !utf8.ValidString(f.Name) {
		return req, "err_name"
	}
	phone, err := wallet.NormalizePhone(f.Phone, s.cfg.Business.Country)
	if err != nil {
		return req, "err_phone"
	}
	if f.Birthday != "" {
		d, err := cardbot.ParseDate(f.Birthday)
		now := s.clock.Now()
		if err != nil || d.Year != 0 && (d.Year > now.Year() || d.Year < now.Year()-120) {
			return req, "err_birthday"
		}
		req.birthday = &d
	}
	if !f.Consent {
		return req, "err_consent"
	}
	req.name, req.phone = f.Name, phone
	return req, ""
}

// issued is what the form led to: the card's token, and whether this browser may see it.
type issued struct {
	token string
	show  bool
	sent  bool // the link went to a channel the client can be reached on
}

// issue finds or creates the client by phone and gives them the site's card, in one transaction. A new
// client sees their card at once, and is told about the opening balance like any other. A phone that
// is already a client's is somebody's card: anybody can type anybody's number, so the card is shown
// only to the browser it was issued in; anywhere else it is sent to the client as a message instead.
func (s *Site) issue(ctx context.Context, req issueRequest) (issued, error) {
	source := "site:" + strconv.FormatUint(req.site.ID, 10)
	var res issued
	err := s.store.Update(ctx, func(tx cardbot.Tx) error {
		res = issued{}
		now := s.clock.Now()
		client, err := tx.ClientByPhone(req.phone)
		fresh := cardbot.CodeOf(err) == cardbot.NotFound
		switch {
		case fresh:
			client = &cardbot.Client{
				Name: req.name, Phone: req.phone, Birthday: req.birthday, Source: source,
				Consent:   cardbot.Consent{PersonalData: true, Source: source, At: now},
				CreatedAt: now, LastActivityAt: now,
			}
			if err := tx.CreateClient(client); err != nil {
				return err
			}
		case err != nil:
			return err
		}
		card, err := activeCard(tx, client.ID, req.program, now)
		if err != nil {
			return err
		}
		if card == nil {
			got, err := s.wallet.Issue(tx, client.ID, req.program, source)
			if err != nil {
				return err
			}
			card = got.Card
			if got.Opening != nil && s.notifier != nil {
				if err := s.notifier.OperationNotice(tx, card, got.Opening); err != nil {
					return err
				}
			}
		}
		res.token = card.Token
		res.show = fresh || slices.Contains(req.known, card.Token)
		if res.show || !s.reachable(client) {
			return nil
		}
		res.sent = true
		return s.sendLink(tx, client, card, now)
	})
	return res, err
}

// reachable reports whether a message to the client can go anywhere: a messenger (or web chat) they
// wrote from, or their phone or email when SMS or email is on.
func (s *Site) reachable(c *cardbot.Client) bool {
	return len(c.Channels) > 0 || c.Phone != "" && s.cfg.SMS.Enabled || c.Email != "" && s.cfg.Email.Enabled
}

// activeCard is the client's working card of the programme, or nil.
func activeCard(tx cardbot.Tx, clientID uint64, program string, now time.Time) (*cardbot.Card, error) {
	cards, err := tx.ClientCards(clientID)
	if err != nil {
		return nil, err
	}
	for _, card := range cards {
		if card.ProgramID == program && card.Status == cardbot.CardActive && !card.Expired(now) {
			return card, nil
		}
	}
	return nil, nil
}

// sendLink sends the client the link to their card, unless one went out in the last minutes.
func (s *Site) sendLink(tx cardbot.Tx, client *cardbot.Client, card *cardbot.Card, now time.Time) error {
	recent, err := tx.ClientMessages(client.ID, 0, 20)
	if err != nil {
		return err
	}
	for _, m := range recent {
		if m.Event == "card_link" && now.Sub(m.CreatedAt) < linkResendGap {
			return nil
		}
	}
	name := card.ProgramID
	if prog := s.wallet.Program(card.ProgramID); prog != nil {
		name = prog.Name
	}
	return tx.EnqueueMessage(&cardbot.Message{
		ClientID: client.ID, Kind: cardbot.KindNotice, Event: "card_link", CardID: card.ID,
		Text:   s.words.f("link_notice", name, s.baseURL()+"/c/"+card.Token),
		NextAt: now, CreatedAt: now,
	})
}

// knownTokens reads the cards cookie.
func knownTokens(v string) []string {
	var out []string
	for t := range strings.SplitSeq(v, ".") {
		if validToken(t) {
			out = append(out, t)
		}
	}
	return out
}

// rememberToken puts token first in the list, keeping the list short.
func rememberToken(known []string, token string) []string {
	out := []string{token}
	for _, t := range known {
		if t != token && len(out) < maxCookieCard {
			out = append(out, t)
		}
	}
	return out
}

// siteLogo serves the logo the owner uploaded.
func (s *Site) siteLogo(c *fiber.Ctx) error {
	site, err := s.loadSite(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	if site == nil || len(site.Logo) == 0 {
		return c.SendStatus(fiber.StatusNotFound)
	}
	typ := site.LogoType
	if typ != "image/png" && typ != "image/jpeg" {
		typ = "application/octet-stream"
	}
	c.Set(fiber.HeaderContentType, typ)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.Send(site.Logo)
}

// SiteURL is the public address of a mini-site, as its QR code holds it.
func (s *Site) SiteURL(slug string) string { return s.baseURL() + "/s/" + slug }

func (s *Site) siteQRPNG(c *fiber.Ctx) error {
	return s.siteQR(c, "image/png", func(link string) ([]byte, error) { return cardimage.QRPNG(link, qrPrintSize) })
}

func (s *Site) siteQRSVG(c *fiber.Ctx) error {
	return s.siteQR(c, "image/svg+xml", cardimage.QRSVG)
}

// siteQR serves the QR code of a site's link for print, as a download named after the slug.
func (s *Site) siteQR(c *fiber.Ctx, typ string, draw func(string) ([]byte, error)) error {
	site, err := s.loadSite(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	if site == nil {
		return c.SendStatus(fiber.StatusNotFound)
	}
	img, err := draw(s.SiteURL(site.Slug))
	if err != nil {
		return err
	}
	ext := strings.TrimPrefix(strings.TrimSuffix(typ, "+xml"), "image/")
	c.Set(fiber.HeaderContentType, typ)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	if c.Query("download") != "" {
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="qr-`+site.Slug+"."+ext+`"`)
	}
	return c.Send(img)
}
