package flows_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
)

// BenchmarkFirstContact measures first contacts: a new user writes, and Handle returns once the
// client, the card with its welcome entry, the conversation and both replies are committed.
// serial is one customer at a time (one commit each); parallel is many at once, which the store's
// group commit batches.
func BenchmarkFirstContact(b *testing.B) {
	for _, mode := range []string{"serial", "parallel"} {
		b.Run(mode, func(b *testing.B) {
			e := newEnv(b)
			var user atomic.Int64
			contact := func() {
				in := e.inbound(fmt.Sprint(user.Add(1)), "привет")
				if err := e.eng.Handle(context.Background(), in); err != nil {
					b.Error(err)
				}
			}
			b.ResetTimer()
			if mode == "serial" {
				for b.Loop() {
					contact()
				}
			} else {
				b.SetParallelism(16) // 16 × GOMAXPROCS customers writing at once
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						contact()
					}
				})
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "contacts/s")
		})
	}
}
