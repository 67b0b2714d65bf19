package email

import (
	"cmp"
	"html/template"
	"net/url"
	"strings"
	"unicode/utf8"

	"cardbot"
)

// The card picture travels as an inline part the HTML refers to by Content-ID.
const (
	pictureName = "card.png"
	pictureID   = "card@cardbot"
)

// maxSubjectRunes keeps the subject to what mail clients show in a list.
const maxSubjectRunes = 80

// words are the few words the email adds itself, in the customers' language.
type words struct {
	Lang        string
	Unsubscribe string
}

func wordsFor(locale string) words {
	if locale == "en" {
		return words{Lang: "en", Unsubscribe: "Unsubscribe from offers and news"}
	}
	return words{Lang: "ru", Unsubscribe: "Отписаться от акций и новостей"}
}

// link is a URL button of the message.
type link struct {
	Text string
	URL  string
}

// content is what both bodies are made of.
type content struct {
	Subject     string
	Business    string
	Paragraphs  [][]string // the text, split at blank lines, each paragraph into its lines
	Links       []link
	Picture     template.URL // cid: reference to the inline picture; empty without one
	Unsubscribe string
	Words       words
}

func (s *Sender) content(m cardbot.Outgoing) content {
	c := content{
		Subject:    subject(s.business.Name, m.Text),
		Business:   s.business.Name,
		Paragraphs: paragraphs(m.Text),
		Words:      s.words,
	}
	if s.unsubscribe != nil {
		c.Unsubscribe = s.unsubscribe(m.To)
	}
	for _, row := range m.Buttons {
		for _, b := range row {
			// Data buttons answer back into a chat; an email has nowhere to send them.
			if safeLink(b.URL) {
				c.Links = append(c.Links, link{Text: cmp.Or(strings.TrimSpace(b.Text), b.URL), URL: b.URL})
			}
		}
	}
	if len(m.Picture) > 0 {
		// A value we build ourselves: html/template would otherwise refuse the cid: scheme.
		c.Picture = template.URL("cid:" + pictureID)
	}
	return c
}

// safeLink accepts the link schemes a mail client should open. html/template would neutralise others
// in the HTML, but the text body has no such guard, and clients turn text URLs into links.
func safeLink(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return u.Host != ""
	case "mailto", "tel":
		return true
	}
	return false
}

// subject is "Business: first line of the text", shortened to what a mail client shows.
func subject(business, text string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	first = strings.TrimSpace(first)
	s := business
	switch {
	case first == "":
	case s == "":
		s = first
	default:
		s += ": " + first
	}
	if utf8.RuneCountInString(s) > maxSubjectRunes {
		r := []rune(s)
		s = strings.TrimRight(string(r[:maxSubjectRunes-1]), " ") + "…"
	}
	return s
}

// paragraphs splits text at blank lines, and each paragraph into its lines.
func paragraphs(text string) [][]string {
	var out [][]string
	var cur []string
	for line := range strings.SplitSeq(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line = strings.TrimRight(line, " \t")
		if line == "" {
			if len(cur) > 0 {
				out, cur = append(out, cur), nil
			}
			continue
		}
		cur = append(cur, line)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// plainBody is the text/plain part: the text, the links one a line, and the footer.
func plainBody(c content) string {
	var b strings.Builder
	for i, p := range c.Paragraphs {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(strings.Join(p, "\n") + "\n")
	}
	if len(c.Links) > 0 {
		b.WriteString("\n")
		for _, l := range c.Links {
			if l.Text == l.URL {
				b.WriteString(l.URL + "\n")
			} else {
				b.WriteString(l.Text + ": " + l.URL + "\n")
			}
		}
	}
	// "-- " is the signature separator mail clients know to set apart.
	b.WriteString("\n-- \n" + c.Business + "\n")
	if c.Unsubscribe != "" {
		b.WriteString(c.Words.Unsubscribe + ": " + c.Unsubscribe + "\n")
	}
	return b.String()
}

// page is the text/html part. html/template escapes the customer's text and drops link URLs with
// unsafe schemes (javascript:), so nothing a template or a customer wrote can become markup.
var page = template.Must(template.New("email").Parse(`<!DOCTYPE html>
<html lang="{{.Words.Lang}}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{{.Subject}}</title></head>
<body style="margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.4;color:#222;background:#fff">
<div style="max-width:560px;margin:0 auto">
{{- if .Picture}}
<p><img src="{{.Picture}}" alt="{{.Business}}" width="480" style="max-width:100%;height:auto;border-radius:12px"></p>
{{- end}}
{{- range .Paragraphs}}
<p>{{range $i, $line := .}}{{if $i}}<br>{{end}}{{$line}}{{end}}</p>
{{- end}}
{{- range .Links}}
<p><a href="{{.URL}}" style="display:inline-block;padding:10px 16px;border-radius:8px;background:#2d6cdf;color:#fff;text-decoration:none">{{.Text}}</a></p>
{{- end}}
<hr style="border:none;border-top:1px solid #ddd;margin:24px 0 8px">
<p style="font-size:12px;color:#777">{{.Business}}{{if .Unsubscribe}} · <a href="{{.Unsubscribe}}" style="color:#777">{{.Words.Unsubscribe}}</a>{{end}}</p>
</div>
</body>
</html>
`))

func htmlBody(c content) (string, error) {
	var b strings.Builder
	err := page.Execute(&b, c)
	return b.String(), err
}
