package bot

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"cardbot"
)

const (
	// resultSkipped marks the attempt that records why a row was settled without trying a channel.
	resultSkipped = "skipped"
	// resultHeld marks the note on a row held for quiet hours: nothing was tried, nothing counts.
	resultHeld = "held"
	// throttled starts the error of a retry attempt caused by a 429, so those are not counted
	// against Options.MaxAttempts (see passingFailures).
	throttled = "throttled: "
)

// outcome is what the dispatcher decided about a row; apply writes it onto the row as stored.
type outcome struct {
	attempt *cardbot.Attempt // nil when nothing was tried (the row was only sent back to wait)
	status  cardbot.MessageStatus
	nextAt  time.Time // when the row stays pending
	at      time.Time // when it was decided
	// aside is set when the row waits for a reason of its own (quiet hours hold marketing only), so
	// the recipient's later rows need not wait behind it.
	aside bool
}

func (o outcome) apply(m *cardbot.Message) {
	if o.attempt != nil {
		m.Attempts = append(m.Attempts, *o.attempt)
	}
	m.Status = o.status
	switch o.status {
	case cardbot.MessagePending:
		m.NextAt = o.nextAt
	case cardbot.MessageSent:
		m.SentAt = o.at
	}
}

// waits reports whether the row stays pending until later; dueNow whether it should be tried again at once.
func (o outcome) waits() bool  { return o.status == cardbot.MessagePending && o.nextAt.After(o.at) }
func (o outcome) dueNow() bool { return o.status == cardbot.MessagePending && !o.nextAt.After(o.at) }

func attempt(channel string, at time.Time, result, note string) cardbot.Attempt {
	return cardbot.Attempt{Channel: channel, At: at, Result: result, Error: note}
}

func pendingUntil(a cardbot.Attempt, until time.Time) outcome {
	return outcome{attempt: &a, status: cardbot.MessagePending, nextAt: until, at: a.At}
}

func final(a cardbot.Attempt, status cardbot.MessageStatus) outcome {
	return outcome{attempt: &a, status: status, at: a.At}
}

// settledWithout ends a row that no channel was tried for: skipped (opted out, no channel) or failed.
func settledWithout(status cardbot.MessageStatus, at time.Time, why string) *outcome {
	result := resultSkipped
	if status == cardbot.MessageFailed {
		result = cardbot.AttemptFailed
	}
	o := final(attempt("", at, result, why), status)
	return &o
}

// deferTo sends a row back to the store to wait, without an attempt: nothing was tried.
func deferTo(now, until time.Time) outcome {
	return outcome{status: cardbot.MessagePending, nextAt: until, at: now}
}

// quietHold sends marketing back to the store until the quiet hours end, with a note for the
// history that says why it waited.
func quietHold(now, until time.Time) *outcome {
	a := attempt("", now, resultHeld, "held for quiet hours")
	o := pendingUntil(a, until)
	o.aside = true
	return &o
}

// judge turns what the channel answered into the row's outcome.
func (d *Dispatcher) judge(j *job, err error, now time.Time) outcome {
	ch := j.to.Channel
	if err == nil {
		return final(attempt(ch, now, cardbot.AttemptSent, ""), cardbot.MessageSent)
	}
	var se *cardbot.SendError
	errors.As(err, &se)
	switch {
	case se != nil && se.Permanent:
		return d.fallThrough(j, attempt(ch, now, cardbot.AttemptFailed, err.Error()))
	case se != nil && se.RetryAfter > 0:
		until := now.Add(se.RetryAfter)
		d.pause(ch, until)
		return pendingUntil(attempt(ch, now, cardbot.AttemptRetry, throttled+err.Error()), until)
	}
	n := passingFailures(j.msg, ch) + 1
	if n >= d.opt.MaxAttempts {
		note := fmt.Sprintf("%v (gave up after %d tries)", err, n)
		return d.fallThrough(j, attempt(ch, now, cardbot.AttemptFailed, note))
	}
	return pendingUntil(attempt(ch, now, cardbot.AttemptRetry, err.Error()), now.Add(d.opt.Backoff(n)))
}

