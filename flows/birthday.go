package flows

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"cardbot"
)

// Reasons ParseBirthday puts in the Message of the *cardbot.Error it returns. They are constants so
// the birthday flow can switch on cardbot.MessageOf(err) and pick a re-ask in the customer's
// language; the English text itself is short enough to show as it is.
const (
	BirthdayNotADate  = "that does not look like a date"
	BirthdayNoSuchDay = "there is no such day in the calendar"
	BirthdayInFuture  = cardbot.BirthdayInFuture // the one rule: cardbot.CheckBirthday
	BirthdayTooOld    = cardbot.BirthdayTooOld
)

const (
	// maxBirthdayRunes bounds the input: anything longer is chatter, not a date, and the bound keeps
	// the cost of a call independent of what a customer pastes.
	maxBirthdayRunes = 64
	maxTokens        = 8
	maxAge           = cardbot.MaxBirthdayAge
)

// ParseBirthday reads a birthday typed by a customer: 15.03.1990, 15/03/1990, 15-03-1990, 5.3.90,
// 1990-03-15, 15.03, "15 марта 1990 г.", "15 мар", "15 March", "March 15, 1990" and the like, in any
// case and with ё or е. The year may be left out (Date.Year is then 0). Two-digit
// years up to today's two-digit year are this century, the rest the previous one.
//
// It refuses, with a cardbot.Invalid error whose message is one of the Birthday* reasons, text that
// is not a date, days that do not exist, dates after today and ages over 120.
func ParseBirthday(text string, today time.Time) (cardbot.Date, error) {
	// The byte check comes first so a huge paste is refused before anything walks over it.
	if len(text) > 4*maxBirthdayRunes {
		return refuse(BirthdayNotADate)
	}
	s := strings.TrimSpace(text)
	if utf8.RuneCountInString(s) > maxBirthdayRunes {
		return refuse(BirthdayNotADate)
	}
	toks, ok := tokenize(normalize(s))
	if !ok {
		return refuse(BirthdayNotADate)
	}
	toks = dropOrdinals(toks)
	toks, yearWord := dropYearWords(toks)
	f, ok := fields(toks, today)
	if !ok || (yearWord && !f.hasYear) {
		return refuse(BirthdayNotADate)
	}
	return check(f, today)
}

func refuse(reason string) (cardbot.Date, error) {
	return cardbot.Date{}, &cardbot.Error{Code: cardbot.Invalid, Message: reason}
}

// normalize lower-cases the text, folds ё into е (people write either) and turns typographic
// dashes into '-', so the rest of the parser sees one spelling.
func normalize(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case 'ё', 'Ё':
			return 'е'
		case '‐', '‑', '‒', '–', '—', '−':
			return '-'
		}
		return unicode.ToLower(r)
	}, s)
}

type tokenKind uint8

const (
	tokNum tokenKind = iota + 1
	tokWord
)

// token is a run of ASCII digits or of letters, with what separated it from the previous token.
type token struct {
	kind tokenKind
	text string
	sep  byte // 0: adjacent, ' ': blanks only, or the one punctuation mark: . / - ,
}

// tokenize splits the text into digit and letter runs. Between two runs it allows blanks and at most
// one of . / - , — anything else (two marks, other symbols, other scripts' digits) is not a date.
func tokenize(s string) ([]token, bool) {
	toks := make([]token, 0, maxTokens)
	var sep byte
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r >= '0' && r <= '9':
			j := i + 1
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if len(toks) == maxTokens || (len(toks) == 0 && sep > ' ') {
				return nil, false
			}
			toks = append(toks, token{tokNum, s[i:j], sep})
			sep, i = 0, j
		case unicode.IsLetter(r):
			j := i + size
			for j < len(s) {
				r2, n := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsLetter(r2) {
					break
				}
				j += n
			}
			if len(toks) == maxTokens || (len(toks) == 0 && sep > ' ') {
				return nil, false
			}
			toks = append(toks, token{tokWord, s[i:j], sep})
			sep, i = 0, j
		case unicode.IsSpace(r):
			if sep == 0 {
				sep = ' '
			}
			i += size
		case r == '.' || r == '/' || r == '-' || r == ',':
			if sep > ' ' {
				return nil, false
			}
			sep = byte(r)
			i += size
		default:
			return nil, false
		}
	}
	return toks, len(toks) > 0
}

// dropOrdinals removes ordinal endings written after a day: 15th, 1st, 15-го.
func dropOrdinals(toks []token) []token {
	out := toks[:0]
	for i, t := range toks {
		if i > 0 && t.kind == tokWord && toks[i-1].kind == tokNum && (t.sep == 0 || t.sep == '-') {
			switch t.text {
			case "st", "nd", "rd", "th", "го":
				continue
			}
		}
		out = append(out, t)
	}
	return out
}

