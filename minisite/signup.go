package minisite

import (
	"strings"

	"cardbot"
	"cardbot/wallet"

	"github.com/gofiber/fiber/v2"
)

// signup is a form that issues cards: a mini-site's, or a referral link's.
type signup struct {
	page    string // the template that shows the form again with what is wrong
	data    func(form formValues, msg string) sitePageData
	program string
	where   string    // site:<id>, referral:<code>: signs the card's opening entry and the consent
	ref     *referrer // the friend who invited the visitor, or nil
}

// signupForm issues the card: a new client (with the form as the source, and the friend who invited
// them), or the card the phone already has. It answers 303 to the card page, or the form again with
// what was typed and what is wrong. A phone that is already a client's is never given to a referrer:
// the friend did not bring them.
func (s *Site) signupForm(c *fiber.Ctx, sg signup) error {
	form := formValues{
		Name: strings.TrimSpace(c.FormValue("name")), Phone: strings.TrimSpace(c.FormValue("phone")),
		Birthday: strings.TrimSpace(c.FormValue("birthday")), Consent: c.FormValue("consent") != "",
	}
	refuse := func(status int, key string) error {
		c.Set(fiber.HeaderCacheControl, "no-store")
		return s.render(c, status, sg.page, sg.data(form, s.words.get(key)))
	}
	// The honeypot is a field people never see; bots fill every field they find.
	if c.FormValue("website") != "" {
		return refuse(fiber.StatusBadRequest, "err_bot")
	}
	if !s.limits.Allow(c.IP()) {
		return refuse(fiber.StatusTooManyRequests, "err_rate")
	}
	req, key := s.readForm(form)
	if key != "" {
		return refuse(fiber.StatusUnprocessableEntity, key)
	}
	req.program, req.known = sg.program, knownTokens(c.Cookies(cardsCookie))
	req.where, req.source = sg.where, sg.where
	if sg.ref != nil {
		req.source, req.referrer = "referral:"+sg.ref.code, sg.ref.id
	}
	res, err := s.issue(c.UserContext(), req)
	switch {
	case cardbot.CodeOf(err) == cardbot.Conflict || cardbot.CodeOf(err) == cardbot.NotFound:
		s.log.Warn("minisite: the form's programme issues no cards", "form", sg.where, "program", sg.program, "err", err)
		return refuse(fiber.StatusConflict, "err_archived")
	case err != nil:
		s.log.Error("minisite: issuing a card", "form", sg.where, "err", err)
		return refuse(fiber.StatusServiceUnavailable, "err_unavailable")
	}
	if !res.show {
		c.Set(fiber.HeaderCacheControl, "no-store")
		d := sg.data(formValues{}, "")
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

// IssueAutomation is what a Notifier may also do: run the automation of a new card that opened at
// zero (no opening entry, so no notice to hang it on): the welcome later on, and the referral reward
// on sign-up. The conversation engine does.
type IssueAutomation interface {
	CardIssued(tx cardbot.Tx, card *cardbot.Card) error
}

// cardIssued tells the new client about the opening balance, which also runs the automation of a new
// card; a card that opens at zero runs the automation alone.
func (s *Site) cardIssued(tx cardbot.Tx, got *wallet.Issued) error {
	if s.notifier == nil {
		return nil
	}
	if got.Opening != nil {
		return s.notifier.OperationNotice(tx, got.Card, got.Opening)
	}
	if auto, ok := s.notifier.(IssueAutomation); ok {
		return auto.CardIssued(tx, got.Card)
	}
	return nil
}
