package flows_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"cardbot"
	"cardbot/flows"
)

func TestRedeliveredUpdateIsHandledOnce(t *testing.T) {
	e := newEnv(t)
	in := e.inbound("1", "привет")
	e.handle(in)
	first := e.outbox()
	e.handle(in) // a webhook retry, a poll after a crash
	if again := e.outbox(); len(again) != 0 {
		t.Fatalf("redelivery enqueued %v", events(again))
	}
	if len(first) != 2 {
		t.Fatalf("first delivery: %v", events(first))
	}
	if n := len(e.cards(e.clientAt("1").ID)); n != 1 {
		t.Errorf("%d cards after a redelivery", n)
	}
	if e.wakes.Load() != 1 {
		t.Errorf("Wake called %d times; a duplicate enqueues nothing and wakes nobody", e.wakes.Load())
	}
	// The same update id on another channel is another update.
	other := in
	other.Channel = "whatsapp"
	e.handle(other)
	if msgs := e.outbox(); len(msgs) == 0 {
		t.Error("an update id is scoped to its channel")
	}
}

func TestConcurrentMessagesOfOneChat(t *testing.T) {
	e := newEnv(t)
	const n = 50
	ins := make([]cardbot.Inbound, n)
	for i := range ins {
		ins[i] = e.inbound("1", "/balance")
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for _, in := range ins {
		wg.Go(func() { errs <- e.eng.Handle(context.Background(), in) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	msgs := e.outbox()
	count := map[string]int{}
	for _, m := range msgs {
		count[m.Event]++
	}
	// Whichever came first was the welcome; every other one got its balance.
	if count["card_issued"] != 1 || count["birthday_question"] != 1 || count["balance"] != n-1 || len(msgs) != n+1 {
		t.Fatalf("replies %v", count)
	}
	client := e.clientAt("1")
	if len(e.cards(client.ID)) != 1 {
		t.Error("more than one card for one chat")
	}
	var clients []*cardbot.Client
	e.view(func(tx cardbot.Tx) error {
		var err error
		clients, err = tx.Clients(0, 0)
		return err
	})
	if len(clients) != 1 {
		t.Errorf("%d clients for one chat", len(clients))
	}
	if conv := e.conversation("1"); conv.State != "awaiting_birthday" || conv.ClientID != client.ID {
		t.Errorf("conversation %+v", conv)
	}
	if k := flows.LockedKeys(e.eng); k != 0 {
		t.Errorf("%d conversation locks left behind", k)
	}
}

func TestConcurrentConversationsWithBirthdays(t *testing.T) {
	e := newEnv(t)
	const chats, bad = 20, 2
	var wg sync.WaitGroup
	for c := range chats {
		wg.Go(func() {
			user := fmt.Sprint(1000 + c)
			for _, text := range []string{"привет", "нет такой даты", "и такой", "15.03.1990"} {
				if err := e.eng.Handle(context.Background(), e.inbound(user, text)); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	for c := range chats {
		user := fmt.Sprint(1000 + c)
		if conv := e.conversation(user); conv.State != "awaiting_phone" {
			t.Errorf("%s: state %s after %d bad answers and a good one", user, conv.State, bad)
		}
		if cl := e.clientAt(user); cl.Birthday == nil {
			t.Errorf("%s: no birthday", user)
		}
	}
}

func TestHandleRefusesAnInboundWithoutAddress(t *testing.T) {
	e := newEnv(t)
	err := e.eng.Handle(context.Background(), cardbot.Inbound{Text: "hi"})
	if cardbot.CodeOf(err) != cardbot.Invalid {
		t.Errorf("error %v, want invalid", err)
	}
}

func TestCancelledContextWhileWaitingForTheChat(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := e.eng.Handle(ctx, e.inbound("1", "hi")); err == nil {
		t.Error("a cancelled context must not be handled")
	}
	if e.clientAt("1") != nil {
		t.Error("a refused message created a client")
	}
	if k := flows.LockedKeys(e.eng); k != 0 {
		t.Errorf("%d locks left", k)
	}
}

func TestNewEngineValidatesTemplates(t *testing.T) {
	e := newEnv(t)
	deps := func(texts map[string]string) flows.Deps {
		return flows.Deps{Store: e.db, Wallet: e.w, Clock: e.clock, Config: e.cfg, Texts: texts,
			Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	}
	for name, c := range map[string]struct {
		texts map[string]string
		want  string
	}{
		"unknown field":   {map[string]string{"birthday_saved": "Спасибо, {{.Birthdate}}"}, `"birthday_saved"`},
		"nested field":    {map[string]string{"card_caption": "{{.Card.Colour}}"}, `"card_caption"`},
		"syntax":          {map[string]string{"help": "{{if .Buttons}}"}, `"help"`},
		"unknown noun":    {map[string]string{"balance_bonus": `{{count .Card.Points "coin"}}`}, `"balance_bonus"`},
		"unknown include": {map[string]string{"card": `{{template "nope" .}}`}, `"card"`},
		"no such text":    {map[string]string{"welcome_typo": "hi"}, `"welcome_typo"`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := flows.NewEngine(deps(c.texts))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one naming %s", err, c.want)
			}
		})
	}
	// A good override is used.
	eng, err := flows.NewEngine(deps(map[string]string{"help": "Спросите бариста."}))
	if err != nil {
		t.Fatal(err)
	}
	e.eng = eng
	e.welcomed("1")
	mustContain(t, one(t, e.say("1", "/help")).Text, "Спросите бариста.")
}

func TestNewEngineChecksConfig(t *testing.T) {
	e := newEnv(t)
	for name, configure := range map[string]func(*cardbot.Config){
		"locale":          func(c *cardbot.Config) { c.Locale = "de" },
		"timezone":        func(c *cardbot.Config) { c.Business.Timezone = "Mars/Olympus" },
		"default program": func(c *cardbot.Config) { c.Settings.DefaultProgram = "nope" },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := e.cfg
			configure(&cfg)
			if _, err := flows.NewEngine(flows.Deps{Store: e.db, Wallet: e.w, Config: cfg}); err == nil {
				t.Error("NewEngine accepted it")
			}
		})
	}
}
