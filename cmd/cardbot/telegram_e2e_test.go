package main

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"cardbot"
	"cardbot/admin"
	"cardbot/bot/telegram/fakeapi"
	"cardbot/wallet/cardimage/cardimagetest"
)

const fakeToken = "123456:TEST-token_for_the_fake_bot_api"

// telegramRig is `cardbot serve` wired as in production, talking to the fake Bot API.
type telegramRig struct {
	t    testing.TB
	fake *fakeapi.Server
	srv  *server
	base string
}

// freeAddr picks a port for a server whose public address must be known before it starts (webhooks).
func freeAddr(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startTelegramRig(t testing.TB, mode string) *telegramRig {
	t.Helper()
	fake := fakeapi.New(fakeToken)
	fake.Start()
	t.Cleanup(fake.Close)
	addr := freeAddr(t)
	configPath := writeConfig(t, fmt.Sprintf(`
data_dir: DATA
http:
  listen: %s
  base_url: http://%s
business:
  name: Кофейня «Зерно»
programs:
  - id: bonus
    name: Бонусная карта
    type: bonus
    cashback: 5
    welcome_bonus: 100
settings:
  quiet_hours: {enabled: false} # the marketing checks below must not depend on the hour CI runs at
telegram:
  token: %s
  api_url: %s
  mode: %s
  webhook_secret: s3cret-for-tests
  staff: [900]
  rate_limit: 0
`, addr, addr, fakeToken, fake.URL(), mode))
	srv, _ := runServer(t, configPath)
	return &telegramRig{t: t, fake: fake, srv: srv, base: "http://" + addr}
}

// chat is one customer talking to the bot; it remembers how much of the chat it has read.
type chat struct {
	rig  *telegramRig
	user fakeapi.User
	read int
}

func (r *telegramRig) customer(id int64, name string) *chat {
	return &chat{rig: r, user: fakeapi.User{ID: id, FirstName: name}}
}

// say sends text and returns the next n messages the bot sends to this chat.
func (c *chat) say(text string, n int) []fakeapi.Sent {
	c.rig.t.Helper()
	c.rig.fake.SendText(c.user.ID, c.user, text)
	return c.expect(n)
}

// expect waits for the bot's next n messages to this chat.
func (c *chat) expect(n int) []fakeapi.Sent {
	c.rig.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sent, err := c.rig.fake.WaitSent(ctx, c.user.ID, c.read+n)
	if err != nil {
		c.rig.t.Fatalf("waiting for %d messages after %d: %v (got %v)", n, c.read, err, texts(c.rig.fake.SentTo(c.user.ID)))
	}
	got := sent[c.read : c.read+n]
	c.read += n
	return got
}

func texts(sent []fakeapi.Sent) []string {
	var out []string
	for _, s := range sent {
		out = append(out, s.Method+": "+s.Text)
	}
	return out
}

func mustContain(t *testing.T, sent fakeapi.Sent, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(sent.Text, p) {
			t.Fatalf("%s %q does not contain %q", sent.Method, sent.Text, p)
		}
	}
}

func TestTelegramConversationByPolling(t *testing.T) {
	runTelegramConversation(t, cardbot.TelegramPolling)
}
func TestTelegramConversationByWebhook(t *testing.T) {
	runTelegramConversation(t, cardbot.TelegramWebhook)
}

