package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"cardbot"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"
)

func TestReceive(t *testing.T) {
	lid := types.NewJID("123456789012345", types.HiddenUserServer)
	knownLID := types.NewJID("555000111222333", types.HiddenUserServer)
	group := types.NewJID("120363000000000001", types.GroupServer)
	with := func(change func(*events.Message)) *events.Message {
		m := textFrom("79161234567", "3EB0A1", "баланс")
		change(m)
		return m
	}
	fromLID := func(user types.JID, alt types.JID) *events.Message {
		return with(func(m *events.Message) {
			m.Info.Chat, m.Info.Sender, m.Info.SenderAlt = user, user, alt
			m.Info.AddressingMode = types.AddressingModeLID
		})
	}
	want := cardbot.Inbound{
		Channel: "whatsapp", UserID: "+79161234567", UpdateID: "3EB0A1", Name: "Anna",
		Text: "баланс", Phone: "+79161234567", At: msgTime,
	}
	tests := []struct {
		name string
		evt  *events.Message
		want *cardbot.Inbound // nil: ignored
	}{
		{"plain text", with(func(*events.Message) {}), &want},
		{"extended text", with(func(m *events.Message) {
			m.Message = &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String("баланс")}}
		}), &want},
		{"picture caption", with(func(m *events.Message) {
			m.Message = &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: proto.String("баланс")}}
		}), &want},
		{"sender's device part dropped", with(func(m *events.Message) { m.Info.Sender.Device = 3 }), &want},
		{"push name trimmed", with(func(m *events.Message) { m.Info.PushName = "  Anna " }), &want},
		{"no push name", with(func(m *events.Message) { m.Info.PushName = "" }), withName(want, "")},
		{"from me", with(func(m *events.Message) { m.Info.IsFromMe = true }), nil},
		{"group", with(func(m *events.Message) { m.Info.Chat, m.Info.IsGroup = group, true }), nil},
		{"group chat without the flag", with(func(m *events.Message) { m.Info.Chat = group }), nil},
		{"status broadcast", with(func(m *events.Message) { m.Info.Chat = types.StatusBroadcastJID }), nil},
		{"broadcast list", with(func(m *events.Message) {
			m.Info.Chat = types.NewJID("1234567890", types.BroadcastServer)
		}), nil},
		{"newsletter", with(func(m *events.Message) {
			m.Info.Chat = types.NewJID("120363000000000002", types.NewsletterServer)
			m.Info.Sender = m.Info.Chat
		}), nil},
		{"bot", with(func(m *events.Message) { m.Info.Chat, m.Info.Sender = types.MetaAIJID, types.MetaAIJID }), nil},
		{"sticker", with(func(m *events.Message) {
			m.Message = &waE2E.Message{StickerMessage: &waE2E.StickerMessage{}}
		}), nil},
		{"blank text", with(func(m *events.Message) { m.Message = &waE2E.Message{Conversation: proto.String("  ")} }), nil},
		{"edit", with(func(m *events.Message) { m.IsEdit = true }), nil},
		{"lid with the phone alongside", fromLID(lid, pnJID("79161234567")), &want},
		{"lid in the lid store", fromLID(knownLID, types.JID{}), &want},
		{"lid nobody can map", fromLID(lid, types.JID{}), withPhone(withUser(want, "123456789012345@lid"), "")},
	}
	f := newFake()
	f.lids[knownLID] = pnJID("79161234567")
	a := newTestAdapter(t, f, &recorder{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := a.receive(context.Background(), tt.evt)
			switch {
			case tt.want == nil && ok:
				t.Fatalf("want it ignored, got %+v", r.in)
			case tt.want != nil && !ok:
				t.Fatal("ignored, want it received")
			case tt.want != nil && r.in != *tt.want:
				t.Fatalf("got  %+v\nwant %+v", r.in, *tt.want)
			}
		})
	}
}

func withName(in cardbot.Inbound, name string) *cardbot.Inbound   { in.Name = name; return &in }
func withUser(in cardbot.Inbound, user string) cardbot.Inbound    { in.UserID = user; return in }
func withPhone(in cardbot.Inbound, phone string) *cardbot.Inbound { in.Phone = phone; return &in }

// Messages reach the handler in order within each chat, whatever the handler's timing, and are
// marked read once handled; other chats run alongside.
func TestInboundOrderPerChat(t *testing.T) {
	f := pairedFake()
	h := &recorder{slow: func(cardbot.Inbound) time.Duration { return time.Duration(rand.IntN(3)) * time.Millisecond }}
	a := newTestAdapter(t, f, h)
	run(t, a)
	waitState(t, a, StateConnected)
	users := []string{"79160000001", "79160000002", "79160000003"}
	const perUser = 20
	for i := range perUser {
		for _, u := range users {
			f.emit(textFrom(u, fmt.Sprintf("%s-%02d", u, i), fmt.Sprint(i)))
		}
	}
	eventually(t, "every message handled", func() bool { return len(h.inbound()) == perUser*len(users) })
	next := map[string]int{}
	for _, in := range h.inbound() {
		if want := fmt.Sprint(next[in.UserID]); in.Text != want {
			t.Fatalf("%s: got message %s, want %s", in.UserID, in.Text, want)
		}
		next[in.UserID]++
	}
	eventually(t, "every message marked read", func() bool {
		n := 0
		f.locked(func(f *fakeClient) { n = len(f.reads) })
		return n == perUser*len(users)
	})
}

// A passing failure is tried again, holding the chat's later messages back; a refusal is not.
func TestDeliverRetries(t *testing.T) {
	f := pairedFake()
	h := &recorder{fail: func(in cardbot.Inbound, call int) error {
		switch {
		case in.Text == "bad":
			return cardbot.Errorf(cardbot.Invalid, "no")
		case in.Text == "flaky" && call <= 2:
			return errors.New("store busy")
		}
		return nil
	}}
	a := newTestAdapter(t, f, h)
	run(t, a)
	waitState(t, a, StateConnected)
	f.emit(textFrom("79160000001", "1", "flaky"))
	f.emit(textFrom("79160000001", "2", "bad"))
	f.emit(textFrom("79160000001", "3", "after"))
	eventually(t, "both good messages handled", func() bool { return len(h.inbound()) == 2 })
	got := h.inbound()
	if got[0].Text != "flaky" || got[1].Text != "after" {
		t.Fatalf("handled %q then %q, want flaky then after", got[0].Text, got[1].Text)
	}
	h.mu.Lock()
	calls := h.call
	h.mu.Unlock()
	if calls != 5 { // flaky three times, bad once, after once
		t.Fatalf("the handler was called %d times, want 5", calls)
	}
}

// Messages received just before shutdown are still handled while Run drains.
func TestRunDrainsQueuedMessages(t *testing.T) {
	f := pairedFake()
	h := &recorder{slow: func(cardbot.Inbound) time.Duration { return 20 * time.Millisecond }}
	a := newTestAdapter(t, f, h)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	waitState(t, a, StateConnected)
	for i := range 5 {
		f.emit(textFrom("79160000001", fmt.Sprint(i), fmt.Sprint(i)))
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := len(h.inbound()); n != 5 {
		t.Fatalf("%d of 5 queued messages were handled before Run returned", n)
	}
	if f.IsConnected() {
		t.Fatal("still connected after Run returned")
	}
}
