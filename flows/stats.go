package flows

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"cardbot"
)

// RatingSample is one visit rating, as the statistics need it.
type RatingSample struct {
	Score  int // 1 to 5
	Branch string
	At     time.Time
}

// RatingSource lists the ratings given in [from, to). The ratings store implements it (through a
// small adapter in the wiring), so statistics do not depend on how ratings are kept.
type RatingSource interface {
	RatingsBetween(ctx context.Context, from, to time.Time) ([]RatingSample, error)
}

// StatsDeps are what Statistics needs.
type StatsDeps struct {
	Store  cardbot.Store
	Config cardbot.Config // business timezone
	// Programs are the programmes in force (the wallet's, which the admin page edits). Nil: Config's.
	Programs func() []cardbot.Program
	// Ratings may be nil: Stats.Ratings is then nil.
	Ratings RatingSource
	// NegativeAtMost is the highest score that counts as negative (default 3: one to three stars).
	NegativeAtMost int
}

// maxStatsPoints bounds a series (three years by day).
const maxStatsPoints = 1100

// Statistics computes the owner's figures from the ledger, the clients and the ratings.
type Statistics struct {
	store    cardbot.Store
	cfg      cardbot.Config
	programs func() []cardbot.Program
	loc      *time.Location
	ratings  RatingSource
	negative int
}

// NewStatistics checks the business timezone.
func NewStatistics(d StatsDeps) (*Statistics, error) {
	loc, err := time.LoadLocation(d.Config.Business.Timezone)
	if err != nil {
		return nil, fmt.Errorf("flows: business timezone %q: %w", d.Config.Business.Timezone, err)
	}
	if d.NegativeAtMost <= 0 {
		d.NegativeAtMost = 3
	}
	if d.Programs == nil {
		d.Programs = func() []cardbot.Program { return d.Config.Programs }
	}
	return &Statistics{store: d.Store, cfg: d.Config, programs: d.Programs, loc: loc, ratings: d.Ratings, negative: d.NegativeAtMost}, nil
}

// Stats computes the figures of the days q.From to q.To (both included, in the business timezone),
// with a series grouped by day, week or month. It reads every client, card and ledger entry in one
// consistent view.
func (s *Statistics) Stats(ctx context.Context, q cardbot.StatsQuery) (*cardbot.Stats, error) {
	if q.Group == "" {
		q.Group = cardbot.GroupDay
	}
	from, to, err := s.period(q)
	if err != nil {
		return nil, err
	}
	points, err := s.points(from, to, q.Group)
	if err != nil {
		return nil, err
	}
	c := &counter{
		st: &cardbot.Stats{From: from, To: to, Group: q.Group, Series: points,
			Operations: cardbot.OperationStats{Counts: map[cardbot.OpType]int{}}},
		programs: map[string]*cardbot.ProgramStats{}, holders: map[string]map[uint64]bool{}, referrers: map[uint64]bool{},
	}
	for _, p := range s.programs() {
		c.program(p.ID, p.Name, p.Type)
	}
	if err := s.store.View(ctx, func(tx cardbot.Tx) error { return c.walk(tx) }); err != nil {
		return nil, err
	}
	c.finish()
	if s.ratings != nil {
		if err := s.addRatings(ctx, c.st); err != nil {
			return nil, err
		}
	}
	return c.st, nil
}

// period turns the query's dates into instants of the business timezone.
func (s *Statistics) period(q cardbot.StatsQuery) (time.Time, time.Time, error) {
	if q.From.Year == 0 || q.To.Year == 0 || !q.From.Valid() || !q.To.Valid() {
		return time.Time{}, time.Time{}, cardbot.Errorf(cardbot.Invalid, "the period needs full dates, like 2026-03-01")
	}
	from := time.Date(q.From.Year, q.From.Month, q.From.Day, 0, 0, 0, 0, s.loc)
	to := time.Date(q.To.Year, q.To.Month, q.To.Day+1, 0, 0, 0, 0, s.loc)
	if !from.Before(to) {
		return time.Time{}, time.Time{}, cardbot.Errorf(cardbot.Invalid, "the period ends (%s) before it begins (%s)", q.To, q.From)
	}
	return from, to, nil
}

