package bot_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"cardbot"
	"cardbot/bot"
)

// optOutCustomer is one of the thousand: their addresses, what their channels do, and whether they
// said stop.
type optOutCustomer struct {
	client          *cardbot.Client
	tgBlocked       bool // blocked the bot: Telegram refuses for good
	notOnWhatsApp   bool
	stopped         bool // opted out before the sale was sent
	stopsMidCascade bool // opted in at first; Telegram fails once, and they say stop before the retry
	marketing, note uint64
}

// A sale to 1,000 customers through the whole cascade (Telegram → WhatsApp → SMS → email), each with
// an address on every channel they have, a seeded third of them opted out, some of the rest saying
// stop while their sale waits to be retried. Whichever channel a row would reach, no marketing goes to
// a customer who stopped, and each of their sales is recorded as skipped; the operation notice each
// customer also gets still reaches everyone.
func TestMarketingThroughTheCascadeSkipsEveryOptedOutCustomer(t *testing.T) {
	tg, wa, sms, email := fourFakes()
	h := newHarness(t, bot.Options{
		Cascade: []string{"telegram", "whatsapp", "sms", "email"},
		Backoff: func(int) time.Duration { return time.Minute }, // on the harness's manual clock
	}, tg, wa, sms, email)
	rng := rand.New(rand.NewPCG(2026, 4))
	customers := make([]*optOutCustomer, 1000)
	byAddress := map[string]*optOutCustomer{} // channel:address → customer
	h.update(func(tx cardbot.Tx) error {
		clear(byAddress)
		for i := range customers {
			c := &optOutCustomer{tgBlocked: rng.IntN(3) == 0, notOnWhatsApp: rng.IntN(2) == 0}
			c.stopped = rng.IntN(3) == 0
			c.stopsMidCascade = !c.stopped && !c.tgBlocked && rng.IntN(10) == 0
			c.client = &cardbot.Client{
				Name:     fmt.Sprint("Customer ", i),
				Email:    fmt.Sprintf("c%d@example.com", i),
				Channels: []cardbot.Address{{Channel: "telegram", ID: fmt.Sprint("tg", i)}, {Channel: "whatsapp", ID: fmt.Sprint("wa", i)}},
				Consent:  cardbot.Consent{PersonalData: true, Marketing: !c.stopped},
			}
			if rng.IntN(4) > 0 {
				c.client.Phone = fmt.Sprintf("+7900%07d", i)
			}
			if err := tx.CreateClient(c.client); err != nil {
				return err
			}
			customers[i] = c
			for _, a := range []string{"telegram:tg" + fmt.Sprint(i), "whatsapp:wa" + fmt.Sprint(i), "sms:" + c.client.Phone, "email:" + c.client.Email} {
				if a != "sms:" {
					byAddress[a] = c
				}
			}
		}
		return nil
	})
	var rows []cardbot.Message
	for _, c := range customers {
		chat := c.client.Channels[0].ID
		switch {
		case c.tgBlocked:
			tg.failNextTo(chat, 2, errBlocked) // the sale, if it gets this far, and the notice
		case c.stopsMidCascade:
			tg.failNextTo(chat, 1, errFlaky)
		}
		if c.notOnWhatsApp {
			wa.failNextTo(c.client.Channels[1].ID, 2, errNotOnWhatsApp)
		}
		rows = append(rows, marketing(c.client.ID, "Sale: -20% this weekend"), notice(c.client.ID, "+50 points"))
	}
	ids := h.enqueue(rows...)
	for i, c := range customers {
		c.marketing, c.note = ids[2*i], ids[2*i+1]
	}

	// Everything goes out except the sales that hit a passing failure; their customers say stop.
	eventually(t, "only the retries are left", func() bool { return h.pendingDue(h.clock.Now()) == 0 })
	h.update(func(tx cardbot.Tx) error {
		for _, c := range customers {
			if c.stopsMidCascade {
				cl, err := tx.Client(c.client.ID)
				if err != nil {
					return err
				}
				cl.Consent = cardbot.Consent{PersonalData: true, Marketing: false, Source: "telegram", At: h.clock.Now()}
				if err := tx.PutClient(cl); err != nil {
					return err
				}
			}
		}
		return nil
	})
	h.moveTo(h.clock.Now().Add(2 * time.Minute))
	eventually(t, "every row is settled", func() bool { return h.pending() == 0 })

	// Not one marketing send reached a customer who stopped, on any channel.
	sentTo := map[uint64][]string{} // customer → texts they received
	for _, f := range []*fakeSender{tg, wa, sms, email} {
		for _, call := range f.accepted() {
			c := byAddress[f.channel+":"+call.out.To]
			if c == nil {
				t.Fatalf("%s sent to unknown address %q", f.channel, call.out.To)
			}
			sentTo[c.client.ID] = append(sentTo[c.client.ID], call.out.Text)
		}
	}
	stoppers, skipped := 0, 0
	for _, c := range customers {
		got := sentTo[c.client.ID]
		if c.stopped || c.stopsMidCascade {
			stoppers++
			if len(got) != 1 || got[0] != "+50 points" {
				t.Fatalf("customer %d stopped marketing and received %q, want only the notice", c.client.ID, got)
			}
			m := h.message(c.marketing)
			if m.Status != cardbot.MessageSkipped || m.Attempts[len(m.Attempts)-1].Error != "opted out" {
				t.Fatalf("sale to customer %d who stopped: %s %+v, want skipped as opted out", c.client.ID, m.Status, m.Attempts)
			}
			skipped++
			continue
		}
		if len(got) != 2 {
			t.Fatalf("customer %d (opted in) received %q, want the sale and the notice once each", c.client.ID, got)
		}
		if m := h.message(c.marketing); m.Status != cardbot.MessageSent {
			t.Fatalf("sale to customer %d: %s %+v", c.client.ID, m.Status, m.Attempts)
		}
	}
	if stoppers < 300 || skipped != stoppers {
		t.Fatalf("%d customers stopped, %d sales skipped: the seed should give a few hundred of each", stoppers, skipped)
	}
}
