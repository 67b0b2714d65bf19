package sms

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"cardbot"
)

func TestCompose(t *testing.T) {
	link := cardbot.Button{Text: "Карта", URL: "https://c.example.com/1"}
	tests := []struct {
		name string
		m    cardbot.Outgoing
		want string
	}{
		{"text only", cardbot.Outgoing{Text: "  Привет \n"}, "Привет"},
		{"links after the text, data buttons dropped", cardbot.Outgoing{Text: "Hi", Buttons: [][]cardbot.Button{
			{link, {Text: "5", Data: "rate:5"}}, {{URL: "https://c.example.com/2"}},
		}}, "Hi\nКарта: https://c.example.com/1\nhttps://c.example.com/2"},
		{"links alone", cardbot.Outgoing{Buttons: [][]cardbot.Button{{link}}}, "Карта: https://c.example.com/1"},
		{"nothing", cardbot.Outgoing{Text: " ", Buttons: [][]cardbot.Button{{{Text: "x", Data: "y"}}}}, ""},
	}
	for _, tt := range tests {
		if got := compose(tt.m); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestComposeCaps(t *testing.T) {
	long := strings.Repeat("я", 1000)
	if got := compose(cardbot.Outgoing{Text: long}); utf8.RuneCountInString(got) != MaxRunes || !strings.HasSuffix(got, "я…") {
		t.Errorf("text only: %d runes, ends %q", utf8.RuneCountInString(got), got[len(got)-8:])
	}
	// The links survive; the text gives way.
	link := cardbot.Button{Text: "Карта", URL: "https://c.example.com/1"}
	got := compose(cardbot.Outgoing{Text: long, Buttons: [][]cardbot.Button{{link}}})
	if utf8.RuneCountInString(got) != MaxRunes || !strings.HasSuffix(got, "я…\nКарта: https://c.example.com/1") {
		t.Errorf("with a link: %d runes, ends %q", utf8.RuneCountInString(got), got[len(got)-50:])
	}
	// Links that alone overflow: the whole is cut.
	var row []cardbot.Button
	for range 40 {
		row = append(row, cardbot.Button{URL: "https://c.example.com/" + strings.Repeat("x", 20)})
	}
	got = compose(cardbot.Outgoing{Text: "Hi", Buttons: [][]cardbot.Button{row}})
	if utf8.RuneCountInString(got) > MaxRunes || !strings.HasPrefix(got, "Hi\nhttps://") || !strings.HasSuffix(got, "…") {
		t.Errorf("overflowing links: %d runes: %q…", utf8.RuneCountInString(got), got[:20])
	}
	if got := compose(cardbot.Outgoing{Text: strings.Repeat("a", MaxRunes)}); got != strings.Repeat("a", MaxRunes) {
		t.Error("a text of exactly MaxRunes was cut")
	}
}

func TestLookup(t *testing.T) {
	body := []byte(`{"a":{"b":[{"c":"x"},{"c":12.50}]},"n":null,"t":true,"o":{"k":1}}`)
	for path, want := range map[string]string{
		"a.b.0.c": "x", "a.b.1.c": "12.50", "n": "null", "t": "true", "o": `{"k":1}`,
	} {
		if got, ok := lookup(body, path); !ok || got != want {
			t.Errorf("%s: got %q %v, want %q", path, got, ok, want)
		}
	}
	for _, path := range []string{"a.x", "a.b.2.c", "a.b.-1", "a.b.c", "t.x", ""} {
		if got, ok := lookup(body, path); ok {
			t.Errorf("%s: found %q", path, got)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	for h, want := range map[string]time.Duration{
		"": 30 * time.Second, "junk": 30 * time.Second, "0": time.Second, "-5": time.Second,
		"12": 12 * time.Second, "999999": time.Hour,
		time.Now().Add(-time.Minute).UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT"): time.Second,
	} {
		if got := retryAfter(h); got != want {
			t.Errorf("Retry-After %q: got %s, want %s", h, got, want)
		}
	}
}
