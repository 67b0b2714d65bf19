package flows

import (
	"strings"

	"cardbot"
	"cardbot/wallet"
)

// staffCommand runs a staff command for a staff member, through the same wallet rules as the REST
// API; the customer is told in the same transaction. Anyone else gets a polite refusal and nothing
// changes.
func (t *turn) staffCommand() error {
	if !t.e.isStaff(t.in) {
		return t.say("staff_only")
	}
	sc, err := ParseStaffCommand(t.in.Text)
	if err != nil {
		return t.say("staff_usage")
	}
	if sc.Name == staffFind {
		return t.staffFind(sc.Query)
	}
	return t.staffApply(sc)
}

// staffFind shows the client with a phone or card number and their cards.
func (t *turn) staffFind(query string) error {
	client, err := t.findClient(query)
	if err != nil {
		return err
	}
	d := t.data()
	if client == nil {
		d.Reason = query
		return t.send(reply{text: "staff_not_found", event: "staff_find", data: d})
	}
	d.Name, d.Phone = client.Name, client.Phone
	cards, err := t.tx.ClientCards(client.ID)
	if err != nil {
		return err
	}
	for _, card := range cards {
		cd, err := t.describeCard(card)
		if err != nil {
			return err
		}
		line, err := t.e.texts.render("staff_card_line", &textData{Card: cd})
		if err != nil {
			return err
		}
		d.Lines = append(d.Lines, line)
	}
	return t.send(reply{text: "staff_found", event: "staff_find", data: d})
}

// findClient looks a query up as a card number, then as a phone; nil when neither finds anyone.
func (t *turn) findClient(query string) (*cardbot.Client, error) {
	number := strings.NewReplacer(" ", "", "-", "").Replace(query)
	if card, err := t.tx.CardByNumber(number); err == nil {
		return lookup(t.tx.Client(card.ClientID))
	} else if cardbot.CodeOf(err) != cardbot.NotFound {
		return nil, err
	}
	phone, err := wallet.NormalizePhone(query, t.e.cfg.Business.Country)
	if err != nil {
		return nil, nil // neither a known card nor a phone number
	}
	return lookup(t.tx.ClientByPhone(phone))
}

// staffApply performs an operation on a card and answers with the new balance. A refusal (unknown
// card, not enough points) is told to the staff member; the wallet wrote nothing for it.
func (t *turn) staffApply(sc StaffCommand) error {
	cardID, err := t.staffCardID(sc)
	if err != nil {
		return t.staffRefused(err)
	}
	res, err := t.e.wallet.Apply(t.tx, cardID, sc.Request("staff:"+t.in.Channel+":"+t.in.UserID))
	if err != nil {
		return t.staffRefused(err)
	}
	d := t.data()
	if d.Card, d.Op, err = t.e.notice(t.tx, res.Card, res.Operation); err != nil {
		return err
	}
	return t.send(reply{text: "staff_done", event: "staff_" + sc.Name, data: d})
}

// staffCardID finds the card a command is about: by number, or for a cancel by the operation.
func (t *turn) staffCardID(sc StaffCommand) (uint64, error) {
	if sc.Name == staffCancel {
		op, err := t.tx.Operation(sc.OpID)
		if err != nil {
			return 0, err
		}
		return op.CardID, nil
	}
	card, err := t.e.wallet.CardByNumber(t.tx, sc.Card) // a mistyped number is told as such
	if err != nil {
		return 0, err
	}
	return card.ID, nil
}

// staffRefused answers a refused staff operation; an internal error aborts the turn instead.
func (t *turn) staffRefused(err error) error {
	if !refused(err) {
		return err
	}
	d := t.data()
	d.Code, d.Reason = string(cardbot.CodeOf(err)), cardbot.MessageOf(err)
	return t.send(reply{text: "staff_refused", event: "staff_refused", data: d})
}
