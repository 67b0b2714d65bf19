package configfile

import (
	"slices"
	"strings"
	"testing"
)

func TestWhatsAppValidation(t *testing.T) {
	tests := []oneProblem{
		{"rate limit negative", "whatsapp:\n  rate_limit: -1\n", "whatsapp.rate_limit", "from 0 (no pacing) to 1000", 2},
		{"staff not a number", "whatsapp:\n  staff: [\"+79161234567\",\n    manager]\n", "whatsapp.staff[1]", "digits only", 3},
		{"staff too short", "whatsapp:\n  staff:\n    - \"+7916\"\n", "whatsapp.staff[0]", "too short", 3},
		{"staff empty", "whatsapp:\n  staff:\n    - \"\"\n", "whatsapp.staff[0]", "enter a phone number", 3},
		{"staff twice", "whatsapp:\n  staff:\n    - \"+79161234567\"\n    - 8 916 123-45-67\n", "whatsapp.staff[1]", "already whatsapp.staff[0]", 4},
		{"enabled not a bool", "whatsapp:\n  enabled: yes please\n", "whatsapp.enabled", "true or false", 2},
		{"key typo", "whatsapp:\n  enabeld: true\n", "whatsapp.enabeld", "did you mean enabled?", 2},
	}
	checkOneProblem(t, tests)
}

func TestWhatsAppDefaultsAndNormalising(t *testing.T) {
	cfg := mustParse(t, "", nil)
	if cfg.WhatsApp.Enabled || cfg.WhatsApp.RateLimit != 10 || len(cfg.WhatsApp.Staff) != 0 {
		t.Fatalf("defaults %+v, want off with rate_limit 10", cfg.WhatsApp)
	}
	// Numbers written the local way (business.country RU by default) become E.164; an unquoted +7…
	// stays text.
	src := "whatsapp:\n  enabled: true\n  rate_limit: 0\n  staff:\n    - 8 (916) 123-45-67\n    - +79167654321\n    - ${BOSS}\n"
	cfg = mustParse(t, src, map[string]string{"BOSS": "+44 20 7946 0958"})
	want := []string{"+79161234567", "+79167654321", "+442079460958"}
	if !cfg.WhatsApp.Enabled || cfg.WhatsApp.RateLimit != 0 || !slices.Equal(cfg.WhatsApp.Staff, want) {
		t.Fatalf("got %+v, want on, no pacing, staff %v", cfg.WhatsApp, want)
	}
}

// Validate does not normalise: a configuration built in code must hold E.164 numbers.
func TestWhatsAppValidate(t *testing.T) {
	cfg := defaults()
	cfg.WhatsApp.Staff = []string{"+79161234567", "8 916 765-43-21"}
	err := Validate(cfg)
	if err == nil || !strings.Contains(err.Error(), "whatsapp.staff[1]") || !strings.Contains(err.Error(), "E.164 form: +79167654321") {
		t.Fatalf("got %v", err)
	}
	cfg.WhatsApp.Staff = []string{"+79161234567"}
	cfg.WhatsApp.RateLimit = 2000
	if err := Validate(cfg); err == nil || !strings.Contains(err.Error(), "whatsapp.rate_limit") {
		t.Fatalf("got %v", err)
	}
}
