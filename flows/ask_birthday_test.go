package flows_test

import (
	"slices"
	"strings"
	"testing"

	"cardbot"
)

func TestBirthdayGoodDateStoredThenPhoneAsked(t *testing.T) {
	e := newEnv(t)
	e.say("1", "привет")
	msgs := e.say("1", "15 марта 1990")
	if got := events(msgs); !slices.Equal(got, []string{"birthday_saved", "phone_question"}) {
		t.Fatalf("events %v\n%s", got, texts(msgs))
	}
	mustContain(t, msgs[0].Text, "15 марта 1990")
	if !msgs[1].AskPhone || msgs[1].Buttons[0][0].Text != "Поделиться номером" {
		t.Errorf("phone question %+v: want Telegram's share-contact keyboard", msgs[1])
	}
	c := e.clientAt("1")
	if c.Birthday == nil || *c.Birthday != (cardbot.Date{Year: 1990, Month: 3, Day: 15}) {
		t.Errorf("birthday %v", c.Birthday)
	}
	if !c.Consent.PersonalData {
		t.Error("giving the birthday is giving personal data")
	}
	if s := e.conversation("1").State; s != "awaiting_phone" {
		t.Errorf("state %s", s)
	}
}

func TestBirthdayBadDateIsAskedAgainWithExample(t *testing.T) {
	e := newEnv(t)
	e.say("1", "привет")
	for _, c := range []struct{ answer, reason string }{
		{"когда-нибудь", "Не получилось разобрать дату"},
		{"31.02.1990", "Такого дня нет"},
	} {
		m := one(t, e.say("1", c.answer))
		if m.Event != "birthday_question" {
			t.Fatalf("%q: event %s", c.answer, m.Event)
		}
		mustContain(t, m.Text, c.reason, "15.03.1990")
		if len(m.Buttons) != 1 || m.Buttons[0][0].Data != "skip" {
			t.Errorf("%q: re-ask without the Skip button", c.answer)
		}
	}
	conv := e.conversation("1")
	if conv.State != "awaiting_birthday" || conv.Tries != 2 {
		t.Errorf("conversation %+v, want 2 tries while still asking", conv)
	}
}

func TestBirthdayThreeBadAnswersStopAsking(t *testing.T) {
	e := newEnv(t)
	e.say("1", "привет")
	e.say("1", "вчера")
	e.say("1", "не помню")
	m := one(t, e.say("1", "32.13"))
	if m.Event != "birthday_gave_up" {
		t.Fatalf("third bad answer: %s %q", m.Event, m.Text)
	}
	if conv := e.conversation("1"); conv.State != "idle" || conv.Tries != 0 {
		t.Errorf("conversation %+v, want idle", conv)
	}
	// Now a date is just text nobody asked for.
	if m := one(t, e.say("1", "15.03.1990")); m.Event != "unknown" {
		t.Errorf("after giving up: %s", m.Event)
	}
	if c := e.clientAt("1"); c.Birthday != nil {
		t.Errorf("birthday %v stored after the bot stopped asking", c.Birthday)
	}
}

func TestBirthdaySkip(t *testing.T) {
	for _, how := range []string{"button", "пропустить", "Skip", "нет"} {
		t.Run(how, func(t *testing.T) {
			e := newEnv(t)
			e.say("1", "привет")
			var msgs []*cardbot.Message
			if how == "button" {
				msgs = e.press("1", "skip")
			} else {
				msgs = e.say("1", how)
			}
			if m := one(t, msgs); m.Event != "birthday_skipped" {
				t.Fatalf("event %s", m.Event)
			}
			if s := e.conversation("1").State; s != "idle" {
				t.Errorf("state %s, want idle", s)
			}
		})
	}
}

func TestCommandsWorkWhileBirthdayIsAsked(t *testing.T) {
	e := newEnv(t)
	e.say("1", "привет")
	m := one(t, e.say("1", "баланс"))
	if m.Event != "balance" || !strings.Contains(m.Text, "100 баллов") {
		t.Errorf("balance while asked: %s %q", m.Event, m.Text)
	}
	if conv := e.conversation("1"); conv.State != "awaiting_birthday" || conv.Tries != 0 {
		t.Errorf("a command is not a bad answer: %+v", conv)
	}
}
