package bot_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cardbot"
	"cardbot/bot"
	"cardbot/bot/bottest"
	"cardbot/store"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// Channel answers the tests make fakes give.
var (
	errBlocked       = &cardbot.SendError{Permanent: true, Reason: "Forbidden: bot was blocked by the user"}
	errNotOnWhatsApp = &cardbot.SendError{Permanent: true, Reason: "not on WhatsApp"}
	errFlaky         = errors.New("connection reset by peer")
)

func tooMany(after time.Duration) error {
	return &cardbot.SendError{RetryAfter: after, Reason: "Too Many Requests"}
}

// call is one Send a fake saw.
type call struct {
	out cardbot.Outgoing
	at  time.Time
	err error
}

// fakeSender is a channel that records what it is given and answers as told.
type fakeSender struct {
	channel string
	jitter  time.Duration // each Send takes up to this long, to shake out ordering bugs

	mu      sync.Mutex
	calls   []call
	plans   map[string][]error // answers of the next sends to an address ("": to anyone), in order
	gate    chan struct{}      // when set, Send waits for it to close (or its ctx to end)
	entered chan struct{}      // gets a value when a Send starts
	onSend  func()             // called after each accepted send
}

func newFake(channel string) *fakeSender {
	return &fakeSender{channel: channel, plans: map[string][]error{}, entered: make(chan struct{}, 1<<16)}
}

// fourFakes are one fake for each channel, in the default cascade order.
func fourFakes() (tg, wa, sms, email *fakeSender) {
	return newFake("telegram"), newFake("whatsapp"), newFake("sms"), newFake("email")
}

func (f *fakeSender) Channel() string { return f.channel }

func (f *fakeSender) Send(ctx context.Context, out cardbot.Outgoing) error {
	// Tests that wait for a send to start read entered; benchmarks send more than it holds and read
	// none, so a full channel drops the signal rather than blocking every send.
	select {
	case f.entered <- struct{}{}:
	default:
	}
	f.mu.Lock()
	gate, jitter := f.gate, f.jitter
	f.mu.Unlock()
	if jitter > 0 {
		time.Sleep(rand.N(jitter))
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	f.mu.Lock()
	err := f.answer(out.To)
	f.calls = append(f.calls, call{out: out, at: time.Now(), err: err})
	onSend := f.onSend
	f.mu.Unlock()
	if err == nil && onSend != nil {
		onSend()
	}
	return err
}

// answer takes the planned answer for a send to the address. f.mu is held.
func (f *fakeSender) answer(to string) error {
	for _, key := range []string{to, ""} {
		if plan := f.plans[key]; len(plan) > 0 {
			f.plans[key] = plan[1:]
			return plan[0]
		}
	}
	return nil
}

// failNext makes the next n sends answer err.
func (f *fakeSender) failNext(n int, err error) { f.failNextTo("", n, err) }

// failNextTo makes the next n sends to one address answer err.
func (f *fakeSender) failNextTo(to string, n int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.plans[to] = append(f.plans[to], err)
	}
}

func (f *fakeSender) hold() chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gate = make(chan struct{})
	return f.gate
}

func (f *fakeSender) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// accepted lists the messages the channel took, in the order it took them.
func (f *fakeSender) accepted() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ok []call
	for _, c := range f.calls {
		if c.err == nil {
			ok = append(ok, c)
		}
	}
	return ok
}

func texts(calls []call) []string {
	var s []string
	for _, c := range calls {
		s = append(s, c.out.Text)
	}
	return s
}

// fakePictures renders "png-<card id>", or fails for the cards in broken.
type fakePictures struct{ broken map[uint64]bool }

func (p fakePictures) CardPicture(_ context.Context, id uint64) ([]byte, error) {
	if p.broken[id] {
		return nil, errors.New("renderer out of fonts")
	}
	return fmt.Appendf(nil, "png-%d", id), nil
}

// harness is a database and a running dispatcher, stopped and closed when the test ends.
type harness struct {
	t     testing.TB
	path  string
	db    *store.DB
	clock *cardbot.ManualClock // the dispatcher's clock, unless the harness runs on the wall clock
	now   cardbot.Clock        // the dispatcher's clock
	d     *bot.Dispatcher
	stop  func()
	// beforeRun, when set, adjusts each dispatcher before it runs.
	beforeRun func(*bot.Dispatcher)
}

