package flows_test

import (
	"slices"
	"strings"
	"testing"

	"cardbot"
	"cardbot/flows"
)

// The admin page changes the switches and the texts while the engine runs.
func TestSettingsAndTextsChangeWhileRunning(t *testing.T) {
	e := newEnv(t)
	s := e.cfg.Settings
	s.AutoIssue, s.AskBirthday = false, false
	if err := e.eng.SetSettings(s); err != nil {
		t.Fatal(err)
	}
	if err := e.eng.SetTexts(map[string]string{"welcome_no_card": "Здравствуйте! Карту выдаст кассир."}); err != nil {
		t.Fatal(err)
	}
	msgs := e.say("100", "привет")
	mustContain(t, texts(msgs), "Карту выдаст кассир")
	if cl := e.clientAt("100"); len(e.cards(cl.ID)) != 0 {
		t.Fatal("a card was issued with auto-issue off")
	}

	// Auto-issue of the coffee card, asking the birthday again.
	s.AutoIssue, s.AskBirthday, s.DefaultProgram = true, true, "coffee"
	if err := e.eng.SetSettings(s); err != nil {
		t.Fatal(err)
	}
	msgs = e.say("200", "привет")
	if _, card := e.welcomed("200"); card == nil || card.ProgramID != "coffee" {
		t.Fatalf("welcomed with %+v", card)
	}
	if !strings.Contains(strings.Join(events(msgs), " "), "birthday") {
		t.Fatalf("no birthday question: %v", events(msgs))
	}

	// Refused changes leave the engine as it was.
	bad := s
	bad.DefaultProgram = "nope"
	if err := e.eng.SetSettings(bad); cardbot.CodeOf(err) != cardbot.Invalid {
		t.Fatalf("unknown default card: %v", err)
	}
	if err := e.eng.SetTexts(map[string]string{"welcome_no_card": "{{.Nope}}"}); cardbot.CodeOf(err) != cardbot.Invalid {
		t.Fatalf("broken text: %v", err)
	}
	if err := flows.CheckTexts(e.cfg, map[string]string{"no_such_text": "x"}); err == nil {
		t.Fatal("an unknown text name was accepted")
	}
	s.AutoIssue = false
	e.eng.SetSettings(s)
	mustContain(t, texts(e.say("300", "привет")), "Карту выдаст кассир")
}

func TestPreviewRendersWithSampleData(t *testing.T) {
	cfg := cardbot.DefaultConfig()
	cfg.Business.Name = "Зерно"
	out, err := flows.PreviewText(cfg, map[string]string{"notice": "{{.Business}}: {{.Card.Balance}}"}, "notice")
	if err != nil || out != "Зерно: 150" {
		t.Fatalf("preview %q, %v", out, err)
	}
	if _, err := flows.PreviewText(cfg, nil, "no_such_text"); cardbot.CodeOf(err) != cardbot.NotFound {
		t.Fatalf("unknown text: %v", err)
	}
	if len(flows.TextNames()) < 50 || flows.DefaultText("en", "notice") == flows.DefaultText("ru", "notice") {
		t.Fatal("text names or languages are not what the admin page lists")
	}
	// The automation's texts are the owner's to reword like the others.
	if !slices.Contains(flows.TextNames(), "rating_prompt") || !slices.Contains(flows.TextNames(), "notice_purchase") ||
		flows.DefaultText("en", "rating_prompt") == "" || flows.DefaultText("", "rating_prompt") == "" {
		t.Fatal("the automation texts are not listed for the admin page")
	}
	if _, err := flows.PreviewText(cfg, nil, "birthday_greeting"); err != nil {
		t.Fatalf("preview of an automation text: %v", err)
	}
}
