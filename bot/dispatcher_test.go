package bot_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"cardbot"
	"cardbot/bot"
)

func TestReplyGoesToItsOwnChannelOnly(t *testing.T) {
	tg, wa, sms, email := fourFakes()
	h := newHarness(t, bot.Options{}, tg, wa, sms, email)
	c := h.client(anna())

	ids := h.enqueue(cardbot.Message{ClientID: c.ID, Kind: cardbot.KindReply, Text: "hi",
		To: &cardbot.Address{Channel: "whatsapp", ID: "79001234567"}, Buttons: [][]cardbot.Button{{{Text: "Card", Data: "card"}}}})
	m := h.waitStatus(ids[0], cardbot.MessageSent)
	wantShapes(t, m, shape{"whatsapp", cardbot.AttemptSent, ""})
	if !m.SentAt.Equal(t0) {
		t.Errorf("SentAt %v, want the injected clock's %v", m.SentAt, t0)
	}
	got := wa.accepted()
	if len(got) != 1 || got[0].out.To != "79001234567" || got[0].out.Text != "hi" || len(got[0].out.Buttons) != 1 {
		t.Fatalf("whatsapp got %+v", got)
	}

	// A reply whose chat blocked the bot fails there and goes nowhere else.
	tg.failNext(1, errBlocked)
	ids = h.enqueue(cardbot.Message{ClientID: c.ID, Kind: cardbot.KindReply, Text: "bye",
		To: &cardbot.Address{Channel: "telegram", ID: "100"}})
	m = h.waitStatus(ids[0], cardbot.MessageFailed)
	wantShapes(t, m, shape{"telegram", cardbot.AttemptFailed, errBlocked.Error()})
	if n := tg.count() + wa.count() + sms.count() + email.count(); n != 2 {
		t.Fatalf("%d sends in all, want 2", n)
	}
}

func TestNoticeFollowsTheCascade(t *testing.T) {
	tg, wa, sms, email := fourFakes()
	tg.failNext(1, errBlocked)
	wa.failNext(1, errNotOnWhatsApp)
	sms.failNext(10, errFlaky)
	opt := bot.Options{MaxAttempts: 3, Backoff: func(int) time.Duration { return time.Minute }}
	h := newHarness(t, opt, tg, wa, sms, email)
	c := h.client(anna())

	id := h.enqueue(cardbot.Message{ClientID: c.ID, Kind: cardbot.KindNotice, Text: "+50 points", CardID: 7})[0]
	m := h.waitAttempts(id, 3)
	if m.Status != cardbot.MessagePending || !m.NextAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("after the first SMS failure: status %s, next at %v", m.Status, m.NextAt)
	}
	h.quiet()
	if n := sms.count(); n != 1 {
		t.Fatalf("SMS tried %d times before its backoff ran out", n)
	}
	for range 2 {
		h.clock.Advance(time.Minute)
		h.d.Wake()
		m = h.waitAttempts(id, len(m.Attempts)+1)
	}
	m = h.waitStatus(id, cardbot.MessageSent)
	wantShapes(t, m,
		shape{"telegram", cardbot.AttemptFailed, errBlocked.Error()},
		shape{"whatsapp", cardbot.AttemptFailed, errNotOnWhatsApp.Error()},
		shape{"sms", cardbot.AttemptRetry, errFlaky.Error()},
		shape{"sms", cardbot.AttemptRetry, errFlaky.Error()},
		shape{"sms", cardbot.AttemptFailed, errFlaky.Error() + " (gave up after 3 tries)"},
		shape{"email", cardbot.AttemptSent, ""},
	)
	for i, a := range m.Attempts {
		if i > 0 && a.At.Before(m.Attempts[i-1].At) {
			t.Fatalf("attempt %d at %v is before the one above it", i, a.At)
		}
	}
	addr := []string{tg.calls[0].out.To, wa.calls[0].out.To, sms.calls[0].out.To, email.calls[0].out.To}
	if want := []string{"100", "79001234567", "+79001234567", "anna@example.com"}; !slices.Equal(addr, want) {
		t.Fatalf("addresses %q, want %q", addr, want)
	}
	if got := string(email.accepted()[0].out.Picture); got != "png-7" {
		t.Fatalf("picture %q, want the card's", got)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	tg := newFake("telegram")
	tg.failNextTo("1", 1, tooMany(30*time.Second))
	tg.failNextTo("1", 1, errFlaky)
	h := newHarness(t, bot.Options{MaxAttempts: 2, Backoff: func(int) time.Duration { return time.Minute }}, tg)
	a := h.client(cardbot.Client{Channels: []cardbot.Address{{Channel: "telegram", ID: "1"}}})
	b := h.client(cardbot.Client{Channels: []cardbot.Address{{Channel: "telegram", ID: "2"}}})

	first := h.enqueue(notice(a.ID, "to a"))[0]
	m := h.waitAttempts(first, 1)
	if !m.NextAt.Equal(t0.Add(30 * time.Second)) {
		t.Fatalf("next at %v, want retry_after from now", m.NextAt)
	}
	// The whole channel waits, not only the row that got the 429.
	second := h.enqueue(notice(b.ID, "to b"))[0]
	h.waitMessage(second, "waits for the channel", func(m *cardbot.Message) bool { return m.NextAt.Equal(t0.Add(30 * time.Second)) })
	h.clock.Advance(29 * time.Second)
	h.quiet()
	if n := tg.count(); n != 1 {
		t.Fatalf("%d sends before retry_after ran out, want 1", n)
	}

	h.clock.Advance(time.Second)
	h.d.Wake()
	wantShapes(t, h.waitStatus(second, cardbot.MessageSent), shape{"telegram", cardbot.AttemptSent, ""})
	// The flaky answer is the first passing failure: the 429 did not count against MaxAttempts 2.
	m = h.waitAttempts(first, 2)
	h.clock.Advance(time.Minute)
	h.d.Wake()
	m = h.waitStatus(first, cardbot.MessageSent)
	wantShapes(t, m,
		shape{"telegram", cardbot.AttemptRetry, "throttled: Too Many Requests (retry after 30s)"},
		shape{"telegram", cardbot.AttemptRetry, errFlaky.Error()},
		shape{"telegram", cardbot.AttemptSent, ""},
	)
}

