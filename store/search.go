package store

import (
	"strings"
	"unicode"

	"cardbot"
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
	k, _ := c.Last()
	if q.Before != 0 {
		k, _ = c.Seek(idKey(q.Before))
		if k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
	}
	for ; k != nil; k, _ = c.Prev() {
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

// client reports whether the client's phone or one of its card numbers starts with the digits, or
// every word typed starts some word of the name.
func (m clientMatcher) client(c *cardbot.Client, cards []*cardbot.Card) bool {
	if m.digits != "" {
		if strings.HasPrefix(strings.TrimPrefix(c.Phone, "+"), m.digits) {
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
