package flows_test

import (
	"slices"
	"strings"
	"testing"

	"cardbot"
)

func TestFirstMessageIssuesCardAndAsksBirthday(t *testing.T) {
	e := newEnv(t)
	msgs := e.say("100", "Здравствуйте!")

	client := e.clientAt("100")
	if client == nil {
		t.Fatal("no client was created")
	}
	if client.Name != "Анна" || client.Source != "telegram" || len(client.ReferralCode) != 8 {
		t.Errorf("client %+v: want name, source telegram and an 8-character referral code", client)
	}
	if !client.Consent.Marketing || client.Consent.Source != "telegram" {
		t.Errorf("consent %+v: a customer who writes first agrees to hear from the business", client.Consent)
	}
	cards := e.cards(client.ID)
	if len(cards) != 1 || cards[0].ProgramID != "bonus" || cards[0].Balance != 10000 {
		t.Fatalf("cards %+v: want the default bonus card with the welcome bonus", cards)
	}
	if got := events(msgs); !slices.Equal(got, []string{"card_issued", "birthday_question"}) {
		t.Fatalf("events %v", got)
	}
	card := msgs[0]
	if card.CardID != cards[0].ID || card.Kind != cardbot.KindReply || card.ClientID != client.ID {
		t.Errorf("card row %+v: want the card's picture, a reply to the client", card)
	}
	if card.To == nil || *card.To != (cardbot.Address{Channel: "telegram", ID: "100"}) {
		t.Errorf("card row goes to %v", card.To)
	}
	mustContain(t, card.Text, "Бонусная карта", "100 баллов", cards[0].Number, "Анна")
	var data []string
	for _, row := range card.Buttons {
		for _, b := range row {
			data = append(data, b.Data)
		}
	}
	if !slices.Equal(data, []string{"balance", "history", "invite", "help"}) {
		t.Errorf("card buttons %v", data)
	}
	ask := msgs[1]
	mustContain(t, ask.Text, "день рождения", "15.03.1990")
	if len(ask.Buttons) != 1 || ask.Buttons[0][0].Data != "skip" || ask.Buttons[0][0].Text != "Пропустить" {
		t.Errorf("birthday question buttons %+v", ask.Buttons)
	}
	if c := e.conversation("100"); c.State != "awaiting_birthday" || c.ClientID != client.ID {
		t.Errorf("conversation %+v", c)
	}
	if e.wakes.Load() != 1 {
		t.Errorf("Wake called %d times, want 1", e.wakes.Load())
	}
}

func TestFirstMessageShowsExistingCard(t *testing.T) {
	e := newEnv(t)
	// A client the till made, with a phone and a card; they then share that phone in Telegram.
	var clientID uint64
	e.update(func(tx cardbot.Tx) error {
		c := &cardbot.Client{Name: "Борис", Phone: "+79161234567"}
		if err := tx.CreateClient(c); err != nil {
			return err
		}
		clientID = c.ID
		_, err := e.w.Issue(tx, c.ID, "bonus", "api:till")
		return err
	})
	in := e.inbound("200", "")
	in.Phone = "89161234567"
	e.handle(in)
	msgs := e.outbox()
	if got := events(msgs); !slices.Equal(got, []string{"card", "birthday_question"}) {
		t.Fatalf("events %v\n%s", got, texts(msgs))
	}
	mustContain(t, msgs[0].Text, "уже у нас", "Борис")
	if c := e.clientAt("200"); c == nil || c.ID != clientID {
		t.Fatalf("address belongs to %+v, want client %d", c, clientID)
	}
	if n := len(e.cards(clientID)); n != 1 {
		t.Errorf("client has %d cards, want the one they had", n)
	}
}

func TestWithoutAutoIssueNoCardUntilAsked(t *testing.T) {
	e := newEnv(t, func(c *cardbot.Config) { c.Settings.AutoIssue, c.Settings.AskBirthday = false, false })
	msgs := e.say("300", "hi")
	if got := events(msgs); !slices.Equal(got, []string{"welcome", "phone_question"}) {
		t.Fatalf("events %v", got)
	}
	client := e.clientAt("300")
	if n := len(e.cards(client.ID)); n != 0 {
		t.Fatalf("%d cards issued without auto_issue", n)
	}
	e.say("300", "пропустить")
	m := one(t, e.say("300", "/card"))
	if m.Event != "card_issued" || m.CardID == 0 {
		t.Errorf("/card: %+v, want the card issued on request", m)
	}
}

func TestReferralAndSiteSources(t *testing.T) {
	e := newEnv(t)
	inviter, _ := e.welcomed("400")

	in := e.inbound("401", "/start ref_"+inviter.ReferralCode)
	in.Payload = "ref_" + inviter.ReferralCode
	e.handle(in)
	friend := e.clientAt("401")
	if friend.Source != "referral:"+inviter.ReferralCode || friend.ReferredBy != inviter.ID {
		t.Errorf("friend source %q referred by %d, want the inviter %d", friend.Source, friend.ReferredBy, inviter.ID)
	}
	if friend.ReferralCode == inviter.ReferralCode {
		t.Error("the friend got the inviter's referral code")
	}

	e.handle(e.inbound("402", "/start site_hall-1")) // the payload left in the text
	if c := e.clientAt("402"); c.Source != "site:hall-1" {
		t.Errorf("site source %q", c.Source)
	}
	wa := e.inbound("79160000403", "ref_"+strings.ToUpper(inviter.ReferralCode)) // a WhatsApp link pre-fills the text
	wa.Channel = "whatsapp"
	e.handle(wa)
	e.view(func(tx cardbot.Tx) error {
		c, err := tx.ClientByAddress(wa.Address())
		if err == nil && c.ReferredBy != inviter.ID {
			t.Errorf("invited from WhatsApp: referred by %d", c.ReferredBy)
		}
		return err
	})
	e.handle(e.inbound("403", "/start ref_nosuchcode"))
	if c := e.clientAt("403"); c.Source != "telegram" || c.ReferredBy != 0 {
		t.Errorf("unknown code: source %q referred by %d", c.Source, c.ReferredBy)
	}
}

func TestOwnInviteLinkIsNotAReferral(t *testing.T) {
	e := newEnv(t)
	// The inviter's client has a phone; from a second Telegram account they follow their own link…
	e.update(func(tx cardbot.Tx) error {
		return tx.CreateClient(&cardbot.Client{Name: "Вера", Phone: "+79160000001", ReferralCode: "owncode2"})
	})
	in := e.inbound("501", "/start ref_owncode2")
	e.handle(in)
	second := e.clientAt("501")
	if second.ReferredBy == 0 {
		t.Fatal("setup: the new chat should look referred until the phone says otherwise")
	}
	e.say("501", "skip")
	// …and share the phone, which shows they are the inviter.
	share := e.inbound("501", "")
	share.Phone = "+79160000001"
	e.handle(share)
	var orphan *cardbot.Client
	e.view(func(tx cardbot.Tx) error {
		var err error
		orphan, err = tx.Client(second.ID)
		return err
	})
	if orphan.ReferredBy != 0 || orphan.Source == "referral:owncode2" {
		t.Errorf("self-referral kept: %+v", orphan)
	}
}