// points lays the period out in days, weeks (from Monday) or months; the first and last are cut to
// the period.
func (s *Statistics) points(from, to time.Time, g cardbot.StatsGrouping) ([]cardbot.StatsPoint, error) {
	var points []cardbot.StatsPoint
	for start := from; start.Before(to); {
		y, m, d := start.Date()
		var next time.Time
		var label string
		switch g {
		case cardbot.GroupDay:
			next, label = time.Date(y, m, d+1, 0, 0, 0, 0, s.loc), start.Format("2006-01-02")
		case cardbot.GroupWeek:
			back := (int(start.Weekday()) + 6) % 7 // days since Monday
			next = time.Date(y, m, d-back+7, 0, 0, 0, 0, s.loc)
			wy, wn := start.ISOWeek()
			label = fmt.Sprintf("%d-W%02d", wy, wn)
		case cardbot.GroupMonth:
			next, label = time.Date(y, m+1, 1, 0, 0, 0, 0, s.loc), start.Format("2006-01")
		default:
			return nil, cardbot.Errorf(cardbot.Invalid, "group by %q: use day, week or month", g)
		}
		points = append(points, cardbot.StatsPoint{Start: start, Label: label})
		if len(points) > maxStatsPoints {
			return nil, cardbot.Errorf(cardbot.Invalid, "the period has more than %d points; group by week or month", maxStatsPoints)
		}
		start = next
	}
	return points, nil
}

// counter adds the records up as it walks them.
type counter struct {
	st        *cardbot.Stats
	programs  map[string]*cardbot.ProgramStats
	order     []string
	holders   map[string]map[uint64]bool // programme → clients holding its cards
	referrers map[uint64]bool
}

func (c *counter) program(id, name string, t cardbot.ProgramType) *cardbot.ProgramStats {
	p := c.programs[id]
	if p == nil {
		p = &cardbot.ProgramStats{ProgramID: id, Name: name, Type: t}
		c.programs[id] = p
		c.order = append(c.order, id)
		c.holders[id] = map[uint64]bool{}
	}
	return p
}

// point returns the series point t falls in, or nil when t is outside the period.
func (c *counter) point(t time.Time) *cardbot.StatsPoint {
	if t.Before(c.st.From) || !t.Before(c.st.To) {
		return nil
	}
	ps := c.st.Series
	i := sort.Search(len(ps), func(i int) bool { return ps[i].Start.After(t) }) - 1
	return &ps[i]
}

func (c *counter) walk(tx cardbot.Tx) error {
	return clientsIn(tx, func(cl *cardbot.Client) error { return c.client(tx, cl) })
}

func (c *counter) client(tx cardbot.Tx, cl *cardbot.Client) error {
	st := c.st
	if cl.CreatedAt.Before(st.To) {
		st.Clients.Total++
	}
	if pt := c.point(cl.CreatedAt); pt != nil {
		st.Summary.NewClients++
		pt.NewClients++
		if cl.ReferredBy != 0 {
			st.Referrals.ClientsBrought++
			pt.ClientsBrought++
			c.referrers[cl.ReferredBy] = true
		}
	}
	cards, err := tx.ClientCards(cl.ID)
	if err != nil {
		return err
	}
	holds := false
	for _, card := range cards {
		if !card.IssuedAt.Before(st.To) {
			continue
		}
		holds = true
		p := c.program(card.ProgramID, card.ProgramID, card.Type)
		p.Cards++
		c.holders[card.ProgramID][cl.ID] = true
		if pt := c.point(card.IssuedAt); pt != nil {
			p.CardsIssued++
			st.Summary.CardsIssued++
			pt.CardsIssued++
		}
		ops, err := tx.CardOperations(card.ID, 0, 0)
		if err != nil {
			return err
		}
		c.ledger(card, ops, cl.ReferredBy != 0)
	}
	if holds && cl.CreatedAt.Before(st.To) {
		st.Clients.WithCard++
	}
	return nil
}

