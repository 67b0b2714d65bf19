package bot

import (
	"context"
	"time"

	"cardbot"
)

// job is one row on its way out. Until prepared it carries only the id.
type job struct {
	id     uint64
	msg    *cardbot.Message // as loaded by prepare
	client *cardbot.Client  // nil for rows without a client; only the id for a reply (see load)
	to     cardbot.Address  // the channel and address chosen by prepare
	out    cardbot.Outgoing // built by handle once the row is not sent back to the store
	slot   time.Time        // the moment booked for it on its channel and chat (real time); zero until booked
}

// handle takes a row as far as it can go now.
func (d *Dispatcher) handle(j *job) (step, time.Duration) {
	if j.to.Channel == "" && !d.prepare(j) {
		return done, 0
	}
	now := time.Now()
	// A slot missed because the workers were busy is booked again rather than used late (see onTime).
	if j.slot.IsZero() || !d.pace.onTime(j.to, j.slot, now) {
		j.slot = d.pace.slot(j.id, j.to, now)
	}
	pause := j.slot.Sub(now)
	if pause > d.horizon {
		d.pace.keep(j.id, j.slot)
		cnow := d.clock.Now()
		d.settle(j.msg, deferTo(cnow, cnow.Add(pause-d.lead)))
		return done, 0
	}
	// Built once the row stays in memory, not in prepare: a paced backlog sends most rows back to
	// the store first, and each would render its card picture for nothing.
	if j.out.To == "" {
		j.out = d.outgoing(j.msg, j.to)
	}
	if pause > 0 {
		return wait, pause
	}
	return d.send(j)
}

// prepare reloads the row and its client and picks the channel. False means there is nothing to send
// now: the row was settled or sent back to wait here, or it is no longer due (its outcome was
// committed after the snapshot the poll admitted it from).
func (d *Dispatcher) prepare(j *job) bool {
	m, c, err := d.load(j.id)
	if err != nil {
		d.log.Error("outbox: loading a message", "message", j.id, "err", err)
		return false
	}
	now := d.clock.Now()
	if m.Status != cardbot.MessagePending || m.NextAt.After(now) {
		return false
	}
	if o := d.gated(m, now); o != nil {
		d.settle(m, *o)
		return false
	}
	if until, held := d.heldUntil(m, now); held {
		d.settle(m, deferTo(now, until))
		return false
	}
	to, o := d.route(m, c, now)
	if o != nil {
		d.settle(m, *o)
		return false
	}
	j.msg, j.client, j.to = m, c, to
	return true
}

// load reads a row and its client (nil when the row has none or the client is gone). A reply that
// is not marketing goes to its own address, so route needs to know only that its client still
// exists: the client it gets then carries only the id, and the record is not decoded.
func (d *Dispatcher) load(id uint64) (*cardbot.Message, *cardbot.Client, error) {
	var m *cardbot.Message
	var c *cardbot.Client
	err := d.store.View(d.base, func(tx cardbot.Tx) error {
		var err error
		if m, err = tx.Message(id); err != nil || m.ClientID == 0 {
			return err
		}
		if m.To != nil && m.Kind != cardbot.KindMarketing {
			if tx.ClientExists(m.ClientID) {
				c = &cardbot.Client{ID: m.ClientID}
			}
			return nil
		}
		if c, err = tx.Client(m.ClientID); cardbot.CodeOf(err) == cardbot.NotFound {
			c, err = nil, nil
		}
		return err
	})
	return m, c, err
}

// outgoing builds what the channel sends. A card picture that cannot be rendered is left out rather
// than holding the message back.
func (d *Dispatcher) outgoing(m *cardbot.Message, to cardbot.Address) cardbot.Outgoing {
	out := cardbot.Outgoing{To: to.ID, Text: m.Text, Buttons: m.Buttons, AskPhone: m.AskPhone, Message: m.ID, CardID: m.CardID}
	out.Kind = m.Kind
	if m.Image != "" {
		out.Picture = d.image(m)
		return out
	}
	if m.CardID == 0 || d.pictures == nil {
		return out
	}
	png, err := d.pictures.CardPicture(d.sendCtx, m.CardID)
	if err != nil {
		d.log.Warn("outbox: sending without the card picture", "message", m.ID, "card", m.CardID, "err", err)
		return out
	}
	out.Picture = png
	return out
}

// settleLater commits the outcome of a sent row without holding a worker for it. A worker that
// waited for every outcome's commit could send only Workers messages per fsync: on a busy disk (an
// fsync of 20–100 ms) that is a few hundred a second, below the rate replies come in, and the
// backlog took seconds to clear. The next row of the same recipient may go out before this outcome
// is committed; the order they are sent in is unchanged, and the row stays in the in-flight set
// until its outcome is committed, so no poll admits it again. If the process dies before that
// commit, the row is sent again after restart, as before: delivery stays at least once. At most
// Options.Unsaved outcomes wait like this; beyond that the worker commits its own, so what a crash can
// send twice stays bounded. It reports false when it did not take the row.
func (d *Dispatcher) settleLater(m *cardbot.Message, o outcome) bool {
	select {
	case d.unsaved <- struct{}{}:
	default:
		return false
	}
	d.saves.Go(func() {
		defer func() { <-d.unsaved }()
		_ = d.settle(m, o) // settle logs a failure; the row then stays pending and is sent again
		d.mu.Lock()
		defer d.mu.Unlock()
		delete(d.inflight, m.ID)
		d.refill()
	})
	return true
}

// send hands the row to its channel and commits the outcome, unless the channel's last real send
// was too recent: then the row sleeps until nearly the end of the gap, its slot moved there.
func (d *Dispatcher) send(j *job) (step, time.Duration) {
	if until, paused := d.pausedUntil(j.to.Channel, d.clock.Now()); paused {
		d.settle(j.msg, deferTo(d.clock.Now(), until))
		return done, 0
	}
	// Asked again: the row may have waited for its rate slot since prepare, and a pause that came
	// meanwhile must hold it.
	if o := d.gated(j.msg, d.clock.Now()); o != nil {
		d.settle(j.msg, *o)
		return done, 0
	}
	ctx, cancel := context.WithTimeout(d.sendCtx, d.opt.SendTimeout)
	defer cancel()
	// Claimed last, right before Send, so the gap the channel sees is the gap claim measured.
	if pause := d.pace.await(j.to); pause > 0 {
		// It wakes early, and await spins the rest exactly: a timer would fire late.
		pause -= spinLead
		j.slot = time.Now().Add(pause)
		return wait, pause
	}
	// At least once: if the process dies between the channel accepting the message and settle
	// committing the outcome, the row is still pending and goes out again after restart.
	err := d.senders[j.to.Channel].Send(ctx, j.out)
	if err != nil && d.sendCtx.Err() != nil {
		return done, 0 // a Drain deadline cut it short: the row stays as it was, to be sent after restart
	}
	o := d.judge(j, err, d.clock.Now())
	if o.status == cardbot.MessageSent && d.settleLater(j.msg, o) {
		return saving, 0
	}
	if d.settle(j.msg, o) != nil || !o.dueNow() {
		return done, 0
	}
	return again, 0
}
