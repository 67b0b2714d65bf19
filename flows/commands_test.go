package flows_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"cardbot"
)

// purchase applies a purchase to a card the way the till does, and returns the entry.
func (e *env) purchase(card *cardbot.Card, sum cardbot.Amount) *cardbot.Operation {
	e.t.Helper()
	var op *cardbot.Operation
	e.update(func(tx cardbot.Tx) error {
		res, err := e.w.Apply(tx, card.ID, cardbot.OperationRequest{Type: cardbot.OpPurchase, Purchase: sum, Actor: "api:till"})
		if err == nil {
			op = res.Operation
		}
		return err
	})
	return op
}

func TestBalance(t *testing.T) {
	e := newEnv(t)
	_, card := e.welcomed("1")
	e.purchase(card, 15000) // 150 ₽ at 5 %: 7.5 points
	for _, ask := range []func() []*cardbot.Message{
		func() []*cardbot.Message { return e.say("1", "/balance") },
		func() []*cardbot.Message { return e.say("1", "Баланс!") },
		func() []*cardbot.Message { return e.press("1", "balance") },
	} {
		m := one(t, ask())
		mustContain(t, m.Text, "Бонусная карта: 107,5 балла")
	}
}

func TestHistory(t *testing.T) {
	e := newEnv(t)
	_, card := e.welcomed("1")
	if m := one(t, e.say("1", "/history")); !strings.Contains(m.Text, "выпущена: +100 баллов") {
		t.Errorf("history of a new card: %q", m.Text)
	}
	for i := range 12 {
		e.clock.Advance(time.Hour)
		e.purchase(card, cardbot.Amount(10000*(i+1)))
	}
	m := one(t, e.say("1", "история"))
	lines := strings.Split(strings.TrimSpace(m.Text), "\n")
	if len(lines) != 11 { // the heading and ten operations
		t.Fatalf("history has %d lines:\n%s", len(lines), m.Text)
	}
	// Newest first, with the time in the business timezone (Moscow, UTC+3): the last purchase was at
	// 09:00 UTC + 12 h = 21:00 UTC, 00:00 on 11 June in Moscow.
	mustContain(t, lines[1], "11.06.2026 00:00", "покупка на 1200 ₽", "начислено 60 баллов")
	if strings.Contains(m.Text, "выпущена") {
		t.Error("history shows more than the last ten operations")
	}
}

func TestInvite(t *testing.T) {
	e := newEnv(t)
	client, _ := e.welcomed("1")
	m := one(t, e.say("1", "/invite"))
	mustContain(t, m.Text, client.ReferralCode)
	if strings.Contains(m.Text, "t.me") {
		t.Error("a link before the bot's username is known")
	}
	e.eng.SetBotUsername("telegram", "zerno_bot")
	m = one(t, e.press("1", "invite"))
	mustContain(t, m.Text, "https://t.me/zerno_bot?start=ref_"+client.ReferralCode)
}

func TestInviteGivesACodeToClientsWithout(t *testing.T) {
	e := newEnv(t)
	e.update(func(tx cardbot.Tx) error {
		return tx.CreateClient(&cardbot.Client{Name: "Из кассы", Phone: "+79161234567"})
	})
	in := e.inbound("1", "")
	in.Phone = "+79161234567"
	e.handle(in)
	e.say("1", "skip")
	e.outbox()
	m := one(t, e.say("1", "/invite"))
	code := e.clientAt("1").ReferralCode
	if len(code) != 8 || !strings.Contains(m.Text, code) {
		t.Errorf("code %q in %q", code, m.Text)
	}
}

func TestHelpAndUnknown(t *testing.T) {
	e := newEnv(t)
	e.welcomed("1")
	m := one(t, e.say("1", "/help"))
	mustContain(t, m.Text, "/balance", "/stop", "/delete")
	if len(m.Buttons) == 0 {
		t.Error("help without the menu buttons")
	}
	for _, text := range []string{"как дела?", "/nonsense", "", "5"} {
		m := one(t, e.say("1", text))
		if m.Event != "unknown" || !strings.Contains(m.Text, "/help") || len(m.Buttons) == 0 {
			t.Errorf("%q: %s %q", text, m.Event, m.Text)
		}
	}
}

func TestMenuDigitsOnChannelsWithoutButtons(t *testing.T) {
	e := newEnv(t)
	wa := func(text string) []*cardbot.Message {
		in := e.inbound("79160000000", text)
		in.Channel = "whatsapp"
		e.handle(in)
		return e.outbox()
	}
	msgs := wa("Добрый день")
	mustContain(t, msgs[0].Text, "1 — баланс", "4 — помощь")
	mustContain(t, msgs[1].Text, "напишите «пропустить»")
	wa("пропустить")
	for digit, event := range map[string]string{"1": "balance", "2": "history", "3": "invite", "4": "help"} {
		if m := one(t, wa(digit)); m.Event != event {
			t.Errorf("%s: %s", digit, m.Event)
		}
	}
	m := one(t, wa("помощь"))
	mustContain(t, m.Text, "1 — баланс", "«стоп»")
	if strings.Contains(m.Text, "/stop") {
		t.Error("slash commands offered where there are none")
	}
}

func TestStopAndStart(t *testing.T) {
	e := newEnv(t)
	e.welcomed("1")
	e.clock.Advance(time.Hour)
	m := one(t, e.say("1", "/stop"))
	mustContain(t, m.Text, "Уведомления о баллах")
	c := e.clientAt("1")
	if c.Consent.Marketing || c.Consent.Source != "telegram" || !c.Consent.At.Equal(e.clock.Now()) {
		t.Errorf("consent after /stop: %+v", c.Consent)
	}
	if m := one(t, e.say("1", "стоп")); m.Event != "stopped" {
		t.Errorf("стоп: %s", m.Event)
	}
	m = one(t, e.say("1", "/start"))
	if m.Event != "resumed" || !e.clientAt("1").Consent.Marketing {
		t.Errorf("/start after /stop: %s, marketing %v", m.Event, e.clientAt("1").Consent.Marketing)
	}
	if m := one(t, e.say("1", "/start")); m.Event != "card" || m.CardID == 0 {
		t.Errorf("/start when subscribed shows the card, got %s", m.Event)
	}
}

func TestCommands(t *testing.T) {
	e := newEnv(t)
	var names []string
	for _, c := range e.eng.Commands() {
		names = append(names, c.Name)
		if c.Description == "" {
			t.Errorf("%s has no description", c.Name)
		}
	}
	if !slices.Equal(names, []string{"card", "balance", "history", "invite", "help", "stop", "delete"}) {
		t.Errorf("commands %v", names)
	}
	if d := e.eng.Commands()[0].Description; d != "Моя карта" {
		t.Errorf("card: %q", d)
	}
}
