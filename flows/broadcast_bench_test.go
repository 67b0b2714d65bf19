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
	"cardbot/bot/bottest"
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
// its own 30/s as the Bot API does (limitingFake: a token bucket of one second's worth, a 429 above it).
// It reports the rate between the first and the last delivery, its error against the limit, the 429s,
// and how evenly the sends arrived: the shortest gap between two deliveries and how many came less
// than 1/30 s after the one before (what a bucket of one token would have refused), and the longest
// gap (a stall in which nothing was sent). Goal: within 2 %,
// zero 429.
func BenchmarkBroadcastPacedLimitingFake(b *testing.B) {
	const limit = 30.0
	for range b.N {
		b.StopTimer()
		tg := newLimitingFake("telegram", limit, limit)
		e := openBroadcasts(b, filepath.Join(b.TempDir(), "cardbot.db"), cardbot.SystemClock{}, flows.BroadcastDeps{Window: flows.BroadcastWindow(telegramAt(limit))})
		e.addCardholders(pacedAudience)
		e.poll = 0 // production's
		e.run(map[string]bot.Limit{"telegram": {PerSecond: limit}}, tg)
		b.StartTimer()
		bc := e.start(cardbot.BroadcastSpec{Text: "Hi {{.Name}}"})
		e.waitBroadcast(bc.ID, "is done", func(b *cardbot.Broadcast) bool { return b.Status == cardbot.BroadcastDone })
		b.StopTimer()
		first, last, minGap, maxGap, early := tg.arrivals()
		rate := float64(pacedAudience-1) / last.Sub(first).Seconds()
		b.ReportMetric(rate, "sends/s")
		b.ReportMetric(100*(rate-limit)/limit, "error-%")
		b.ReportMetric(float64(tg.refused.Load()), "429s")
		b.ReportMetric(float64(minGap)/float64(time.Millisecond), "min-gap-ms")
		b.ReportMetric(float64(maxGap)/float64(time.Millisecond), "max-gap-ms")
		b.ReportMetric(float64(early), "gaps<1/rate")
		e.close()
	}
}

// telegramAt is a config with Telegram alone on, paced at rate.
func telegramAt(rate float64) cardbot.Config {
	cfg := cardbot.DefaultConfig()
	cfg.Telegram.Token, cfg.Telegram.RateLimit = "token", rate
	return cfg
}

// limitingFake is a channel that enforces its own rate limit the way the Bot API does, with the rule
// of the dispatcher's own limiting fake (bot's bucketSender) and of the fake Bot API: a token bucket of
// rate and burst, a send it has no token for refused with a 429 whose retry_after is the wait for the
// next token rounded up to whole seconds, as Telegram's is. A refused send is not delivered.
//
// A burst of one second's worth is Telegram's "about 30 messages per second". A burst of one would
// refuse every send that arrives less than 1/rate after the one before, which no sender can promise:
// the dispatcher spaces the moments it lets sends go (pacer.claim, 1/rate + 0.75 % apart), but a send
// reaches the channel a little later, later still when its thread is descheduled under load, and the
// next one then arrives early by as much. The real API sees the network's jitter on top. How evenly the
// sends arrived is reported instead: the shortest gap, and the gaps under 1/rate.
type limitingFake struct {
	*deliveries
	rate    float64
	bucket  *bottest.Bucket
	refused atomic.Int64

	mu          sync.Mutex
	first, prev time.Time // the first and the last send delivered
	minGap      time.Duration
	maxGap      time.Duration
	early       int
}

func newLimitingFake(channel string, rate, burst float64) *limitingFake {
	return &limitingFake{deliveries: newDeliveries(channel), rate: rate, bucket: bottest.NewBucket(rate, burst)}
}

func (f *limitingFake) Send(ctx context.Context, out cardbot.Outgoing) error {
	if wait := f.take(); wait > 0 {
		f.refused.Add(1)
		return &cardbot.SendError{RetryAfter: bottest.RetryAfter(wait), Reason: "Too Many Requests"}
	}
	return f.deliveries.Send(ctx, out)
}

// take asks the bucket for a token and, given one, notes the gap to the delivery before; under one
// lock, so deliveries are noted in the order they took their tokens.
func (f *limitingFake) take() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now()
	if wait := f.bucket.Take(now); wait > 0 {
		return wait
	}
	if f.first.IsZero() {
		f.first = now
	} else {
		gap := now.Sub(f.prev)
		if f.minGap == 0 || gap < f.minGap {
			f.minGap = gap
		}
		f.maxGap = max(f.maxGap, gap)
		if gap.Seconds()*f.rate < 1 {
			f.early++
		}
	}
	f.prev = now
	return 0
}

// arrivals returns the first and the last delivery, the shortest and the longest gap between two, and
// how many gaps were shorter than 1/rate.
func (f *limitingFake) arrivals() (first, last time.Time, minGap, maxGap time.Duration, early int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.first, f.prev, f.minGap, f.maxGap, f.early
}