// fallThrough records a final failure on one channel: the row stays pending, due at once, when the
// route has a channel left after this one, and fails when it has none.
func (d *Dispatcher) fallThrough(j *job, a cardbot.Attempt) outcome {
	m := *j.msg
	m.Attempts = append(slices.Clip(m.Attempts), a)
	if _, ok := d.next(&m, j.client); ok {
		return pendingUntil(a, a.At)
	}
	return final(a, cardbot.MessageFailed)
}

// passingFailures counts the retries on a channel that count against MaxAttempts.
func passingFailures(m *cardbot.Message, channel string) int {
	n := 0
	for _, a := range m.Attempts {
		if a.Channel == channel && a.Result == cardbot.AttemptRetry && !strings.HasPrefix(a.Error, throttled) {
			n++
		}
	}
	return n
}

// settle commits an outcome. When the row is left waiting, the recipient's later rows are held behind
// it, so a retry cannot be overtaken by the next message to the same person; a row set aside holds
// back nobody.
func (d *Dispatcher) settle(m *cardbot.Message, o outcome) error {
	if err := d.save(m.ID, o); err != nil {
		d.log.Error("outbox: saving an outcome", "message", m.ID, "err", err)
		return err
	}
	d.logOutcome(m, o)
	if o.waits() && !o.aside {
		d.hold(recipient(m), m.ID, o.nextAt)
	}
	return nil
}

// save commits o on the row, reloaded inside the transaction. It keeps trying while the dispatcher
// runs, holding the recipient's queue: an outcome left unsaved would have the row sent again.
func (d *Dispatcher) save(id uint64, o outcome) error {
	for pause := 100 * time.Millisecond; ; pause = min(2*pause, 10*time.Second) {
		err := d.store.Update(d.base, func(tx cardbot.Tx) error {
			m, err := tx.Message(id)
			if err != nil {
				return err
			}
			o.apply(m)
			if err := tx.PutMessage(m); err != nil {
				return err
			}
			if o.waits() && !o.aside {
				return holdLaterRows(tx, m)
			}
			return nil
		})
		if err == nil || cardbot.CodeOf(err) == cardbot.NotFound || !d.sleep(pause) {
			return err
		}
		d.log.Warn("outbox: saving an outcome failed, trying again", "message", id, "err", err)
	}
}

// holdLaterRows moves the client's later pending rows to no earlier than m's retry, in the store, so
// the recipient's order survives a restart too (the in-memory hold alone is lost with the process):
// rows due at the same moment are taken in id order.
func holdLaterRows(tx cardbot.Tx, m *cardbot.Message) error {
	if m.ClientID == 0 {
		return nil
	}
	later, err := tx.ClientMessages(m.ClientID, 0, 50)
	if err != nil {
		return err
	}
	for _, r := range later {
		if r.ID <= m.ID {
			break
		}
		if r.Status == cardbot.MessagePending && r.NextAt.Before(m.NextAt) {
			r.NextAt = m.NextAt
			if err := tx.PutMessage(r); err != nil {
				return err
			}
		}
	}
	return nil
}

// sleep waits for p unless the dispatcher stops first.
func (d *Dispatcher) sleep(p time.Duration) bool {
	t := time.NewTimer(p)
	defer t.Stop()
	select {
	case <-d.stop:
		return false
	case <-t.C:
		return true
	}
}

func (d *Dispatcher) logOutcome(m *cardbot.Message, o outcome) {
	if o.attempt == nil {
		d.log.Debug("outbox: message waits", "message", m.ID, "until", o.nextAt)
		return
	}
	level := slog.LevelInfo
	switch {
	case o.status == cardbot.MessageFailed:
		level = slog.LevelWarn
	case o.attempt.Result == cardbot.AttemptSent || o.attempt.Result == resultHeld:
		level = slog.LevelDebug // one of these for every message, or every held one of a broadcast
	}
	a := o.attempt
	d.log.Log(d.base, level, "outbox: attempt", "message", m.ID, "channel", a.Channel,
		"result", a.Result, "error", a.Error, "status", o.status)
}
