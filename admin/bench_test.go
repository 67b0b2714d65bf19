package admin_test

import (
	"fmt"
	"sync/atomic"
	"testing"
)

// BenchmarkPurchaseAPI is a till's purchase through real HTTP, real JSON and the real store, with many
// tills at once (each on its own customer's card), as in a busy shopping centre. Compare ops/s with
// BenchmarkRawBoltCommit in ./store, run in the same command (see BENCHMARKS.md).
func BenchmarkPurchaseAPI(b *testing.B) {
	s := newServer(b)
	const tills = 64
	cards := make([]string, tills)
	for i := range cards {
		cards[i] = s.newClientWithCard(fmt.Sprintf("Покупатель %d", i), "plain")
	}
	var next atomic.Int64
	b.SetParallelism(tills / 2) // 2 cores × 32 = 64 concurrent tills
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		number := cards[next.Add(1)%tills]
		for pb.Next() {
			r := s.operate(number, map[string]any{"type": "purchase", "purchase": 1000})
			if r.Status != 201 {
				b.Errorf("status %d: %s", r.Status, r.Raw)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "purchases/s")
}
