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
	Site       *cardbot.MiniSite // nil on a referral page
	Action     string            // where the form posts
	Ref        string            // the referral code the form carries, when a friend invited
	Invited    string            // "Анна приглашает вас", when a friend invited
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
	ref, err := s.loadReferrer(c.UserContext(), c.Query("ref"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return s.render(c, fiber.StatusOK, "site", s.siteForm(site, ref).data(formValues{}, ""))
}

// siteForm is the form of a mini-site: the site's programme, the site as the source, and the friend
// who invited the visitor when the link carried ?ref=<code>.
func (s *Site) siteForm(site *cardbot.MiniSite, ref *referrer) signup {
	where := "site:" + strconv.FormatUint(site.ID, 10)
	return signup{
		page: "site", where: where, program: s.programOf(site), ref: ref,
		data: func(form formValues, msg string) sitePageData {
			d := sitePageData{layoutData: s.layout(site.Title), Site: site, Action: "/s/" + site.Slug, HasLogo: len(site.Logo) > 0}
			s.fillForm(&d, s.programOf(site), site.ConsentText, form, msg)
			payload := "site_" + strconv.FormatUint(site.ID, 10)
			if ref != nil {
				// A messenger link holds one payload: the invitation is what must not be lost.
				d.Ref, d.Invited, payload = ref.code, s.invitedBy(ref), "ref_"+ref.code
			}
			s.fillContinue(&d, payload)
			return d
		},
	}
}

// fillForm fills what every card form shows: the programme's offer, the consent text (the owner's,
// or ours) and what the visitor typed, with the refusal if any.
func (s *Site) fillForm(d *sitePageData, program, consent string, form formValues, msg string) {
	d.Form, d.Error = form, msg
	if prog := s.wallet.Program(program); prog != nil {
		d.Program, d.Offer = prog.Name, s.words.offer(prog)
	}
	d.Consent = consent
	if d.Consent == "" {
		d.Consent = s.words.get("consent_default")
	}
}

// fillContinue sets the buttons that continue in a messenger with the payload.
func (s *Site) fillContinue(d *sitePageData, payload string) {
	d.Telegram, d.WhatsApp, d.WebChatURL = s.continueLinks(payload)
	d.Continue = d.Telegram != "" || d.WhatsApp != "" || d.WebChatURL != ""
}

// continueLinks are the deep links that start the bot with the payload (site_<id>, ref_<code>).
func (s *Site) continueLinks(payload string) (tg, wa, chat string) {
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

// siteSubmit issues the site's card (see signupForm).
func (s *Site) siteSubmit(c *fiber.Ctx) error {
	site, err := s.loadSite(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	if site == nil {
		return s.notFound(c)
	}
	// An unknown or mistyped code costs the visitor nothing: they get the card, only uninvited.
	ref, err := s.loadReferrer(c.UserContext(), c.FormValue("ref"))
	if err != nil {
		return err
	}
	return s.signupForm(c, s.siteForm(site, ref))
}

// issueRequest is a checked form.
type issueRequest struct {
	name, phone string
	birthday    *cardbot.Date
	program     string
	known       []string // card tokens this browser was given before
	// where is the form the card was asked for (site:<id>, referral:<code>): it signs the card's
	// opening entry and the consent. source is how a new client came (where, or referral:<code>
	// when a friend invited them through a mini-site); referrer that friend's client id, or 0.
	where, source string
	referrer      uint64
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
		if err != nil || cardbot.CheckBirthday(d, s.clock.Now().In(s.loc)) != nil {
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
	var res issued
	err := s.store.Update(ctx, func(tx cardbot.Tx) error {
		res = issued{}
		now := s.clock.Now()
		client, err := tx.ClientByPhone(req.phone)
		fresh := cardbot.CodeOf(err) == cardbot.NotFound
		switch {
		case fresh:
			client = &cardbot.Client{
				Name: req.name, Phone: req.phone, Birthday: req.birthday, Source: req.source, ReferredBy: req.referrer,
				Consent:   cardbot.Consent{PersonalData: true, Source: req.where, At: now},
				CreatedAt: now, LastActivityAt: now,
			}
			// Their own invite link from the first minute: the card page shows it.
			if err := wallet.AssignReferralCode(tx, client); err != nil {
				return err
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
			got, err := s.wallet.Issue(tx, client.ID, req.program, req.where)
			if err != nil {
				return err
			}
			card = got.Card
			if err := s.cardIssued(tx, got); err != nil {
				return err
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
