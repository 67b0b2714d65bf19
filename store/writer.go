package store

import (
	"context"
	"fmt"
	"runtime/debug"
	"slices"
	"sync/atomic"

	"cardbot"
)

const (
	// queueSize lets bursts of callers enqueue without blocking while the writer is in an fsync.
	queueSize = 1024
	// maxBatch bounds one commit, so a failing fn re-runs a bounded number of others and a caller's
	// latency does not grow with the crowd behind it.
	maxBatch = 256
)

// Request states: the writer and a cancelled caller race to move a queued request out of stateQueued;
// whoever wins decides whether it runs.
const (
	stateQueued int32 = iota
	stateTaken
	stateAbandoned
)

// request is one Update waiting for, or inside, a group commit.
type request struct {
	fn    func(cardbot.Tx) error
	state atomic.Int32
	done  chan error // buffered, so the writer never waits for a caller
}

// take claims the request for a batch; false means its caller gave up while it was queued.
func (r *request) take() bool { return r.state.CompareAndSwap(stateQueued, stateTaken) }

// abandon withdraws the request; false means the writer has it and its outcome must be awaited.
func (r *request) abandon() bool { return r.state.CompareAndSwap(stateQueued, stateAbandoned) }

// Update runs fn in a read-write transaction shared with other concurrent Updates and commits it.
// fn may run more than once (when another fn of its group fails, the group runs again without it),
// so it must have no effect outside the transaction but setting variables it owns. An error or panic
// from fn rolls back everything fn wrote and is returned to this caller only. ctx is honoured while
// the request waits in the queue; once the writer has taken it, Update returns its real outcome.
// fn must not call Update or View on the same DB: the writer would wait for itself.
func (db *DB) Update(ctx context.Context, fn func(cardbot.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	req := &request{fn: fn, done: make(chan error, 1)}
	if err := db.enqueue(ctx, req); err != nil {
		return err
	}
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		if req.abandon() {
			return ctx.Err()
		}
		return <-req.done
	}
}

func (db *DB) enqueue(ctx context.Context, req *request) error {
	db.closeMu.RLock()
	defer db.closeMu.RUnlock()
	if db.closed {
		return errClosed()
	}
	select {
	case db.queue <- req:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// runWriter is the only goroutine that writes. It takes the first queued request, adds whatever else is
// already waiting (without waiting for more: a lone caller pays one commit and nothing else), and
// commits them together. It ends when Close has closed the queue and the queue is empty.
func (db *DB) runWriter() {
	defer close(db.writerDone)
	batch := make([]*request, 0, maxBatch)
	for first := range db.queue {
		batch = db.gather(batch[:0], first)
		if len(batch) > 0 {
			db.commitBatch(batch)
		}
		clear(batch) // drop references so finished requests can be collected
	}
}

// gather appends first and the requests already queued behind it, skipping abandoned ones.
func (db *DB) gather(batch []*request, first *request) []*request {
	if first.take() {
		batch = append(batch, first)
	}
	for len(batch) < maxBatch {
		select {
		case req, ok := <-db.queue:
			if !ok {
				return batch
			}
			if req.take() {
				batch = append(batch, req)
			}
		default:
			return batch
		}
	}
	return batch
}

// commitBatch runs the batch in one transaction. When a fn fails after writing, the transaction is
// rolled back, that fn's caller gets its error, and the rest run again from scratch without it, until
// a run commits. A fn that fails before writing is simply answered and left out (see tryBatch).
func (db *DB) commitBatch(batch []*request) {
	for len(batch) > 0 {
		var failed int
		var err error
		batch, failed, err = db.tryBatch(batch)
		if failed < 0 {
			for _, req := range batch {
				req.done <- err
			}
			return
		}
		batch[failed].done <- err
		batch = slices.Delete(batch, failed, failed+1)
	}
}

// tryBatch runs every fn in one bolt transaction and commits. It returns the batch less the fns that
// were refused without writing (already answered), and the index of the first fn that failed after
// writing and its error (after rolling back), or -1 and the outcome of the commit.
func (db *DB) tryBatch(batch []*request) ([]*request, int, error) {
	btx, err := db.bolt.Begin(true)
	if err != nil {
		return batch, -1, fmt.Errorf("store: begin: %w", err)
	}
	t := &tx{btx: btx}
	for i := 0; i < len(batch); i++ {
		t.wrote = false
		err := runFn(batch[i].fn, t)
		if err == nil {
			continue
		}
		if t.wrote {
			_ = btx.Rollback()
			return batch, i, err
		}
		// A refusal that wrote nothing (not enough points, a duplicate) leaves the transaction as it
		// was: answer it and go on, instead of re-running the whole group without it.
		batch[i].done <- err
		batch = slices.Delete(batch, i, i+1)
		i--
	}
	if !t.wroteAny {
		// Nothing to keep (all refused, or all only read): a commit would still rewrite bolt's meta page.
		return batch, -1, btx.Rollback()
	}
	if err := btx.Commit(); err != nil {
		return batch, -1, fmt.Errorf("store: commit: %w", err)
	}
	db.commits.Add(1)
	return batch, -1, nil
}

// runFn calls fn, turning a panic into an error so one caller's bug cannot stop the writer.
func runFn(fn func(cardbot.Tx) error, t cardbot.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store: update function panicked: %v\n%s", p, debug.Stack())
		}
	}()
	return fn(t)
}
