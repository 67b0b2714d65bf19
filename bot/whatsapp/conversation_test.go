package whatsapp

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"cardbot"
	"cardbot/bot"
	"cardbot/flows"
	"cardbot/store"
	"cardbot/wallet"
)

// text is what a sent WhatsApp message says: the text, or an image's caption.
func (m sentMessage) text() string {
	if img := m.msg.GetImageMessage(); img != nil {
		return img.GetCaption()
	}
	if ext := m.msg.GetExtendedTextMessage(); ext != nil {
		return ext.GetText()
	}
	return m.msg.GetConversation()
}

// The conversation of the Telegram end-to-end test, on WhatsApp through constructed events: the real
// engine, store, wallet and dispatcher; only whatsmeow's client is faked.
func TestConversationOnWhatsApp(t *testing.T) {
	cfg := cardbot.DefaultConfig()
	cfg.Programs = []cardbot.Program{{ID: "bonus", Name: "Бонусная карта", Type: cardbot.Bonus, Cashback: 500, WelcomeBonus: 10000}}
	cfg.Settings.QuietHours.Enabled = false
	db, err := store.Open(filepath.Join(t.TempDir(), "cardbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w, err := wallet.New(cfg, cardbot.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	var dispatcher *bot.Dispatcher
	engine, err := flows.NewEngine(flows.Deps{Store: db, Wallet: w, Clock: cardbot.SystemClock{}, Config: cfg,
		Log: quietLog(), Wake: func() { dispatcher.Wake() }})
	if err != nil {
		t.Fatal(err)
	}
	f := pairedFake()
	adapter := newTestAdapter(t, f, engine)
	dispatcher = bot.New(db, cardbot.SystemClock{}, []cardbot.Sender{adapter}, flows.NewPictures(db, w, cfg), quietLog(), bot.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go dispatcher.Run(ctx)
	run(t, adapter)
	waitState(t, adapter, "connected")

	const anna = "79161234567"
	var read int
	say := func(text string, replies int) []string {
		t.Helper()
		read += replies
		f.emit(textFrom(anna, "m"+text, text))
		var out []string
		eventually(t, "the replies to "+text, func() bool {
			f.locked(func(f *fakeClient) {
				out = nil
				for _, m := range f.sent {
					out = append(out, m.text())
				}
			})
			return len(out) >= read
		})
		return out[read-replies : read]
	}
	mustSay := func(got, want string) {
		t.Helper()
		if !strings.Contains(got, want) {
			t.Fatalf("%q does not contain %q", got, want)
		}
	}

	first := say("Здравствуйте", 2)
	mustSay(first[0], "Бонусная карта")
	mustSay(first[0], "100")
	mustSay(first[1], "день рождения")
	f.locked(func(f *fakeClient) {
		if f.sent[0].msg.GetImageMessage() == nil || len(f.uploads) == 0 {
			t.Fatal("the card must arrive as a picture")
		}
	})
	mustSay(say("31.02.1990", 1)[0], "15.03.1990")
	mustSay(say("15.03.1990", 1)[0], "15 марта 1990") // the phone is known: not asked
	mustSay(say("баланс", 1)[0], "100")
	mustSay(say("стоп", 1)[0], "больше не пришлём")

	var client *cardbot.Client
	db.View(context.Background(), func(tx cardbot.Tx) error {
		client, err = tx.ClientByPhone("+" + anna)
		return err
	})
	if err != nil || client.Birthday.String() != "1990-03-15" || client.Consent.Marketing {
		t.Fatalf("client after the conversation: %+v, %v", client, err)
	}
}
