package bot_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"cardbot"
	"cardbot/bot"
)

// fakeGate holds the rows of the broadcasts in held and skips those in skipped.
type fakeGate struct {
	mu      sync.Mutex
	held    map[uint64]bool
	skipped map[uint64]bool
}

func (g *fakeGate) Gate(m *cardbot.Message, now time.Time) cardbot.GateVerdict {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case g.held[m.Broadcast]:
		return cardbot.GateVerdict{HoldUntil: now.Add(time.Hour)}
	case g.skipped[m.Broadcast]:
		return cardbot.GateVerdict{Skip: "broadcast cancelled"}
	}
	return cardbot.GateVerdict{}
}

func (g *fakeGate) release(id uint64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.held, id)
}

type fakeImages struct{}

func (fakeImages) Image(_ context.Context, key string) ([]byte, error) {
	return []byte("img-" + key), nil
}

func TestGateHoldsAndSkipsRowsWithoutHoldingUpOthers(t *testing.T) {
	tg := newFake("telegram")
	gate := &fakeGate{held: map[uint64]bool{1: true}, skipped: map[uint64]bool{2: true}}
	h := newHarness(t, bot.Options{Gate: gate, Images: fakeImages{}}, tg)
	anna := h.client(anna())
	held := marketing(anna.ID, "paused sale")
	held.Broadcast, held.Image = 1, "broadcast:1"
	cancelled := marketing(anna.ID, "cancelled sale")
	cancelled.Broadcast = 2
	ids := h.enqueue(held, cancelled, notice(anna.ID, "+50 points"))

	// The notice behind the held row is not kept waiting for it.
	h.waitStatus(ids[2], cardbot.MessageSent)
	wantShapes(t, h.waitStatus(ids[1], cardbot.MessageSkipped), shape{"", "skipped", "broadcast cancelled"})
	m := h.message(ids[0])
	if m.Status != cardbot.MessagePending || !m.NextAt.Equal(t0.Add(time.Hour)) || len(m.Attempts) != 0 {
		t.Fatalf("held row: %s until %v with %d attempts, want pending an hour without attempts", m.Status, m.NextAt, len(m.Attempts))
	}

	// Released and due again, it goes out with its picture.
	gate.release(1)
	h.update(func(tx cardbot.Tx) error {
		m, err := tx.Message(ids[0])
		if err != nil {
			return err
		}
		m.NextAt = t0
		return tx.PutMessage(m)
	})
	h.d.Wake()
	h.waitStatus(ids[0], cardbot.MessageSent)
	sent := tg.accepted()
	if len(sent) != 2 || sent[1].out.Text != "paused sale" || string(sent[1].out.Picture) != "img-broadcast:1" {
		t.Fatalf("sent %q, want the notice then the released row with its picture", texts(sent))
	}
}
