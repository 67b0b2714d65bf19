package bot_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cardbot"
	"cardbot/bot"
	"cardbot/bot/email/fakesmtp"
	"cardbot/bot/telegram/fakeapi"
	"cardbot/store"
)

// A notice finds its customer through all four real channel adapters: the customer blocked the
// Telegram bot, has no WhatsApp, the SMS gateway is down for longer than the retry limit, and the
// email arrives. Every attempt is in the message's history, in order.
func TestNoticeFallsThroughEveryChannelToEmail(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "cardbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	const token = "123456:TEST-token_for_the_fake_bot_api"
	tgFake := fakeapi.New(token)
	tgFake.Start()
	defer tgFake.Close()
	tgFake.BlockBy(7001)
	whatsapp, gateway, smtp := newWhatsAppFake(), newSMSGateway(t), fakesmtp.Start(t)
	whatsapp.notOn["+79161234567"] = true
	gateway.answer("79161234567", http.StatusBadGateway) // down for longer than the retry limit
	senders := fourChannels(t, tgFake, token, whatsapp, gateway, smtp)

	var notice cardbot.Message
	err = db.Update(context.Background(), func(tx cardbot.Tx) error {
		c := &cardbot.Client{Name: "Анна", Phone: "+79161234567", Email: "anna@example.com",
			Channels: []cardbot.Address{{Channel: "telegram", ID: "7001"}, {Channel: "whatsapp", ID: "+79161234567"}}}
		if err := tx.CreateClient(c); err != nil {
			return err
		}
		notice = cardbot.Message{ClientID: c.ID, Kind: cardbot.KindNotice, Text: "Начислено 50 баллов", NextAt: time.Now()}
		return tx.EnqueueMessage(&notice)
	})
	if err != nil {
		t.Fatal(err)
	}

	d := bot.New(db, cardbot.SystemClock{}, senders, nil, nil, bot.Options{
		Cascade: []string{"telegram", "whatsapp", "sms", "email"}, MaxAttempts: 3,
		Backoff: func(int) time.Duration { return 20 * time.Millisecond }, Poll: 20 * time.Millisecond,
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go d.Run(ctx)
	d.Wake()

	var settled *cardbot.Message
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		db.View(context.Background(), func(tx cardbot.Tx) error {
			settled, err = tx.Message(notice.ID)
			return err
		})
		if settled != nil && settled.Status != cardbot.MessagePending {
			break
		}
	}
	if settled.Status != cardbot.MessageSent {
		t.Fatalf("the notice ended %s: %+v", settled.Status, settled.Attempts)
	}
	var trail []string
	for _, a := range settled.Attempts {
		trail = append(trail, a.Channel+":"+a.Result)
	}
	want := "telegram:failed whatsapp:failed sms:retry sms:retry sms:failed email:sent"
	if got := strings.Join(trail, " "); got != want {
		t.Fatalf("attempts %s, want %s", got, want)
	}
	if n := gateway.callsTo("79161234567"); n != 3 {
		t.Fatalf("the SMS gateway was called %d times, want 3 (the retry limit)", n)
	}
	msgs := smtp.Messages()
	if len(msgs) != 1 || msgs[0].To[0] != "anna@example.com" || !strings.Contains(string(msgs[0].Data), "anna") {
		t.Fatalf("email: %d messages %+v", len(msgs), msgs)
	}
	if asked, _ := whatsapp.counts("+79161234567"); len(tgFake.SentTo(7001)) != 0 || asked != 1 {
		t.Fatal("telegram delivered to a blocked chat, or WhatsApp was asked more than once")
	}
}

// ignoreInbound is a handler for a test that only sends.
type ignoreInbound struct{}

func (ignoreInbound) Handle(context.Context, cardbot.Inbound) error { return nil }