func TestMarketingHonoursOptOutNoticesDoNot(t *testing.T) {
	tg := newFake("telegram")
	h := newHarness(t, bot.Options{}, tg)
	out := anna()
	out.Consent.Marketing = false
	c := h.client(out)

	ids := h.enqueue(cardbot.Message{ClientID: c.ID, Kind: cardbot.KindMarketing, Text: "sale!"}, notice(c.ID, "+50 points"))
	wantShapes(t, h.waitStatus(ids[0], cardbot.MessageSkipped), shape{"", "skipped", "opted out"})
	h.waitStatus(ids[1], cardbot.MessageSent)
	if got := texts(tg.accepted()); !slices.Equal(got, []string{"+50 points"}) {
		t.Fatalf("telegram got %q", got)
	}
}

func TestRowsWithNowhereToGoAreSkipped(t *testing.T) {
	tg := newFake("telegram")
	h := newHarness(t, bot.Options{}, tg)
	nowhere := h.client(cardbot.Client{Name: "No contacts"})
	smsOnly := h.client(cardbot.Client{Phone: "+79005550000"}) // no SMS sender is registered

	ids := h.enqueue(
		notice(nowhere.ID, "a"),
		notice(smsOnly.ID, "b"),
		notice(999, "c"),
		cardbot.Message{Kind: cardbot.KindReply, Text: "d", To: &cardbot.Address{Channel: "webchat", ID: "s1"}},
		// A reply goes to its own address, but not for a client who is gone.
		cardbot.Message{ClientID: 998, Kind: cardbot.KindReply, Text: "e", To: &cardbot.Address{Channel: "telegram", ID: "7"}},
	)
	for i, why := range []string{"no channel", "no channel", "client not found", "no channel", "client not found"} {
		wantShapes(t, h.waitStatus(ids[i], cardbot.MessageSkipped), shape{"", "skipped", why})
	}
	if tg.count() != 0 {
		t.Fatal("telegram was used")
	}
}

func TestPictureThatFailsToRenderIsLeftOut(t *testing.T) {
	tg := newFake("telegram")
	h := newHarness(t, bot.Options{}, tg)
	c := h.client(anna())
	ids := h.enqueue(cardbot.Message{ClientID: c.ID, Kind: cardbot.KindNotice, Text: "card", CardID: 13})
	h.waitStatus(ids[0], cardbot.MessageSent)
	if got := tg.accepted()[0].out; got.Text != "card" || got.Picture != nil {
		t.Fatalf("sent %+v, want the text without a picture", got)
	}
}