// ledger adds up one card's entries of the period, leaving out the cancelled ones. A cancel is
// always on the card of the entry it reverses, so the card's own entries say what was cancelled.
func (c *counter) ledger(card *cardbot.Card, ops []*cardbot.Operation, referred bool) {
	cancelled := map[uint64]bool{}
	for _, op := range ops {
		if op.Type == cardbot.OpCancel {
			cancelled[op.Cancels] = true
		}
	}
	points := card.Type.Unit() == cardbot.UnitPoints
	o := &c.st.Operations
	for _, op := range ops {
		pt := c.point(op.At)
		if pt == nil || op.Type == cardbot.OpCancel {
			continue
		}
		if cancelled[op.ID] {
			o.Cancelled++
			continue
		}
		o.Counts[op.Type]++
		var accrued, redeemed cardbot.Amount
		switch op.Type {
		case cardbot.OpPurchase:
			c.st.Summary.Revenue += op.Purchase
			c.st.Summary.Purchases++
			pt.Revenue += op.Purchase
			pt.Purchases++
			o.Discount += op.Discount
			if points {
				accrued, redeemed = op.Accrued, op.Redeemed
			}
			if referred {
				c.st.Referrals.Revenue += op.Purchase
				c.st.Referrals.Purchases++
			}
		case cardbot.OpAccrue:
			if points {
				accrued = cardbot.Amount(op.Delta)
			}
		case cardbot.OpRedeem:
			if points {
				redeemed = cardbot.Amount(-op.Delta)
			}
		case cardbot.OpIssue:
			if points {
				o.Welcome += cardbot.Amount(op.Delta)
			}
		case cardbot.OpExpire:
			if points {
				o.Expired += cardbot.Amount(-op.Delta)
			}
		}
		o.Accrued += accrued
		o.Redeemed += redeemed
		pt.Accrued += accrued
		pt.Redeemed += redeemed
	}
}

func (c *counter) finish() {
	c.st.Referrals.Referrers = len(c.referrers)
	c.st.Programs = make([]cardbot.ProgramStats, 0, len(c.order))
	for _, id := range c.order {
		p := c.programs[id]
		p.Clients = len(c.holders[id])
		c.st.Programs = append(c.st.Programs, *p)
	}
}

func (s *Statistics) addRatings(ctx context.Context, st *cardbot.Stats) error {
	samples, err := s.ratings.RatingsBetween(ctx, st.From, st.To)
	if err != nil {
		return fmt.Errorf("flows: ratings for statistics: %w", err)
	}
	rs := &cardbot.RatingStats{ByBranch: []cardbot.BranchRating{}}
	sums := map[*cardbot.StatsPoint]int{}
	branches := map[string]*cardbot.BranchRating{}
	branchSums := map[string]int{}
	total := 0
	c := counter{st: st}
	for _, r := range samples {
		pt := c.point(r.At)
		if pt == nil {
			continue
		}
		neg := r.Score <= s.negative
		rs.Count++
		total += r.Score
		pt.Ratings++
		sums[pt] += r.Score
		b := branches[r.Branch]
		if b == nil {
			b = &cardbot.BranchRating{Branch: r.Branch}
			branches[r.Branch] = b
		}
		b.Count++
		branchSums[r.Branch] += r.Score
		if neg {
			rs.Negative++
			b.Negative++
		}
	}
	rs.Average = average(total, rs.Count)
	for pt, sum := range sums {
		pt.RatingAverage = average(sum, pt.Ratings)
	}
	for name, b := range branches {
		b.Average = average(branchSums[name], b.Count)
		rs.ByBranch = append(rs.ByBranch, *b)
	}
	slices.SortFunc(rs.ByBranch, func(a, b cardbot.BranchRating) int { return cmp.Compare(a.Branch, b.Branch) })
	st.Ratings = rs
	return nil
}

// average is sum/n rounded to two decimals, 0 for no ratings.
func average(sum, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(sum*100/n+(sum*100%n*2/n)) / 100
}

var _ cardbot.StatsProvider = (*Statistics)(nil)
