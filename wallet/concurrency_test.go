package wallet_test

import (
	"math/rand/v2"
	"sync"
	"testing"

	"cardbot"
)

// busyProgram is a bonus programme where every rule is in play: cashback, a redemption limit and
// expiring points (the clock stands still, so nothing expires and the lots must hold every point).
func busyProgram() cardbot.Program {
	return cardbot.Program{ID: "busy", Name: "Busy", Type: cardbot.Bonus, Cashback: 500, WelcomeBonus: rub("500"),
		MaxRedeemPercent: 5000, PointsExpireDays: 365}
}

// 1,000 goroutines buy and redeem on one card at once, each in its own Update (the store commits them
// in groups and may run a function twice). Whatever interleaving happens, the books must balance.
func TestConcurrentOperationsOnOneCard(t *testing.T) {
	cfg := testConfig()
	cfg.Programs = append(cfg.Programs, busyProgram())
	e := newEnvWith(t, cfg)
	card := e.issue("busy").Card

	var (
		mu                        sync.Mutex
		accrued, redeemed, spend  cardbot.Amount
		applied, refused, unknown int
		wg                        sync.WaitGroup
	)
	for i := range 1000 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			var req cardbot.OperationRequest
			// Two in three are purchases (half of them paid partly with up to 300 points), one in three
			// redeems up to 400 points: the balance hovers near zero and about a third find it short.
			switch sum := cardbot.Amount(10_000 + rng.IntN(300_000)); rng.IntN(6) {
			case 0, 1:
				req = cardbot.OperationRequest{Type: cardbot.OpPurchase, Purchase: sum}
			case 2, 3:
				redeem := cardbot.Amount(rng.Int64N(min(30_000, int64(sum)/2)))
				req = cardbot.OperationRequest{Type: cardbot.OpPurchase, Purchase: sum, Redeem: redeem}
			default:
				req = cardbot.OperationRequest{Type: cardbot.OpRedeem, Amount: cardbot.Amount(1 + rng.IntN(40_000))}
			}
			res, err := e.tryApply(card.ID, req)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				applied++
				accrued += res.Operation.Accrued
				redeemed += res.Operation.Redeemed
				spend += res.Operation.Purchase
			case cardbot.CodeOf(err) == cardbot.Conflict:
				refused++ // not enough points at that moment
			default:
				unknown++
				t.Errorf("%+v: %v", req, err)
			}
		})
	}
	wg.Wait()

	final := e.card(card.ID)
	ledger := e.ledger(card.ID)
	checkLedger(t, final, ledger)
	if want := int64(rub("500") + accrued - redeemed); final.Balance != want {
		t.Fatalf("balance %d, want welcome + accrued - redeemed = %d", final.Balance, want)
	}
	if final.TotalSpend != spend || len(ledger) != 1+applied {
		t.Fatalf("spend %s (want %s), %d entries (want %d)", final.TotalSpend, spend, len(ledger), 1+applied)
	}
	var inLots cardbot.Amount
	for _, l := range final.Lots {
		inLots += l.Left
	}
	if int64(inLots) != final.Balance {
		t.Fatalf("lots hold %s, balance %d", inLots, final.Balance)
	}
	t.Logf("%d applied, %d refused for lack of points, final balance %s in %d lots",
		applied, refused, cardbot.Amount(final.Balance), len(final.Lots))
}

// recorder is a testing.TB that only notes whether a check failed.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }

// The ledger check used after every scenario must notice a card that drifted from its ledger.
func TestLedgerCheckCatchesDrift(t *testing.T) {
	e := newEnv(t)
	card := e.issue("bonus").Card
	e.apply(card.ID, purchase("100"))
	drifted := e.card(card.ID)
	drifted.Balance++
	r := &recorder{TB: t}
	checkLedger(r, drifted, e.ledger(card.ID))
	if !r.failed {
		t.Fatal("a balance one kopeck off the ledger passed the check")
	}
}
