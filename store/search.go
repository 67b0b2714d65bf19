package store

import (
	"strconv"
	"strings"
	"unicode"

	"cardbot"

	"github.com/nyaruka/phonenumbers"
)

// defaultSearchPage is how many clients one page of a search holds when the caller does not say.
const defaultSearchPage = 50

// scanClients walks clients newest first and keeps those the query matches.
//
// This is the plain scan: correct for any query, and the reference the indexed search (SearchClients,
// searchplan.go) is tested against.
func (t *tx) scanClients(q cardbot.ClientQuery) (cardbot.ClientPage, error) {
	limit := pageSize(q.Limit)
	match := newClientMatcher(q.Text)
	res := cardbot.ClientPage{Clients: []*cardbot.Client{}}
	c := t.bucket(bucketClients).Cursor()
	for k := newestBelow(c, q.Before); k != nil; k, _ = c.Prev() {
		client, err := t.Client(keyID(k))
		if err != nil {
			return res, err
		}
		ok, err := t.clientMatches(client, q, match)
		if err != nil {
			return res, err
		}
		if !ok {
			continue
		}
		if len(res.Clients) == limit {
			res.Next = res.Clients[limit-1].ID
			break
		}
		res.Clients = append(res.Clients, client)
	}
	return res, nil
}

func pageSize(limit int) int {
	if limit <= 0 {
		return defaultSearchPage
	}
	return limit
}

func (t *tx) clientMatches(c *cardbot.Client, q cardbot.ClientQuery, match clientMatcher) (bool, error) {
	if !q.ActiveFrom.IsZero() && c.LastActivityAt.Before(q.ActiveFrom) {
		return false, nil
	}
	if !q.ActiveTo.IsZero() && !c.LastActivityAt.Before(q.ActiveTo) {
		return false, nil
	}
	if match.empty() && q.ProgramID == "" {
		return true, nil
	}
	cards, err := t.ClientCards(c.ID)
	if err != nil {
		return false, err
	}
	if q.ProgramID != "" && !holdsProgram(cards, q.ProgramID) {
		return false, nil
	}
	return match.empty() || match.client(c, cards), nil
}

func holdsProgram(cards []*cardbot.Card, programID string) bool {
	for _, card := range cards {
		if card.ProgramID == programID {
			return true
		}
	}
	return false
}

// clientMatcher is the search text taken apart: the digits it has (a phone or card number typed in
// any format) and its words (the start of name words).
type clientMatcher struct {
	digits string
	words  []string
}

func newClientMatcher(text string) clientMatcher {
	var m clientMatcher
	hasLetters := false
	var digits strings.Builder
	for _, r := range text {
		switch {
		case unicode.IsDigit(r):
			digits.WriteRune(r)
		case unicode.IsLetter(r):
			hasLetters = true
		}
	}
	if hasLetters {
		m.words = nameWords(text)
	} else {
		m.digits = digits.String()
	}
	return m
}

func (m clientMatcher) empty() bool { return m.digits == "" && len(m.words) == 0 }

// client reports whether the digits start the client's phone as people type it (phoneMatches) or one of
// its card numbers, or
// every word typed starts some word of the name.
func (m clientMatcher) client(c *cardbot.Client, cards []*cardbot.Card) bool {
	if m.digits != "" {
		if phoneMatches(c.Phone, m.digits) {
			return true
		}
		for _, card := range cards {
			if strings.HasPrefix(onlyDigits(card.Number), m.digits) {
				return true
			}
		}
		return false
	}
	have := nameWords(c.Name)
	for _, w := range m.words {
		if !anyHasPrefix(have, w) {
			return false
		}
	}
	return true
}

// phoneMatches reports whether digits start the phone as people type it: from the country code (with
// or without the +), from a trunk 8 in place of the +7 country code (trunkAsCountry), or from the
// national number after the country code (nationalNumber).
func phoneMatches(phone, digits string) bool {
	p := strings.TrimPrefix(phone, "+")
	if p == "" {
		return false
	}
	if strings.HasPrefix(p, digits) {
		return true
	}
	if plan, ok := trunkAsCountry(digits); ok && strings.HasPrefix(p, plan) {
		return true
	}
	return strings.HasPrefix(nationalNumber(phone), digits)
}

// trunkAsCountry reads digits typed with the trunk prefix 8 of the +7 numbering plan (Russia and
// Kazakhstan: "8 916 123-45-67" is +7 916 123-45-67) as digits from the country code: a leading 8 becomes
// 7. Only the +7 plan: elsewhere 8 is no trunk prefix that stands for the country code. A lone "8" is
// not read so, or typing the first digit of an 8… card number would list every +7 client.
func trunkAsCountry(digits string) (string, bool) {
	if len(digits) < 2 || digits[0] != '8' {
		return "", false
	}
	return "7" + digits[1:], true
}

// nationalNumber is the phone's national significant number: its digits after the country calling
// code ("+79161234567" → "9161234567", "+375291234567" → "291234567"). Calling codes are one to three
// digits and none starts another, so the first known one is the code. "" when the phone is not digits
// (after an optional +) or starts with no calling code known to the phone-number metadata.
func nationalNumber(phone string) string {
	p := strings.TrimPrefix(phone, "+")
	if p == "" || strings.ContainsFunc(p, func(r rune) bool { return r < '0' || r > '9' }) {
		return ""
	}
	codes := phonenumbers.GetSupportedCallingCodes()
	for n := 1; n <= 3 && n < len(p); n++ {
		if code, _ := strconv.Atoi(p[:n]); codes[code] {
			return p[n:]
		}
	}
	return ""
}

// nameWords splits a name into lowercase words of letters and digits; ё counts as е, as people type it.
func nameWords(s string) []string {
	s = strings.ReplaceAll(strings.ToLower(s), "ё", "е")
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

func anyHasPrefix(words []string, prefix string) bool {
	for _, w := range words {
		if strings.HasPrefix(w, prefix) {
			return true
		}
	}
	return false
}

func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}
