package bot_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"cardbot"
	"cardbot/bot"
)

// TestSendingDoesNotWaitForOutcomeCommits: while the store cannot commit (a slow disk, here a
// transaction held open), the only worker still sends one recipient's rows after another; each
// row's outcome is saved once the store commits again, and nothing is sent twice.
func TestSendingDoesNotWaitForOutcomeCommits(t *testing.T) {
	tg := newFake("telegram")
	gate := tg.hold()
	h := newHarness(t, bot.Options{Workers: 1}, tg)
	cs := h.clients(100, 3)
	ids := h.enqueue(notice(cs[0].ID, "one"), notice(cs[1].ID, "two"), notice(cs[2].ID, "three"))
	<-tg.entered // the worker holds the first row at the channel

	let := holdStore(t, h) // from here until let, no outcome can be committed
	close(gate)
	eventually(t, "all three rows are sent while the store is held", func() bool { return tg.count() == 3 })
	for _, id := range ids {
		if m := h.message(id); m.Status != cardbot.MessagePending {
			t.Fatalf("row %d is %v before any outcome could be committed", id, m.Status)
		}
	}

	let()
	for _, id := range ids {
		h.waitStatus(id, cardbot.MessageSent)
	}
	h.quiet()
	if got := texts(tg.accepted()); len(got) != 3 {
		t.Errorf("sent %v, want each row once", got)
	}
}

// What a crash can send twice stays bounded: with the store held, a worker sends only until
// Options.Unsaved outcomes wait for their commit, and then waits for its own.
func TestUnsavedOutcomesAreBounded(t *testing.T) {
	tg := newFake("telegram")
	h := openHarness(t, cardbot.NewManualClock(t0))
	var ms []cardbot.Message
	for i, c := range h.clients(100, 6) {
		ms = append(ms, notice(c.ID, strconv.Itoa(i)))
	}
	ids := h.enqueue(ms...)

	let := holdStore(t, h) // from here until let, no outcome can be committed
	h.start(bot.Options{Workers: 1, Unsaved: 2}, tg)
	// Two outcomes wait in the background; the third send's worker waits for its own commit.
	eventually(t, "three rows are sent while the store is held", func() bool { return tg.count() == 3 })
	time.Sleep(100 * time.Millisecond) // a fourth send would come now if the bound did not hold
	if n := tg.count(); n != 3 {
		t.Fatalf("%d rows sent with no outcome committed, want 1 worker + 2 unsaved = 3", n)
	}
	let()
	for _, id := range ids {
		h.waitStatus(id, cardbot.MessageSent)
	}
}

// holdStore holds a write transaction open, so no outcome can be committed, until the returned func
// is called; it returns once the transaction holds the store. The hold is also let go before the
// harness closes, so a failure cannot leave the store held.
func holdStore(t *testing.T, h *harness) (let func()) {
	held, release, stuck := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		stuck <- h.db.Update(context.Background(), func(cardbot.Tx) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	var once sync.Once
	let = func() {
		once.Do(func() {
			close(release)
			if err := <-stuck; err != nil {
				t.Error(err)
			}
		})
	}
	t.Cleanup(let)
	return let
}
