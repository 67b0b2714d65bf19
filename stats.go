package cardbot

import (
	"context"
	"time"
)

// StatsGrouping is the length of one point of the statistics series.
type StatsGrouping string

// Groupings. Weeks start on Monday; every point is a calendar day, week or month in business.timezone.
const (
	GroupDay   StatsGrouping = "day"
	GroupWeek  StatsGrouping = "week"
	GroupMonth StatsGrouping = "month"
)

// StatsQuery asks for the statistics of the days From to To, both included, in business.timezone.
type StatsQuery struct {
	From  Date          `json:"from"`
	To    Date          `json:"to"`
	Group StatsGrouping `json:"group"`
}

// Stats are the owner's figures for a period, computed from the ledger, the clients and the ratings.
// Operations that were cancelled are left out everywhere, and the cancel entries themselves are not
// operations of the business: the figures show what stands.
type Stats struct {
	From       time.Time        `json:"from"` // the first instant of the period
	To         time.Time        `json:"to"`   // the first instant after it
	Group      StatsGrouping    `json:"group"`
	Summary    StatsFigures     `json:"summary"`
	Series     []StatsPoint     `json:"series"`
	Programs   []ProgramStats   `json:"programs"`
	Operations OperationStats   `json:"operations"`
	Referrals  ReferralStats    `json:"referrals"`
	Ratings    *RatingStats     `json:"ratings,omitempty"` // nil when no ratings are kept
	Clients    ClientTotalStats `json:"clients"`
}

// StatsFigures are the headline figures of a period or of one point of the series.
type StatsFigures struct {
	Revenue     Amount `json:"revenue"`   // purchase sums of card holders
	Purchases   int    `json:"purchases"` // purchase operations
	NewClients  int    `json:"new_clients"`
	CardsIssued int    `json:"cards_issued"`
}

// StatsPoint is one day, week or month of the period.
type StatsPoint struct {
	Start time.Time `json:"start"` // the first instant of the point (the period's start for a cut first week or month)
	Label string    `json:"label"` // 2026-03-02, 2026-W10, 2026-03
	StatsFigures
	Accrued        Amount  `json:"accrued"`
	Redeemed       Amount  `json:"redeemed"`
	ClientsBrought int     `json:"clients_brought"`
	Ratings        int     `json:"ratings"`
	RatingAverage  float64 `json:"rating_average"`
}

// ProgramStats counts the cards of one programme.
type ProgramStats struct {
	ProgramID   string      `json:"program_id"`
	Name        string      `json:"name"`
	Type        ProgramType `json:"type"`
	CardsIssued int         `json:"cards_issued"` // in the period
	Cards       int         `json:"cards"`        // issued before the period ended
	Clients     int         `json:"clients"`      // distinct holders of those cards
}

// ClientTotalStats counts clients as the period ends.
type ClientTotalStats struct {
	Total    int `json:"total"`     // clients who joined before the period ended
	WithCard int `json:"with_card"` // of them, holding a card issued before the period ended
}

// OperationStats sum the ledger of the period. Points are those of bonus cards.
type OperationStats struct {
	Accrued   Amount         `json:"accrued"`  // points accrued by purchases and by hand
	Redeemed  Amount         `json:"redeemed"` // points paid with in purchases and spent by hand
	Welcome   Amount         `json:"welcome"`  // points given on issue (welcome bonuses)
	Expired   Amount         `json:"expired"`  // points that expired
	Discount  Amount         `json:"discount"` // discounts given on purchases
	Counts    map[OpType]int `json:"counts"`   // operations by type (cancel entries not counted)
	Cancelled int            `json:"cancelled"`
}

// ReferralStats describe the referral programme in the period.
type ReferralStats struct {
	ClientsBrought int    `json:"clients_brought"` // clients who joined by a friend's link in the period
	Referrers      int    `json:"referrers"`       // distinct clients who brought them
	Revenue        Amount `json:"revenue"`         // purchases in the period by clients who came by referral
	Purchases      int    `json:"purchases"`
}

// RatingStats describe the visit ratings given in the period.
type RatingStats struct {
	Average  float64        `json:"average"`
	Count    int            `json:"count"`
	Negative int            `json:"negative"`
	ByBranch []BranchRating `json:"by_branch"`
}

// BranchRating is the ratings of one branch ("" for visits without one).
type BranchRating struct {
	Branch   string  `json:"branch"`
	Average  float64 `json:"average"`
	Count    int     `json:"count"`
	Negative int     `json:"negative"`
}

// StatsProvider is what the statistics page uses (flows.Statistics implements it).
type StatsProvider interface {
	Stats(ctx context.Context, q StatsQuery) (*Stats, error)
}
