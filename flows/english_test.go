package flows_test

import (
	"slices"
	"testing"

	"cardbot"
)

func TestEnglishLocale(t *testing.T) {
	e := newEnv(t, func(c *cardbot.Config) {
		c.Locale = "en"
		c.Business.Name = "Bean Café"
		c.Programs[0].Name = "Bonus card"
	})
	msgs := e.say("1", "hello")
	if got := events(msgs); !slices.Equal(got, []string{"card_issued", "birthday_question"}) {
		t.Fatalf("events %v", got)
	}
	mustContain(t, msgs[0].Text, "Hello, Анна! This is Bean Café", "Balance: 100 points")
	mustContain(t, msgs[1].Text, "When is your birthday?", "15.03.1990")
	if msgs[1].Buttons[0][0].Text != "Skip" {
		t.Errorf("skip button %q", msgs[1].Buttons[0][0].Text)
	}
	mustContain(t, one(t, e.say("1", "someday")).Text, "That does not look like a date", "15.03.1990")
	mustContain(t, e.say("1", "March 15, 1990")[0].Text, "We noted 15 March 1990")
	e.say("1", "skip")
	mustContain(t, one(t, e.say("1", "/balance")).Text, "Bonus card: 100 points")
	mustContain(t, one(t, e.say("1", "/stop")).Text, "Notices about your points")
	if d := e.eng.Commands()[0].Description; d != "My card" {
		t.Errorf("command description %q", d)
	}
}

func TestPlurals(t *testing.T) {
	for _, c := range []struct {
		locale  string
		welcome cardbot.Amount
		want    string
	}{
		{"ru", 100, "1 балл"}, {"ru", 200, "2 балла"}, {"ru", 500, "5 баллов"}, {"ru", 1100, "11 баллов"},
		{"ru", 2100, "21 балл"}, {"ru", 2200, "22 балла"}, {"ru", 1200, "12 баллов"}, {"ru", 150, "1,5 балла"},
		{"ru", 12_345_600, "123\u00a0456 баллов"},
		{"en", 100, "1 point"}, {"en", 200, "2 points"}, {"en", 150, "1.5 points"}, {"en", 12_345_600, "123,456 points"},
	} {
		e := newEnv(t, func(cfg *cardbot.Config) {
			cfg.Locale = c.locale
			cfg.Programs[0].WelcomeBonus = c.welcome
		})
		mustContain(t, e.say("1", "hi")[0].Text, c.want+"\n")
	}
}