// A customer's first day with the bot, as the issue tells it: card on the first message, birthday
// asked and re-asked, commands, /stop that stops marketing but not operation notices.
func runTelegramConversation(t *testing.T, mode string) {
	rig := startTelegramRig(t, mode)
	anna := rig.customer(5001, "Анна")

	first := anna.say("Здравствуйте!", 2)
	card, question := first[0], first[1]
	if card.Method != "sendPhoto" || len(card.Photo) == 0 {
		t.Fatalf("the first answer must be the card picture, got %s %q", card.Method, card.Text)
	}
	cardimagetest.CheckQR(t, card.Photo, rig.base+"/c/"+rig.cardToken(anna))
	mustContain(t, card, "Бонусная карта", "100")
	mustContain(t, question, "день рождения")

	mustContain(t, anna.say("31.02.1990", 1)[0], "15.03.1990")
	saved := anna.say("15.03.1990", 2)
	mustContain(t, saved[0], "15 марта 1990")
	mustContain(t, saved[1], "телефон")
	client := rig.client(anna)
	if client.Birthday == nil || client.Birthday.String() != "1990-03-15" {
		t.Fatalf("birthday stored as %v", client.Birthday)
	}
	anna.say("пропустить", 1)

	mustContain(t, anna.say("/balance", 1)[0], "100")
	mustContain(t, anna.say("/history", 1)[0], "100")
	mustContain(t, anna.say("/invite", 1)[0], "t.me/"+rig.fake.Me().Username+"?start=ref_"+client.ReferralCode)

	mustContain(t, anna.say("/stop", 1)[0], "больше не пришлём")
	rig.enqueueMarketing(client.ID, "Скидка 50% на всё в пятницу")
	number := rig.cardNumber(client.ID)
	rig.purchaseThroughAPI(number, 1000)
	notice := anna.expect(1)[0]
	mustContain(t, notice, "50")
	if status := rig.waitSettled(client.ID, "Скидка 50%"); status != cardbot.MessageSkipped {
		t.Fatalf("marketing to a customer who said /stop ended %s, want skipped", status)
	}
	for _, s := range rig.fake.SentTo(anna.user.ID) {
		if strings.Contains(s.Text, "Скидка 50%") {
			t.Fatal("marketing reached a customer who said /stop")
		}
	}
	if mode == cardbot.TelegramWebhook && (rig.fake.Calls("setWebhook") == 0 || rig.fake.Calls("getUpdates") != 0) {
		t.Fatal("webhook mode must register the webhook and never poll")
	}
}

// waitSettled waits until the client's message starting with text is no longer pending.
func (r *telegramRig) waitSettled(clientID uint64, text string) cardbot.MessageStatus {
	r.t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var status cardbot.MessageStatus
		r.srv.db.View(context.Background(), func(tx cardbot.Tx) error {
			msgs, err := tx.ClientMessages(clientID, 0, 100)
			for _, m := range msgs {
				if strings.HasPrefix(m.Text, text) {
					status = m.Status
				}
			}
			return err
		})
		if status != "" && status != cardbot.MessagePending {
			return status
		}
	}
	r.srv.db.View(context.Background(), func(tx cardbot.Tx) error {
		msgs, _ := tx.ClientMessages(clientID, 0, 100)
		for _, m := range msgs {
			r.t.Logf("%d %s %s %v %q", m.ID, m.Kind, m.Status, m.NextAt, m.Text)
		}
		return nil
	})
	r.t.Fatalf("message %q still pending", text)
	return ""
}

func (r *telegramRig) client(c *chat) *cardbot.Client {
	r.t.Helper()
	var client *cardbot.Client
	err := r.srv.db.View(context.Background(), func(tx cardbot.Tx) error {
		var err error
		client, err = tx.ClientByAddress(cardbot.Address{Channel: "telegram", ID: fmt.Sprint(c.user.ID)})
		return err
	})
	if err != nil {
		r.t.Fatal(err)
	}
	return client
}

// cardToken is the public-page token of the chat's card.
func (r *telegramRig) cardToken(c *chat) string {
	r.t.Helper()
	return r.card(r.cardNumber(r.client(c).ID)).Token
}

func (r *telegramRig) cardNumber(clientID uint64) string {
	r.t.Helper()
	var number string
	err := r.srv.db.View(context.Background(), func(tx cardbot.Tx) error {
		cards, err := tx.ClientCards(clientID)
		if err == nil && len(cards) > 0 {
			number = cards[0].Number
		}
		return err
	})
	if err != nil || number == "" {
		r.t.Fatalf("no card: %v", err)
	}
	return number
}

// enqueueMarketing puts a marketing row in the outbox, as a broadcast will.
func (r *telegramRig) enqueueMarketing(clientID uint64, text string) {
	r.t.Helper()
	err := r.srv.db.Update(context.Background(), func(tx cardbot.Tx) error {
		return tx.EnqueueMessage(&cardbot.Message{ClientID: clientID, Kind: cardbot.KindMarketing, Text: text, NextAt: time.Now()})
	})
	if err != nil {
		r.t.Fatal(err)
	}
	r.srv.dispatcher.Wake()
}

func (r *telegramRig) purchaseThroughAPI(number string, sum int) {
	r.t.Helper()
	key, err := admin.CreateAPIKey(context.Background(), r.srv.db, "till", time.Now())
	if err != nil {
		r.t.Fatal(err)
	}
	reply := httpDo(r.t, "POST", r.base+"/api/v1/cards/"+number+"/operations", key, fmt.Sprintf(`{"type":"purchase","purchase":%d}`, sum))
	if reply.status != 201 {
		r.t.Fatalf("purchase: %d %s", reply.status, reply.body)
	}
}

