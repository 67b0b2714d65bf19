package bot_test

import (
	"testing"

	"cardbot"
	"cardbot/bot"
)

func codeMessage(clientID uint64) cardbot.Message {
	return cardbot.Message{ClientID: clientID, Kind: cardbot.KindNotice, Event: "code", Text: "1234"}
}

// A one-time code routed to SMS goes by SMS only, though Telegram is first in the cascade, and when
// SMS refuses it for good it fails rather than land in a chat.
func TestRouteByEventUsesOnlyItsChannels(t *testing.T) {
	tg, wa, sms, email := fourFakes()
	h := newHarness(t, bot.Options{Routes: map[string][]string{"code": {"sms"}}}, tg, wa, sms, email)
	c := h.client(anna())

	id := h.enqueue(codeMessage(c.ID))[0]
	wantShapes(t, h.waitStatus(id, cardbot.MessageSent), shape{"sms", cardbot.AttemptSent, ""})
	if got := sms.accepted()[0].out.To; got != "+79001234567" {
		t.Fatalf("SMS to %q, want the client's phone", got)
	}

	sms.failNext(1, &cardbot.SendError{Permanent: true, Reason: "number unreachable"})
	id = h.enqueue(codeMessage(c.ID))[0]
	wantShapes(t, h.waitStatus(id, cardbot.MessageFailed), shape{"sms", cardbot.AttemptFailed, "number unreachable"})
	if n := tg.count() + wa.count() + email.count(); n != 0 {
		t.Fatalf("%d sends on other channels, want none", n)
	}
}

// An event's route wins over its kind's; a kind's route wins over the cascade; replies keep their
// channel whatever the routes say.
func TestRoutePicksByEventThenKind(t *testing.T) {
	tg, wa, sms, email := fourFakes()
	routes := map[string][]string{"code": {"sms"}, "notice": {"email", "sms"}, "marketing": {"whatsapp"}}
	h := newHarness(t, bot.Options{Routes: routes}, tg, wa, sms, email)
	c := h.client(anna())
	accrual := notice(c.ID, "+50 points")
	accrual.Event = "accrual"
	reply := codeMessage(c.ID)
	reply.Kind, reply.To = cardbot.KindReply, &cardbot.Address{Channel: "telegram", ID: "100"}

	ids := h.enqueue(codeMessage(c.ID), accrual, marketing(c.ID, "sale"), reply)
	for i, channel := range []string{"sms", "email", "whatsapp", "telegram"} {
		wantShapes(t, h.waitStatus(ids[i], cardbot.MessageSent), shape{channel, cardbot.AttemptSent, ""})
	}
}

// A route falls through its own channels in its own order, as the cascade does.
func TestRouteFallsThroughWithinItself(t *testing.T) {
	tg, wa, sms, email := fourFakes()
	wa.failNext(1, errNotOnWhatsApp)
	h := newHarness(t, bot.Options{Routes: map[string][]string{"marketing": {"whatsapp", "email"}}}, tg, wa, sms, email)
	id := h.enqueue(marketing(h.client(anna()).ID, "sale"))[0]
	wantShapes(t, h.waitStatus(id, cardbot.MessageSent),
		shape{"whatsapp", cardbot.AttemptFailed, errNotOnWhatsApp.Error()},
		shape{"email", cardbot.AttemptSent, ""},
	)
	if tg.count() != 0 {
		t.Fatal("telegram was used outside the route")
	}
}
