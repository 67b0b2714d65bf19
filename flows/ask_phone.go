package flows

import (
	"strings"

	"cardbot"
	"cardbot/wallet"
)

// phoneQuestion asks for the phone number, by which staff find the card at the counter.
var phoneQuestion = question{
	name: "phone",
	markup: func(t *turn) reply {
		// AskPhone shows Telegram's "share my contact" keyboard, labelled by the first button.
		r := reply{askPhone: true}
		if hasButtons(t.in.Channel) {
			label, err := t.e.texts.render("btn_share_phone", t.data())
			if err != nil {
				return r // validated at start; never reached
			}
			r.buttons = [][]cardbot.Button{{{Text: label}}}
		}
		return r
	},
	accept: acceptPhone,
	next:   func(t *turn) error { return t.fire(eventSettle) },
}

// askPhone is the question itself, asked on entering awaiting_phone.
func (t *turn) askPhone() error {
	return t.ask(&phoneQuestion, "ask_phone", "")
}

// acceptPhone stores a typed phone number. A typed number proves nothing about who owns it, so one
// that belongs to another client is refused rather than linked: only a number shared with the
// channel's contact button joins two chats into one client (see resolveClient).
func acceptPhone(t *turn, answer string) (string, error) {
	phone, err := wallet.NormalizePhone(answer, t.e.cfg.Business.Country)
	if err != nil {
		return refusal(err, func(string) string { return "phone_not_a_number" })
	}
	owner, err := lookup(t.tx.ClientByPhone(phone))
	if err != nil {
		return "", err
	}
	if owner != nil && owner.ID != t.client.ID {
		return "phone_taken", nil
	}
	t.client.Phone = phone
	t.consentGiven(t.client)
	return "", t.say("phone_saved")
}

// sharedPhone answers a phone shared with the contact button after the welcome (resolveClient has
// already stored or linked it). It reports whether the message is fully handled: a contact comes
// without text, but an adapter may send a phone with every message (WhatsApp knows it), and then
// the text still needs its answer.
func (t *turn) sharedPhone() (bool, error) {
	if t.phone == phoneNone {
		return false, nil
	}
	waiting := t.conv.State == stateAwaitingPhone
	var err error
	switch {
	case t.phone == phoneLinked:
		err = t.showLinkedCard()
	case t.phone == phoneSaved || waiting:
		err = t.say("phone_saved")
	}
	if err == nil && waiting {
		err = t.fire(eventSettle)
	}
	return strings.TrimSpace(t.in.Text) == "" && t.in.Button == "", err
}

// showLinkedCard tells a customer whose chat was just joined to their existing client which card
// is theirs now.
func (t *turn) showLinkedCard() error {
	if err := t.say("phone_linked"); err != nil {
		return err
	}
	card, _, err := t.cardToShow(false)
	if err != nil || card == nil {
		return err
	}
	return t.sendCard(card, "card")
}
