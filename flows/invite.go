package flows

import (
	"net/url"
	"strings"

	"cardbot"
)

// SetWhatsAppNumber tells the engine how to learn the business's WhatsApp number (E.164, "" while no
// account is paired), which invite links need. It is asked at each /invite: the account may be
// paired while the service runs.
func (e *Engine) SetWhatsAppNumber(number func() string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.waNumber = number
}

// inviteLinks fills the client's invite links: the web page of the code (always: it needs no
// messenger), the Telegram deep link once the bot's username is known, and the WhatsApp link with the
// pre-filled text when an account is paired. Every one of them carries ref_<code>, which the
// mini-site form, the web chat and the bot all read.
func (e *Engine) inviteLinks(d *textData, code string) {
	payload := "ref_" + code
	d.Link = strings.TrimRight(e.cfg.HTTP.BaseURL, "/") + "/r/" + code
	if username := e.botUsername("telegram"); username != "" {
		d.TelegramLink = "https://t.me/" + url.PathEscape(username) + "?start=" + payload
	}
	e.mu.RLock()
	number := e.waNumber
	e.mu.RUnlock()
	if number != nil {
		if n := strings.TrimPrefix(number(), "+"); n != "" {
			d.WhatsAppLink = "https://wa.me/" + url.PathEscape(n) + "?text=" + url.PathEscape("/start "+payload)
		}
	}
}

// CardIssued runs the automation of a new card that opened at zero, issued outside a conversation
// (a mini-site form): such a card has no opening entry for OperationNotice to hang it on. It is the
// welcome later on and the referral reward on sign-up, in the caller's transaction.
func (e *Engine) CardIssued(tx cardbot.Tx, card *cardbot.Card) error {
	if card == nil {
		return nil
	}
	return e.cardIssued(tx, card, e.clock.Now())
}