// newHarness runs a dispatcher on a manual clock standing at t0.
func newHarness(t testing.TB, opt bot.Options, senders ...cardbot.Sender) *harness {
	return newHarnessAt(t, t0, opt, senders...)
}

// newHarnessAt runs a dispatcher on a manual clock standing at the given time.
func newHarnessAt(t testing.TB, at time.Time, opt bot.Options, senders ...cardbot.Sender) *harness {
	clock := cardbot.NewManualClock(at)
	h := newHarnessOn(t, clock, opt, senders...)
	h.clock = clock
	return h
}

// newHarnessOn runs a dispatcher on the given clock.
func newHarnessOn(t testing.TB, clock cardbot.Clock, opt bot.Options, senders ...cardbot.Sender) *harness {
	h := openHarness(t, clock)
	h.start(opt, senders...)
	return h
}

// openHarness opens the database only; start runs the dispatcher.
func openHarness(t testing.TB, clock cardbot.Clock) *harness {
	h := &harness{t: t, path: filepath.Join(t.TempDir(), "cardbot.db"), now: clock}
	h.open()
	t.Cleanup(h.close)
	return h
}

func (h *harness) open() {
	db, err := store.Open(h.path)
	if err != nil {
		h.t.Fatalf("store.Open: %v", err)
	}
	h.db = db
}

// start runs a new dispatcher on the harness's database.
func (h *harness) start(opt bot.Options, senders ...cardbot.Sender) {
	ctx, cancel := context.WithCancel(context.Background())
	h.d = bot.New(h.db, h.now, senders, fakePictures{broken: map[uint64]bool{13: true}}, nil, opt)
	if h.beforeRun != nil {
		h.beforeRun(h.d)
	}
	ran := make(chan error, 1)
	go func() { ran <- h.d.Run(ctx) }()
	h.stop = func() {
		cancel()
		if err := <-ran; err != nil {
			h.t.Errorf("Run: %v", err)
		}
	}
}

// close stops the dispatcher and closes the database, as a process exit would.
func (h *harness) close() {
	if h.stop != nil {
		h.stop()
		h.stop = nil
	}
	if h.db != nil {
		_ = h.db.Close()
		h.db = nil
	}
}

// restart closes everything and runs a new dispatcher on the same file.
func (h *harness) restart(opt bot.Options, senders ...cardbot.Sender) {
	h.close()
	h.open()
	h.start(opt, senders...)
}

func (h *harness) update(fn func(cardbot.Tx) error) {
	h.t.Helper()
	if err := h.db.Update(context.Background(), fn); err != nil {
		h.t.Fatalf("Update: %v", err)
	}
}

func (h *harness) client(c cardbot.Client) *cardbot.Client {
	h.t.Helper()
	h.update(func(tx cardbot.Tx) error { return tx.CreateClient(&c) })
	return &c
}

// enqueue commits the messages in one transaction, wakes the dispatcher and returns their ids.
func (h *harness) enqueue(ms ...cardbot.Message) []uint64 {
	h.t.Helper()
	ids := make([]uint64, len(ms))
	h.update(func(tx cardbot.Tx) error {
		for i := range ms {
			m := ms[i]
			m.CreatedAt = h.now.Now()
			if err := tx.EnqueueMessage(&m); err != nil {
				return err
			}
			ids[i] = m.ID
		}
		return nil
	})
	if h.d != nil {
		h.d.Wake()
	}
	return ids
}

func (h *harness) message(id uint64) *cardbot.Message {
	h.t.Helper()
	var m *cardbot.Message
	if err := h.db.View(context.Background(), func(tx cardbot.Tx) error {
		var err error
		m, err = tx.Message(id)
		return err
	}); err != nil {
		h.t.Fatalf("Message %d: %v", id, err)
	}
	return m
}

// waitMessage waits until the row satisfies ok and returns it.
func (h *harness) waitMessage(id uint64, what string, ok func(*cardbot.Message) bool) *cardbot.Message {
	h.t.Helper()
	var m *cardbot.Message
	eventually(h.t, fmt.Sprintf("message %d %s", id, what), func() bool {
		m = h.message(id)
		return ok(m)
	})
	return m
}

