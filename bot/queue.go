package bot

import (
	"slices"
	"time"
)

// queue holds one recipient's rows in flight, by id. Exactly one of these is true of a queue in
// Dispatcher.queues: it waits in ready or due, a worker holds it, or its head job sleeps until its
// rate slot. So one recipient's rows are worked on one at a time, in id order.
type queue struct {
	key    string
	ids    []uint64 // not started yet, ascending
	parked *job     // the head row, prepared, sleeping until its rate slot
}

// step is what became of the row a worker took.
type step int

const (
	done  step = iota // settled, sent back to the store to wait, or dropped: it leaves the in-flight set
	again             // still pending and due at once (the next cascade channel): it stays at the head
	wait              // it holds a rate slot in the near future: the queue sleeps until then
	// saving: sent; its outcome is being committed in the background (see settleLater). It stays in
	// the in-flight set until then, but its queue goes on to the next row.
	saving
)

// enqueue adds a row id to its recipient's queue, creating and scheduling the queue if needed.
// d.mu is held.
func (d *Dispatcher) enqueue(key string, id uint64) {
	q := d.queues[key]
	if q == nil {
		q = &queue{key: key}
		d.queues[key] = q
		d.schedule(q)
	}
	q.insert(id)
}

func (q *queue) insert(id uint64) {
	if i, found := slices.BinarySearch(q.ids, id); !found {
		q.ids = slices.Insert(q.ids, i, id)
	}
}

// schedule hands q to the workers. Every queue holds at least one row in flight and sits in ready or
// due at most once, and the in-flight set is capped at their capacity, so these sends never block,
// even under d.mu or after the workers have gone.
func (d *Dispatcher) schedule(q *queue) { d.ready <- q }

// wakeAt puts q in due once its head's rate slot comes.
func (d *Dispatcher) wakeAt(q *queue, pause time.Duration) {
	time.AfterFunc(pause, func() { d.due <- q })
}

// work serves queues, those whose rate slot has come first: a slot left waiting behind fresh rows
// would be missed and have to be booked again further on.
func (d *Dispatcher) work() {
	defer d.workers.Done()
	for {
		select {
		case q := <-d.due:
			d.serve(q)
			continue
		default:
		}
		select {
		case <-d.stop:
			return
		case q := <-d.due:
			d.serve(q)
		case q := <-d.ready:
			d.serve(q)
		}
	}
}

// serve works on the head row of q, then hands q back: round-robin keeps one busy recipient from
// holding a worker while others wait.
func (d *Dispatcher) serve(q *queue) {
	j := d.take(q)
	if j == nil {
		return
	}
	s, pause := d.handle(j)
	d.after(q, j, s, pause)
}

// take returns q's head row as a job, or nil when the dispatcher is stopping (the queue's rows then
// leave the in-flight set untouched in the store: still pending, they are sent after restart).
func (d *Dispatcher) take(q *queue) *job {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped {
		d.drop(q)
		return nil
	}
	if j := q.parked; j != nil {
		q.parked = nil
		return j
	}
	if len(q.ids) == 0 { // cannot happen while the invariant holds; keep the map honest anyway
		delete(d.queues, q.key)
		return nil
	}
	id := q.ids[0]
	q.ids = q.ids[1:]
	return &job{id: id}
}

func (d *Dispatcher) drop(q *queue) {
	for _, id := range q.ids {
		delete(d.inflight, id)
	}
	if q.parked != nil {
		delete(d.inflight, q.parked.id)
	}
	delete(d.queues, q.key)
}

// after puts q where its next step belongs: asleep until the head's rate slot, back in ready, or
// gone when it has no rows left.
func (d *Dispatcher) after(q *queue, j *job, s step, pause time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch s {
	case wait:
		q.parked = j
		d.wakeAt(q, pause)
		return
	case again:
		q.insert(j.id)
	case done:
		delete(d.inflight, j.id)
		d.refill()
	case saving:
	}
	if len(q.ids) == 0 {
		delete(d.queues, q.key)
		return
	}
	d.schedule(q)
}

// refill wakes the poller when the in-flight set has drained to half while more rows may be due, so
// a large backlog streams through without waiting for the poll tick. d.mu is held.
func (d *Dispatcher) refill() {
	if d.lastFull && len(d.inflight) <= d.maxInFlight/2 {
		d.lastFull = false
		d.Wake()
	}
}
