package flows_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"cardbot"
	"cardbot/bot"
	"cardbot/flows"
	"cardbot/store"
)

// deliveries is a fake channel: it records every message it accepts, refuses for good the addresses
// in blocked, and, when tokens is set, lets a send through only for a token (a closed channel: all).
type deliveries struct {
	channel string
	blocked func(to string) bool
	tokens  chan struct{}
	record  func(channel, to string) // also told of every accepted send, when set

	mu  sync.Mutex
	got map[string][]cardbot.Outgoing
	n   int
}

func newDeliveries(channel string) *deliveries {
	return &deliveries{channel: channel, got: map[string][]cardbot.Outgoing{}}
}

func (d *deliveries) Channel() string { return d.channel }

func (d *deliveries) Send(ctx context.Context, out cardbot.Outgoing) error {
	if d.blocked != nil && d.blocked(out.To) {
		return &cardbot.SendError{Permanent: true, Reason: "Forbidden: bot was blocked by the user"}
	}
	if d.tokens != nil {
		select {
		case <-d.tokens:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if d.record != nil {
		d.record(d.channel, out.To)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.got[out.To] = append(d.got[out.To], out)
	d.n++
	return nil
}

func (d *deliveries) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.n
}

func (d *deliveries) to(addr string) []cardbot.Outgoing {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]cardbot.Outgoing(nil), d.got[addr]...)
}

// bcEnv is a store, a dispatcher with fake channels and the broadcasts, all running.
type bcEnv struct {
	t     testing.TB
	db    *store.DB
	clock cardbot.Clock
	cfg   cardbot.Config
	bc    *flows.Broadcasts
	d     *bot.Dispatcher
	stop  func()
	// poll is the dispatcher's Options.Poll: short in tests that wait for it, the default (1 s, as
	// in production) where pacing is measured, since it sets how far ahead rows wait in memory.
	poll time.Duration
	// quiet are the dispatcher's quiet hours (none by default).
	quiet bot.QuietHours
}

var bcNow = time.Date(2026, 6, 10, 12, 0, 0, 0, time.UTC)

func bcConfig() cardbot.Config {
	cfg := cardbot.DefaultConfig()
	cfg.Programs = testPrograms()
	return cfg
}

// openBroadcasts opens the database at path with the broadcasts but runs nothing.
func openBroadcasts(t testing.TB, path string, clock cardbot.Clock, deps flows.BroadcastDeps) *bcEnv {
	t.Helper()
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	e := &bcEnv{t: t, db: db, clock: clock, cfg: bcConfig(), poll: 20 * time.Millisecond}
	deps.Store, deps.Clock, deps.Config = db, clock, e.cfg
	deps.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	deps.Wake = func() {
		if e.d != nil {
			e.d.Wake()
		}
	}
	if e.bc, err = flows.NewBroadcasts(context.Background(), deps); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.close)
	return e
}

// newBroadcastEnv runs broadcasts and a dispatcher on a fresh database.
func newBroadcastEnv(t testing.TB, deps flows.BroadcastDeps, senders ...cardbot.Sender) *bcEnv {
	e := openBroadcasts(t, filepath.Join(t.TempDir(), "cardbot.db"), cardbot.NewManualClock(bcNow), deps)
	e.run(nil, senders...)
	return e
}

// run starts the dispatcher (with the broadcasts as its gate and image source) and the broadcast loop.
// limits paces channels (nil: none).
func (e *bcEnv) run(limits map[string]bot.Limit, senders ...cardbot.Sender) {
	ctx, cancel := context.WithCancel(context.Background())
	e.d = bot.New(e.db, e.clock, senders, nil, nil, bot.Options{
		Poll: e.poll, Workers: crashWorkers, Unsaved: crashUnsaved, Gate: e.bc, Images: e.bc,
		Cascade: []string{"telegram", "sms"}, Limits: limits, QuietHours: e.quiet,
	})
	var wg sync.WaitGroup
	wg.Go(func() { e.d.Run(ctx) })
	wg.Go(func() { e.bc.Run(ctx) })
	e.stop = func() { cancel(); wg.Wait() }
}

func (e *bcEnv) close() {
	if e.stop != nil {
		e.stop()
		e.stop = nil
	}
	if e.db != nil {
		e.db.Close()
		e.db = nil
	}
}

// addClients creates n clients with a Telegram chat "tg<i>" and, for those phone says yes to, a phone;
// consent to marketing unless optOut says no. It returns their ids in order.
func (e *bcEnv) addClients(n int, phone, optOut func(i int) bool) []uint64 {
	e.t.Helper()
	ids := make([]uint64, 0, n)
	for from := 0; from < n; from += 2000 {
		err := e.db.Update(context.Background(), func(tx cardbot.Tx) error {
			ids = ids[:from]
			for i := from; i < min(from+2000, n); i++ {
				c := &cardbot.Client{
					Name:     "Client " + strconv.Itoa(i),
					Channels: []cardbot.Address{{Channel: "telegram", ID: "tg" + strconv.Itoa(i)}},
					Consent:  cardbot.Consent{PersonalData: true, Marketing: optOut == nil || !optOut(i)},
				}
				if phone != nil && phone(i) {
					c.Phone = "+7900" + strconv.Itoa(1000000+i)
				}
				if err := tx.CreateClient(c); err != nil {
					return err
				}
				ids = append(ids, c.ID)
			}
			return nil
		})
		if err != nil {
			e.t.Fatal(err)
		}
	}
	return ids
}

func (e *bcEnv) get(id uint64) *cardbot.Broadcast {
	e.t.Helper()
	b, err := e.bc.Get(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

func (e *bcEnv) recipients(id uint64) []*cardbot.Recipient {
	e.t.Helper()
	rs, err := e.bc.Recipients(context.Background(), id, 0, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return rs
}

// waitBroadcast waits until the broadcast satisfies ok.
func (e *bcEnv) waitBroadcast(id uint64, what string, ok func(*cardbot.Broadcast) bool) *cardbot.Broadcast {
	e.t.Helper()
	deadline := time.Now().Add(3 * time.Minute) // only a hang: a loaded machine sends slowly
	for {
		b := e.get(id)
		if ok(b) {
			return b
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out waiting until broadcast %d %s; it is %s with %+v", id, what, b.Status, b.Progress)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func waitUntil(t testing.TB, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// sale is a plain broadcast to everybody.
func sale(text string) cardbot.BroadcastSpec {
	return cardbot.BroadcastSpec{Name: "sale", Text: text}
}

func (e *bcEnv) start(spec cardbot.BroadcastSpec) *cardbot.Broadcast {
	e.t.Helper()
	ctx := context.Background()
	b, err := e.bc.Create(ctx, spec)
	if err != nil {
		e.t.Fatal(err)
	}
	if b, err = e.bc.Start(ctx, b.ID); err != nil {
		e.t.Fatal(err)
	}
	return b
}

// checkTotals checks the invariant of the counters.
func checkTotals(t testing.TB, b *cardbot.Broadcast) {
	t.Helper()
	p := b.Progress
	if sum := p.Pending + p.Enqueued + p.Sent + p.Failed + p.Skipped + p.Cancelled; sum != p.Total {
		t.Fatalf("broadcast %d counters add up to %d, total %d: %+v", b.ID, sum, p.Total, p)
	}
}