func (h *harness) waitStatus(id uint64, status cardbot.MessageStatus) *cardbot.Message {
	h.t.Helper()
	return h.waitMessage(id, "is "+string(status), func(m *cardbot.Message) bool { return m.Status == status })
}

func (h *harness) waitAttempts(id uint64, n int) *cardbot.Message {
	h.t.Helper()
	return h.waitMessage(id, fmt.Sprintf("has %d attempts", n), func(m *cardbot.Message) bool { return len(m.Attempts) >= n })
}

// pending counts rows not settled yet. The horizon stays within what UnixNano can hold (year 2262):
// the due index is keyed by it, and a later time would wrap around and find nothing.
func (h *harness) pending() int { return h.pendingDue(time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)) }

// pendingDue counts rows not settled yet that are due by the given time.
func (h *harness) pendingDue(until time.Time) int {
	var n int
	_ = h.db.View(context.Background(), func(tx cardbot.Tx) error {
		due, err := tx.DueMessages(until, 0)
		n = len(due)
		return err
	})
	return n
}

// drainPastDeadline drains with a deadline a held send outlasts, as a shutdown that runs out of time.
func (h *harness) drainPastDeadline() {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := h.d.Drain(ctx); !errors.Is(err, context.DeadlineExceeded) {
		h.t.Fatalf("Drain: %v, want the deadline", err)
	}
}

// quiet gives the dispatcher a moment in which it must not do something.
func (h *harness) quiet() {
	h.d.Wake()
	time.Sleep(100 * time.Millisecond)
}

func eventually(t testing.TB, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// shape is an attempt without its time, for comparing histories.
type shape struct{ Channel, Result, Error string }

func shapes(m *cardbot.Message) []shape {
	var s []shape
	for _, a := range m.Attempts {
		s = append(s, shape{a.Channel, a.Result, a.Error})
	}
	return s
}

func wantShapes(t testing.TB, m *cardbot.Message, want ...shape) {
	t.Helper()
	if got := shapes(m); !slices.Equal(got, want) {
		t.Fatalf("message %d attempts:\n got %q\nwant %q", m.ID, got, want)
	}
}

func anna() cardbot.Client {
	return cardbot.Client{
		Name: "Anna", Phone: "+79001234567", Email: "anna@example.com",
		Channels: []cardbot.Address{{Channel: "telegram", ID: "100"}, {Channel: "whatsapp", ID: "79001234567"}},
		Consent:  cardbot.Consent{PersonalData: true, Marketing: true},
	}
}

// clients creates n clients, each with a telegram chat named by its number from first on.
func (h *harness) clients(first, n int) []*cardbot.Client {
	h.t.Helper()
	var cs []*cardbot.Client
	h.update(func(tx cardbot.Tx) error {
		cs = cs[:0]
		for i := range n {
			c := &cardbot.Client{Channels: []cardbot.Address{{Channel: "telegram", ID: strconv.Itoa(first + i)}}}
			if err := tx.CreateClient(c); err != nil {
				return err
			}
			cs = append(cs, c)
		}
		return nil
	})
	return cs
}

func notice(clientID uint64, text string) cardbot.Message {
	return cardbot.Message{ClientID: clientID, Kind: cardbot.KindNotice, Text: text}
}

func marketing(clientID uint64, text string) cardbot.Message {
	return cardbot.Message{ClientID: clientID, Kind: cardbot.KindMarketing, Text: text}
}

// bucketSender is a channel that enforces its own rate limit with a token bucket of rate and burst
// (bottest.Bucket): a send it has no token for is refused with a 429 whose retry_after is the wait for
// the next token, rounded up to whole seconds as Telegram's is. A refused send is not recorded as a
// call. A burst of one is the strictest limiter there is: every send must come a full 1/rate after the
// one before.
type bucketSender struct {
	*fakeSender
	bucket  *bottest.Bucket
	refused atomic.Int64
}

func newBucketSender(channel string, rate, burst float64) *bucketSender {
	return &bucketSender{fakeSender: newFake(channel), bucket: bottest.NewBucket(rate, burst)}
}

func (b *bucketSender) Send(ctx context.Context, out cardbot.Outgoing) error {
	if wait := b.bucket.Take(time.Now()); wait > 0 {
		b.refused.Add(1)
		return tooMany(bottest.RetryAfter(wait))
	}
	return b.fakeSender.Send(ctx, out)
}
