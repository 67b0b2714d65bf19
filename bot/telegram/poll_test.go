package telegram_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"cardbot"
	"cardbot/bot/telegram"
	"cardbot/bot/telegram/fakeapi"
)

func TestNewChecksTheToken(t *testing.T) {
	f := newFake(t)
	cfg := config(f)
	cfg.Token = "999:wrong"
	_, err := telegram.New(cfg, newRecorder(), quiet)
	if err == nil || !strings.Contains(err.Error(), "telegram.token") || strings.Contains(err.Error(), "999:wrong") {
		t.Fatalf("New with a wrong token: %v (want a hint at telegram.token and no token in the text)", err)
	}
	a := newAdapter(t, f, newRecorder())
	if a.Username() != "fake_bot" || a.Channel() != "telegram" {
		t.Fatalf("username %q, channel %q", a.Username(), a.Channel())
	}
	if f.Calls("getMe") != 1 { // the fake counts calls with the right token only
		t.Fatalf("getMe called %d times, want once: New skips the library's own call", f.Calls("getMe"))
	}
}

func TestPollingText(t *testing.T) {
	f := newFake(t)
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	f.SetClock(func() time.Time { return at })
	rec := newRecorder()
	run(t, newAdapter(t, f, rec))

	id := f.SendText(alice.ID, alice, "hello")
	want := cardbot.Inbound{
		Channel: "telegram", UserID: "1001", UpdateID: fmt.Sprint(id),
		Name: "Alice Smith", Text: "hello", At: at,
	}
	if got := rec.next(t); got != want {
		t.Fatalf("inbound\n got %+v\nwant %+v", got, want)
	}
}

func TestPollingCommandsAndDeepLinks(t *testing.T) {
	f := newFake(t)
	rec := newRecorder()
	run(t, newAdapter(t, f, rec))
	for _, tc := range []struct{ text, payload string }{
		{"/start ref_abc", "ref_abc"},
		{"/start@fake_bot site_7", "site_7"},
		{"/start", ""},
		{"/balance", ""},
		{"/start@other_bot ref_x", ""},
		{"/started ref_x", ""},
	} {
		f.SendText(alice.ID, alice, tc.text)
		got := rec.next(t)
		if got.Text != tc.text || got.Payload != tc.payload {
			t.Errorf("%q: text %q payload %q, want payload %q", tc.text, got.Text, got.Payload, tc.payload)
		}
	}
}

func TestPollingContactOnlyOwn(t *testing.T) {
	f := newFake(t)
	rec := newRecorder()
	run(t, newAdapter(t, f, rec))

	f.SendContact(alice.ID, alice, "+79001234567")
	if got := rec.next(t); got.Phone != "+79001234567" || got.UserID != "1001" {
		t.Fatalf("own contact: %+v", got)
	}
	// A forwarded contact card of someone else, and one of a person not on Telegram (no user_id).
	for _, userID := range []string{`,"user_id":555`, ``} {
		f.Inject(`{"message":{"message_id":50,"date":1700000000,
			"from":{"id":1001,"is_bot":false,"first_name":"Alice"},
			"chat":{"id":1001,"type":"private","first_name":"Alice"},
			"contact":{"phone_number":"+79990000000","first_name":"Mom"` + userID + `}}}`)
		if got := rec.next(t); got.Phone != "" || got.UserID != "1001" {
			t.Fatalf("someone else's contact (%s) gave %+v", userID, got)
		}
	}
}

func TestPollingButtonPressIsAnswered(t *testing.T) {
	f := newFake(t)
	clock := cardbot.NewManualClock(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC))
	rec := newRecorder()
	a := newAdapter(t, f, rec, telegram.WithClock(clock))
	run(t, a)

	err := a.Send(ctxT(t), cardbot.Outgoing{To: "1001", Text: "Your card", Buttons: [][]cardbot.Button{{{Text: "Balance", Data: "card:balance"}}}})
	if err != nil {
		t.Fatal(err)
	}
	msgID := f.SentTo(alice.ID)[0].MessageID
	id := f.PressButton(alice.ID, alice, msgID, "card:balance")
	got := rec.next(t)
	want := cardbot.Inbound{Channel: "telegram", UserID: "1001", UpdateID: fmt.Sprint(id), Name: "Alice Smith", Button: "card:balance", At: clock.Now()}
	if got != want {
		t.Fatalf("press\n got %+v\nwant %+v", got, want)
	}
	if ans := f.Answers(); len(ans) != 1 || ans[0].ChatID != alice.ID || ans[0].MessageID != msgID {
		t.Fatalf("answers = %+v", ans)
	}
	// A press on a message Telegram no longer shows still counts.
	f.PressButton(alice.ID, alice, 999, "rate:5")
	if got := rec.next(t); got.Button != "rate:5" || got.UserID != "1001" {
		t.Fatalf("press on an old message: %+v", got)
	}
}

