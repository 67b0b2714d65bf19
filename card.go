package cardbot

import (
	"strings"
	"time"
)

// CardStatus says whether a card accepts operations.
type CardStatus string

// Card statuses. Expiry is not a status: a card past ExpiresAt is refused by its date.
const (
	CardActive  CardStatus = "active"
	CardBlocked CardStatus = "blocked"
)

// Card is one loyalty card of a client in one programme.
type Card struct {
	ID        uint64      `json:"id"`
	Number    string      `json:"number"` // unique, made by the card_numbers rules
	ClientID  uint64      `json:"client_id"`
	ProgramID string      `json:"program_id"`
	Type      ProgramType `json:"type"` // copied from the programme at issue
	Status    CardStatus  `json:"status"`
	// Balance is in the unit of Type.Unit(): points or money in hundredths, stamps or visits whole.
	// It always equals the sum of the Delta of the card's operations.
	Balance    int64     `json:"balance"`
	TotalSpend Amount    `json:"total_spend"` // sum of purchases, for tiers
	Tier       string    `json:"tier,omitempty"`
	Token      string    `json:"-"` // unguessable, for the public card page
	IssuedAt   time.Time `json:"issued_at"`
	ExpiresAt  time.Time `json:"expires_at,omitzero"`
	// Lots are the accrued points still unspent, oldest first, when points expire.
	Lots []Lot `json:"lots,omitempty"`
}

// Lot is what is left of one accrual of expiring points.
type Lot struct {
	OpID      uint64    `json:"op_id"`
	Left      Amount    `json:"left"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Expired reports whether the card is past its validity at t.
func (c *Card) Expired(t time.Time) bool {
	return !c.ExpiresAt.IsZero() && !t.Before(c.ExpiresAt)
}

// GroupNumber writes a card number in groups of four, as on bank cards, the picture and the card
// page: "1234 5678 90". Spaces already in it are dropped first.
func GroupNumber(number string) string {
	digits := []rune(strings.ReplaceAll(number, " ", ""))
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}
