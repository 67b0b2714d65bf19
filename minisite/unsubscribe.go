package minisite

import (
	"errors"
	"fmt"
	"html/template"
	"maps"
	"strings"

	"cardbot"

	"github.com/gofiber/fiber/v2"
)

// The unsubscribe page /u/<token> is where the link in every email leads (bot/email). The token is
// signed (cardbot.UnsubscribeTokens), so a link unsubscribes only the address it was sent to. GET asks
// first, because mail scanners open links; POST unsubscribes, and is also what a mail client's
// one-click button sends (RFC 8058: body List-Unsubscribe=One-Click).

// The limits per IP address. Mail providers send one-click POSTs for many customers from a few
// addresses, so the budget for good links is wide; wrong tokens, which only guessing produces, get
// the mini-site form's budget, and an address that spent it is refused altogether for the window.
const unsubTries = 120

// unsubscribeTexts are the page's words, by locale, added to the pages' texts for its template.
var unsubscribeTexts = map[string]map[string]string{
	"ru": {
		"unsub_title":       "Отписка от рассылки",
		"unsub_ask_before":  "Больше не присылать на",
		"unsub_ask_middle":  "акции и новости, которые рассылает",
		"unsub_ask_after":   "?",
		"unsub_button":      "Отписаться",
		"unsub_notices":     "Уведомления о баллах и операциях по карте будут приходить, как раньше.",
		"unsub_done_title":  "Вы отписались",
		"unsub_done_before": "Больше не пришлём на",
		"unsub_done_after":  " акции и новости.",
		"unsub_resume":      "Передумаете — напишите боту «старт» или скажите нам на кассе.",
		"unsub_failed":      "Сейчас не получилось отписаться. Попробуйте через минуту.",
	},
	"en": {
		"unsub_title":       "Unsubscribe",
		"unsub_ask_before":  "Unsubscribe",
		"unsub_ask_middle":  "from marketing mail from",
		"unsub_ask_after":   "?",
		"unsub_button":      "Unsubscribe",
		"unsub_notices":     "Notices about your points and card operations will keep coming.",
		"unsub_done_title":  "You are unsubscribed",
		"unsub_done_before": "We will send no more offers and news to",
		"unsub_done_after":  ".",
		"unsub_resume":      "Changed your mind? Write “start” to the bot or tell us at the till.",
		"unsub_failed":      "We could not unsubscribe you right now. Please try again in a minute.",
	},
}

// unsubscriber serves /u/<token>.
type unsubscriber struct {
	site   *Site
	tokens *cardbot.UnsubscribeTokens
	page   *template.Template
	words  map[string]string
	tries  *cardbot.IPLimiter // every request
	wrong  *cardbot.IPLimiter // requests with a token that is not ours
}

// unsubscribeData is what the page shows.
type unsubscribeData struct {
	layoutData
	Token  string
	Masked string
	Error  string
	Done   bool
}

// MountUnsubscribe adds the unsubscribe page, checking tokens with tokens, and parses its template
// now so that a mistake stops the start.
func (s *Site) MountUnsubscribe(app *fiber.App, tokens *cardbot.UnsubscribeTokens) error {
	if tokens == nil {
		return errors.New("minisite: the unsubscribe page needs the tokens of the email links")
	}
	merged := maps.Clone(s.words.m)
	own, ok := unsubscribeTexts[s.words.get("lang")]
	if !ok {
		own = unsubscribeTexts["ru"]
	}
	maps.Copy(merged, own)
	texts := words{m: merged, currency: s.words.currency}
	layout, err := texts.source("layout.html")
	if err != nil {
		return err
	}
	body, err := texts.source("unsubscribe.html")
	if err != nil {
		return err
	}
	page, err := template.New("layout.html").Parse(layout)
	if err == nil {
		_, err = page.New("unsubscribe.html").Parse(body)
	}
	if err != nil {
		return fmt.Errorf("minisite: template unsubscribe: %w", err)
	}
	u := &unsubscriber{
		site: s, tokens: tokens, page: page, words: merged,
		tries: cardbot.NewIPLimiter(s.clock, unsubTries, formWindow), wrong: cardbot.NewIPLimiter(s.clock, formTries, formWindow),
	}
	app.Get("/u/:token", u.ask)
	app.Post("/u/:token", u.unsubscribe)
	return nil
}

