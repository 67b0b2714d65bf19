package bot

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"cardbot"
)

// Dispatcher sends the outbox. Rows wait in per-recipient queues, so one chat's messages leave in id
// order while different recipients are served in parallel by the workers.
//
// Delivery is at least once: a row stays pending until its outcome is committed, so if the process
// dies after a channel accepted a message but before the outcome was saved, the message is sent again
// after restart. Rows are never deleted; they are the client's message history.
type Dispatcher struct {
	store    cardbot.Store
	clock    cardbot.Clock
	senders  map[string]cardbot.Sender
	pictures cardbot.Pictures
	log      *slog.Logger
	opt      Options
	pace     *pacer
	cascade  atomic.Pointer[[]string] // opt.Cascade, or what the admin page set since (see SetCascade)

	maxInFlight int
	// horizon is the longest a row waits in memory for its rate slot; rows that would wait longer go
	// back to the store until shortly (lead) before their slot, so a long paced backlog on one
	// channel does not fill the in-flight set and hold up other channels' rows behind it.
	horizon, lead time.Duration

	wake  chan struct{}
	ready chan *queue // queues with work; see schedule for why sends to it never block
	due   chan *queue // queues whose head's rate slot has come: served before ready ones
	stop  chan struct{}

	// base carries the values of Run's context without its cancellation, for store calls that must
	// finish (an outcome of a send that happened); sendCtx is cancelled when a Drain deadline passes.
	base, sendCtx context.Context
	cancelSends   context.CancelFunc
	workers       sync.WaitGroup
	saves         sync.WaitGroup // outcomes of sent rows being committed (see settleLater)
	unsaved       chan struct{}  // a token per outcome being committed in the background: Options.Unsaved
	stopOnce      sync.Once

	mu       sync.Mutex
	started  bool
	stopped  bool
	inflight map[uint64]struct{}
	queues   map[string]*queue
	holds    map[string]hold      // recipient → their earlier row is pending until then
	pauses   map[string]time.Time // channel → it answered 429 and asked to wait until then
	lastFull bool                 // the last poll filled its page: more rows may be due
}

// New builds a dispatcher that sends through the given senders, one per channel. pictures may be nil
// (card pictures are then left out) and so may log.
func New(store cardbot.Store, clock cardbot.Clock, senders []cardbot.Sender, pictures cardbot.Pictures, log *slog.Logger, opt Options) *Dispatcher {
	opt = opt.withDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &Dispatcher{
		store: store, clock: clock, pictures: pictures, log: log, opt: opt,
		senders:     make(map[string]cardbot.Sender, len(senders)),
		pace:        newPacer(opt.Limits),
		maxInFlight: opt.Workers * 64,
		horizon:     5 * opt.Poll,
		lead:        2 * opt.Poll,
		wake:        make(chan struct{}, 1),
		unsaved:     make(chan struct{}, opt.Unsaved),
		stop:        make(chan struct{}),
		inflight:    map[uint64]struct{}{},
		queues:      map[string]*queue{},
		holds:       map[string]hold{},
		pauses:      map[string]time.Time{},
	}
	d.ready = make(chan *queue, d.maxInFlight)
	d.due = make(chan *queue, d.maxInFlight)
	d.base = context.Background()
	d.sendCtx, d.cancelSends = context.WithCancel(d.base)
	for _, s := range senders {
		d.senders[s.Channel()] = s
	}
	return d
}

// Run sends due rows until ctx is done, then stops taking rows and waits for the sends in flight
// (each bounded by Options.SendTimeout; call Drain with a deadline to bound the whole wait). It
// returns nil when stopped, an error only when the dispatcher was already run.
func (d *Dispatcher) Run(ctx context.Context) error {
	if ok, err := d.start(ctx); !ok {
		return err
	}
	tick := time.NewTicker(d.opt.Poll)
	defer tick.Stop()
	for {
		d.poll()
		select {
		case <-d.wake:
			continue
		case <-tick.C:
			continue
		case <-ctx.Done():
			d.stopTaking()
		case <-d.stop:
		}
		d.workers.Wait()
		d.saves.Wait()
		return nil
	}
}

