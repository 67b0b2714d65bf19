package flows_test

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cardbot"
	"cardbot/flows"
	"cardbot/store"
	"cardbot/wallet"
)

// testPrograms: a bonus programme with a welcome bonus and a tier, and a stamp card.
func testPrograms() []cardbot.Program {
	return []cardbot.Program{
		{ID: "bonus", Name: "Бонусная карта", Type: cardbot.Bonus, Cashback: 500, WelcomeBonus: 10000,
			MaxRedeemPercent: 3000, Tiers: []cardbot.Tier{{Name: "Gold", MinSpend: 1_000_000, Cashback: 1000}}},
		{ID: "coffee", Name: "Кофейная карта", Type: cardbot.Stamp, Stamps: 6, Reward: "бесплатный кофе", StampsPerVisit: 1},
	}
}

const staffID = "999"

// env is the engine on a real store and wallet, with a clock that moves only when told.
type env struct {
	t        testing.TB
	db       *store.DB
	w        *wallet.Wallet
	clock    *cardbot.ManualClock
	cfg      cardbot.Config
	eng      *flows.Engine
	wakes    atomic.Int64
	updateID atomic.Int64
	seen     uint64 // the last outbox row outbox() returned
}

func newEnv(t testing.TB, configure ...func(*cardbot.Config)) *env {
	t.Helper()
	cfg := cardbot.DefaultConfig()
	cfg.Programs = testPrograms()
	cfg.Business.Name = "Кофейня «Зерно»"
	cfg.HTTP.BaseURL = "https://cards.example"
	cfg.Telegram.Staff = []int64{999}
	for _, f := range configure {
		f(&cfg)
	}
	db, err := store.Open(filepath.Join(t.TempDir(), "cardbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clock := cardbot.NewManualClock(time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC))
	w, err := wallet.New(cfg, clock)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: db, w: w, clock: clock, cfg: cfg}
	e.eng, err = flows.NewEngine(flows.Deps{
		Store: db, Wallet: w, Clock: clock, Config: cfg, Wake: func() { e.wakes.Add(1) },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// inbound is a Telegram message from a user, with a fresh update id.
func (e *env) inbound(user, text string) cardbot.Inbound {
	return cardbot.Inbound{
		Channel: "telegram", UserID: user, UpdateID: fmt.Sprint(e.updateID.Add(1)), Name: "Анна",
		Text: text, At: e.clock.Now(),
	}
}

// handle passes a message to the engine and fails the test on an error.
func (e *env) handle(in cardbot.Inbound) {
	e.t.Helper()
	if err := e.eng.Handle(context.Background(), in); err != nil {
		e.t.Fatalf("Handle(%+v): %v", in, err)
	}
}

// say sends a Telegram text and returns the rows it enqueued.
func (e *env) say(user, text string) []*cardbot.Message {
	e.t.Helper()
	e.handle(e.inbound(user, text))
	return e.outbox()
}

// press sends a button press and returns the rows it enqueued.
func (e *env) press(user, data string) []*cardbot.Message {
	e.t.Helper()
	in := e.inbound(user, "")
	in.Button = data
	e.handle(in)
	return e.outbox()
}

// outbox returns the pending rows enqueued since the last call, oldest first.
func (e *env) outbox() []*cardbot.Message {
	e.t.Helper()
	var out []*cardbot.Message
	err := e.db.View(context.Background(), func(tx cardbot.Tx) error {
		msgs, err := tx.DueMessages(e.clock.Now().Add(time.Hour), 0)
		for _, m := range msgs {
			if m.ID > e.seen {
				out = append(out, m)
			}
		}
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	slices.SortFunc(out, func(a, b *cardbot.Message) int { return cmp.Compare(a.ID, b.ID) })
	if len(out) > 0 {
		e.seen = out[len(out)-1].ID
	}
	return out
}

// view runs fn in a read transaction and fails the test on an error.
func (e *env) view(fn func(tx cardbot.Tx) error) {
	e.t.Helper()
	if err := e.db.View(context.Background(), fn); err != nil {
		e.t.Fatal(err)
	}
}

// update runs fn in a write transaction and fails the test on an error.
func (e *env) update(fn func(tx cardbot.Tx) error) {
	e.t.Helper()
	if err := e.db.Update(context.Background(), fn); err != nil {
		e.t.Fatal(err)
	}
}

// clientAt returns the client that owns a Telegram user's address, or nil.
func (e *env) clientAt(user string) *cardbot.Client {
	e.t.Helper()
	var c *cardbot.Client
	e.view(func(tx cardbot.Tx) error {
		var err error
		c, err = tx.ClientByAddress(cardbot.Address{Channel: "telegram", ID: user})
		if cardbot.CodeOf(err) == cardbot.NotFound {
			return nil
		}
		return err
	})
	return c
}

// conversation returns the saved dialogue of a Telegram user.
func (e *env) conversation(user string) *cardbot.Conversation {
	e.t.Helper()
	var c *cardbot.Conversation
	e.view(func(tx cardbot.Tx) error {
		var err error
		c, err = tx.Conversation(cardbot.Address{Channel: "telegram", ID: user})
		return err
	})
	return c
}

// cards returns a client's cards.
func (e *env) cards(clientID uint64) []*cardbot.Card {
	e.t.Helper()
	var cards []*cardbot.Card
	e.view(func(tx cardbot.Tx) error {
		var err error
		cards, err = tx.ClientCards(clientID)
		return err
	})
	return cards
}

// welcomed runs a user through the first message and skips the birthday, leaving them idle with a card.
func (e *env) welcomed(user string) (*cardbot.Client, *cardbot.Card) {
	e.t.Helper()
	e.say(user, "привет")
	e.press(user, "skip")
	c := e.clientAt(user)
	if c == nil {
		e.t.Fatalf("no client for %s", user)
	}
	cards := e.cards(c.ID)
	if len(cards) != 1 {
		e.t.Fatalf("client %d has %d cards, want 1", c.ID, len(cards))
	}
	return c, cards[0]
}

// texts joins the texts of messages, for assertions that do not care how replies are split.
func texts(msgs []*cardbot.Message) string {
	var b strings.Builder
	for _, m := range msgs {
		b.WriteString(m.Text)
		b.WriteString("\n---\n")
	}
	return b.String()
}

// mustContain fails unless s contains every part.
func mustContain(t testing.TB, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Errorf("missing %q in:\n%s", p, s)
		}
	}
}

// events lists the Event of each message.
func events(msgs []*cardbot.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.Event
	}
	return out
}

// one returns the only message, failing otherwise.
func one(t testing.TB, msgs []*cardbot.Message) *cardbot.Message {
	t.Helper()
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1: %v\n%s", len(msgs), events(msgs), texts(msgs))
	}
	return msgs[0]
}