func TestCascadeResumesAfterRestart(t *testing.T) {
	tg, wa := newFake("telegram"), newFake("whatsapp")
	tg.failNext(1, errBlocked)
	wa.hold() // WhatsApp never answers: the process stops while the message is with it
	h := newHarness(t, bot.Options{}, tg, wa)
	c := h.client(anna())
	id := h.enqueue(notice(c.ID, "+50 points"))[0]
	<-wa.entered
	h.drainPastDeadline()
	m := h.message(id)
	wantShapes(t, m, shape{"telegram", cardbot.AttemptFailed, errBlocked.Error()})

	tg2, wa2 := newFake("telegram"), newFake("whatsapp")
	h.restart(bot.Options{}, tg2, wa2)
	m = h.waitStatus(id, cardbot.MessageSent)
	wantShapes(t, m,
		shape{"telegram", cardbot.AttemptFailed, errBlocked.Error()},
		shape{"whatsapp", cardbot.AttemptSent, ""},
	)
	if tg2.count() != 0 {
		t.Fatal("after restart the cascade started over on telegram")
	}
}

func TestRepliesToOneChatKeepTheirOrder(t *testing.T) {
	tg := newFake("telegram")
	tg.jitter = 2 * time.Millisecond
	h := newHarness(t, bot.Options{Workers: 8}, tg)
	b := h.client(cardbot.Client{Channels: []cardbot.Address{{Channel: "telegram", ID: "B"}}})
	var ms []cardbot.Message
	for i := range 20 {
		ms = append(ms, cardbot.Message{Kind: cardbot.KindReply, Text: "A" + strconv.Itoa(i),
			To: &cardbot.Address{Channel: "telegram", ID: "A"}})
	}
	for i := range 20 {
		ms = append(ms, notice(b.ID, "B"+strconv.Itoa(i)))
	}
	h.enqueue(ms...)
	eventually(t, "all 40 are sent", func() bool { return len(tg.accepted()) == 40 })

	perChat := map[string][]string{}
	lastA, firstB := 0, -1
	for i, c := range tg.accepted() {
		perChat[c.out.To] = append(perChat[c.out.To], c.out.Text)
		if c.out.To == "A" {
			lastA = i
		} else if firstB < 0 {
			firstB = i
		}
	}
	for _, chat := range []string{"A", "B"} {
		var want []string
		for i := range 20 {
			want = append(want, chat+strconv.Itoa(i))
		}
		if got := perChat[chat]; !slices.Equal(got, want) {
			t.Errorf("chat %s got %q, want %q", chat, got, want)
		}
	}
	if firstB > lastA {
		t.Errorf("chat B waited for all of chat A: recipients are not served in parallel")
	}
}

// Marketing to 1,000 clients, a third of them opted out, sent by day and held over quiet hours.
func TestThousandClientsOptedOutGetNoMarketing(t *testing.T) {
	for _, tt := range []struct {
		name        string
		at, release time.Time // release: when the held rows may go (zero: not held)
	}{
		{"by day", msk(1, 12, 0), time.Time{}},
		{"over quiet hours", msk(1, 22, 30), msk(2, 9, 0)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tg := newFake("telegram")
			h := newHarnessAt(t, tt.at, bot.Options{QuietHours: night}, tg)
			optedIn, ids := thousandGetMarketing(h)
			if !tt.release.IsZero() {
				// Opted-out rows are skipped at once; the others wait for the morning.
				eventually(t, "every row is skipped or held", func() bool { return h.pendingDue(tt.release.Add(-time.Second)) == 0 })
				if n := tg.count(); n != 0 {
					t.Fatalf("%d sends inside quiet hours", n)
				}
				h.moveTo(tt.release)
			}
			eventually(t, "every row is settled", func() bool { return h.pending() == 0 })
			wantOnlyOptedIn(t, h, tg, optedIn, ids)
		})
	}
}

