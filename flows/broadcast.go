package flows

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"cardbot"
)

// ReasonBroadcastCancelled is why a row of a cancelled broadcast was skipped by the dispatcher.
const ReasonBroadcastCancelled = "broadcast cancelled"

// imageKeyPrefix starts Message.Image for a broadcast's uploaded picture: "broadcast:<id>".
const imageKeyPrefix = "broadcast:"

// BroadcastDeps are what Broadcasts needs from the wiring. Zero tuning fields take their defaults.
type BroadcastDeps struct {
	Store  cardbot.Store
	Clock  cardbot.Clock
	Config cardbot.Config
	// Programs are the programmes in force, for segments and the text's programme names: the
	// wallet's, which the admin page edits. Nil: Config's.
	Programs func() []cardbot.Program
	Log      *slog.Logger
	// Wake tells the dispatcher that rows were committed. It must not block. May be nil.
	Wake func()

	// Window is how many rows of one broadcast may be in the outbox unsent at once (default 1000):
	// a paused broadcast holds at most this many, and notices never queue behind a whole broadcast.
	Window int
	// Batch is how many recipients one transaction enqueues or snapshots (default 500; snapshot 10×).
	Batch int
	// Tick is how often Run looks for work when there is little (default 500 ms).
	Tick time.Duration
	// HoldFor is how long the dispatcher puts back a row of a paused broadcast before asking again
	// (default 1 min). Resume and Cancel bring the held rows back at once; a row the dispatcher was
	// holding in that very moment comes back within HoldFor.
	HoldFor time.Duration
}

// BroadcastWindow is the window for the channels the config switches on: about ten seconds of
// sending at their rate limits, between 100 and 1,000 rows (1,000 when a channel is not paced). A
// window no longer than the channels can send soon keeps a paused broadcast's held rows few and lets
// the dispatcher keep the backlog in memory, which paces more evenly.
func BroadcastWindow(cfg cardbot.Config) int {
	var rate float64
	for _, ch := range []struct {
		on   bool
		rate float64
	}{
		{cfg.Telegram.Token != "", cfg.Telegram.RateLimit},
		{cfg.WhatsApp.Enabled, cfg.WhatsApp.RateLimit},
		{cfg.SMS.Enabled, cfg.SMS.RateLimit},
		{cfg.Email.Enabled, cfg.Email.RateLimit},
	} {
		if !ch.on {
			continue
		}
		if ch.rate <= 0 {
			return 1000
		}
		rate += ch.rate
	}
	return min(max(int(rate*10), 100), 1000)
}

// Broadcasts sends messages to segments of clients through the outbox. A broadcast snapshots its
// audience when it starts and then enqueues rows in windows, each recipient's row and its state change
// in one transaction, so a crash or a pause never skips nor repeats anyone (see broadcast_run.go).
//
// It is also the dispatcher's gate (paused broadcasts hold their rows, cancelled ones skip them) and
// its image source for uploaded pictures. It is safe for concurrent use.
type Broadcasts struct {
	store cardbot.Store
	clock cardbot.Clock
	cfg   cardbot.Config
	log   *slog.Logger
	wake  func()
	opt   BroadcastDeps
	kick  chan struct{}

	// ops serialises whatever moves a broadcast's state or its audience: one step at a time.
	ops sync.Mutex

	mu     sync.RWMutex
	gates  map[uint64]cardbot.BroadcastStatus // paused and cancelled broadcasts, for Gate
	images map[uint64][]byte                  // uploaded pictures being sent
	// watch holds the broadcasts runDue looks at, so a tick reads those and not the whole history:
	// every one not yet known to be finished or a draft. Each change marks its broadcast (the value
	// counts the marks), and runDue drops one only when no mark came while it looked.
	watch map[uint64]uint64
}

var (
	_ cardbot.MessageGate = (*Broadcasts)(nil)
	_ cardbot.Images      = (*Broadcasts)(nil)
)

