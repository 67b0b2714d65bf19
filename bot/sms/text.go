package sms

import (
	"strings"
	"unicode/utf8"

	"cardbot"
)

// MaxRunes caps one SMS. Gateways split a long text into parts and bill each (70 Cyrillic characters
// a part), so a runaway template must not cost the owner dozens of parts; 700 is ten parts.
const MaxRunes = 700

// ellipsis ends a text that was cut.
const ellipsis = "…"

// compose turns a message into SMS text: the text, then one line per link button. SMS has no buttons
// and no pictures: a data button only makes sense in a chat, so it is dropped, and the card picture is
// left out. When the whole is too long the text is cut, not the links: they are what the customer acts on.
func compose(m cardbot.Outgoing) string {
	text := strings.TrimSpace(m.Text)
	var links []string
	for _, row := range m.Buttons {
		for _, b := range row {
			if b.URL == "" {
				continue
			}
			if label := strings.TrimSpace(b.Text); label != "" {
				links = append(links, label+": "+b.URL)
			} else {
				links = append(links, b.URL)
			}
		}
	}
	tail := strings.Join(links, "\n")
	if text == "" {
		return cut(tail, MaxRunes)
	}
	if tail == "" {
		return cut(text, MaxRunes)
	}
	room := MaxRunes - utf8.RuneCountInString(tail) - 1 // the line break between them
	if room < 2*utf8.RuneCountInString(ellipsis) {
		return cut(text+"\n"+tail, MaxRunes) // links alone overflow: keep the start of it all
	}
	return cut(text, room) + "\n" + tail
}

// cut shortens s to at most n runes, ending it with an ellipsis when something was dropped.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	keep := n - utf8.RuneCountInString(ellipsis)
	i := 0
	for range keep {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return strings.TrimRight(s[:i], " \n") + ellipsis
}
