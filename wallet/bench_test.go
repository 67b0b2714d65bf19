package wallet_test

import (
	"sync/atomic"
	"testing"

	"cardbot"
)

// callersPerCPU sets how many goroutines per GOMAXPROCS the parallel benchmarks run. Callers of the
// wallet mostly wait on the disk, not the CPU, so a busy service has many more of them than CPUs, and
// that is what lets the store group their commits.
const callersPerCPU = 16

// newClients creates n clients in batches and returns their ids.
func (e *env) newClients(n int) []uint64 {
	e.tb.Helper()
	ids := make([]uint64, 0, n)
	for len(ids) < n {
		var batch []uint64
		e.update(func(tx cardbot.Tx) error {
			batch = batch[:0]
			for range min(1000, n-len(ids)) {
				c := &cardbot.Client{Name: "bench"}
				if err := tx.CreateClient(c); err != nil {
					return err
				}
				batch = append(batch, c.ID)
			}
			return nil
		})
		ids = append(ids, batch...)
	}
	return ids
}

// BenchmarkIssue issues a bonus card with a welcome bonus to a fresh client, one card per Update:
// the one-card check, a random Luhn number with its collision check, the card, the opening entry and
// the client, committed. Parallel callers share commits through the store's group commit.
func BenchmarkIssue(b *testing.B) {
	run := func(b *testing.B, parallel bool) {
		e := newEnvWith(b, withNumbers(cardbot.CardNumberRules{Length: 10, Mode: cardbot.NumbersRandom, Luhn: true}))
		clients := e.newClients(b.N)
		var next atomic.Int64
		issue := func() {
			client := clients[next.Add(1)-1]
			if _, err := e.tryIssue(client, "bonus"); err != nil {
				b.Error(err)
			}
		}
		b.ResetTimer()
		if !parallel {
			for range b.N {
				issue()
			}
			return
		}
		b.SetParallelism(callersPerCPU)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				issue()
			}
		})
	}
	b.Run("serial", func(b *testing.B) { run(b, false) })
	b.Run("parallel", func(b *testing.B) { run(b, true) })
}

// BenchmarkPurchase applies purchases paid partly with points, each in its own Update, from parallel
// callers: on cards of their own (many tills, many customers) and all on one card (a hot card).
func BenchmarkPurchase(b *testing.B) {
	run := func(b *testing.B, cards int) {
		e := newEnvWith(b, testConfig())
		ids := make([]uint64, cards)
		for i, client := range e.newClients(cards) {
			ids[i] = e.issue("bonus", client).Card.ID
		}
		var next atomic.Int64
		req := cardbot.OperationRequest{Type: cardbot.OpPurchase, Purchase: rub("1000"), Redeem: rub("10"), Actor: "api:bench"}
		b.ResetTimer()
		b.SetParallelism(callersPerCPU)
		b.RunParallel(func(pb *testing.PB) {
			card := ids[int(next.Add(1)-1)%cards]
			for pb.Next() {
				if _, err := e.tryApply(card, req); err != nil {
					b.Error(err)
				}
			}
		})
	}
	b.Run("parallel/own-cards", func(b *testing.B) { run(b, 256) })
	b.Run("parallel/one-card", func(b *testing.B) { run(b, 1) })
}