// Staff at the counter use the bot as a till: find, buy, add, stamp, cancel; the customer is told;
// a customer trying the same commands is refused and nothing changes.
func TestStaffCommandsInTelegram(t *testing.T) {
	rig := startTelegramRig(t, cardbot.TelegramPolling)
	boris := rig.customer(5002, "Борис")
	boris.say("привет", 2)
	boris.say("пропустить", 1)
	client := rig.client(boris)
	number := rig.cardNumber(client.ID)

	cashier := rig.customer(900, "Кассир")
	found := cashier.say("/find "+number, 1)[0]
	mustContain(t, found, "Борис", number)

	bought := cashier.say("/buy "+number+" 1000 redeem 50", 1)[0]
	mustContain(t, bought, "Готово", number)
	mustContain(t, boris.expect(1)[0], "1000") // the customer's notice

	cashier.say("/add "+number+" 25", 1)
	boris.expect(1)
	card := rig.card(number)
	if card.Balance != 100_00-50_00+47_50+25_00 {
		t.Fatalf("balance %d after buy with redeem and add", card.Balance)
	}

	refused := boris.say("/add "+number+" 1000000", 1)[0]
	mustContain(t, refused, "только для сотрудников")
	if after := rig.card(number); after.Balance != card.Balance {
		t.Fatal("a customer's staff command changed the card")
	}

	ops := rig.operations(card.ID)
	cancelled := cashier.say(fmt.Sprintf("/cancel %d", ops[0].ID), 1)[0]
	mustContain(t, cancelled, "Готово")
	boris.expect(1)
	if after := rig.card(number); after.Balance != card.Balance-25_00 {
		t.Fatalf("cancel of the add left %d", after.Balance)
	}
}

// Telegram may deliver an update twice (a webhook retry, a poll after a crash): it is handled once.
// Messages of one chat sent in a burst are answered in the order they were written.
func TestRedeliveredUpdateIsHandledOnceAndBurstsKeepTheirOrder(t *testing.T) {
	rig := startTelegramRig(t, cardbot.TelegramPolling)
	vera := rig.customer(5003, "Вера")
	vera.say("привет", 2)
	vera.say("пропустить", 1)

	update := fmt.Sprintf(`{"update_id":777001,"message":{"message_id":9001,"date":%d,"chat":{"id":5003,"type":"private"},"from":{"id":5003,"is_bot":false,"first_name":"Вера"},"text":"/balance","entities":[{"type":"bot_command","offset":0,"length":8}]}}`, time.Now().Unix())
	rig.fake.Inject(update)
	rig.fake.Inject(update)
	vera.expect(1)
	time.Sleep(300 * time.Millisecond)
	if extra := len(rig.fake.SentTo(vera.user.ID)) - vera.read; extra != 0 {
		t.Fatalf("the redelivered update was answered again (%d extra)", extra)
	}

	commands := []string{"/balance", "/history", "/invite", "/help", "/balance", "/history"}
	for _, c := range commands {
		rig.fake.SendText(vera.user.ID, vera.user, c)
	}
	replies := vera.expect(len(commands))
	wants := []string{"балл", "операции", "Приглашайте", "/balance", "балл", "операции"}
	for i, r := range replies {
		if !strings.Contains(r.Text, wants[i]) {
			t.Fatalf("reply %d to %s is %q: out of order", i, commands[i], r.Text)
		}
	}
}

func (r *telegramRig) card(number string) *cardbot.Card {
	r.t.Helper()
	var card *cardbot.Card
	err := r.srv.db.View(context.Background(), func(tx cardbot.Tx) error {
		var err error
		card, err = tx.CardByNumber(number)
		return err
	})
	if err != nil {
		r.t.Fatal(err)
	}
	return card
}

func (r *telegramRig) operations(cardID uint64) []*cardbot.Operation {
	r.t.Helper()
	var ops []*cardbot.Operation
	err := r.srv.db.View(context.Background(), func(tx cardbot.Tx) error {
		var err error
		ops, err = tx.CardOperations(cardID, 0, 100)
		return err
	})
	if err != nil {
		r.t.Fatal(err)
	}
	return ops
}
