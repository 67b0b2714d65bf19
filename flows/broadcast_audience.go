package flows

import (
	"slices"
	"strings"
	"time"

	"cardbot"
)

// clientsPage is how many clients one read of the audience scan decodes.
const clientsPage = 2000

// audience lists the clients a segment matches now, by ascending client id, each with the card the
// recipient's text and picture use (0 when they have none).
func (b *Broadcasts) audience(tx cardbot.Tx, s cardbot.Segment, now time.Time) ([]cardbot.Recipient, error) {
	var out []cardbot.Recipient
	err := clientsIn(tx, func(c *cardbot.Client) error {
		if !clientMatches(c, s) {
			return nil
		}
		cards, err := tx.ClientCards(c.ID)
		if err != nil {
			return err
		}
		card, ok, err := matchingCard(tx, cards, s, now)
		if err != nil {
			return err
		}
		if ok {
			out = append(out, cardbot.Recipient{ClientID: c.ID, CardID: card})
		}
		return nil
	})
	return out, err
}

// clientsIn calls fn for every client by ascending id, clientsPage at a time, all in tx's one view
// (eachClient, for the jobs, gives each page its own transaction instead).
func clientsIn(tx cardbot.Tx, fn func(*cardbot.Client) error) error {
	for after := uint64(0); ; {
		clients, err := tx.Clients(after, clientsPage)
		if err != nil {
			return err
		}
		for _, c := range clients {
			if err := fn(c); err != nil {
				return err
			}
		}
		if len(clients) < clientsPage {
			return nil
		}
		after = clients[len(clients)-1].ID
	}
}

// clientMatches checks the conditions on the client itself.
func clientMatches(c *cardbot.Client, s cardbot.Segment) bool {
	if len(s.BirthdayMonths) > 0 && (c.Birthday == nil || !slices.Contains(s.BirthdayMonths, c.Birthday.Month)) {
		return false
	}
	if len(s.Tags) > 0 && !slices.ContainsFunc(c.Tags, func(t string) bool { return slices.Contains(s.Tags, t) }) {
		return false
	}
	if len(s.Sources) > 0 && !slices.ContainsFunc(s.Sources, func(src string) bool { return strings.HasPrefix(c.Source, src) }) {
		return false
	}
	return true
}

// matchingCard returns the first active, unexpired card that meets every card condition. Without
// card conditions every client matches, with their first usable card if they have one.
func matchingCard(tx cardbot.Tx, cards []*cardbot.Card, s cardbot.Segment, now time.Time) (uint64, bool, error) {
	for _, card := range cards {
		if card.Status != cardbot.CardActive || card.Expired(now) {
			continue
		}
		ok, err := cardMatches(tx, card, s)
		if err != nil {
			return 0, false, err
		}
		if ok {
			return card.ID, true, nil
		}
	}
	return 0, !s.HasCardConditions(), nil
}

func cardMatches(tx cardbot.Tx, card *cardbot.Card, s cardbot.Segment) (bool, error) {
	switch {
	case len(s.Programs) > 0 && !slices.Contains(s.Programs, card.ProgramID),
		len(s.Types) > 0 && !slices.Contains(s.Types, card.Type),
		len(s.Tiers) > 0 && !slices.Contains(s.Tiers, card.Tier),
		s.BalanceMin != nil && card.Balance < *s.BalanceMin,
		s.BalanceMax != nil && card.Balance > *s.BalanceMax:
		return false, nil
	}
	if s.LastOperationFrom.IsZero() && s.LastOperationTo.IsZero() {
		return true, nil
	}
	last, err := lastOperation(tx, card.ID)
	if err != nil || last.IsZero() {
		return false, err
	}
	return (s.LastOperationFrom.IsZero() || !last.Before(s.LastOperationFrom)) &&
		(s.LastOperationTo.IsZero() || last.Before(s.LastOperationTo)), nil
}

// lastOperation is the time of the card's newest ledger entry that somebody made (expiry entries
// are written by the system), or zero.
func lastOperation(tx cardbot.Tx, cardID uint64) (time.Time, error) {
	// Usually the newest entry is the answer: read one, and more only past expiry entries.
	for before, n := uint64(0), 1; ; n = min(2*n, 64) {
		ops, err := tx.CardOperations(cardID, before, n)
		if err != nil || len(ops) == 0 {
			return time.Time{}, err
		}
		for _, op := range ops {
			if op.Type != cardbot.OpExpire {
				return op.At, nil
			}
		}
		before = ops[len(ops)-1].ID
	}
}
