package flows_test

import (
	"context"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cardbot"
	"cardbot/bot"
	"cardbot/flows"
)

// benchAudience is the size of the broadcast the benchmarks send.
const benchAudience = 100_000

// addCardholders creates n clients on Telegram, each with a bonus card and a purchase on it, so the
// snapshot reads what a real audience has: clients, cards and (for a last-operation segment) ledger.
func (e *bcEnv) addCardholders(n int) {
	e.t.Helper()
	for from := 0; from < n; from += 2000 {
		err := e.db.Update(context.Background(), func(tx cardbot.Tx) error {
			for i := from; i < min(from+2000, n); i++ {
				c := &cardbot.Client{
					Name:     "Client " + strconv.Itoa(i),
					Channels: []cardbot.Address{{Channel: "telegram", ID: "tg" + strconv.Itoa(i)}},
					Consent:  cardbot.Consent{PersonalData: true, Marketing: true},
				}
				if err := tx.CreateClient(c); err != nil {
					return err
				}
				card := &cardbot.Card{Number: strconv.Itoa(10_000_000 + i), ClientID: c.ID, ProgramID: "bonus",
					Type: cardbot.Bonus, Status: cardbot.CardActive, Balance: int64(i % 50_000), IssuedAt: bcNow}
				if err := tx.CreateCard(card); err != nil {
					return err
				}
				op := &cardbot.Operation{CardID: card.ID, ClientID: c.ID, Type: cardbot.OpPurchase, Purchase: 50000, At: bcNow.Add(-time.Duration(i) * time.Minute)}
				if err := tx.AppendOperation(op); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			e.t.Fatal(err)
		}
	}
}

// BenchmarkBroadcastSnapshot measures Start on an audience of 100,000 card holders: the segment is
// evaluated in one read transaction and the recipients written in batches. The goal is < 3 s.
// "bonus-programme" is a plain card condition; "last-visit" also reads each card's ledger.
func BenchmarkBroadcastSnapshot(b *testing.B) {
	e := openBroadcasts(b, filepath.Join(b.TempDir(), "cardbot.db"), cardbot.NewManualClock(bcNow), flows.BroadcastDeps{})
	e.addCardholders(benchAudience)
	for _, bc := range []struct {
		name string
		seg  cardbot.Segment
	}{
		{"bonus-programme", cardbot.Segment{Programs: []string{"bonus"}}},
		{"last-visit", cardbot.Segment{Programs: []string{"bonus"}, LastOperationFrom: bcNow.AddDate(-1, 0, 0)}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var took time.Duration
			for range b.N {
				created, err := e.bc.Create(context.Background(), cardbot.BroadcastSpec{Text: "Hi {{.Name}}", Segment: bc.seg})
				if err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				started, err := e.bc.Start(context.Background(), created.ID)
				took += time.Since(start)
				if err != nil || started.Progress.Total != benchAudience {
					b.Fatalf("Start: %v, %d recipients", err, started.Progress.Total)
				}
				// Cancel, so the next iteration is not slowed by this one's rows.
				if _, err := e.bc.Cancel(context.Background(), created.ID); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(took.Seconds()/float64(b.N), "s/snapshot")
			b.ReportMetric(float64(benchAudience*b.N)/took.Seconds(), "recipients/s")
		})
	}
}

// BenchmarkBroadcastSendUnlimited sends a broadcast of 100,000 recipients through the dispatcher to
// a fake channel without a limit, from Start to the last outcome read back.
func BenchmarkBroadcastSendUnlimited(b *testing.B) {
	for range b.N {
		b.StopTimer()
		tg := newDeliveries("telegram")
		e := openBroadcasts(b, filepath.Join(b.TempDir(), "cardbot.db"), cardbot.SystemClock{}, flows.BroadcastDeps{})
		e.addCardholders(benchAudience)
		e.poll = 0 // production's
		e.run(nil, tg)
		b.StartTimer()
		start := time.Now()
		bc := e.start(cardbot.BroadcastSpec{Text: "Hi {{.Name}}, you have {{.Balance}} points"})
		snap := time.Since(start)
		e.waitBroadcast(bc.ID, "is done", func(b *cardbot.Broadcast) bool { return b.Status == cardbot.BroadcastDone })
		took := time.Since(start)
		b.StopTimer()
		if tg.count() != benchAudience {
			b.Fatalf("%d delivered, want %d", tg.count(), benchAudience)
		}
		b.ReportMetric(snap.Seconds(), "s/snapshot")
		b.ReportMetric(float64(benchAudience)/took.Seconds(), "msgs/s")
		b.ReportMetric(float64(benchAudience)/(took-snap).Seconds(), "msgs/s-after-snapshot")
		e.close()
	}
}

// pacedAudience is how many recipients the paced benchmark sends: at 30/s, 900 intervals take 30 s
// (100,000 would take 55 minutes; the pacing is the same at any length).
const pacedAudience = 901

// BenchmarkBroadcastPacedLimitingFake sends a broadcast through a channel paced at 30/s that enforces
// its own 30/s in the strictest way (a bucket of one token: a send closer than 1/30 s to the one
// before draws a 429). It reports the rate between the first and the last delivery, its error
// against the limit, and the 429s. Goal: within 2 %, zero 429.
func BenchmarkBroadcastPacedLimitingFake(b *testing.B) {
	const limit = 30.0
	for range b.N {
		b.StopTimer()
		tg := &limitingFake{deliveries: newDeliveries("telegram"), every: time.Second / time.Duration(limit)}
		e := openBroadcasts(b, filepath.Join(b.TempDir(), "cardbot.db"), cardbot.SystemClock{}, flows.BroadcastDeps{Window: flows.BroadcastWindow(telegramAt(limit))})
		e.addCardholders(pacedAudience)
		e.poll = 0 // production's
		e.run(map[string]bot.Limit{"telegram": {PerSecond: limit}}, tg)
		b.StartTimer()
		bc := e.start(cardbot.BroadcastSpec{Text: "Hi {{.Name}}"})
		e.waitBroadcast(bc.ID, "is done", func(b *cardbot.Broadcast) bool { return b.Status == cardbot.BroadcastDone })
		b.StopTimer()
		first, last := tg.span()
		rate := float64(pacedAudience-1) / last.Sub(first).Seconds()
		b.ReportMetric(rate, "sends/s")
		b.ReportMetric(100*(rate-limit)/limit, "error-%")
		b.ReportMetric(float64(tg.refused.Load()), "429s")
		e.close()
	}
}

// telegramAt is a config with Telegram alone on, paced at rate.
func telegramAt(rate float64) cardbot.Config {
	cfg := cardbot.DefaultConfig()
	cfg.Telegram.Token, cfg.Telegram.RateLimit = "token", rate
	return cfg
}

// limitingFake refuses with a 429 a send that comes less than every after the last one it took.
type limitingFake struct {
	*deliveries
	every   time.Duration
	refused atomic.Int64

	mu          sync.Mutex
	first, last time.Time
}

func (f *limitingFake) Send(ctx context.Context, out cardbot.Outgoing) error {
	f.mu.Lock()
	now := time.Now()
	if !f.last.IsZero() && now.Sub(f.last) < f.every {
		f.mu.Unlock()
		f.refused.Add(1)
		return &cardbot.SendError{RetryAfter: time.Second, Reason: "Too Many Requests"}
	}
	if f.first.IsZero() {
		f.first = now
	}
	f.last = now
	f.mu.Unlock()
	return f.deliveries.Send(ctx, out)
}

func (f *limitingFake) span() (time.Time, time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.first, f.last
}
