package flows_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"strconv"
	"strings"
	"testing"
	"time"

	"cardbot"
	"cardbot/bot"
	"cardbot/flows"
)

func TestBroadcastReachesEveryRecipientOnceWithResultsPerChannel(t *testing.T) {
	tg, sms := newDeliveries("telegram"), newDeliveries("sms")
	// Every 7th client blocked the bot; half of those have a phone, so the cascade takes them to SMS.
	blocked := func(i int) bool { return i%7 == 0 }
	tg.blocked = func(to string) bool { i, _ := strconv.Atoi(strings.TrimPrefix(to, "tg")); return blocked(i) }
	e := newBroadcastEnv(t, flows.BroadcastDeps{Window: 40, Batch: 15}, tg, sms)
	const n = 300
	optedOut := func(i int) bool { return i%10 == 3 }
	e.addClients(n, func(i int) bool { return i%2 == 0 }, optedOut)

	spec := sale("{{.Name}}, −20 % on everything until Sunday")
	spec.Button = &cardbot.Button{Text: "Menu", URL: "https://example.com/menu"}
	b := e.start(spec)
	if b.Progress.Total != n || b.Status != cardbot.BroadcastRunning {
		t.Fatalf("after Start: %s with %+v, want running with %d recipients", b.Status, b.Progress, n)
	}
	b = e.waitBroadcast(b.ID, "is done", func(b *cardbot.Broadcast) bool { return b.Status == cardbot.BroadcastDone })
	checkTotals(t, b)

	var wantTG, wantSMS, wantFailed, wantSkipped int
	for i := range n {
		switch {
		case optedOut(i):
			wantSkipped++
		case !blocked(i):
			wantTG++
		case i%2 == 0:
			wantSMS++
		default:
			wantFailed++
		}
	}
	p := b.Progress
	if p.Sent != wantTG+wantSMS || p.Failed != wantFailed || p.Skipped != wantSkipped || p.SkipReasons["opted out"] != wantSkipped {
		t.Errorf("progress %+v, want sent %d, failed %d, skipped %d (opted out)", p, wantTG+wantSMS, wantFailed, wantSkipped)
	}
	if p.Channels["telegram"].Sent != wantTG || p.Channels["sms"].Sent != wantSMS ||
		p.Channels["telegram"].Failed != wantSMS+wantFailed {
		t.Errorf("per channel %+v, want telegram %d sent and %d failed, sms %d sent", p.Channels, wantTG, wantSMS+wantFailed, wantSMS)
	}
	for i, r := range e.recipients(b.ID) {
		delivered := len(tg.to("tg"+strconv.Itoa(i))) + len(sms.to("+7900"+strconv.Itoa(1000000+i)))
		switch r.State {
		case cardbot.RecipientSent:
			if delivered != 1 {
				t.Fatalf("recipient %d is sent but got %d messages", i, delivered)
			}
		case cardbot.RecipientFailed, cardbot.RecipientSkipped:
			if delivered != 0 || r.Reason == "" {
				t.Fatalf("recipient %d is %s (%q) but got %d messages", i, r.State, r.Reason, delivered)
			}
		default:
			t.Fatalf("recipient %d is left %s", i, r.State)
		}
	}
	out := tg.to("tg1")[0]
	if out.Text != "Client 1, −20 % on everything until Sunday" || len(out.Buttons) != 1 || out.Buttons[0][0].URL != "https://example.com/menu" {
		t.Errorf("client 1 got %q with buttons %v", out.Text, out.Buttons)
	}
}

// throttledBroadcast starts a broadcast to n clients through a Telegram fake that sends only what
// the test lets through, lets the first few through and waits until they are sent.
func throttledBroadcast(t *testing.T, deps flows.BroadcastDeps, n, first int) (*bcEnv, *deliveries, *cardbot.Broadcast) {
	tg := newDeliveries("telegram")
	tg.tokens = make(chan struct{}, 1000)
	e := newBroadcastEnv(t, deps, tg)
	e.addClients(n, nil, nil)
	b := e.start(sale("Autumn sale"))
	for range first {
		tg.tokens <- struct{}{}
	}
	waitUntil(t, strconv.Itoa(first)+" are sent", func() bool { return tg.count() == first })
	return e, tg, b
}

