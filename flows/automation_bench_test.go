package flows_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"cardbot"
)

// BenchmarkDailyScan measures the jobs that walk every customer or card (birthdays, inactivity,
// points expiring, expiry) over 10,000 customers with cards, when nothing is due: the cost the
// scheduler pays on every tick.
func BenchmarkDailyScan(b *testing.B) {
	e := newEnv(b, func(cfg *cardbot.Config) {
		cfg.Programs[0].PointsExpireDays = 365
		cfg.Birthdays = cardbot.BirthdayConfig{Enabled: true, At: "00:00"}
		cfg.Triggers.Inactive = cardbot.InactiveTrigger{Enabled: true, Days: 60, EveryDays: 60}
		cfg.Triggers.PointsExpiring = cardbot.ExpiringTrigger{Enabled: true, Days: 7, EveryDays: 7}
		cfg.Triggers.At = "00:00"
	})
	const customers = 10_000
	for i := 0; i < customers; i += 500 {
		e.update(func(tx cardbot.Tx) error {
			for j := i; j < i+500; j++ {
				c := &cardbot.Client{Name: "c", Phone: fmt.Sprintf("+7916%07d", j), CreatedAt: e.clock.Now(),
					LastActivityAt: e.clock.Now(), Birthday: &cardbot.Date{Month: time.January, Day: 1 + j%28}}
				if err := tx.CreateClient(c); err != nil {
					return err
				}
				if _, err := e.w.Issue(tx, c.ID, "bonus", "bench"); err != nil {
					return err
				}
			}
			return nil
		})
	}
	s := e.scheduler()
	ctx := context.Background()
	e.clock.Set(time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)) // no birthdays in June, nobody inactive yet
	b.ResetTimer()
	for b.Loop() {
		for _, job := range []string{"birthdays", "expire_points"} {
			if err := s.Run(ctx, job); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/tick")
}
