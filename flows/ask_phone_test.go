package flows_test

import (
	"slices"
	"testing"

	"cardbot"
)

// toPhoneQuestion welcomes a user and answers the birthday, so the phone is asked next.
func toPhoneQuestion(e *env, user string) {
	e.t.Helper()
	e.say(user, "привет")
	e.say(user, "15.03.1990")
	if s := e.conversation(user).State; s != "awaiting_phone" {
		e.t.Fatalf("state %s, want awaiting_phone", s)
	}
}

func TestSharedPhoneIsStored(t *testing.T) {
	e := newEnv(t)
	toPhoneQuestion(e, "1")
	in := e.inbound("1", "")
	in.Phone = "+7 (916) 123-45-67"
	e.handle(in)
	if m := one(t, e.outbox()); m.Event != "phone_saved" {
		t.Errorf("event %s", m.Event)
	}
	if c := e.clientAt("1"); c.Phone != "+79161234567" {
		t.Errorf("phone %q, want E.164", c.Phone)
	}
	if s := e.conversation("1").State; s != "idle" {
		t.Errorf("state %s", s)
	}
}

func TestTypedPhone(t *testing.T) {
	e := newEnv(t)
	toPhoneQuestion(e, "1")
	m := one(t, e.say("1", "телефон"))
	mustContain(t, m.Text, "Не похоже на номер", "+7 912 345-67-89")
	if !m.AskPhone {
		t.Error("a re-ask offers the share button again")
	}
	if m := one(t, e.say("1", "8 916 123 45 67")); m.Event != "phone_saved" {
		t.Fatalf("event %s", m.Event)
	}
	if c := e.clientAt("1"); c.Phone != "+79161234567" {
		t.Errorf("phone %q", c.Phone)
	}
}

func TestTypedPhoneOfAnotherClientIsNotLinked(t *testing.T) {
	e := newEnv(t)
	e.update(func(tx cardbot.Tx) error {
		return tx.CreateClient(&cardbot.Client{Name: "Чужой", Phone: "+79161234567"})
	})
	toPhoneQuestion(e, "1")
	m := one(t, e.say("1", "+79161234567"))
	if m.Event != "phone_question" {
		t.Fatalf("event %s %q", m.Event, m.Text)
	}
	mustContain(t, m.Text, "уже привязан")
	if c := e.clientAt("1"); c.Phone != "" || c.Name != "Анна" {
		t.Errorf("typing someone's number must not take their account: %+v", c)
	}
}

func TestSharedPhoneLinksToExistingClient(t *testing.T) {
	e := newEnv(t)
	var owner *cardbot.Client
	var ownerCard *cardbot.Card
	e.update(func(tx cardbot.Tx) error {
		owner = &cardbot.Client{Name: "Борис", Phone: "+79161234567", Channels: []cardbot.Address{{Channel: "whatsapp", ID: "79161234567"}}}
		if err := tx.CreateClient(owner); err != nil {
			return err
		}
		got, err := e.w.Issue(tx, owner.ID, "bonus", "api:till")
		ownerCard = got.Card
		return err
	})
	toPhoneQuestion(e, "1")
	first := e.clientAt("1")

	in := e.inbound("1", "")
	in.Phone = "+79161234567"
	e.handle(in)
	msgs := e.outbox()
	if got := events(msgs); !slices.Equal(got, []string{"phone_linked", "card"}) {
		t.Fatalf("events %v", got)
	}
	if msgs[1].CardID != ownerCard.ID {
		t.Errorf("shown card %d, want the existing client's %d", msgs[1].CardID, ownerCard.ID)
	}
	linked := e.clientAt("1")
	if linked.ID != owner.ID || len(linked.Channels) != 2 {
		t.Fatalf("address belongs to %+v, want client %d with both chats", linked, owner.ID)
	}
	if conv := e.conversation("1"); conv.ClientID != owner.ID || conv.State != "idle" {
		t.Errorf("conversation %+v", conv)
	}
	e.view(func(tx cardbot.Tx) error {
		old, err := tx.Client(first.ID)
		if err == nil && len(old.Channels) != 0 {
			t.Errorf("the first client still has %v", old.Channels)
		}
		return err
	})
	// From now on the chat speaks for the existing client.
	m := one(t, e.say("1", "/balance"))
	mustContain(t, m.Text, "100 баллов")
	if m.ClientID != owner.ID {
		t.Errorf("reply belongs to client %d", m.ClientID)
	}
}

func TestPhoneSkipAndGiveUp(t *testing.T) {
	e := newEnv(t)
	toPhoneQuestion(e, "1")
	if m := one(t, e.say("1", "пропустить")); m.Event != "phone_skipped" {
		t.Errorf("skip: %s", m.Event)
	}
	toPhoneQuestion(e, "2")
	e.say("2", "abc")
	e.say("2", "12")
	if m := one(t, e.say("2", "x")); m.Event != "phone_gave_up" {
		t.Errorf("third bad number: %s", m.Event)
	}
	if s := e.conversation("2").State; s != "idle" {
		t.Errorf("state %s", s)
	}
}