// start launches the workers once; false means Run should return at once.
func (d *Dispatcher) start(ctx context.Context) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.started {
		return false, errors.New("bot: the dispatcher is already running or has run")
	}
	d.started = true
	if d.stopped { // drained before it ran
		return false, nil
	}
	d.base = context.WithoutCancel(ctx)
	d.sendCtx, d.cancelSends = context.WithCancel(d.base)
	d.workers.Add(d.opt.Workers)
	for range d.opt.Workers {
		go d.work()
	}
	return true, nil
}

// Wake tells the dispatcher that rows were committed and should be looked at now. It never blocks.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Drain stops taking rows and waits for the sends in flight. When ctx ends first it cancels those
// sends and returns ctx's error; their rows stay pending and are sent after restart.
func (d *Dispatcher) Drain(ctx context.Context) error {
	d.stopTaking()
	done := make(chan struct{})
	go func() {
		d.workers.Wait()
		d.saves.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		d.mu.Lock()
		d.cancelSends()
		d.mu.Unlock()
		return ctx.Err()
	}
}

func (d *Dispatcher) stopTaking() {
	d.stopOnce.Do(func() {
		d.mu.Lock()
		d.stopped = true
		d.mu.Unlock()
		close(d.stop)
	})
}

func (d *Dispatcher) stopping() bool {
	select {
	case <-d.stop:
		return true
	default:
		return false
	}
}

// poll reads one page of due rows and admits those not already in flight. The page is as large as
// the in-flight set may grow, so rows already in flight (which stay at the head of the due index
// until settled) can never hide new ones.
func (d *Dispatcher) poll() {
	d.sweep()
	if !d.hasRoom() {
		return
	}
	now := d.clock.Now()
	var rows []*cardbot.Message
	var full bool
	// Only the ids are read from the due index; rows already in flight are not decoded again, so a
	// backlog does not make every poll slower (at 1,000 messages a second it would feed itself), and
	// of new rows only whom they are for.
	err := d.store.View(d.base, func(tx cardbot.Tx) error {
		ids, err := tx.DueMessageIDs(now, d.maxInFlight)
		if err != nil {
			return err
		}
		full, rows = len(ids) == d.maxInFlight, rows[:0]
		for _, id := range d.notInFlight(ids) {
			m, err := tx.MessageRecipient(id) // all admit needs; prepare reads the whole row
			if err != nil {
				return err
			}
			rows = append(rows, m)
		}
		return nil
	})
	if err != nil {
		d.log.Error("outbox: reading due messages", "err", err)
		return
	}
	d.admit(rows, full)
}

// notInFlight returns the ids the dispatcher is not working on already.
func (d *Dispatcher) notInFlight(ids []uint64) []uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	fresh := ids[:0:0]
	for _, id := range ids {
		if _, busy := d.inflight[id]; !busy {
			fresh = append(fresh, id)
		}
	}
	return fresh
}

func (d *Dispatcher) hasRoom() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return !d.stopped && len(d.inflight) < d.maxInFlight
}

// admit puts rows into their recipients' queues. A row admitted from a snapshot taken just before
// its outcome was committed is harmless: prepare reloads every row and drops those no longer due.
func (d *Dispatcher) admit(rows []*cardbot.Message, full bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.lastFull = full
	for _, m := range rows {
		if d.stopped || len(d.inflight) >= d.maxInFlight {
			return
		}
		if _, busy := d.inflight[m.ID]; busy {
			continue
		}
		d.inflight[m.ID] = struct{}{}
		d.enqueue(recipient(m), m.ID)
	}
}

// sweep forgets holds and pauses that have run out.
func (d *Dispatcher) sweep() {
	now := d.clock.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	for k, h := range d.holds {
		if !h.until.After(now) {
			delete(d.holds, k)
		}
	}
	for ch, until := range d.pauses {
		if !until.After(now) {
			delete(d.pauses, ch)
		}
	}
}
