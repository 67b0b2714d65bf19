package admin_test

import (
	"math/rand/v2"
	"sync"
	"testing"
)

// A thousand tills hitting one card at once: purchases with and without points, and plain
// redemptions. Whatever order they land in, the balance equals the ledger and never dips below zero.
func TestConcurrentPurchasesAndRedemptionsKeepTheLedgerExact(t *testing.T) {
	s := newServer(t)
	number := s.newClientWithCard("Нина", "bonus")
	s.operate(number, map[string]any{"type": "accrue", "amount": 2000}).must(t, 201)

	var wg sync.WaitGroup
	statuses := make(chan int, 1000)
	for i := 0; i < 1000; i++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, 7))
			var op map[string]any
			switch rng.IntN(3) {
			case 0:
				op = map[string]any{"type": "purchase", "purchase": 100 + rng.IntN(900)}
			case 1:
				op = map[string]any{"type": "purchase", "purchase": 1000, "redeem": rng.IntN(300)}
			default:
				op = map[string]any{"type": "redeem", "amount": 1 + rng.IntN(200)}
			}
			statuses <- s.operate(number, op).Status
		}(uint64(i))
	}
	wg.Wait()
	close(statuses)
	counts := map[int]int{}
	for st := range statuses {
		counts[st]++
	}
	if counts[201]+counts[409] != 1000 || counts[201] == 0 {
		t.Fatalf("every request is applied (201) or refused for lack of points (409): %v", counts)
	}
	if counts[409] == 0 {
		t.Fatalf("the card never ran short of points, so the test did not press on zero: %v", counts)
	}
	s.checkLedger(number)
	if got := len(s.ledger(number)); got != 2+counts[201] {
		t.Fatalf("ledger has %d entries, want %d", got, 2+counts[201])
	}
}
