package bot_test

import (
	"testing"

	"cardbot"
	"cardbot/bot"
)

// The owner reorders the cascade in the admin page while the dispatcher runs: the next notice follows
// the new order.
func TestSetCascadeChangesTheOrderWhileRunning(t *testing.T) {
	tg, _, sms, _ := fourFakes()
	h := newHarness(t, bot.Options{Cascade: []string{"telegram", "sms"}}, tg, sms)
	c := h.client(cardbot.Client{Name: "Anna", Phone: "+79161234567",
		Channels: []cardbot.Address{{Channel: "telegram", ID: "7001"}}})

	first := h.enqueue(cardbot.Message{ClientID: c.ID, Kind: cardbot.KindNotice, Text: "first", NextAt: t0})
	h.waitStatus(first[0], cardbot.MessageSent)
	h.d.SetCascade([]string{"sms", "telegram"})
	second := h.enqueue(cardbot.Message{ClientID: c.ID, Kind: cardbot.KindNotice, Text: "second", NextAt: t0})
	h.waitStatus(second[0], cardbot.MessageSent)

	if got := texts(tg.accepted()); len(got) != 1 || got[0] != "first" {
		t.Fatalf("telegram carried %v, want only the notice sent before the change", got)
	}
	if got := texts(sms.accepted()); len(got) != 1 || got[0] != "second" {
		t.Fatalf("sms carried %v, want the notice sent after the change", got)
	}
}
