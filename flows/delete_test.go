package flows_test

import (
	"slices"
	"testing"

	"cardbot"
)

func TestDeleteMyData(t *testing.T) {
	e := newEnv(t)
	e.say("1", "привет")
	e.say("1", "15.03.1990")
	share := e.inbound("1", "")
	share.Phone = "+79161234567"
	e.handle(share)
	client := e.clientAt("1")
	card := e.cards(client.ID)[0]
	e.purchase(card, 20000)
	e.outbox()

	m := one(t, e.say("1", "/delete"))
	if m.Event != "delete_confirm" || len(m.Buttons) != 1 || m.Buttons[0][0].Data != "delete_yes" {
		t.Fatalf("confirmation %+v", m)
	}
	m = one(t, e.press("1", "delete_yes"))
	if m.Event != "deleted" || m.ClientID != 0 {
		t.Errorf("goodbye %+v: it belongs to nobody's history", m)
	}

	var gone *cardbot.Client
	var history []*cardbot.Message
	e.view(func(tx cardbot.Tx) error {
		var err error
		if gone, err = tx.Client(client.ID); err != nil {
			return err
		}
		history, err = tx.ClientMessages(client.ID, 0, 0)
		return err
	})
	if gone.Name != "" || gone.Phone != "" || gone.Birthday != nil || len(gone.Channels) != 0 || gone.ReferralCode != "" {
		t.Errorf("personal data left: %+v", gone)
	}
	if gone.Consent.PersonalData || gone.Consent.Marketing || gone.Consent.Source != "telegram" {
		t.Errorf("consent %+v, want withdrawn", gone.Consent)
	}
	for _, m := range history {
		if m.Text != "" || m.To != nil {
			t.Errorf("message %d keeps %q to %v", m.ID, m.Text, m.To)
		}
	}
	if e.clientAt("1") != nil {
		t.Error("the chat still leads to the client")
	}
	// The books stay whole: the card is still there with its ledger.
	cards := e.cards(client.ID)
	if len(cards) != 1 || cards[0].Balance != 11000 {
		t.Fatalf("cards after delete: %+v", cards)
	}
	e.view(func(tx cardbot.Tx) error {
		ops, err := tx.CardOperations(card.ID, 0, 0)
		var sum int64
		for _, op := range ops {
			sum += op.Delta
		}
		if len(ops) != 2 || sum != cards[0].Balance {
			t.Errorf("ledger %d entries summing to %d, balance %d", len(ops), sum, cards[0].Balance)
		}
		return err
	})
	if conv := e.conversation("1"); conv.State != "new" || conv.ClientID != 0 {
		t.Errorf("conversation %+v", conv)
	}

	// Writing again starts afresh: a new client with a new card.
	msgs := e.say("1", "я вернулся")
	if got := events(msgs); !slices.Equal(got, []string{"card_issued", "birthday_question"}) {
		t.Fatalf("events %v", got)
	}
	if again := e.clientAt("1"); again == nil || again.ID == client.ID {
		t.Errorf("came back as %+v", again)
	}
}

func TestDeleteCancelled(t *testing.T) {
	e := newEnv(t)
	e.welcomed("1")
	e.say("1", "удалить")
	for _, no := range []string{"button", "нет", "что?"} {
		var msgs []*cardbot.Message
		if no == "button" {
			msgs = e.press("1", "delete_no")
		} else {
			msgs = e.say("1", no)
		}
		if m := one(t, msgs); m.Event != "delete_cancelled" {
			t.Errorf("%s: %s", no, m.Event)
		}
		if c := e.clientAt("1"); c == nil || c.Name != "Анна" {
			t.Errorf("%s: data gone: %+v", no, c)
		}
		e.say("1", "/delete")
	}
	if m := one(t, e.say("1", "да")); m.Event != "deleted" {
		t.Errorf("да: %s", m.Event)
	}
}
