package fakeapi

import (
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	tests := []struct {
		mode, text, plain, err string
	}{
		{"", "a < b & *c*", "a < b & *c*", ""},
		{"HTML", "<b>Bold</b> &lt;3 &amp; &#x41;", "Bold <3 & A", ""},
		{"html", `<a href="https://x.org/?a=1&b=2">link</a> <span class="tg-spoiler">s</span>`, "link s", ""},
		{"HTML", "<pre><code class=\"language-go\">x</code></pre>", "x", ""},
		{"HTML", "AT&T", "AT&T", ""},
		{"HTML", "a < b", "", "Unclosed start tag at byte offset 2"},
		{"HTML", "a < b > c", "", `Unsupported start tag ""`},
		{"HTML", "<div>x</div>", "", `Unsupported start tag "div"`},
		{"HTML", "<b>x", "", `Can't find end tag corresponding to start tag "b"`},
		{"HTML", "<b><i>x</b></i>", "", "Unmatched end tag"},
		{"HTML", "x</b>", "", "Unexpected end tag"},
		{"HTML", "<span>x</span>", "", "tg-spoiler"},
		{"MarkdownV2", `*bold* _it_ __u__ ~s~ ||sp|| \.\!`, "bold it u s sp .!", ""},
		{"MarkdownV2", "`a.b` ```go\nx.y```", "a.b go\nx.y", ""},
		{"MarkdownV2", `[site](https://x.org/a\)b)`, "site", ""},
		{"MarkdownV2", "> quote", " quote", ""},
		{"MarkdownV2", "Balance: 10.5", "", "Character '.' is reserved"},
		{"MarkdownV2", "1-2", "", "Character '-' is reserved"},
		{"MarkdownV2", "*bold", "", "Can't find end of Bold entity at byte offset 0"},
		{"MarkdownV2", "[x](http://a", "", "Can't find end of a URL"},
		{"Markdown", "*b* _i_ `c` [t](http://x) 1.5-2", "b i c t 1.5-2", ""},
		{"Markdown", `a\_b`, "a_b", ""},
		{"Markdown", "snake_case", "", "Can't find end of the entity starting at byte offset 5"},
		{"Fancy", "x", "", "unsupported parse_mode"},
	}
	for _, tt := range tests {
		plain, err := render(tt.text, tt.mode)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Description, tt.err) {
				t.Errorf("render(%q, %s) err = %v, want %q", tt.text, tt.mode, err, tt.err)
			}
			continue
		}
		if err != nil || plain != tt.plain {
			t.Errorf("render(%q, %s) = %q, %v; want %q", tt.text, tt.mode, plain, err, tt.plain)
		}
	}
}

func TestRenderLimits(t *testing.T) {
	if _, err := renderLimited(strings.Repeat("я", 4096), "", maxText, "message is too long"); err != nil {
		t.Fatalf("4096 chars: %v", err)
	}
	// Emoji are two UTF-16 units each, which is how Telegram counts.
	if _, err := renderLimited(strings.Repeat("😀", 2049), "", maxText, "message is too long"); err == nil {
		t.Fatal("4098 UTF-16 units accepted")
	}
	if _, err := renderLimited("<b> </b>", "HTML", maxText, ""); err == nil {
		t.Fatal("blank visible text accepted")
	}
}

func TestCommandEntities(t *testing.T) {
	tests := []struct {
		text string
		want []entity
	}{
		{"/start ref_x", []entity{{"bot_command", 0, 6}}},
		{"/start@fake_bot", []entity{{"bot_command", 0, 15}}},
		{"привет /help", []entity{{"bot_command", 7, 5}}},
		{"😀 /help", []entity{{"bot_command", 3, 5}}},
		{"a/b /", nil},
	}
	for _, tt := range tests {
		got := commandEntities(tt.text)
		if len(got) != len(tt.want) || (len(got) > 0 && got[0] != tt.want[0]) {
			t.Errorf("commandEntities(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func FuzzRender(f *testing.F) {
	for _, s := range []string{"<b>x</b>", "*a* _b_ `c`", "[t](u)", "&#x41;", "```p```", "\\", "<a href='x>y'>z</a>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, mode := range []string{"HTML", "MarkdownV2", "Markdown"} {
			plain, err := render(text, mode)
			if err == nil && len(plain) > len(text)+4*strings.Count(text, "&") {
				t.Fatalf("%s: visible text %q longer than source %q", mode, plain, text)
			}
		}
	})
}