// thousandGetMarketing creates 1,000 clients, about a third of them opted out of marketing, and
// enqueues marketing to each. It returns who opted in, by chat, and the rows.
func thousandGetMarketing(h *harness) (map[string]bool, []uint64) {
	rng := rand.New(rand.NewPCG(1, 2))
	optedIn := map[string]bool{}
	var ms []cardbot.Message
	h.update(func(tx cardbot.Tx) error {
		ms = ms[:0]
		for i := range 1000 {
			chat := strconv.Itoa(i)
			in := rng.IntN(3) > 0
			optedIn[chat] = in
			c := &cardbot.Client{Channels: []cardbot.Address{{Channel: "telegram", ID: chat}}, Consent: cardbot.Consent{Marketing: in}}
			if err := tx.CreateClient(c); err != nil {
				return err
			}
			ms = append(ms, marketing(c.ID, "sale"))
		}
		return nil
	})
	return optedIn, h.enqueue(ms...)
}

// wantOnlyOptedIn checks that every opted-in chat got the marketing once and the others were skipped.
func wantOnlyOptedIn(t *testing.T, h *harness, tg *fakeSender, optedIn map[string]bool, ids []uint64) {
	t.Helper()
	want := 0
	for _, in := range optedIn {
		if in {
			want++
		}
	}
	seen := map[string]int{}
	for _, c := range tg.accepted() {
		if !optedIn[c.out.To] {
			t.Fatalf("marketing sent to opted-out chat %s", c.out.To)
		}
		seen[c.out.To]++
	}
	if len(seen) != want || tg.count() != want {
		t.Fatalf("%d chats got %d sends, want %d opted-in chats once each", len(seen), tg.count(), want)
	}
	skipped := 0
	for _, id := range ids {
		if h.message(id).Status == cardbot.MessageSkipped {
			skipped++
		}
	}
	if skipped != len(ids)-want {
		t.Fatalf("%d skipped, want %d", skipped, len(ids)-want)
	}
}

func TestDrainWaitsForSendsInFlight(t *testing.T) {
	tg := newFake("telegram")
	gate := tg.hold()
	h := newHarness(t, bot.Options{}, tg)
	c := h.client(anna())
	id := h.enqueue(notice(c.ID, "+50 points"))[0]
	<-tg.entered

	drained := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		drained <- h.d.Drain(ctx)
	}()
	select {
	case err := <-drained:
		t.Fatalf("Drain returned %v while a send was in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(gate)
	if err := <-drained; err != nil {
		t.Fatalf("Drain: %v", err)
	}
	if m := h.message(id); m.Status != cardbot.MessageSent {
		t.Fatalf("after Drain the row is %s: its outcome was not saved", m.Status)
	}
	// Drained means no more rows are taken.
	late := h.enqueue(notice(c.ID, "late"))[0]
	h.quiet()
	if m := h.message(late); m.Status != cardbot.MessagePending || tg.count() != 1 {
		t.Fatalf("a row enqueued after Drain was worked on: %s, %d sends", m.Status, tg.count())
	}
}

func TestDrainDeadlineLeavesTheRowPending(t *testing.T) {
	tg := newFake("telegram")
	tg.hold()
	h := newHarness(t, bot.Options{}, tg)
	c := h.client(anna())
	id := h.enqueue(notice(c.ID, "+50 points"))[0]
	<-tg.entered
	h.drainPastDeadline()
	h.close() // waits for the cancelled send to come back
	h.open()
	if m := h.message(id); m.Status != cardbot.MessagePending || len(m.Attempts) != 0 {
		t.Fatalf("row is %s with %d attempts, want untouched and pending", m.Status, len(m.Attempts))
	}
}

func TestARetryIsNotOvertakenByTheNextReply(t *testing.T) {
	tg := newFake("telegram")
	tg.failNext(1, errFlaky)
	h := newHarness(t, bot.Options{Backoff: func(int) time.Duration { return time.Minute }}, tg)
	to := &cardbot.Address{Channel: "telegram", ID: "A"}
	first := h.enqueue(cardbot.Message{Kind: cardbot.KindReply, Text: "1", To: to})[0]
	h.waitAttempts(first, 1)
	second := h.enqueue(cardbot.Message{Kind: cardbot.KindReply, Text: "2", To: to})[0]
	h.waitMessage(second, "waits behind the first", func(m *cardbot.Message) bool { return m.NextAt.Equal(t0.Add(time.Minute)) })
	if len(tg.accepted()) != 0 {
		t.Fatal("the second reply overtook the first")
	}
	h.clock.Advance(time.Minute)
	h.d.Wake()
	h.waitStatus(second, cardbot.MessageSent)
	if got := texts(tg.accepted()); !slices.Equal(got, []string{"1", "2"}) {
		t.Fatalf("sent %q, want 1 then 2", got)
	}
}