// dropYearWords removes what Russian writers put after a year: "г.", "года", "г.р.". It reports whether
// there was any, because such a word without a year means the text is something else.
func dropYearWords(toks []token) ([]token, bool) {
	found := false
	for len(toks) > 0 {
		switch toks[len(toks)-1].text {
		case "г", "гг", "год", "года", "гр", "р":
			toks, found = toks[:len(toks)-1], true
			continue
		}
		break
	}
	return toks, found
}

// dateFields is a date as read, before any calendar checks.
type dateFields struct {
	year, month, day int
	hasYear          bool
}

// fields reads day, month and year from the token shapes people use: numbers only (day first, or
// year first when it has four digits), or a day and a month word in either order, with an optional
// year last.
func fields(toks []token, today time.Time) (dateFields, bool) {
	var shape [maxTokens]byte
	for i, t := range toks {
		shape[i] = "?NW"[t.kind]
	}
	var day, month, year string // digits as typed
	monthNum := 0               // set directly when the month is a word
	switch string(shape[:len(toks)]) {
	case "NNN":
		day, month, year = toks[0].text, toks[1].text, toks[2].text
		if len(day) == 4 { // ISO order: 1990-03-15
			day, year = year, day
		}
	case "NN":
		day, month = toks[0].text, toks[1].text
	case "NW", "NWN":
		day, monthNum = toks[0].text, monthByName(toks[1].text)
	case "WN", "WNN":
		monthNum, day = monthByName(toks[0].text), toks[1].text
	default:
		return dateFields{}, false
	}
	if len(toks) == 3 && month == "" {
		year = toks[2].text
	}
	var f dateFields
	var ok bool
	if f.day, ok = smallNumber(day); !ok {
		return f, false
	}
	if month != "" {
		if monthNum, ok = smallNumber(month); !ok {
			return f, false
		}
	} else if monthNum == 0 {
		return f, false // the word is not a month
	}
	f.month = monthNum
	if year != "" {
		if f.year, ok = fullYear(year, today.Year()); !ok {
			return f, false
		}
		f.hasYear = true
	}
	return f, true
}

// smallNumber reads a day or month number: one or two digits.
func smallNumber(s string) (int, bool) {
	switch len(s) {
	case 1:
		return int(s[0] - '0'), true
	case 2:
		return int(s[0]-'0')*10 + int(s[1]-'0'), true
	}
	return 0, false
}

// fullYear reads a four-digit year, or a two-digit one placed in the century that makes it not
// later than this year: in 2025, "25" is 2025 and "26" is 1926.
func fullYear(s string, thisYear int) (int, bool) {
	if len(s) != 2 && len(s) != 4 {
		return 0, false
	}
	y := 0
	for i := 0; i < len(s); i++ {
		y = y*10 + int(s[i]-'0')
	}
	if len(s) == 4 {
		return y, true
	}
	century := thisYear - thisYear%100
	if y <= thisYear%100 {
		return century + y, true
	}
	return century - 100 + y, true
}

// check turns the fields into a Date and applies the calendar and the birthday rules.
func check(f dateFields, today time.Time) (cardbot.Date, error) {
	if f.hasYear && f.year == 0 {
		return refuse(BirthdayTooOld) // "0000": a year was given, and Date would read 0 as "no year"
	}
	d := cardbot.Date{Year: f.year, Month: time.Month(f.month), Day: f.day}
	if !d.Valid() {
		return refuse(BirthdayNoSuchDay)
	}
	if err := cardbot.CheckBirthday(d, today); err != nil {
		return cardbot.Date{}, err
	}
	return d, nil
}

// monthForms are the spellings of each month: Russian in every case people write a date in, and
// English. A word matches a month when it is a prefix of one of its forms at least three letters
// long, which covers "мар", "сент.", "декабре", "Sept" and "march" alike; three letters are enough
// to tell every month apart (a test checks it).
var monthForms = [12][]string{
	{"январь", "января", "январе", "январю", "январем", "january"},
	{"февраль", "февраля", "феврале", "февралю", "февралем", "february"},
	{"март", "марта", "марте", "марту", "мартом", "march"},
	{"апрель", "апреля", "апреле", "апрелю", "апрелем", "april"},
	{"май", "мая", "мае", "маю", "маем", "may"},
	{"июнь", "июня", "июне", "июню", "июнем", "june"},
	{"июль", "июля", "июле", "июлю", "июлем", "july"},
	{"август", "августа", "августе", "августу", "августом", "august"},
	{"сентябрь", "сентября", "сентябре", "сентябрю", "сентябрем", "september"},
	{"октябрь", "октября", "октябре", "октябрю", "октябрем", "october"},
	{"ноябрь", "ноября", "ноябре", "ноябрю", "ноябрем", "november"},
	{"декабрь", "декабря", "декабре", "декабрю", "декабрем", "december"},
}

// monthByName returns the month (1–12) a lower-cased word names, or 0.
func monthByName(w string) int {
	if utf8.RuneCountInString(w) < 3 {
		return 0
	}
	for m, forms := range monthForms {
		for _, f := range forms {
			if strings.HasPrefix(f, w) {
				return m + 1
			}
		}
	}
	return 0
}
