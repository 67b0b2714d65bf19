package fakeapi

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
)

// The parsers below follow Telegram's formatting rules closely enough to
// refuse what Telegram refuses with "can't parse entities" (unescaped
// MarkdownV2 characters, unbalanced or unknown HTML tags), so template
// mistakes fail in tests. They return the text the user would see; the
// entities themselves are not reported back.

// entityError is a parse failure worded as in Telegram's description.
type entityError struct{ msg string }

func (e entityError) Error() string { return e.msg }

func entityErr(format string, args ...any) error {
	return entityError{fmt.Sprintf(format, args...)}
}

// render checks text against parse_mode and returns the visible text.
func render(text, mode string) (string, *apiError) {
	var plain string
	var err error
	switch strings.ToLower(mode) {
	case "":
		return text, nil
	case "html":
		plain, err = parseHTML(text)
	case "markdownv2":
		plain, err = parseMarkdownV2(text)
	case "markdown":
		plain, err = parseMarkdown(text)
	default:
		return "", badRequest("unsupported parse_mode")
	}
	if err != nil {
		return "", badRequest("can't parse entities: %v", err)
	}
	return plain, nil
}

// renderLimited is render plus Telegram's length rules, which apply to
// the visible text in UTF-16 code units.
func renderLimited(text, mode string, limit int, tooLong string) (string, *apiError) {
	plain, err := render(text, mode)
	if err != nil {
		return "", err
	}
	n := utf16Len(plain)
	if strings.TrimSpace(plain) == "" {
		return "", badRequest("text must be non-empty")
	}
	if n > limit {
		return "", badRequest("%s", tooLong)
	}
	return plain, nil
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// ---- HTML ----

func parseHTML(text string) (string, error) {
	var out strings.Builder
	var open []string
	for i := 0; i < len(text); {
		switch text[i] {
		case '<':
			n, err := htmlTag(text, i, &open)
			if err != nil {
				return "", err
			}
			i += n
		case '&':
			s, n := htmlEntity(text[i:])
			out.WriteString(s)
			i += n
		default:
			out.WriteByte(text[i])
			i++
		}
	}
	if len(open) > 0 {
		return "", entityErr("Can't find end tag corresponding to start tag \"%s\"", open[len(open)-1])
	}
	return out.String(), nil
}

// htmlTag handles the tag starting at text[i] and returns its length.
func htmlTag(text string, i int, open *[]string) (int, error) {
	end := tagEnd(text, i)
	if end < 0 {
		return 0, entityErr("Unclosed start tag at byte offset %d", i)
	}
	body := text[i+1 : end]
	if name, ok := strings.CutPrefix(body, "/"); ok {
		return end + 1 - i, closeTag(strings.ToLower(strings.TrimSpace(name)), i, open)
	}
	name, attrs := body, ""
	if k := strings.IndexAny(body, " \t\n"); k >= 0 {
		name, attrs = body[:k], body[k:]
	}
	name = strings.ToLower(name)
	if !htmlAllowed(name) {
		return 0, entityErr("Unsupported start tag \"%s\" at byte offset %d", name, i)
	}
	if name == "span" && !strings.Contains(attrs, "tg-spoiler") {
		return 0, entityErr("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", i)
	}
	*open = append(*open, name)
	return end + 1 - i, nil
}

// tagEnd finds the '>' closing the tag at text[i], skipping quoted
// attribute values.
func tagEnd(text string, i int) int {
	var quote byte
	for j := i + 1; j < len(text); j++ {
		switch c := text[j]; {
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '"' || c == '\''):
			quote = c
		case quote == 0 && c == '>':
			return j
		}
	}
	return -1
}

func closeTag(name string, at int, open *[]string) error {
	if len(*open) == 0 {
		return entityErr("Unexpected end tag at byte offset %d", at)
	}
	top := (*open)[len(*open)-1]
	if top != name {
		return entityErr("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", at, top, name)
	}
	*open = (*open)[:len(*open)-1]
	return nil
}

func htmlAllowed(name string) bool {
	switch name {
	case "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span",
		"tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji":
		return true
	}
	return false
}

// htmlEntity decodes the entity at s[0] == '&'. Telegram knows only four
// named entities plus numeric ones; any other '&' is kept as it is.
func htmlEntity(s string) (string, int) {
	semi := strings.IndexByte(s, ';')
	if semi < 0 || semi > 10 {
		return "&", 1
	}
	switch name := s[1:semi]; name {
	case "lt":
		return "<", semi + 1
	case "gt":
		return ">", semi + 1
	case "amp":
		return "&", semi + 1
	case "quot":
		return "\"", semi + 1
	default:
		if r, ok := numericEntity(name); ok {
			return string(r), semi + 1
		}
	}
	return "&", 1
}

func numericEntity(name string) (rune, bool) {
	digits, ok := strings.CutPrefix(name, "#")
	if !ok || digits == "" {
		return 0, false
	}
	base := 10
	if hex, isHex := strings.CutPrefix(strings.ToLower(digits), "x"); isHex {
		digits, base = hex, 16
	}
	n, err := strconv.ParseUint(digits, base, 32)
	if err != nil || n > 0x10FFFF {
		return 0, false
	}
	return rune(n), true
}

// ---- MarkdownV2 ----

const mdV2Reserved = "_*[]()~`>#+-=|{}.!"

