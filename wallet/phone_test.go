package wallet

import (
	"strings"
	"testing"

	"cardbot"
)

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		name   string
		raw    string
		region string
		want   string
	}{
		{"international with brackets and dashes", "+7 (916) 123-45-67", "RU", "+79161234567"},
		{"national prefix 8 with spaces", "8 916 123 45 67", "RU", "+79161234567"},
		{"national prefix 8 run together", "89161234567", "RU", "+79161234567"},
		{"ten digits without prefix", "9161234567", "RU", "+79161234567"},
		{"dots", "8.916.123.45.67", "RU", "+79161234567"},
		{"brackets around the area code", "8 (916) 1234567", "RU", "+79161234567"},
		{"no-break spaces and typographic dash", "+7\u00a0916\u00a0123\u201345\u201367", "RU", "+79161234567"},
		{"surrounding blanks", "  +79161234567 \n", "RU", "+79161234567"},
		{"region in lower case", "89161234567", "ru", "+79161234567"},
		{"UK number with plus", "+44 20 7946 0958", "RU", "+442079460958"},
		{"UK number with plus and no region", "+44 20 7946 0958", "", "+442079460958"},
		{"UK number typed nationally", "020 7946 0958", "GB", "+442079460958"},
		{"E.164 stays as it is", "+79161234567", "", "+79161234567"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizePhone(tt.raw, tt.region)
			if err != nil {
				t.Fatalf("NormalizePhone(%q, %q): %v", tt.raw, tt.region, err)
			}
			if got != tt.want {
				t.Fatalf("NormalizePhone(%q, %q) = %q, want %q", tt.raw, tt.region, got, tt.want)
			}
		})
	}
}

func TestNormalizePhoneRefuses(t *testing.T) {
	tests := []struct {
		name   string
		raw    string
		region string
		msg    string // part of the message
	}{
		{"empty", "", "RU", "enter a phone number"},
		{"blank", "   ", "RU", "enter a phone number"},
		{"letters", "8 916 CALL ME", "RU", "no letters"},
		{"vanity letters", "+1 800 FLOWERS", "US", "no letters"},
		{"extension", "+7 916 123-45-67 ext 12", "RU", "no letters"},
		{"symbol", "+7 916 123*45*67", "RU", "does not belong"},
		{"plus in the middle", "7+9161234567", "RU", "does not belong"},
		{"no digits", "+ () -", "RU", "needs digits"},
		{"too short", "12345", "RU", "too short"},
		{"too long", "+7 916 123 45 67 89 012", "RU", "too long"},
		{"too long for E.164", "+49 30 1234 5678 9012 34", "RU", "too long"},
		{"length the plan does not have", "+7 916 123 45 67 8", "RU", "length does not exist"},
		{"over 40 characters", strings.Repeat("1 ", 21), "RU", "too long"},
		{"no country code and no region", "9161234567", "", "start the number with +"},
		{"unknown country code", "+999 123 456 789", "RU", "no such country code"},
		{"impossible length", "+7 916 123 45", "RU", "too short"},
		{"national prefix after the country code", "00000000000", "AX", "does not look like"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizePhone(tt.raw, tt.region)
			if err == nil {
				t.Fatalf("NormalizePhone(%q, %q) = %q, want an error", tt.raw, tt.region, got)
			}
			if code := cardbot.CodeOf(err); code != cardbot.Invalid {
				t.Fatalf("code %q, want %q (%v)", code, cardbot.Invalid, err)
			}
			msg := cardbot.MessageOf(err)
			if !strings.Contains(msg, tt.msg) {
				t.Fatalf("message %q does not say %q", msg, tt.msg)
			}
			if !strings.Contains(msg, "+") {
				t.Fatalf("message %q shows no example number", msg)
			}
		})
	}
}

func TestNormalizePhoneExampleFitsRegion(t *testing.T) {
	_, err := NormalizePhone("", "GB")
	if msg := cardbot.MessageOf(err); !strings.Contains(msg, "+44") {
		t.Fatalf("example for GB is not British: %q", msg)
	}
	_, err = NormalizePhone("", "")
	if msg := cardbot.MessageOf(err); !strings.Contains(msg, fallbackPhoneExample) {
		t.Fatalf("no example without a region: %q", msg)
	}
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{
		"+7 (916) 123-45-67", "8 916 123 45 67", "89161234567", "9161234567", "+44 20 7946 0958",
		"", "abc", "+", "8", "+7", "+0", "00 44 20 7946 0958", "8 10 44 20 7946 0958",
		"+1 (555) 010-9999", "+39 06 1234 5678", "+7\u00a0916\u2013123", "١٢٣",
	} {
		f.Add(s, "RU")
		f.Add(s, "")
	}
	f.Add("020 7946 0958", "GB")
	f.Add("06 12345678", "IT")
	f.Add("00000000000", "AX") // found by fuzzing: the national prefix after the country code
	f.Fuzz(func(t *testing.T, raw, region string) {
		got, err := NormalizePhone(raw, region)
		if err != nil {
			if cardbot.CodeOf(err) != cardbot.Invalid {
				t.Fatalf("NormalizePhone(%q, %q): error without the invalid code: %v", raw, region, err)
			}
			return
		}
		if len(got) < 2 || got[0] != '+' {
			t.Fatalf("NormalizePhone(%q, %q) = %q: does not start with +", raw, region, got)
		}
		for _, r := range got[1:] {
			if r < '0' || r > '9' {
				t.Fatalf("NormalizePhone(%q, %q) = %q: not digits only after +", raw, region, got)
			}
		}
		again, err := NormalizePhone(got, region)
		if err != nil || again != got {
			t.Fatalf("NormalizePhone(%q, %q) = %q, which normalises to %q, %v", raw, region, got, again, err)
		}
		if again, err := NormalizePhone(got, ""); err != nil || again != got {
			t.Fatalf("NormalizePhone(%q, \"\") = %q, %v: E.164 depends on the region", got, again, err)
		}
	})
}

func TestKnownPhoneRegion(t *testing.T) {
	for region, want := range map[string]bool{"RU": true, "GB": true, "KZ": true, "XX": false, "ru": false, "": false, "RUS": false} {
		if got := KnownPhoneRegion(region); got != want {
			t.Errorf("KnownPhoneRegion(%q) = %v, want %v", region, got, want)
		}
	}
}
