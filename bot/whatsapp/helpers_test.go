package whatsapp

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"cardbot"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"
)

// recorder is a handler that keeps what it was given; fail, when set, decides each call's error.
type recorder struct {
	mu   sync.Mutex
	got  []cardbot.Inbound
	fail func(in cardbot.Inbound, call int) error
	slow func(in cardbot.Inbound) time.Duration
	call int
}

func (r *recorder) Handle(_ context.Context, in cardbot.Inbound) error {
	r.mu.Lock()
	r.call++
	call, fail, slow := r.call, r.fail, r.slow
	r.mu.Unlock()
	if slow != nil {
		time.Sleep(slow(in))
	}
	if fail != nil {
		if err := fail(in, call); err != nil {
			return err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, in)
	return nil
}

func (r *recorder) inbound() []cardbot.Inbound {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]cardbot.Inbound(nil), r.got...)
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// fastTiming keeps the tests' waits short.
func fastTiming() timing {
	return timing{
		minBackoff: 5 * time.Millisecond, maxBackoff: 40 * time.Millisecond, login: 2 * time.Second,
		keepAliveMaxFail: time.Minute, handleAttempts: 4, handleBackoff: time.Millisecond,
		handleMaxBackoff: 5 * time.Millisecond, receipt: time.Second, drain: 2 * time.Second,
		rateLimitPause: time.Minute,
	}
}

func newTestAdapter(t *testing.T, f *fakeClient, h cardbot.Handler) *Adapter {
	t.Helper()
	a := New(f, h, quietLog())
	a.timing = fastTiming()
	return a
}

// run starts Run and stops it when the test ends, checking that it returned.
func run(t *testing.T, a *Adapter) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run returned %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("Run did not return after its context ended")
		}
	})
}

// eventually waits until cond holds, failing the test after a few seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// waitState waits for the adapter to reach state.
func waitState(t *testing.T, a *Adapter, state string) Status {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := a.awaitStatus(ctx, func(s Status) bool { return s.State == state })
	if err != nil {
		t.Fatalf("status stayed %+v, want state %s", s, state)
	}
	return s
}

func (f *fakeClient) connectCount() int {
	var n int
	f.locked(func(f *fakeClient) { n = f.connects })
	return n
}

var msgTime = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// pnJID is a phone-number user JID.
func pnJID(user string) types.JID { return types.NewJID(user, types.DefaultUserServer) }

// textFrom builds the event of a private text message from a phone-number sender.
func textFrom(user, id, text string) *events.Message {
	jid := pnJID(user)
	return &events.Message{
		Info: types.MessageInfo{
			MessageSource: types.MessageSource{Chat: jid, Sender: jid},
			ID:            id, PushName: "Anna", Timestamp: msgTime,
		},
		Message: &waE2E.Message{Conversation: proto.String(text)},
	}
}