func TestPauseHoldsRowsAndResumeSendsTheRestOnce(t *testing.T) {
	// The first fill puts 120 rows in the outbox: past the 50 let through and the 16 that can be in
	// flight, some are certainly waiting when the pause comes.
	const n = 400
	e, tg, b := throttledBroadcast(t, flows.BroadcastDeps{Window: 120, Batch: 120}, n, 50)
	ctx := context.Background()
	if _, err := e.bc.Pause(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	// Sends already handed to the channel (blocked in the fake, waiting for a token) may finish;
	// nothing else may go out.
	close(tg.tokens)
	time.Sleep(300 * time.Millisecond)
	atPause := tg.count()
	time.Sleep(300 * time.Millisecond)
	if tg.count() != atPause {
		t.Fatalf("messages kept going out while paused: %d then %d", atPause, tg.count())
	}
	if atPause > 50+16 {
		t.Errorf("%d sent by the pause, want at most the 50 let through and the 16 in flight", atPause)
	}
	paused := e.waitBroadcast(b.ID, "has read back what was sent", func(b *cardbot.Broadcast) bool { return b.Progress.Sent == atPause })
	checkTotals(t, paused)
	if paused.Status != cardbot.BroadcastPaused || paused.Progress.Enqueued == 0 || paused.Progress.Pending == 0 {
		t.Fatalf("paused broadcast: %s %+v, want rows held in the outbox and recipients pending", paused.Status, paused.Progress)
	}
	t.Logf("paused after %d sends with %d rows held and %d recipients pending", atPause, paused.Progress.Enqueued, paused.Progress.Pending)

	if _, err := e.bc.Resume(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	done := e.waitBroadcast(b.ID, "is done", func(b *cardbot.Broadcast) bool { return b.Status == cardbot.BroadcastDone })
	if done.Progress.Sent != n || tg.count() != n {
		t.Fatalf("after resume: %+v and %d delivered, want all %d once", done.Progress, tg.count(), n)
	}
	for i := range n {
		if got := len(tg.to("tg" + strconv.Itoa(i))); got != 1 {
			t.Fatalf("client %d got %d messages", i, got)
		}
	}
}

func TestCancelMarksEveryoneNotSentAsCancelled(t *testing.T) {
	const n = 300
	e, tg, b := throttledBroadcast(t, flows.BroadcastDeps{Window: 50, Batch: 20}, n, 30)
	cancelled, err := e.bc.Cancel(context.Background(), b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if cancelled.Status != cardbot.BroadcastCancelled || cancelled.Progress.Pending != 0 {
		t.Fatalf("after Cancel: %s %+v, want cancelled with nobody pending", cancelled.Status, cancelled.Progress)
	}
	close(tg.tokens) // the sends in flight finish; the held rows are skipped
	final := e.waitBroadcast(b.ID, "has settled every row", func(b *cardbot.Broadcast) bool { return !b.FinishedAt.IsZero() })
	checkTotals(t, final)
	sent := tg.count()
	if final.Progress.Sent != sent || final.Progress.Sent+final.Progress.Cancelled != n || sent > 30+16 {
		t.Fatalf("cancelled broadcast: %+v with %d delivered, want the delivered ones sent and the rest cancelled", final.Progress, sent)
	}
	for i, r := range e.recipients(b.ID) {
		got := len(tg.to("tg" + strconv.Itoa(i)))
		if (r.State == cardbot.RecipientSent) != (got == 1) || got > 1 || (r.State != cardbot.RecipientSent && r.State != cardbot.RecipientCancelled) {
			t.Fatalf("recipient %d is %s and got %d messages", i, r.State, got)
		}
	}
	if _, err := e.bc.Resume(context.Background(), b.ID); cardbot.CodeOf(err) != cardbot.Conflict {
		t.Errorf("Resume of a cancelled broadcast: %v, want a conflict", err)
	}
}

func TestScheduledBroadcastStartsWhenDue(t *testing.T) {
	tg := newDeliveries("telegram")
	clock := cardbot.NewManualClock(bcNow)
	e := openBroadcasts(t, t.TempDir()+"/cardbot.db", clock, flows.BroadcastDeps{})
	e.addClients(5, nil, nil)
	ctx := context.Background()
	spec := sale("Tomorrow we open at 8")
	spec.ScheduledAt = bcNow.Add(2 * time.Hour)
	b, err := e.bc.Create(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if b.Status != cardbot.BroadcastScheduled {
		t.Fatalf("created as %s, want scheduled", b.Status)
	}
	clock.Advance(time.Hour)
	if err := e.bc.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.get(b.ID); got.Status != cardbot.BroadcastScheduled {
		t.Fatalf("an hour early it is %s", got.Status)
	}
	clock.Advance(time.Hour)
	if err := e.bc.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.get(b.ID); got.Status != cardbot.BroadcastRunning || got.Progress.Total != 5 || got.Progress.Enqueued != 5 {
		t.Fatalf("when due: %s %+v, want running with 5 enqueued", got.Status, got.Progress)
	}
	e.run(nil, tg)
	e.waitBroadcast(b.ID, "is done", func(b *cardbot.Broadcast) bool { return b.Status == cardbot.BroadcastDone })
	if tg.count() != 5 {
		t.Errorf("%d delivered, want 5", tg.count())
	}
}

// A draft is not looked at while it stays one; once the owner schedules it, it starts when due all
// the same.
func TestADraftScheduledLaterStartsWhenDue(t *testing.T) {
	clock := cardbot.NewManualClock(bcNow)
	e := openBroadcasts(t, t.TempDir()+"/cardbot.db", clock, flows.BroadcastDeps{})
	e.addClients(3, nil, nil)
	ctx := context.Background()
	b, err := e.bc.Create(ctx, sale("We open at 8"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.bc.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.get(b.ID); got.Status != cardbot.BroadcastDraft {
		t.Fatalf("a draft became %s", got.Status)
	}
	spec := b.BroadcastSpec
	spec.ScheduledAt = bcNow.Add(time.Hour)
	if _, err := e.bc.Edit(ctx, b.ID, spec); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	if err := e.bc.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.get(b.ID); got.Status != cardbot.BroadcastRunning || got.Progress.Enqueued != 3 {
		t.Fatalf("when due: %s %+v, want running with 3 enqueued", got.Status, got.Progress)
	}
}

func TestBroadcastSegments(t *testing.T) {
	e := openBroadcasts(t, t.TempDir()+"/cardbot.db", cardbot.NewManualClock(bcNow), flows.BroadcastDeps{})
	ctx := context.Background()
	day := func(d int) time.Time { return bcNow.AddDate(0, 0, d) }
	type person struct {
		name     string
		birthday time.Month
		tags     []string
		source   string
		program  string
		tier     string
		balance  int64
		lastOp   time.Time
		blocked  bool
	}
	people := []person{
		{name: "Anna", birthday: time.March, tags: []string{"vip"}, source: "telegram", program: "bonus", tier: "Gold", balance: 50000, lastOp: day(-3)},
		{name: "Boris", birthday: time.March, source: "referral:ANNA1", program: "bonus", balance: 1000, lastOp: day(-60)},
		{name: "Vera", tags: []string{"coffee"}, source: "site:2", program: "coffee", balance: 4, lastOp: day(-10)},
		{name: "Gleb", source: "api"}, // no card
		{name: "Dina", program: "bonus", balance: 90000, lastOp: day(-1), blocked: true},
	}
	for i, p := range people {
		err := e.db.Update(ctx, func(tx cardbot.Tx) error {
			c := &cardbot.Client{Name: p.name, Tags: p.tags, Source: p.source, CreatedAt: day(-100)}
			if p.birthday != 0 {
				c.Birthday = &cardbot.Date{Month: p.birthday, Day: 10}
			}
			if err := tx.CreateClient(c); err != nil {
				return err
			}
			if p.program == "" {
				return nil
			}
			typ := e.cfg.Program(p.program).Type
			status := cardbot.CardActive
			if p.blocked {
				status = cardbot.CardBlocked
			}
			card := &cardbot.Card{Number: "N" + strconv.Itoa(i), ClientID: c.ID, ProgramID: p.program, Type: typ, Status: status, Balance: p.balance, Tier: p.tier, IssuedAt: day(-100)}
			if err := tx.CreateCard(card); err != nil {
				return err
			}
			ops := []*cardbot.Operation{
				{CardID: card.ID, ClientID: c.ID, Type: cardbot.OpPurchase, At: p.lastOp},
				{CardID: card.ID, ClientID: c.ID, Type: cardbot.OpExpire, At: day(0)}, // the system's, not a visit
			}
			for _, op := range ops {
				if err := tx.AppendOperation(op); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	i64 := func(v int64) *int64 { return &v }
	for _, tc := range []struct {
		name string
		seg  cardbot.Segment
		want []string
	}{
		{"everyone", cardbot.Segment{}, []string{"Anna", "Boris", "Vera", "Gleb", "Dina"}},
		{"bonus programme (Dina's card is blocked)", cardbot.Segment{Programs: []string{"bonus"}}, []string{"Anna", "Boris"}},
		{"stamp cards", cardbot.Segment{Types: []cardbot.ProgramType{cardbot.Stamp}}, []string{"Vera"}},
		{"gold tier", cardbot.Segment{Tiers: []string{"Gold"}}, []string{"Anna"}},
		{"balance 10 to 600 points", cardbot.Segment{Programs: []string{"bonus"}, BalanceMin: i64(1000), BalanceMax: i64(60000)}, []string{"Anna", "Boris"}},
		{"no visit for 30 days", cardbot.Segment{LastOperationTo: day(-30)}, []string{"Boris"}},
		{"visited this week", cardbot.Segment{LastOperationFrom: day(-7)}, []string{"Anna"}},
		{"born in March", cardbot.Segment{BirthdayMonths: []time.Month{time.March}}, []string{"Anna", "Boris"}},
		{"tagged", cardbot.Segment{Tags: []string{"vip", "coffee"}}, []string{"Anna", "Vera"}},
		{"came by referral or a mini-site", cardbot.Segment{Sources: []string{"referral", "site:"}}, []string{"Boris", "Vera"}},
		{"born in March with 100+ points", cardbot.Segment{BirthdayMonths: []time.Month{time.March}, BalanceMin: i64(10000)}, []string{"Anna"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := e.bc.Audience(ctx, tc.seg)
			if err != nil {
				t.Fatal(err)
			}
			b := e.start(cardbot.BroadcastSpec{Text: "Hi {{.Name}}, you have {{.Balance}}", Segment: tc.seg})
			var got []string
			for _, r := range e.recipients(b.ID) {
				var c *cardbot.Client
				e.db.View(ctx, func(tx cardbot.Tx) error { c, _ = tx.Client(r.ClientID); return nil })
				got = append(got, c.Name)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") || n != len(tc.want) {
				t.Errorf("audience %v (counted %d), want %v", got, n, tc.want)
			}
		})
	}
}

func TestBroadcastRefusesWhatCannotBeSent(t *testing.T) {
	e := openBroadcasts(t, t.TempDir()+"/cardbot.db", cardbot.NewManualClock(bcNow), flows.BroadcastDeps{})
	ctx := context.Background()
	for name, spec := range map[string]cardbot.BroadcastSpec{
		"no text":              {Text: "  "},
		"unknown field":        {Text: "Hi {{.Surname}}"},
		"broken template":      {Text: "Hi {{.Name"},
		"caption too long":     {Text: strings.Repeat("я", 1025), Picture: cardbot.PictureCard},
		"text too long":        {Text: strings.Repeat("я", 4097)},
		"button without https": {Text: "Hi", Button: &cardbot.Button{Text: "Go", URL: "javascript:alert(1)"}},
		"unknown programme":    {Text: "Hi", Segment: cardbot.Segment{Programs: []string{"nope"}}},
		"in the past":          {Text: "Hi", ScheduledAt: bcNow.Add(-time.Minute)},
		"unknown picture":      {Text: "Hi", Picture: "gif"},
	} {
		if _, err := e.bc.Create(ctx, spec); cardbot.CodeOf(err) != cardbot.Invalid {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	b, err := e.bc.Create(ctx, cardbot.BroadcastSpec{Text: "Look", Picture: cardbot.PictureImage})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.bc.Start(ctx, b.ID); cardbot.CodeOf(err) != cardbot.Conflict {
		t.Errorf("Start without the picture uploaded: %v, want a conflict", err)
	}
	// Scheduled without its picture, it goes back to draft with the reason when its time comes.
	clock := e.clock.(*cardbot.ManualClock)
	if b, err = e.bc.Edit(ctx, b.ID, cardbot.BroadcastSpec{Text: "Look", Picture: cardbot.PictureImage, ScheduledAt: bcNow.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	if err := e.bc.RunDue(ctx); err == nil {
		t.Error("RunDue did not report the failed start")
	}
	if got := e.get(b.ID); got.Status != cardbot.BroadcastDraft || !strings.Contains(got.Error, "upload") {
		t.Errorf("after the failed start: %s, %q", got.Status, got.Error)
	}
	if err := e.bc.SetImage(ctx, b.ID, []byte("not a picture")); cardbot.CodeOf(err) != cardbot.Invalid {
		t.Errorf("SetImage of junk: %v, want invalid", err)
	}
}

func TestBroadcastCarriesTheUploadedPicture(t *testing.T) {
	tg := newDeliveries("telegram")
	e := newBroadcastEnv(t, flows.BroadcastDeps{}, tg)
	e.addClients(3, nil, nil)
	ctx := context.Background()
	b, err := e.bc.Create(ctx, cardbot.BroadcastSpec{Text: "New menu", Picture: cardbot.PictureImage})
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var buf bytes.Buffer
	png.Encode(&buf, img)
	if err := e.bc.SetImage(ctx, b.ID, buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	if _, err := e.bc.Start(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	e.waitBroadcast(b.ID, "is done", func(b *cardbot.Broadcast) bool { return b.Status == cardbot.BroadcastDone })
	got := tg.to("tg2")
	if len(got) != 1 {
		t.Fatalf("client 2 got %d messages", len(got))
	}
	pic, err := png.Decode(bytes.NewReader(got[0].Picture))
	if err != nil {
		t.Fatalf("the picture sent is not a PNG: %v", err)
	}
	if r, _, _, _ := pic.At(1, 1).RGBA(); pic.Bounds().Dx() != 4 || r>>8 != 200 {
		t.Errorf("the picture sent is not the one uploaded: %v", err)
	}
}

// A crash while the audience was being written leaves the broadcast "starting" with part of its
// recipients: the next step writes the whole audience again, once each.
func TestASnapshotCutShortIsRedone(t *testing.T) {
	e := openBroadcasts(t, t.TempDir()+"/cardbot.db", cardbot.NewManualClock(bcNow), flows.BroadcastDeps{})
	ids := e.addClients(30, nil, nil)
	ctx := context.Background()
	b, err := e.bc.Create(ctx, sale("Hello"))
	if err != nil {
		t.Fatal(err)
	}
	err = e.db.Update(ctx, func(tx cardbot.Tx) error {
		bc, err := tx.Broadcast(b.ID)
		if err != nil {
			return err
		}
		bc.Status = cardbot.BroadcastStarting
		for seq := range 7 { // what the crashed process got to write
			r := &cardbot.Recipient{Broadcast: b.ID, Seq: uint64(seq + 1), ClientID: ids[seq], State: cardbot.RecipientPending}
			if err := tx.PutRecipient(r); err != nil {
				return err
			}
		}
		return tx.PutBroadcast(bc)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.bc.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	got := e.get(b.ID)
	rs := e.recipients(b.ID)
	if got.Status != cardbot.BroadcastRunning || got.Progress.Total != 30 || len(rs) != 30 {
		t.Fatalf("after the redo: %s, %+v, %d recipients", got.Status, got.Progress, len(rs))
	}
	for i, r := range rs {
		if r.ClientID != ids[i] || r.Seq != uint64(i+1) {
			t.Fatalf("recipient %d is client %d seq %d", i, r.ClientID, r.Seq)
		}
	}
}

func TestBroadcastWindowFollowsTheChannelRates(t *testing.T) {
	cfg := cardbot.DefaultConfig() // no channel on
	if got := flows.BroadcastWindow(cfg); got != 100 {
		t.Errorf("no channel: %d", got)
	}
	cfg.Telegram.Token, cfg.Telegram.RateLimit = "t", 30
	cfg.SMS.Enabled, cfg.SMS.RateLimit = true, 5
	if got := flows.BroadcastWindow(cfg); got != 350 {
		t.Errorf("telegram 30/s and sms 5/s: %d, want ten seconds' worth", got)
	}
	cfg.WhatsApp.Enabled, cfg.WhatsApp.RateLimit = true, 0
	if got := flows.BroadcastWindow(cfg); got != 1000 {
		t.Errorf("an unpaced channel: %d", got)
	}
}

// Started late in the evening, a broadcast waits for the quiet hours to end: nothing goes out at
// night, everyone gets it once in the morning.
func TestBroadcastStartedAtNightGoesOutInTheMorning(t *testing.T) {
	tg := newDeliveries("telegram")
	clock := cardbot.NewManualClock(time.Date(2026, 6, 10, 22, 30, 0, 0, time.UTC))
	e := openBroadcasts(t, t.TempDir()+"/cardbot.db", clock, flows.BroadcastDeps{Window: 20, Batch: 10})
	e.quiet = bot.QuietHours{From: 21 * 60, To: 9 * 60, Location: time.UTC}
	e.addClients(50, nil, nil)
	e.run(nil, tg)
	b := e.start(sale("Breakfast menu from 8"))
	e.waitBroadcast(b.ID, "has its first rows held", func(b *cardbot.Broadcast) bool { return b.Progress.Enqueued == 20 })
	time.Sleep(200 * time.Millisecond)
	if tg.count() != 0 {
		t.Fatalf("%d sent at night", tg.count())
	}
	clock.Set(time.Date(2026, 6, 11, 9, 0, 0, 0, time.UTC))
	e.d.Wake()
	done := e.waitBroadcast(b.ID, "is done", func(b *cardbot.Broadcast) bool { return b.Status == cardbot.BroadcastDone })
	if done.Progress.Sent != 50 || tg.count() != 50 {
		t.Fatalf("in the morning: %+v, %d delivered", done.Progress, tg.count())
	}
}

// TestBroadcastSegmentsKnowProgrammesAddedInTheAdminPage: the owner adds a programme in the admin
// page (the wallet's programmes, not config.yaml's) and targets it in a broadcast at once.
func TestBroadcastSegmentsKnowProgrammesAddedInTheAdminPage(t *testing.T) {
	inForce := append(testPrograms(), cardbot.Program{ID: "vip", Name: "VIP", Type: cardbot.Discount, Discount: 1000})
	e := openBroadcasts(t, t.TempDir()+"/cardbot.db", cardbot.NewManualClock(bcNow),
		flows.BroadcastDeps{Programs: func() []cardbot.Program { return inForce }})
	if _, err := e.bc.Create(context.Background(), cardbot.BroadcastSpec{Text: "Hi", Segment: cardbot.Segment{Programs: []string{"vip"}}}); err != nil {
		t.Fatalf("a segment of a programme added since start-up: %v", err)
	}
}