// NewBroadcasts loads which broadcasts are paused or cancelled, so the gate answers right from the
// first row the dispatcher sends after a restart.
func NewBroadcasts(ctx context.Context, d BroadcastDeps) (*Broadcasts, error) {
	if d.Store == nil {
		return nil, errors.New("flows: BroadcastDeps.Store is required")
	}
	if d.Clock == nil {
		d.Clock = cardbot.SystemClock{}
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Wake == nil {
		d.Wake = func() {}
	}
	if d.Programs == nil {
		d.Programs = func() []cardbot.Program { return d.Config.Programs }
	}
	if d.Window <= 0 {
		d.Window = 1000
	}
	if d.Batch <= 0 {
		d.Batch = 500
	}
	if d.Tick <= 0 {
		d.Tick = 500 * time.Millisecond
	}
	if d.HoldFor <= 0 {
		d.HoldFor = time.Minute
	}
	b := &Broadcasts{
		store: d.Store, clock: d.Clock, cfg: d.Config, log: d.Log, wake: d.Wake, opt: d,
		kick: make(chan struct{}, 1), gates: map[uint64]cardbot.BroadcastStatus{}, images: map[uint64][]byte{},
		watch: map[uint64]uint64{},
	}
	list, err := b.List(ctx)
	if err != nil {
		return nil, err
	}
	for _, bc := range list {
		b.setGate(bc.ID, bc.Status)
		b.mark(bc.ID)
	}
	return b, nil
}

// Create validates a broadcast and saves it: scheduled when it has a ScheduledAt, a draft otherwise.
func (b *Broadcasts) Create(ctx context.Context, spec cardbot.BroadcastSpec) (*cardbot.Broadcast, error) {
	now := b.clock.Now()
	if err := b.validate(spec, now); err != nil {
		return nil, err
	}
	bc := &cardbot.Broadcast{BroadcastSpec: spec, Status: statusFor(spec), CreatedAt: now}
	err := b.store.Update(ctx, func(tx cardbot.Tx) error {
		c := *bc
		if err := tx.CreateBroadcast(&c); err != nil {
			return err
		}
		bc.ID = c.ID
		return nil
	})
	if err != nil {
		return nil, err
	}
	b.mark(bc.ID)
	b.poke()
	return bc, nil
}

func statusFor(spec cardbot.BroadcastSpec) cardbot.BroadcastStatus {
	if spec.ScheduledAt.IsZero() {
		return cardbot.BroadcastDraft
	}
	return cardbot.BroadcastScheduled
}

// Edit replaces the message, segment and schedule of a broadcast that has not started.
func (b *Broadcasts) Edit(ctx context.Context, id uint64, spec cardbot.BroadcastSpec) (*cardbot.Broadcast, error) {
	now := b.clock.Now()
	if err := b.validate(spec, now); err != nil {
		return nil, err
	}
	bc, err := b.change(ctx, id, func(tx cardbot.Tx, bc *cardbot.Broadcast) error {
		if err := notStarted(bc); err != nil {
			return err
		}
		bc.BroadcastSpec = spec
		bc.Status, bc.Error = statusFor(spec), ""
		return nil
	})
	if err == nil {
		b.poke()
	}
	return bc, err
}

func notStarted(bc *cardbot.Broadcast) error {
	if bc.Status != cardbot.BroadcastDraft && bc.Status != cardbot.BroadcastScheduled {
		return cardbot.Errorf(cardbot.Conflict, "broadcast %d is %s: only a draft or a scheduled broadcast can change", bc.ID, bc.Status)
	}
	return nil
}

// SetImage stores the picture sent with a broadcast whose Picture is "image" (PNG, JPEG or GIF,
// kept as PNG). It can change until the broadcast starts.
func (b *Broadcasts) SetImage(ctx context.Context, id uint64, data []byte) error {
	png, err := toPNG(data)
	if err != nil {
		return err
	}
	_, err = b.change(ctx, id, func(tx cardbot.Tx, bc *cardbot.Broadcast) error {
		if err := notStarted(bc); err != nil {
			return err
		}
		return tx.PutBroadcastImage(id, png)
	})
	return err
}

// Get returns a broadcast with its progress.
func (b *Broadcasts) Get(ctx context.Context, id uint64) (*cardbot.Broadcast, error) {
	var bc *cardbot.Broadcast
	err := b.store.View(ctx, func(tx cardbot.Tx) error {
		var err error
		bc, err = tx.Broadcast(id)
		return err
	})
	return bc, err
}

// List returns every broadcast, newest first.
func (b *Broadcasts) List(ctx context.Context) ([]*cardbot.Broadcast, error) {
	var list []*cardbot.Broadcast
	err := b.store.View(ctx, func(tx cardbot.Tx) error {
		var err error
		list, err = tx.Broadcasts(0, 0)
		return err
	})
	return list, err
}

// Recipients pages through a broadcast's audience in snapshot order, after the given Seq.
func (b *Broadcasts) Recipients(ctx context.Context, id, after uint64, limit int) ([]*cardbot.Recipient, error) {
	var list []*cardbot.Recipient
	err := b.store.View(ctx, func(tx cardbot.Tx) error {
		if _, err := tx.Broadcast(id); err != nil {
			return err
		}
		var err error
		list, err = tx.Recipients(id, after, limit)
		return err
	})
	return list, err
}

// Audience counts the clients a segment matches now, so the owner sees the size before starting.
func (b *Broadcasts) Audience(ctx context.Context, seg cardbot.Segment) (int, error) {
	if err := b.validSegment(seg); err != nil {
		return 0, err
	}
	var n int
	err := b.store.View(ctx, func(tx cardbot.Tx) error {
		rs, err := b.audience(tx, seg, b.clock.Now())
		n = len(rs)
		return err
	})
	return n, err
}

// Pause stops enqueueing and holds the broadcast's rows that are in the outbox but not sent yet.
// A send already handed to a channel finishes.
func (b *Broadcasts) Pause(ctx context.Context, id uint64) (*cardbot.Broadcast, error) {
	b.ops.Lock()
	defer b.ops.Unlock()
	return b.gatedChange(ctx, id, cardbot.BroadcastPaused, func(_ cardbot.Tx, bc *cardbot.Broadcast) error {
		if bc.Status != cardbot.BroadcastRunning {
			return cardbot.Errorf(cardbot.Conflict, "broadcast %d is %s: only a running broadcast can be paused", id, bc.Status)
		}
		bc.PausedAt = b.clock.Now()
		return nil
	})
}

// gatedChange moves a broadcast to a status the gate acts on (paused, cancelled). The gate acts
// from before the commit, so no row slips out between the two; if check refuses, it is put back.
func (b *Broadcasts) gatedChange(ctx context.Context, id uint64, to cardbot.BroadcastStatus, check func(cardbot.Tx, *cardbot.Broadcast) error) (*cardbot.Broadcast, error) {
	before := b.gate(id)
	b.setGate(id, to)
	bc, err := b.change(ctx, id, func(tx cardbot.Tx, bc *cardbot.Broadcast) error {
		if err := check(tx, bc); err != nil {
			return err
		}
		bc.Status = to
		return nil
	})
	if err != nil {
		b.setGate(id, before)
	}
	return bc, err
}

// Resume continues a paused broadcast where it stopped: held rows go out, then the rest.
func (b *Broadcasts) Resume(ctx context.Context, id uint64) (*cardbot.Broadcast, error) {
	b.ops.Lock()
	defer b.ops.Unlock()
	bc, err := b.change(ctx, id, func(tx cardbot.Tx, bc *cardbot.Broadcast) error {
		if bc.Status != cardbot.BroadcastPaused {
			return cardbot.Errorf(cardbot.Conflict, "broadcast %d is %s: only a paused broadcast can be resumed", id, bc.Status)
		}
		bc.Status, bc.PausedAt = cardbot.BroadcastRunning, time.Time{}
		return nil
	})
	if err != nil {
		return nil, err
	}
	b.setGate(id, bc.Status)
	if err := b.release(ctx, id); err != nil {
		return bc, err
	}
	b.poke()
	return bc, nil
}

// Cancel stops a broadcast for good: every recipient not sent yet is marked cancelled (rows held in
// the outbox are skipped by the dispatcher and read back as cancelled). A draft or scheduled
// broadcast is cancelled without sending anything.
func (b *Broadcasts) Cancel(ctx context.Context, id uint64) (*cardbot.Broadcast, error) {
	b.ops.Lock()
	defer b.ops.Unlock()
	bc, err := b.gatedChange(ctx, id, cardbot.BroadcastCancelled, func(tx cardbot.Tx, bc *cardbot.Broadcast) error {
		switch bc.Status {
		case cardbot.BroadcastDone, cardbot.BroadcastCancelled:
			return cardbot.Errorf(cardbot.Conflict, "broadcast %d is already %s", id, bc.Status)
		case cardbot.BroadcastDraft, cardbot.BroadcastScheduled:
			bc.FinishedAt = b.clock.Now()
		case cardbot.BroadcastStarting: // a snapshot a crash cut short: nobody was sent anything
			bc.FinishedAt = b.clock.Now()
			return tx.DeleteRecipients(id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := b.release(ctx, id); err != nil {
		return bc, err
	}
	// Mark the recipients not enqueued yet now, so the owner sees the whole picture when this returns.
	if _, err := b.advance(ctx, id); err != nil {
		return bc, err
	}
	return b.Get(ctx, id)
}

// change applies fn to the stored broadcast in one transaction and returns it as committed.
func (b *Broadcasts) change(ctx context.Context, id uint64, fn func(cardbot.Tx, *cardbot.Broadcast) error) (*cardbot.Broadcast, error) {
	var out *cardbot.Broadcast
	err := b.store.Update(ctx, func(tx cardbot.Tx) error {
		bc, err := tx.Broadcast(id)
		if err != nil {
			return err
		}
		if err := fn(tx, bc); err != nil {
			return err
		}
		out = bc
		return tx.PutBroadcast(bc)
	})
	if err == nil {
		b.mark(id)
	}
	return out, err
}

// mark puts a broadcast that just changed (or was loaded at start) in the watch, after its commit.
func (b *Broadcasts) mark(id uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.watch[id]++
}

// watched lists the watched broadcasts oldest first, each with its mark count.
func (b *Broadcasts) watched() []watchedBroadcast {
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := make([]watchedBroadcast, 0, len(b.watch))
	for id, marks := range b.watch {
		out = append(out, watchedBroadcast{id, marks})
	}
	slices.SortFunc(out, func(x, y watchedBroadcast) int { return cmp.Compare(x.id, y.id) })
	return out
}

type watchedBroadcast struct{ id, marks uint64 }

// unwatch drops a broadcast runDue found with nothing left to do, unless it changed since w was
// listed (its new state was not what runDue read).
func (b *Broadcasts) unwatch(w watchedBroadcast) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.watch[w.id] == w.marks {
		delete(b.watch, w.id)
	}
}

// Gate holds the rows of a paused broadcast and skips those of a cancelled one.
func (b *Broadcasts) Gate(m *cardbot.Message, now time.Time) cardbot.GateVerdict {
	if m.Broadcast == 0 {
		return cardbot.GateVerdict{}
	}
	switch b.gate(m.Broadcast) {
	case cardbot.BroadcastPaused:
		return cardbot.GateVerdict{HoldUntil: now.Add(b.opt.HoldFor)}
	case cardbot.BroadcastCancelled:
		return cardbot.GateVerdict{Skip: ReasonBroadcastCancelled}
	}
	return cardbot.GateVerdict{}
}

func (b *Broadcasts) gate(id uint64) cardbot.BroadcastStatus {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.gates[id]
}

func (b *Broadcasts) setGate(id uint64, s cardbot.BroadcastStatus) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s == cardbot.BroadcastPaused || s == cardbot.BroadcastCancelled {
		b.gates[id] = s
	} else {
		delete(b.gates, id)
	}
}

// Image serves a broadcast's uploaded picture to the dispatcher, from memory after the first row.
func (b *Broadcasts) Image(ctx context.Context, key string) ([]byte, error) {
	id, err := strconv.ParseUint(strings.TrimPrefix(key, imageKeyPrefix), 10, 64)
	if !strings.HasPrefix(key, imageKeyPrefix) || err != nil {
		return nil, cardbot.Errorf(cardbot.NotFound, "no picture %q", key)
	}
	b.mu.RLock()
	png, ok := b.images[id]
	b.mu.RUnlock()
	if ok {
		return png, nil
	}
	err = b.store.View(ctx, func(tx cardbot.Tx) error {
		png, err = tx.BroadcastImage(id)
		return err
	})
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.images) >= 4 { // a few broadcasts at once at most; the rest are read again
		clear(b.images)
	}
	b.images[id] = png
	return png, nil
}

// poke wakes Run for work that just became possible.
func (b *Broadcasts) poke() {
	select {
	case b.kick <- struct{}{}:
	default:
	}
}

var _ cardbot.Broadcaster = (*Broadcasts)(nil)