func TestPollingIgnoresGroupsAndConfirms(t *testing.T) {
	f := newFake(t)
	rec := newRecorder()
	run(t, newAdapter(t, f, rec))

	f.SendText(-100, alice, "hi all")
	f.Inject(`{"edited_message":{"message_id":1,"date":1,"chat":{"id":1001,"type":"private"},"text":"edit"}}`)
	f.SendText(alice.ID, alice, "after")
	if got := rec.next(t); got.Text != "after" {
		t.Fatalf("handled %+v, want only the private message", got)
	}
	eventually(t, "every update confirmed", func() bool { return getWebhookInfo(t, f).Pending == 0 })
}

// Updates of one chat reach the engine in order while chats run side by side: alice's first
// message waits inside Handle until one of bob's has been handled, which would never happen if the
// chats shared one queue.
func TestPollingOrderPerChatParallelAcrossChats(t *testing.T) {
	f := newFake(t)
	rec := newRecorder()
	bobSeen := make(chan struct{})
	var once bool
	rec.fail = func(in cardbot.Inbound, _ int) error {
		switch {
		case in.UserID == "1001" && in.Text == "a00":
			select {
			case <-bobSeen:
			case <-time.After(5 * time.Second):
				return errors.New("bob's messages never ran while alice's first one was handled")
			}
		case in.UserID == "2002" && !once:
			once = true // only bob's worker touches it
			close(bobSeen)
		}
		time.Sleep(time.Millisecond) // let the workers interleave
		return nil
	}
	var wantA, wantB []string
	for i := range 20 {
		wantA, wantB = append(wantA, fmt.Sprintf("a%02d", i)), append(wantB, fmt.Sprintf("b%02d", i))
		f.SendText(alice.ID, alice, wantA[i])
		f.SendText(bob.ID, bob, wantB[i])
	}
	run(t, newAdapter(t, f, rec))
	// More while it runs: these come in later batches, and still after the first twenty.
	for i := 20; i < 25; i++ {
		wantA = append(wantA, fmt.Sprintf("a%02d", i))
		f.SendText(alice.ID, alice, wantA[i])
	}
	eventually(t, "all 45 handled", func() bool { return len(rec.texts(alice.ID))+len(rec.texts(bob.ID)) == 45 })
	if got := rec.texts(alice.ID); !slices.Equal(got, wantA) {
		t.Errorf("alice's order %v", got)
	}
	if got := rec.texts(bob.ID); !slices.Equal(got, wantB) {
		t.Errorf("bob's order %v", got)
	}
}

// A failed update is delivered again and handled; its chat's later updates wait for it; another
// chat's update, handled meanwhile, is not handled twice.
func TestPollingRetriesAFailedUpdate(t *testing.T) {
	f := newFake(t)
	rec := newRecorder()
	rec.fail = func(in cardbot.Inbound, try int) error {
		if in.Text == "two" && try <= 2 {
			return errors.New("store busy")
		}
		return nil
	}
	f.SendText(alice.ID, alice, "one")
	two := f.SendText(alice.ID, alice, "two")
	b1 := f.SendText(bob.ID, bob, "b1")
	f.SendText(alice.ID, alice, "three")
	run(t, newAdapter(t, f, rec, telegram.WithPollTimings(time.Millisecond, 10*time.Millisecond, 12)))

	eventually(t, "alice's three handled", func() bool { return len(rec.texts(alice.ID)) == 3 })
	if got := rec.texts(alice.ID); !slices.Equal(got, []string{"one", "two", "three"}) {
		t.Fatalf("alice's order %v", got)
	}
	if rec.triesOf(two) != 3 || rec.triesOf(b1) != 1 {
		t.Fatalf("tries: two %d (want 3), b1 %d (want 1)", rec.triesOf(two), rec.triesOf(b1))
	}
	if n := f.Calls("getUpdates"); n < 3 {
		t.Fatalf("getUpdates called %d times; the failed update should have been fetched again", n)
	}
	eventually(t, "every update confirmed", func() bool { return getWebhookInfo(t, f).Pending == 0 })
}

// An update the engine refuses for good is dropped at once; one that keeps failing is dropped after
// the attempt limit. Either way the chat moves on.
func TestPollingGivesUp(t *testing.T) {
	f := newFake(t)
	rec := newRecorder()
	rec.fail = func(in cardbot.Inbound, _ int) error {
		switch in.Text {
		case "refused":
			return cardbot.Errorf(cardbot.Invalid, "no such card")
		case "broken":
			return errors.New("bug")
		}
		return nil
	}
	refused := f.SendText(alice.ID, alice, "refused")
	broken := f.SendText(alice.ID, alice, "broken")
	f.SendText(alice.ID, alice, "fine")
	run(t, newAdapter(t, f, rec, telegram.WithPollTimings(time.Millisecond, 5*time.Millisecond, 3)))

	if got := rec.next(t); got.Text != "fine" {
		t.Fatalf("handled %+v", got)
	}
	if rec.triesOf(refused) != 1 || rec.triesOf(broken) != 3 {
		t.Fatalf("tries: refused %d (want 1), broken %d (want 3)", rec.triesOf(refused), rec.triesOf(broken))
	}
}

