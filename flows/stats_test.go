package flows_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"cardbot"
	"cardbot/flows"
	"cardbot/store"
)

// fakeRatings hands out fixed ratings, filtered by time as the real source does.
type fakeRatings []flows.RatingSample

func (f fakeRatings) RatingsBetween(_ context.Context, from, to time.Time) ([]flows.RatingSample, error) {
	var out []flows.RatingSample
	for _, r := range f {
		if !r.At.Before(from) && r.At.Before(to) {
			out = append(out, r)
		}
	}
	return out, nil
}

// A small business in Moscow (UTC+3), March 2026, by week. Every figure below is worked out by hand
// from the records the test writes; the edges of the period are in Moscow time.
func TestStatisticsMatchHandComputedFigures(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	at := func(month time.Month, day, hour, min int) time.Time {
		return time.Date(2026, month, day, hour, min, 0, 0, msk)
	}
	db, err := store.Open(filepath.Join(t.TempDir(), "cardbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()

	type op struct {
		typ                         cardbot.OpType
		at                          time.Time
		delta                       int64
		purchase, accrued, redeemed cardbot.Amount
		cancelledAt                 time.Time // when set, a cancel entry reverses it then
	}
	type person struct {
		name       string
		created    time.Time
		referredBy int // index+1 of the referrer
		program    string
		ops        []op
	}
	people := []person{
		{name: "A", created: at(2, 20, 12, 0), program: "bonus", ops: []op{
			{typ: cardbot.OpPurchase, at: at(3, 2, 10, 0), purchase: 100000, accrued: 5000, delta: 5000},
			{typ: cardbot.OpPurchase, at: at(3, 15, 18, 0), purchase: 50000, accrued: 2500, redeemed: 10000, delta: -7500},
			{typ: cardbot.OpPurchase, at: at(3, 20, 12, 0), purchase: 30000, accrued: 1500, delta: 1500, cancelledAt: at(3, 21, 9, 0)},
			{typ: cardbot.OpExpire, at: at(3, 25, 0, 0), delta: -1000},
		}},
		// Joined at half past midnight on 1 March in Moscow: 28 February in UTC, yet in the period.
		{name: "B", created: at(3, 1, 0, 30), referredBy: 1, program: "bonus", ops: []op{
			{typ: cardbot.OpIssue, at: at(3, 1, 0, 30), delta: 10000},
			{typ: cardbot.OpAccrue, at: at(3, 10, 12, 0), delta: 3000},
			{typ: cardbot.OpPurchase, at: at(3, 31, 23, 0), purchase: 200000, accrued: 10000, delta: 10000},
		}},
		{name: "C", created: at(3, 10, 9, 0), referredBy: 1, program: "coffee", ops: []op{
			{typ: cardbot.OpPurchase, at: at(3, 11, 9, 0), purchase: 40000, delta: 1},
		}},
		// Ten past midnight on 1 April in Moscow: still 31 March in UTC, yet outside the period.
		{name: "D", created: at(4, 1, 0, 10), program: "bonus", ops: []op{
			{typ: cardbot.OpPurchase, at: at(4, 1, 0, 20), purchase: 70000, accrued: 3500, delta: 3500},
		}},
		{name: "E", created: at(3, 5, 15, 0), referredBy: 2, program: "bonus", ops: []op{
			{typ: cardbot.OpIssue, at: at(3, 5, 15, 0), delta: 10000},
		}},
		{name: "F (no card)", created: at(3, 6, 11, 0)},
	}
	ids := map[int]uint64{}
	for i, p := range people {
		err := db.Update(ctx, func(tx cardbot.Tx) error {
			c := &cardbot.Client{Name: p.name, CreatedAt: p.created}
			if p.referredBy != 0 {
				c.ReferredBy = ids[p.referredBy]
			}
			if err := tx.CreateClient(c); err != nil {
				return err
			}
			ids[i+1] = c.ID
			if p.program == "" {
				return nil
			}
			typ := cardbot.Bonus
			if p.program == "coffee" {
				typ = cardbot.Stamp
			}
			card := &cardbot.Card{Number: p.name, ClientID: c.ID, ProgramID: p.program, Type: typ, Status: cardbot.CardActive, IssuedAt: p.created}
			if err := tx.CreateCard(card); err != nil {
				return err
			}
			for _, o := range p.ops {
				e := &cardbot.Operation{CardID: card.ID, ClientID: c.ID, Type: o.typ, Delta: o.delta, Purchase: o.purchase, Accrued: o.accrued, Redeemed: o.redeemed, At: o.at}
				if err := tx.AppendOperation(e); err != nil {
					return err
				}
				if !o.cancelledAt.IsZero() {
					cancel := &cardbot.Operation{CardID: card.ID, ClientID: c.ID, Type: cardbot.OpCancel, Cancels: e.ID, Delta: -o.delta, At: o.cancelledAt}
					if err := tx.AppendOperation(cancel); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	cfg := cardbot.DefaultConfig()
	cfg.Programs = testPrograms()
	ratings := fakeRatings{
		{Score: 5, Branch: "center", At: at(3, 2, 12, 0)},
		{Score: 4, Branch: "center", At: at(3, 9, 12, 0)},
		{Score: 2, Branch: "center", At: at(3, 9, 13, 0)},
		{Score: 1, Branch: "mall", At: at(3, 16, 12, 0)},
		{Score: 5, Branch: "mall", At: at(3, 31, 23, 59)},
		{Score: 1, Branch: "mall", At: at(4, 1, 0, 1)}, // April
	}
	s, err := flows.NewStatistics(flows.StatsDeps{Store: db, Config: cfg, Ratings: ratings})
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.Stats(ctx, cardbot.StatsQuery{From: cardbot.Date{Year: 2026, Month: 3, Day: 1}, To: cardbot.Date{Year: 2026, Month: 3, Day: 31}, Group: cardbot.GroupWeek})
	if err != nil {
		t.Fatal(err)
	}

	// Revenue: A 1,000 + 500 (the 300 was cancelled), B 2,000, C 400; D bought in April.
	want := cardbot.StatsFigures{Revenue: 390000, Purchases: 4, NewClients: 4, CardsIssued: 3}
	if st.Summary != want {
		t.Errorf("summary %+v, want %+v", st.Summary, want)
	}
	if st.Clients != (cardbot.ClientTotalStats{Total: 5, WithCard: 4}) {
		t.Errorf("clients %+v, want 5 by the end of March, 4 of them with a card", st.Clients)
	}
	// Points of bonus cards: accrued 50 + 25 (A) + 30 by hand + 100 (B); redeemed 100 (A); welcome
	// 100 each for B and E; 10 expired. The stamp card's purchase adds stamps, not points.
	ops := st.Operations
	if ops.Accrued != 20500 || ops.Redeemed != 10000 || ops.Welcome != 20000 || ops.Expired != 1000 || ops.Cancelled != 1 {
		t.Errorf("operations %+v, want accrued 205, redeemed 100, welcome 200, expired 10, 1 cancelled", ops)
	}
	wantCounts := map[cardbot.OpType]int{cardbot.OpPurchase: 4, cardbot.OpIssue: 2, cardbot.OpAccrue: 1, cardbot.OpExpire: 1}
	if len(ops.Counts) != len(wantCounts) {
		t.Errorf("operation counts %v, want %v", ops.Counts, wantCounts)
	}
	for k, v := range wantCounts {
		if ops.Counts[k] != v {
			t.Errorf("operation counts %v, want %v", ops.Counts, wantCounts)
		}
	}
	// B and C came by A's link, E by B's: 3 brought by 2 referrers; B's 2,000 and C's 400 are theirs.
	if st.Referrals != (cardbot.ReferralStats{ClientsBrought: 3, Referrers: 2, Revenue: 240000, Purchases: 2}) {
		t.Errorf("referrals %+v", st.Referrals)
	}
	wantPrograms := []cardbot.ProgramStats{
		{ProgramID: "bonus", Name: "Бонусная карта", Type: cardbot.Bonus, CardsIssued: 2, Cards: 3, Clients: 3},
		{ProgramID: "coffee", Name: "Кофейная карта", Type: cardbot.Stamp, CardsIssued: 1, Cards: 1, Clients: 1},
	}
	if !slices.Equal(st.Programs, wantPrograms) {
		t.Errorf("programmes %+v\nwant %+v", st.Programs, wantPrograms)
	}
	// 1 March is a Sunday: the first week is that one day, then Monday-to-Sunday weeks, and the last
	// is cut at 31 March.
	type pt struct {
		label             string
		revenue           cardbot.Amount
		newClients, cards int
		accrued, redeemed cardbot.Amount
		ratings           int
		avg               float64
	}
	wantSeries := []pt{
		{"2026-W09", 0, 1, 1, 0, 0, 0, 0},
		{"2026-W10", 100000, 2, 1, 5000, 0, 1, 5},
		{"2026-W11", 90000, 1, 1, 5500, 10000, 2, 3},
		{"2026-W12", 0, 0, 0, 0, 0, 1, 1},
		{"2026-W13", 0, 0, 0, 0, 0, 0, 0},
		{"2026-W14", 200000, 0, 0, 10000, 0, 1, 5},
	}
	var got []pt
	for _, p := range st.Series {
		got = append(got, pt{p.Label, p.Revenue, p.NewClients, p.CardsIssued, p.Accrued, p.Redeemed, p.Ratings, p.RatingAverage})
	}
	if !slices.Equal(got, wantSeries) {
		t.Errorf("series\n got %v\nwant %v", got, wantSeries)
	}
	if !st.Series[1].Start.Equal(at(3, 2, 0, 0)) || !st.From.Equal(at(3, 1, 0, 0)) || !st.To.Equal(at(4, 1, 0, 0)) {
		t.Errorf("period %v to %v, second week from %v", st.From, st.To, st.Series[1].Start)
	}
	// Ratings: 5, 4, 2, 1, 5 in March (3.4 on average), two of them negative (3 or less).
	wantRatings := cardbot.RatingStats{Average: 3.4, Count: 5, Negative: 2, ByBranch: []cardbot.BranchRating{
		{Branch: "center", Average: 3.67, Count: 3, Negative: 1},
		{Branch: "mall", Average: 3, Count: 2, Negative: 1},
	}}
	if r := st.Ratings; r == nil || r.Average != wantRatings.Average || r.Count != 5 || r.Negative != 2 || !slices.Equal(r.ByBranch, wantRatings.ByBranch) {
		t.Errorf("ratings %+v, want %+v", st.Ratings, wantRatings)
	}

	// By month, the same figures fall in one point; without a ratings source there are no ratings.
	s, _ = flows.NewStatistics(flows.StatsDeps{Store: db, Config: cfg})
	month, err := s.Stats(ctx, cardbot.StatsQuery{From: cardbot.Date{Year: 2026, Month: 3, Day: 1}, To: cardbot.Date{Year: 2026, Month: 3, Day: 31}, Group: cardbot.GroupMonth})
	if err != nil {
		t.Fatal(err)
	}
	if len(month.Series) != 1 || month.Series[0].StatsFigures != want || month.Ratings != nil {
		t.Errorf("by month: %+v, ratings %v", month.Series, month.Ratings)
	}
	if _, err := s.Stats(ctx, cardbot.StatsQuery{From: cardbot.Date{Year: 2026, Month: 3, Day: 2}, To: cardbot.Date{Year: 2026, Month: 3, Day: 1}}); cardbot.CodeOf(err) != cardbot.Invalid {
		t.Errorf("a period that ends before it begins: %v", err)
	}

	// A programme the owner added in the admin page (the wallet's, not config.yaml's) is listed.
	inForce := append(slices.Clone(cfg.Programs), cardbot.Program{ID: "vip", Name: "VIP", Type: cardbot.Discount})
	s, _ = flows.NewStatistics(flows.StatsDeps{Store: db, Config: cfg, Programs: func() []cardbot.Program { return inForce }})
	withVIP, err := s.Stats(ctx, cardbot.StatsQuery{From: cardbot.Date{Year: 2026, Month: 3, Day: 1}, To: cardbot.Date{Year: 2026, Month: 3, Day: 31}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(withVIP.Programs, func(p cardbot.ProgramStats) bool { return p.ProgramID == "vip" && p.Name == "VIP" }) {
		t.Errorf("programmes %+v lack the one added in the admin page", withVIP.Programs)
	}
}
