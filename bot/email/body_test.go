package email

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSubject(t *testing.T) {
	long := strings.Repeat("слово ", 30)
	tests := []struct{ business, text, want string }{
		{"Зерно", "Начислено 50 бонусов\nБаланс 150", "Зерно: Начислено 50 бонусов"},
		{"Зерно", "\n  Привет  \n", "Зерно: Привет"},
		{"Зерно", "", "Зерно"},
		{"", "Привет", "Привет"},
	}
	for _, tt := range tests {
		if got := subject(tt.business, tt.text); got != tt.want {
			t.Errorf("subject(%q, %q) = %q, want %q", tt.business, tt.text, got, tt.want)
		}
	}
	got := subject("Зерно", long)
	if utf8.RuneCountInString(got) > maxSubjectRunes || !strings.HasSuffix(got, "слово…") {
		t.Errorf("long subject %q (%d runes)", got, utf8.RuneCountInString(got))
	}
}

func TestParagraphs(t *testing.T) {
	got := paragraphs("a\r\nb  \n\n\n c\n\n")
	want := [][]string{{"a", "b"}, {" c"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestSafeLink(t *testing.T) {
	for s, want := range map[string]bool{
		"https://a.example.com/x": true, "http://a.example.com": true, "mailto:a@example.com": true, "tel:+7999": true,
		"javascript:alert(1)": false, "JavaScript:x": false, "data:text/html,x": false, "/relative": false,
		"https:///nohost": false, "": false, "ftp://a.example.com": false,
	} {
		if got := safeLink(s); got != want {
			t.Errorf("safeLink(%q) = %v", s, got)
		}
	}
}
