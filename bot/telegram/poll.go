package telegram

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// pollSettings are the long-poll loop's timings; tests shorten them.
type pollSettings struct {
	timeout     time.Duration // how long Telegram holds an empty getUpdates
	minBackoff  time.Duration // first pause after a failed poll or a failed update
	maxBackoff  time.Duration
	maxAttempts int // deliveries of one failing update before it is dropped
}

// defaultPollSettings give up on an update after about two and a half minutes of failures (twelve
// attempts, the pauses doubling from 0.1 s to 30 s): long enough to ride out a store hiccup, short
// enough that one poisoned update does not hold its chat for hours.
func defaultPollSettings() pollSettings {
	return pollSettings{timeout: 50 * time.Second, minBackoff: 100 * time.Millisecond, maxBackoff: 30 * time.Second, maxAttempts: 12}
}

// Run receives updates by long polling until ctx is done, then returns nil. It returns an error only
// when Telegram refuses the token, which no amount of retrying fixes.
//
// It runs its own getUpdates loop instead of the library's Start, because Start confirms every update
// as soon as it is fetched: a crash would lose what was fetched but not yet handled. Here the offset
// moves only past updates the engine handled (or refused for good), so after a crash Telegram
// delivers the rest again and the engine drops the repeats by Inbound.UpdateID.
//
// Updates are fetched in batches of up to 100; within a batch each chat's updates are handled in
// order and different chats in parallel, and the next batch is fetched when the batch is done. When
// an update fails, its chat's later updates in the batch wait, the offset stops at the first update
// not handled, and after a pause the loop fetches from there; updates already handled are skipped.
func (a *Adapter) Run(ctx context.Context) error {
	// Telegram refuses getUpdates while a webhook is set; polling mode means we want polling.
	if _, err := a.bot.DeleteWebhook(ctx, &bot.DeleteWebhookParams{}); err != nil && ctx.Err() == nil {
		a.log.Warn("deleteWebhook before polling failed", "err", err)
	}
	p := &poller{a: a, s: a.poll, handled: map[int64]bool{}, attempts: map[int64]int{}, backoff: a.poll.minBackoff}
	defer p.confirm(ctx)
	for ctx.Err() == nil {
		batch, err := a.getUpdates(ctx, getUpdatesRequest{
			Offset: p.offset, Limit: 100, Timeout: int(p.s.timeout / time.Second), AllowedUpdates: allowedUpdates,
		})
		if err != nil {
			if stop := p.pollFailed(ctx, err); stop != nil {
				return stop
			}
			continue
		}
		p.sent = p.offset
		if p.handleBatch(ctx, batch) {
			p.backoff = p.s.minBackoff
		} else {
			p.pause(ctx, p.backoff)
		}
	}
	return nil
}

// poller is the state of one Run; only Run's goroutine changes it.
type poller struct {
	a        *Adapter
	s        pollSettings
	offset   int64          // the next getUpdates offset: everything below it is handled
	sent     int64          // the offset Telegram last saw
	handled  map[int64]bool // handled updates at or above offset (behind a failed one)
	attempts map[int64]int  // failed deliveries of updates at or above offset
	backoff  time.Duration
}

// pollFailed logs a failed getUpdates and pauses. It returns an error when polling cannot go on.
func (p *poller) pollFailed(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	var api *apiError
	wait := p.backoff
	switch {
	case errors.As(err, &api) && api.Code == 401:
		return errors.Join(errors.New("telegram: the Bot API refused the token while polling"), err)
	case errors.As(err, &api) && api.Code == 409:
		p.a.log.Warn("getUpdates conflict: another instance polls with this token, or a webhook is set", "err", err)
	case errors.As(err, &api) && api.RetryAfter > 0:
		wait = time.Duration(api.RetryAfter) * time.Second
	default:
		p.a.log.Warn("getUpdates failed", "err", err, "retry_in", wait)
	}
	p.pause(ctx, wait)
	return nil
}