type mdParser struct {
	text string
	out  strings.Builder
	open []mdMark // open entities, innermost last
}

type mdMark struct {
	tok string
	at  int
}

func parseMarkdownV2(text string) (string, error) {
	p := &mdParser{text: text}
	for i := 0; i < len(text); {
		n, err := p.step(i)
		if err != nil {
			return "", err
		}
		i += n
	}
	if len(p.open) > 0 {
		m := p.open[len(p.open)-1]
		return "", entityErr("Can't find end of %s entity at byte offset %d", mdName(m.tok), m.at)
	}
	return p.out.String(), nil
}

// step consumes the token at text[i] and returns its length.
func (p *mdParser) step(i int) (int, error) {
	c := p.text[i]
	if c == '\\' && i+1 < len(p.text) && p.text[i+1] >= 1 && p.text[i+1] <= 126 {
		p.out.WriteByte(p.text[i+1])
		return 2, nil
	}
	if len(p.open) > 0 && strings.HasPrefix(p.open[len(p.open)-1].tok, "`") {
		return p.codeStep(i), nil
	}
	if tok := mdToken(p.text[i:]); tok != "" {
		p.toggle(tok, i)
		return len(tok), nil
	}
	switch {
	case c == '[':
		p.open = append(p.open, mdMark{"[", i})
		return 1, nil
	case c == ']' && len(p.open) > 0 && p.open[len(p.open)-1].tok == "[":
		return p.closeLink(i)
	case c == '>' && (i == 0 || p.text[i-1] == '\n'): // block quote
		return 1, nil
	case c == '!' && strings.HasPrefix(p.text[i+1:], "["): // custom emoji
		return 1, nil
	case strings.IndexByte(mdV2Reserved, c) >= 0:
		return 0, entityErr("Character '%c' is reserved and must be escaped with the preceding '\\'", c)
	}
	p.out.WriteByte(c)
	return 1, nil
}

// codeStep is step inside code or pre, where only the closing backticks
// (and escapes, handled by step) are special.
func (p *mdParser) codeStep(i int) int {
	top := p.open[len(p.open)-1]
	if strings.HasPrefix(p.text[i:], top.tok) {
		p.open = p.open[:len(p.open)-1]
		return len(top.tok)
	}
	p.out.WriteByte(p.text[i])
	return 1
}

// mdToken returns the formatting marker at the start of s, longest first
// ("__" is always underline, as the documentation says).
func mdToken(s string) string {
	for _, tok := range [...]string{"```", "__", "||", "`", "*", "_", "~"} {
		if strings.HasPrefix(s, tok) {
			return tok
		}
	}
	return ""
}

func (p *mdParser) toggle(tok string, at int) {
	if n := len(p.open); n > 0 && p.open[n-1].tok == tok {
		p.open = p.open[:n-1]
		return
	}
	p.open = append(p.open, mdMark{tok, at})
}

// closeLink ends "[text]" and skips its "(url)", in which only ')' and
// '\' need escaping.
func (p *mdParser) closeLink(i int) (int, error) {
	p.open = p.open[:len(p.open)-1]
	if !strings.HasPrefix(p.text[i+1:], "(") {
		return 1, nil
	}
	for j := i + 2; j < len(p.text); j++ {
		switch p.text[j] {
		case '\\':
			j++
		case ')':
			return j + 1 - i, nil
		}
	}
	return 0, entityErr("Can't find end of a URL at byte offset %d", i+1)
}

func mdName(tok string) string {
	switch tok {
	case "*":
		return "Bold"
	case "_":
		return "Italic"
	case "__":
		return "Underline"
	case "~":
		return "Strikethrough"
	case "||":
		return "Spoiler"
	case "`":
		return "Code"
	case "```":
		return "Pre"
	}
	return "TextUrl"
}

// ---- Markdown (legacy) ----

// parseMarkdown follows the legacy mode: *bold*, _italic_, `code`,
// ```pre```, [text](url), no nesting, backslash escapes only _ * ` [.
func parseMarkdown(text string) (string, error) {
	var out strings.Builder
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case c == '\\' && i+1 < len(text) && strings.IndexByte("_*`[", text[i+1]) >= 0:
			out.WriteByte(text[i+1])
			i += 2
		case strings.IndexByte("_*`[", c) >= 0:
			inner, n := legacyEntity(text[i:])
			if n == 0 {
				return "", entityErr("Can't find end of the entity starting at byte offset %d", i)
			}
			out.WriteString(inner)
			i += n
		default:
			out.WriteByte(c)
			i++
		}
	}
	return out.String(), nil
}

// legacyEntity returns the visible text and length of the entity at the
// start of s, or length 0 when it is not closed.
func legacyEntity(s string) (string, int) {
	if s[0] == '[' {
		end := strings.Index(s, "](")
		if end < 0 {
			return "", 0
		}
		closing := strings.IndexByte(s[end:], ')')
		if closing < 0 {
			return "", 0
		}
		return s[1:end], end + closing + 1
	}
	tok := s[:1]
	if strings.HasPrefix(s, "```") {
		tok = "```"
	}
	end := strings.Index(s[len(tok):], tok)
	if end < 0 {
		return "", 0
	}
	return s[len(tok) : len(tok)+end], 2*len(tok) + end
}
