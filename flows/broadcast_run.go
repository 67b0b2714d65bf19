package flows

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"text/template"
	"time"

	"cardbot"
)

// How a broadcast goes out. Start snapshots the audience: the matching clients are read in one
// consistent view and written as numbered recipients, pending, in large transactions; a crash before
// the last one leaves the broadcast "starting" and the snapshot is redone from scratch (nothing was
// sent yet). Then each step (advance) does two things:
//
//   - reconcile: recipients whose outbox row has settled take its outcome (sent, failed, skipped;
//     skipped by the gate of a cancelled broadcast reads back as cancelled), and the counters move;
//   - fill: recipients after the cursor get their outbox row, up to Window unsent rows at once; the
//     row, the recipient's new state (enqueued, with the row's id) and the cursor are written in one
//     transaction.
//
// So a recipient is either pending with no row, or has exactly one row: a crash anywhere leaves a
// state from which the next step neither skips nor repeats anyone. Only the dispatcher's
// at-least-once window remains (a send the channel took whose outcome was not committed yet).

// snapshotBatch is how many recipients one snapshot transaction writes.
func (b *Broadcasts) snapshotBatch() int { return 10 * b.opt.Batch }

// Start snapshots the audience of a draft or scheduled broadcast and starts sending it. It returns
// once the audience is stored (Progress.Total says how many); Run sends the rows.
func (b *Broadcasts) Start(ctx context.Context, id uint64) (*cardbot.Broadcast, error) {
	b.ops.Lock()
	defer b.ops.Unlock()
	now := b.clock.Now()
	_, err := b.change(ctx, id, func(tx cardbot.Tx, bc *cardbot.Broadcast) error {
		if err := notStarted(bc); err != nil {
			return err
		}
		if bc.Picture == cardbot.PictureImage {
			if _, err := tx.BroadcastImage(id); cardbot.CodeOf(err) == cardbot.NotFound {
				return cardbot.Errorf(cardbot.Conflict, "broadcast %d is to carry a picture: upload it first", id)
			} else if err != nil {
				return err
			}
		}
		bc.Status, bc.StartedAt, bc.Error = cardbot.BroadcastStarting, now, ""
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := b.snapshot(ctx, id); err != nil {
		return nil, err
	}
	b.poke()
	return b.Get(ctx, id)
}

// snapshot writes the audience of a starting broadcast and sets it running.
func (b *Broadcasts) snapshot(ctx context.Context, id uint64) error {
	now := b.clock.Now()
	var rs []cardbot.Recipient
	var seg cardbot.Segment
	err := b.store.View(ctx, func(tx cardbot.Tx) error {
		bc, err := tx.Broadcast(id)
		if err != nil {
			return err
		}
		seg = bc.Segment
		rs, err = b.audience(tx, seg, now)
		return err
	})
	if err != nil {
		return err
	}
	if err := b.store.Update(ctx, func(tx cardbot.Tx) error { return tx.DeleteRecipients(id) }); err != nil {
		return err
	}
	for from := 0; from < len(rs); from += b.snapshotBatch() {
		part := rs[from:min(from+b.snapshotBatch(), len(rs))]
		err := b.store.Update(ctx, func(tx cardbot.Tx) error {
			for i, r := range part {
				r.Broadcast, r.Seq, r.State, r.At = id, uint64(from+i+1), cardbot.RecipientPending, now
				if err := tx.PutRecipient(&r); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	_, err = b.change(ctx, id, func(tx cardbot.Tx, bc *cardbot.Broadcast) error {
		if bc.Status != cardbot.BroadcastStarting {
			return cardbot.Errorf(cardbot.Conflict, "broadcast %d is %s, not starting", id, bc.Status)
		}
		bc.Status, bc.Cursor = cardbot.BroadcastRunning, 0
		bc.Progress = cardbot.BroadcastProgress{Total: len(rs), Pending: len(rs)}
		if len(rs) == 0 {
			bc.Status, bc.FinishedAt = cardbot.BroadcastDone, now
		}
		return nil
	})
	if err == nil {
		b.log.Info("broadcast: audience snapshotted", "broadcast", id, "recipients", len(rs), "took", time.Since(now).Round(time.Millisecond))
	}
	return err
}

// RunDue does whatever broadcasts are due now: starts scheduled ones whose time has come, redoes a
// snapshot a crash cut short, reads back outcomes and enqueues the next rows of running ones, and
// marks the rest of cancelled ones. Run calls it in a loop; a test calls it to take one step.
func (b *Broadcasts) RunDue(ctx context.Context) error {
	_, err := b.runDue(ctx)
	return err
}

// runDue returns how much it did (recipients moved), so Run can come back sooner while busy. It
// reads only the watched broadcasts, and stops watching those with nothing left to do.
func (b *Broadcasts) runDue(ctx context.Context) (int, error) {
	now := b.clock.Now()
	work := 0
	var errs []error
	for _, w := range b.watched() { // oldest first
		bc, err := b.Get(ctx, w.id)
		if cardbot.CodeOf(err) == cardbot.NotFound {
			b.unwatch(w)
			continue
		} else if err != nil {
			errs = append(errs, err)
			continue
		}
		if bc.Status != cardbot.BroadcastScheduled && !active(bc) {
			b.unwatch(w) // a draft, or finished
			continue
		}
		if bc.Status == cardbot.BroadcastScheduled && !bc.ScheduledAt.After(now) {
			started, err := b.Start(ctx, bc.ID)
			if err != nil {
				b.log.Error("broadcast: scheduled start failed", "broadcast", bc.ID, "err", err)
				errs = append(errs, b.unschedule(ctx, bc.ID, err))
				continue
			}
			bc = started
		}
		if active(bc) {
			b.ops.Lock()
			n, err := b.advance(ctx, bc.ID)
			b.ops.Unlock()
			work += n
			if err != nil {
				errs = append(errs, err)
			}
		}
	}
	return work, errors.Join(errs...)
}

// unschedule puts back to draft a scheduled broadcast the owner must fix (its picture is missing),
// with the reason, so it is not tried again every tick. Other failures (the disk) are tried again.
func (b *Broadcasts) unschedule(ctx context.Context, id uint64, cause error) error {
	if code := cardbot.CodeOf(cause); code != cardbot.Conflict && code != cardbot.Invalid {
		return cause
	}
	_, err := b.change(ctx, id, func(tx cardbot.Tx, bc *cardbot.Broadcast) error {
		if bc.Status != cardbot.BroadcastScheduled {
			return nil
		}
		bc.Status, bc.Error = cardbot.BroadcastDraft, cardbot.MessageOf(cause)
		return nil
	})
	return errors.Join(cause, err)
}

// active reports whether a broadcast has steps left.
func active(bc *cardbot.Broadcast) bool {
	switch bc.Status {
	case cardbot.BroadcastStarting, cardbot.BroadcastRunning, cardbot.BroadcastPaused:
		return true
	case cardbot.BroadcastCancelled:
		return bc.FinishedAt.IsZero()
	}
	return false
}

// Run calls RunDue until ctx ends: every Tick, sooner while a broadcast streams out, and at once
// when a broadcast is created, started or resumed. It is the stand-alone driver; with a scheduler
// calling RunDue as well, both are safe (steps are serialised).
func (b *Broadcasts) Run(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		case <-b.kick:
		}
		work, err := b.runDue(ctx)
		if err != nil && ctx.Err() == nil {
			b.log.Error("broadcast: step failed", "err", err)
		}
		next := b.opt.Tick
		if work >= max(b.opt.Window/4, 1) {
			next = b.opt.Tick / 10
		}
		timer.Reset(next)
	}
}

// advance takes one step of a broadcast. b.ops is held.
func (b *Broadcasts) advance(ctx context.Context, id uint64) (int, error) {
	bc, err := b.Get(ctx, id)
	if err != nil {
		return 0, err
	}
	if bc.Status == cardbot.BroadcastStarting {
		return 0, b.snapshot(ctx, id)
	}
	if !active(bc) {
		return 0, nil
	}
	settled, err := b.reconcile(ctx, id)
	if err != nil {
		return settled, err
	}
	filled, err := b.fill(ctx, bc)
	return settled + filled, err
}

// reconcile reads back the outcome of settled rows: first in a read-only view, so a step with
// nothing settled costs the writer nothing, then in transactions that check again what they change.
func (b *Broadcasts) reconcile(ctx context.Context, id uint64) (int, error) {
	var seqs []uint64
	err := b.store.View(ctx, func(tx cardbot.Tx) error {
		seqs = seqs[:0]
		return eachOpenRow(tx, id, func(r *cardbot.Recipient, m *cardbot.Message) error {
			if m.Status != cardbot.MessagePending {
				seqs = append(seqs, r.Seq)
			}
			return nil
		})
	})
	if err != nil || len(seqs) == 0 {
		return 0, err
	}
	for part := range slices.Chunk(seqs, 2*b.opt.Batch) {
		err := b.store.Update(ctx, func(tx cardbot.Tx) error {
			bc, err := tx.Broadcast(id)
			if err != nil {
				return err
			}
			now := b.clock.Now()
			for _, seq := range part {
				rs, err := tx.Recipients(id, seq-1, 1)
				if err != nil {
					return err
				}
				if len(rs) == 0 || rs[0].State != cardbot.RecipientEnqueued {
					continue
				}
				r := rs[0]
				m, err := tx.Message(r.MessageID)
				if err != nil {
					return err
				}
				if m.Status == cardbot.MessagePending {
					continue
				}
				resolve(&bc.Progress, r, m, now)
				if err := tx.PutRecipient(r); err != nil {
					return err
				}
			}
			return tx.PutBroadcast(bc)
		})
		if err != nil {
			return 0, err
		}
	}
	return len(seqs), nil
}

// resolve moves a recipient to the outcome of its settled row and counts it.
func resolve(p *cardbot.BroadcastProgress, r *cardbot.Recipient, m *cardbot.Message, now time.Time) {
	p.Enqueued--
	r.At = now
	var last cardbot.Attempt
	if len(m.Attempts) > 0 {
		last = m.Attempts[len(m.Attempts)-1]
	}
	if p.Channels == nil {
		p.Channels = map[string]cardbot.ChannelResult{}
	}
	for _, a := range m.Attempts {
		if a.Channel == "" {
			continue
		}
		cr := p.Channels[a.Channel]
		switch a.Result {
		case cardbot.AttemptSent:
			cr.Sent++
		case cardbot.AttemptFailed:
			cr.Failed++
		case cardbot.AttemptRetry:
			cr.Retries++
		}
		p.Channels[a.Channel] = cr
	}
	switch {
	case m.Status == cardbot.MessageSent:
		r.State, r.Channel = cardbot.RecipientSent, last.Channel
		p.Sent++
	case m.Status == cardbot.MessageFailed:
		r.State, r.Reason = cardbot.RecipientFailed, last.Error
		p.Failed++
	case last.Error == ReasonBroadcastCancelled:
		r.State, r.Reason = cardbot.RecipientCancelled, last.Error
		p.Cancelled++
	default:
		skipRecipient(p, r, last.Error)
	}
}

// skipRecipient settles a recipient as skipped for reason and counts it.
func skipRecipient(p *cardbot.BroadcastProgress, r *cardbot.Recipient, reason string) {
	r.State, r.Reason = cardbot.RecipientSkipped, reason
	p.Skipped++
	if p.SkipReasons == nil {
		p.SkipReasons = map[string]int{}
	}
	p.SkipReasons[reason]++
}

// fill enqueues rows for the recipients after the cursor while the window has room (or, for a
// cancelled broadcast, marks them cancelled), and finishes the broadcast when nobody is left.
func (b *Broadcasts) fill(ctx context.Context, cur *cardbot.Broadcast) (int, error) {
	tmpl, err := parseBroadcastText(cur.Text)
	if err != nil {
		return 0, err
	}
	total := 0
	for {
		var n int
		var more bool
		err := b.store.Update(ctx, func(tx cardbot.Tx) error {
			n, more = 0, false
			bc, err := tx.Broadcast(cur.ID)
			if err != nil {
				return err
			}
			limit := 0
			switch bc.Status {
			case cardbot.BroadcastRunning:
				limit = min(b.opt.Window-bc.Progress.Enqueued, b.opt.Batch)
			case cardbot.BroadcastCancelled:
				limit = b.snapshotBatch()
			}
			now := b.clock.Now()
			if limit > 0 && bc.Cursor < uint64(bc.Progress.Total) {
				rs, err := tx.Recipients(bc.ID, bc.Cursor, limit)
				if err != nil {
					return err
				}
				for _, r := range rs {
					if err := b.place(tx, bc, r, tmpl, now); err != nil {
						return err
					}
					bc.Progress.Pending--
					bc.Cursor = r.Seq
				}
				n, more = len(rs), len(rs) == limit
			}
			finished := bc.Cursor >= uint64(bc.Progress.Total) && bc.Progress.Enqueued == 0 && bc.FinishedAt.IsZero()
			if finished && (bc.Status == cardbot.BroadcastRunning || bc.Status == cardbot.BroadcastCancelled) {
				if bc.Status == cardbot.BroadcastRunning {
					bc.Status = cardbot.BroadcastDone
				}
				bc.FinishedAt = now
			} else if n == 0 {
				return nil // nothing changed: nothing to commit
			}
			return tx.PutBroadcast(bc)
		})
		if err != nil {
			return total, err
		}
		total += n
		if n > 0 {
			b.wake()
		}
		if !more {
			return total, nil
		}
	}
}

// place gives one pending recipient its outbox row, or its final state when it cannot have one.
func (b *Broadcasts) place(tx cardbot.Tx, bc *cardbot.Broadcast, r *cardbot.Recipient, tmpl *template.Template, now time.Time) error {
	r.At = now
	p := &bc.Progress
	if bc.Status == cardbot.BroadcastCancelled {
		r.State, r.Reason = cardbot.RecipientCancelled, ReasonBroadcastCancelled
		p.Cancelled++
		return tx.PutRecipient(r)
	}
	c, err := tx.Client(r.ClientID)
	if cardbot.CodeOf(err) == cardbot.NotFound {
		skipRecipient(p, r, "client deleted")
		return tx.PutRecipient(r)
	} else if err != nil {
		return err
	}
	var card *cardbot.Card
	if r.CardID != 0 {
		if card, err = tx.Card(r.CardID); cardbot.CodeOf(err) == cardbot.NotFound {
			card = nil
		} else if err != nil {
			return err
		}
	}
	text, err := renderBroadcast(tmpl, b.textFor(c, card))
	if err != nil {
		r.State, r.Reason = cardbot.RecipientFailed, cardbot.MessageOf(err)
		p.Failed++
		return tx.PutRecipient(r)
	}
	m := &cardbot.Message{
		ClientID: c.ID, Kind: cardbot.KindMarketing, Text: text, Event: cardbot.EventBroadcast,
		Broadcast: bc.ID, NextAt: now, CreatedAt: now,
	}
	switch {
	case bc.Picture == cardbot.PictureCard && card != nil:
		m.CardID = card.ID
	case bc.Picture == cardbot.PictureImage:
		m.Image = imageKeyPrefix + strconv.FormatUint(bc.ID, 10)
	}
	if bc.Button != nil {
		m.Buttons = [][]cardbot.Button{{*bc.Button}}
	}
	if err := tx.EnqueueMessage(m); err != nil {
		return err
	}
	r.State, r.MessageID = cardbot.RecipientEnqueued, m.ID
	p.Enqueued++
	return tx.PutRecipient(r)
}

// release brings the rows a pause held back to the dispatcher at once (on resume, or on cancel so
// they are skipped now). Rows waiting for a retry keep their backoff.
func (b *Broadcasts) release(ctx context.Context, id uint64) error {
	n := 0
	err := b.store.Update(ctx, func(tx cardbot.Tx) error {
		n = 0
		now := b.clock.Now()
		return eachOpenRow(tx, id, func(_ *cardbot.Recipient, m *cardbot.Message) error {
			if m.Status != cardbot.MessagePending || !m.NextAt.After(now) || lastIsRetry(m) {
				return nil
			}
			n++
			m.NextAt = now
			return tx.PutMessage(m)
		})
	})
	if err == nil && n > 0 {
		b.wake()
	}
	return err
}

// eachOpenRow calls fn with every enqueued recipient of a broadcast and its outbox row.
func eachOpenRow(tx cardbot.Tx, id uint64, fn func(*cardbot.Recipient, *cardbot.Message) error) error {
	open, err := tx.OpenRecipients(id, 0)
	if err != nil {
		return err
	}
	for _, r := range open {
		m, err := tx.Message(r.MessageID)
		if err != nil {
			return err
		}
		if err := fn(r, m); err != nil {
			return err
		}
	}
	return nil
}

func lastIsRetry(m *cardbot.Message) bool {
	return len(m.Attempts) > 0 && m.Attempts[len(m.Attempts)-1].Result == cardbot.AttemptRetry
}