// What one run failed to handle, the next run (after a crash or a restart) receives again; what it
// handled is confirmed on the way out and not received again.
func TestPollingRestartRedeliversOnlyUnhandled(t *testing.T) {
	f := newFake(t)
	first := newRecorder()
	first.fail = func(in cardbot.Inbound, _ int) error {
		if in.Text == "later" {
			return cardbot.Errorf(cardbot.Unavailable, "database closed")
		}
		return nil
	}
	f.SendText(alice.ID, alice, "now")
	later := f.SendText(alice.ID, alice, "later")
	stop := run(t, newAdapter(t, f, first, telegram.WithPollTimings(time.Millisecond, 5*time.Millisecond, 1000)))
	first.next(t)
	eventually(t, "the failing update tried", func() bool { return first.triesOf(later) >= 2 })
	stop()

	second := newRecorder()
	run(t, newAdapter(t, f, second))
	if got := second.next(t); got.Text != "later" || got.UpdateID != fmt.Sprint(later) {
		t.Fatalf("after restart handled %+v, want the unhandled update", got)
	}
	eventually(t, "confirmed", func() bool { return getWebhookInfo(t, f).Pending == 0 })
	if got := second.texts(alice.ID); !slices.Equal(got, []string{"later"}) {
		t.Fatalf("after restart handled %v", got)
	}
}

func TestPollingSurvivesFailedPolls(t *testing.T) {
	f := newFake(t)
	rec := newRecorder()
	f.FailNext("getUpdates", 0, fakeapi.ServerError())
	f.FailNext("getUpdates", 0, fakeapi.TooManyRequests(1))
	f.SendText(alice.ID, alice, "still here")
	run(t, newAdapter(t, f, rec, telegram.WithPollTimings(time.Millisecond, 5*time.Millisecond, 3)))
	if got := rec.next(t); got.Text != "still here" {
		t.Fatalf("handled %+v", got)
	}
}

// Polling replaces a webhook left from webhook mode: Telegram refuses getUpdates while one is set.
func TestPollingDeletesAWebhook(t *testing.T) {
	f := newFake(t)
	rec := newRecorder()
	a := newAdapter(t, f, rec)
	if err := a.SetWebhook(ctxT(t), "http://127.0.0.1:1/telegram/webhook"); err != nil {
		t.Fatal(err)
	}
	run(t, a)
	f.SendText(alice.ID, alice, "polled")
	if got := rec.next(t); got.Text != "polled" {
		t.Fatalf("handled %+v", got)
	}
}

func TestRunReturnsWhenTheTokenIsRevoked(t *testing.T) {
	f := newFake(t)
	a := newAdapter(t, f, newRecorder())
	f.FailNext("getUpdates", 0, fakeapi.Failure{Code: 401, Description: "Unauthorized"})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.Run(ctx); err == nil || ctx.Err() != nil {
		t.Fatalf("Run = %v (ctx %v), want an error before the timeout", err, ctx.Err())
	}
}

// An update the library's models cannot hold (a wrong type in a field) is confirmed and skipped,
// rather than failing every poll from then on.
func TestPollingSkipsAnUndecodableUpdate(t *testing.T) {
	f := newFake(t)
	rec := newRecorder()
	f.Inject(`{"message":{"message_id":"not a number","date":1,"chat":{"id":1001,"type":"private"},"text":"x"}}`)
	f.SendText(alice.ID, alice, "next")
	run(t, newAdapter(t, f, rec))
	if got := rec.next(t); got.Text != "next" {
		t.Fatalf("handled %+v", got)
	}
	eventually(t, "both confirmed", func() bool { return getWebhookInfo(t, f).Pending == 0 })
}

// A panic in the engine is a failed update like any other: delivered again, not a dead process.
func TestPollingRecoversAPanic(t *testing.T) {
	f := newFake(t)
	rec := newRecorder()
	rec.fail = func(in cardbot.Inbound, try int) error {
		if try == 1 {
			panic("nil map")
		}
		return nil
	}
	id := f.SendText(alice.ID, alice, "boom")
	run(t, newAdapter(t, f, rec, telegram.WithPollTimings(time.Millisecond, 5*time.Millisecond, 3)))
	if got := rec.next(t); got.Text != "boom" || rec.triesOf(id) != 2 {
		t.Fatalf("handled %+v after %d tries", got, rec.triesOf(id))
	}
}
