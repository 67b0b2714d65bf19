package flows

import (
	"cardbot"
)

// yesWords confirm deleting one's data on channels without buttons.
var yesWords = map[string]bool{"да": true, "yes": true, "удалить": true, "delete": true}

// historyPage is how many outbox rows forget redacts per read.
const historyPage = 100

// askDelete is the confirmation question, asked on entering confirming_delete.
func (t *turn) askDelete() error {
	return t.send(reply{text: "delete_confirm", event: "delete_confirm", buttons: [][]cardbot.Button{
		{t.button(buttonDeleteYes), t.button(buttonDeleteNo)},
	}})
}

// confirmDelete deletes on a clear yes; anything else keeps the data, so a stray message can never
// erase a customer.
func (t *turn) confirmDelete() error {
	if t.in.Button == buttonDeleteYes || yesWords[normalizeWord(t.in.Text)] {
		return t.forget()
	}
	if err := t.say("delete_cancelled"); err != nil {
		return err
	}
	return t.fire(eventSettle)
}

// forget deletes the client's personal data: name, phone, email, birthday, tags, messenger
// addresses, referral code and what the bot wrote to them. The client record stays, anonymous, so
// that the cards and the ledger (the business's books) stay whole. The conversation starts again:
// a later message here makes a new client.
func (t *turn) forget() error {
	c := t.client
	c.Name, c.Phone, c.Email, c.Birthday, c.Tags, c.Channels = "", "", "", nil, nil, nil
	c.ReferralCode = "" // invite links already sent would still point at this record
	c.Consent = cardbot.Consent{Source: t.in.Channel, At: t.now}
	c.LastActivityAt = t.now
	if err := t.tx.PutClient(c); err != nil {
		return err
	}
	if err := t.redactHistory(c.ID); err != nil {
		return err
	}
	// From here the address is no longer the client's: the goodbye belongs to nobody's history.
	t.client, t.conv.ClientID = nil, 0
	if err := t.say("deleted"); err != nil {
		return err
	}
	return t.fire(eventForget)
}

// redactHistory empties the client's outbox rows: their texts repeat the birthday and phone, and
// their addresses are the chats. Kinds, events and times stay for the statistics; rows not yet sent
// are skipped, as nobody is there to receive them.
func (t *turn) redactHistory(clientID uint64) error {
	var before uint64
	for {
		msgs, err := t.tx.ClientMessages(clientID, before, historyPage)
		if err != nil || len(msgs) == 0 {
			return err
		}
		for _, m := range msgs {
			m.Text, m.To, m.Buttons, m.AskPhone = "", nil, nil, false
			if m.Status == cardbot.MessagePending {
				m.Status = cardbot.MessageSkipped
			}
			if err := t.tx.PutMessage(m); err != nil {
				return err
			}
		}
		before = msgs[len(msgs)-1].ID
	}
}