// pause sleeps for d (or until ctx is done) and doubles the backoff for next time.
func (p *poller) pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
	p.backoff = min(2*p.backoff, p.s.maxBackoff)
}

// outcome is what became of one update of a batch.
type outcome int

const (
	done    outcome = iota // handled, not ours, or refused for good: confirm it
	failed                 // Handle failed: deliver it again
	waiting                // not tried: an earlier update of its chat failed
)

// handleBatch hands the batch to the per-chat sequencer, waits for all of it, and moves the offset.
// It reports whether every update was done.
func (p *poller) handleBatch(ctx context.Context, batch []*models.Update) bool {
	outcomes := make([]outcome, len(batch))
	recs := make([]received, len(batch))
	var wg sync.WaitGroup
	for chatID, idx := range p.byChat(batch, recs) {
		wg.Add(1)
		p.a.seq.Submit(chatID, func() {
			defer wg.Done()
			p.runChat(ctx, recs, idx, batch, outcomes)
		})
	}
	wg.Wait()
	return p.advance(batch, outcomes)
}

// byChat groups the batch's indexes by chat, in update order, leaving out updates that need no
// handling (not ours, or handled on an earlier delivery); their outcome stays done.
func (p *poller) byChat(batch []*models.Update, recs []received) map[int64][]int {
	chats := map[int64][]int{}
	for i, u := range batch {
		if p.handled[u.ID] {
			continue
		}
		r, ok := p.a.receive(u)
		if !ok {
			continue
		}
		recs[i] = r
		chats[r.chatID] = append(chats[r.chatID], i)
	}
	return chats
}

// runChat handles one chat's updates of the batch in order. After a failure the chat's later updates
// wait for the next delivery, so the engine never sees them ahead of the one that failed.
func (p *poller) runChat(ctx context.Context, recs []received, idx []int, batch []*models.Update, outcomes []outcome) {
	blocked := false
	for _, i := range idx {
		if blocked {
			outcomes[i] = waiting
			continue
		}
		err := p.a.deliver(ctx, recs[i])
		switch {
		case err == nil:
		case ctx.Err() != nil:
			outcomes[i], blocked = failed, true // shutting down: not the update's fault, the next run gets it
		default:
			// attempts is only read here; advance writes it after the batch.
			final := refused(err) || p.attempts[batch[i].ID]+1 >= p.s.maxAttempts
			p.a.logFailure(recs[i], err, !final)
			if !final {
				outcomes[i], blocked = failed, true
			}
		}
	}
}

// advance moves the offset to the first update not done and remembers which later ones were, so
// they are skipped when Telegram delivers them again.
func (p *poller) advance(batch []*models.Update, outcomes []outcome) bool {
	if len(batch) == 0 {
		return true
	}
	p.offset = batch[len(batch)-1].ID + 1
	clean := true
	for i, u := range batch {
		switch {
		case outcomes[i] == done && clean:
			delete(p.attempts, u.ID)
		case outcomes[i] == done:
			p.handled[u.ID] = true
		case clean:
			p.offset, clean = u.ID, false
		}
		if outcomes[i] == failed {
			p.attempts[u.ID]++
		}
	}
	p.forgetBelow(p.offset)
	return clean
}

// forgetBelow drops bookkeeping for updates Telegram will not deliver again.
func (p *poller) forgetBelow(offset int64) {
	for id := range p.handled {
		if id < offset {
			delete(p.handled, id)
		}
	}
	for id := range p.attempts {
		if id < offset {
			delete(p.attempts, id)
		}
	}
}

// confirm tells Telegram the final offset on the way out, so a restart does not receive again what
// this run handled. It needs a context that outlives ctx, briefly.
func (p *poller) confirm(ctx context.Context) {
	if p.offset == p.sent {
		return
	}
	c, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := p.a.getUpdates(c, getUpdatesRequest{Offset: p.offset, Limit: 1}); err != nil {
		p.a.log.Warn("confirming handled updates failed; they will be delivered again", "err", err)
	}
}