// ask shows whom the link unsubscribes from what, with the button that does it. It changes nothing.
func (u *unsubscriber) ask(c *fiber.Ctx) error {
	address, ok, err := u.check(c)
	if !ok {
		return err
	}
	return u.render(c, fiber.StatusOK, u.data(c, address))
}

// unsubscribe withdraws the consent to marketing of every client with the link's address: the
// confirmation button and the mail clients' one-click POST both land here.
func (u *unsubscriber) unsubscribe(c *fiber.Ctx) error {
	address, ok, err := u.check(c)
	if !ok {
		return err
	}
	d := u.data(c, address)
	var changed []uint64
	now := u.site.clock.Now()
	err = u.site.store.Update(c.UserContext(), func(tx cardbot.Tx) error {
		changed = changed[:0]
		clients, err := tx.ClientsByEmail(address)
		if err != nil {
			return err
		}
		for _, cl := range clients {
			if !cl.Consent.Marketing {
				continue // withdrawn already: keep when and where
			}
			cl.Consent.Marketing = false
			cl.Consent.Source, cl.Consent.At = "email", now
			if err := tx.PutClient(cl); err != nil {
				return err
			}
			changed = append(changed, cl.ID)
		}
		return nil
	})
	if err != nil {
		u.site.log.Error("minisite: unsubscribing by an email link", "err", err)
		d.Error = u.words["unsub_failed"]
		return u.render(c, fiber.StatusServiceUnavailable, d)
	}
	if len(changed) > 0 {
		u.site.log.Info("minisite: unsubscribed from marketing by an email link", "clients", changed,
			"one_click", c.FormValue("List-Unsubscribe") == "One-Click")
	}
	d.Done = true
	return u.render(c, fiber.StatusOK, d)
}

// check counts the request against the limits and reads the token. When it returns false the answer
// is already written: 429 past a limit, the plain 404 page for a token we did not sign (the same as
// for any unknown address, so it tells nothing about which addresses we know).
func (u *unsubscriber) check(c *fiber.Ctx) (string, bool, error) {
	// The address is the key to the page: never cache it, never pass it on as a referrer.
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("X-Robots-Tag", "noindex, nofollow")
	ip := c.IP()
	if u.wrong.Spent(ip) || !u.tries.Allow(ip) {
		c.Set(fiber.HeaderRetryAfter, fmt.Sprint(max(u.tries.RetryAfter(ip), u.wrong.RetryAfter(ip))))
		d := unsubscribeData{layoutData: u.site.layout(u.words["unsub_title"]), Error: u.words["err_rate"]}
		return "", false, u.render(c, fiber.StatusTooManyRequests, d) // names no address
	}
	address, ok := u.tokens.Address(c.Params("token"))
	if !ok {
		u.wrong.Add(ip)
		return "", false, u.site.notFound(c)
	}
	return address, true, nil
}

func (u *unsubscriber) data(c *fiber.Ctx, address string) unsubscribeData {
	return unsubscribeData{
		layoutData: u.site.layout(u.words["unsub_title"]), Token: c.Params("token"), Masked: maskEmail(address),
	}
}

func (u *unsubscriber) render(c *fiber.Ctx, status int, d unsubscribeData) error {
	page, err := u.site.executeTemplate(u.page, "unsubscribe", d)
	if err != nil {
		return c.Status(fiber.StatusInternalServerError).SendString("internal error")
	}
	return u.site.sendHTML(c, status, page)
}

// maskEmail shows enough of an address for its owner to recognise it and little to anyone else who
// sees the screen: the first letter of the mailbox and the domain, a***@example.com.
func maskEmail(address string) string {
	local, domain, ok := strings.Cut(address, "@")
	if !ok || local == "" {
		return "***"
	}
	first := []rune(local)[0]
	return string(first) + "***@" + domain
}
