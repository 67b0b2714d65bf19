package flows_test

import (
	"fmt"
	"strings"
	"testing"

	"cardbot"
	"cardbot/flows"
)

// staffSays sends a message from the staff member's Telegram account.
func (e *env) staffSays(text string) *cardbot.Message {
	e.t.Helper()
	msgs := e.say(staffID, text)
	for _, m := range msgs {
		if m.To != nil && m.To.ID == staffID {
			return m
		}
	}
	e.t.Fatalf("no reply to staff for %q: %v", text, events(msgs))
	return nil
}

// noticesFor returns the notice rows among msgs for a client.
func noticesFor(msgs []*cardbot.Message, clientID uint64) []*cardbot.Message {
	var out []*cardbot.Message
	for _, m := range msgs {
		if m.Kind == cardbot.KindNotice && m.ClientID == clientID {
			out = append(out, m)
		}
	}
	return out
}

func TestStaffCommands(t *testing.T) {
	e := newEnv(t)
	customer, card := e.welcomed("1")
	e.say(staffID, "привет") // the staff member's own first contact
	e.outbox()

	m := e.staffSays("/find " + card.Number)
	mustContain(t, m.Text, "Анна", card.Number, "100 баллов")

	e.handle(e.inbound(staffID, "/buy "+card.Number+" 1000 redeem 50"))
	msgs := e.outbox()
	reply := msgs[len(msgs)-1]
	if reply.Event != "staff_buy" {
		t.Fatalf("reply %v", events(msgs))
	}
	// 100 − 50 redeemed + 5 % of 950 = 97.5
	mustContain(t, reply.Text, "покупка на 1000 ₽", "списано 50 баллов", "97,5 балла")
	notices := noticesFor(msgs, customer.ID)
	if len(notices) != 1 {
		t.Fatalf("customer notices %v", events(msgs))
	}
	mustContain(t, notices[0].Text, "Кофейня «Зерно»: покупка на 1000 ₽", "На карте: 97,5 балла")
	opID := strings.TrimSuffix(strings.Fields(reply.Text)[2], ":")[len("№"):]

	mustContain(t, e.staffSays("/add "+card.Number+" 2,5").Text, "начислено 2,5 балла", "100 баллов")

	reply = e.staffSays("/cancel " + opID)
	mustContain(t, reply.Text, "отменена операция №"+opID, "+2,5 балла", "102,5 балла")

	reply = e.staffSays("/cancel " + opID)
	if reply.Event != "staff_refused" || !strings.Contains(reply.Text, "так нельзя") {
		t.Errorf("second cancel: %s %q", reply.Event, reply.Text)
	}
	if reply := e.staffSays("/buy " + card.Number + " 100 redeem 1000"); reply.Event != "staff_refused" {
		t.Errorf("redeeming more than allowed: %s", reply.Event)
	}
	if reply := e.staffSays("/add 99999999 10"); reply.Event != "staff_refused" || !strings.Contains(reply.Text, "не нашли") {
		t.Errorf("unknown card: %s %q", reply.Event, reply.Text)
	}
	if reply := e.staffSays("/buy " + card.Number); reply.Event != "staff_usage" {
		t.Errorf("missing sum: %s", reply.Event)
	}
	if reply := e.staffSays("/find +7 916 000-00-00"); reply.Event != "staff_find" || !strings.Contains(reply.Text, "Не нашли") {
		t.Errorf("unknown phone: %q", reply.Text)
	}
	if got := e.cards(customer.ID)[0].Balance; got != 10250 {
		t.Errorf("balance %d, want 102.50 points (the purchase cancelled, the 2.50 added kept)", got)
	}
	e.view(func(tx cardbot.Tx) error {
		ops, err := tx.CardOperations(card.ID, 0, 1)
		if err == nil && ops[0].Actor != "staff:telegram:"+staffID {
			t.Errorf("actor %q", ops[0].Actor)
		}
		return err
	})
}

func TestStaffStamps(t *testing.T) {
	e := newEnv(t, func(c *cardbot.Config) { c.Settings.DefaultProgram = "coffee" })
	customer, card := e.welcomed("1")
	e.say(staffID, "привет")
	e.outbox()
	mustContain(t, e.staffSays("/stamp "+card.Number+" 5").Text, "+5 штампов", "5 из 6 штампов")
	e.handle(e.inbound(staffID, "/stamp "+card.Number))
	notices := noticesFor(e.outbox(), customer.ID)
	if len(notices) != 1 || notices[0].Event != "reward_ready" {
		t.Fatalf("notices %v", events(notices))
	}
	mustContain(t, notices[0].Text, "Награда готова: бесплатный кофе", "6 из 6 штампов")
}

func TestStaffCommandsRefusedToOthers(t *testing.T) {
	e := newEnv(t)
	_, card := e.welcomed("1")
	before := e.cards(card.ClientID)[0].Balance
	for _, cmd := range []string{"/buy " + card.Number + " 1000", "/add " + card.Number + " 500", "/find " + card.Number} {
		m := one(t, e.say("1", cmd))
		if m.Event != "staff_only" {
			t.Errorf("%s by a customer: %s", cmd, m.Event)
		}
	}
	// A staff id on another channel is not staff.
	in := e.inbound(staffID, "/add "+card.Number+" 500")
	in.Channel = "whatsapp"
	e.handle(in)
	if got := e.cards(card.ClientID)[0].Balance; got != before {
		t.Errorf("balance changed from %d to %d", before, got)
	}
}

func TestParseStaffCommand(t *testing.T) {
	for in, want := range map[string]flows.StaffCommand{
		"/find +7 916 123-45-67":            {Name: "find", Query: "+7 916 123-45-67"},
		"/buy 12345678 1500":                {Name: "buy", Card: "12345678", Sum: 150000},
		"/buy@zerno_bot 1 99,90 списать 10": {Name: "buy", Card: "1", Sum: 9990, Redeem: 1000},
		"/BUY 1 2 REDEEM 1":                 {Name: "buy", Card: "1", Sum: 200, Redeem: 100},
		"/add 1 0.5":                        {Name: "add", Card: "1", Points: 50},
		"/stamp 1":                          {Name: "stamp", Card: "1", Count: 1},
		"/stamp 1 3":                        {Name: "stamp", Card: "1", Count: 3},
		"/cancel 42":                        {Name: "cancel", OpID: 42},
	} {
		got, err := flows.ParseStaffCommand(in)
		if err != nil || got != want {
			t.Errorf("%q: %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{
		"/find", "/buy 1", "/buy 1 0", "/buy 1 -5", "/buy x1 5", "/buy 1 5 redeem", "/buy 1 5 give 3",
		"/buy 1 1e3", "/add 1", "/stamp 1 0", "/stamp 1 101", "/cancel", "/cancel 0", "/cancel x",
		"/balance", "buy 1 5", "/find " + strings.Repeat("9", 65),
	} {
		if got, err := flows.ParseStaffCommand(in); cardbot.CodeOf(err) != cardbot.Invalid {
			t.Errorf("%q: %+v, %v; want invalid", in, got, err)
		}
	}
}

func FuzzParseStaffCommand(f *testing.F) {
	for _, s := range []string{
		"/find +7 916 123-45-67", "/buy 12345678 1500 redeem 100", "/add 1 2,5", "/stamp 1 3", "/cancel 42",
		"/buy 1 99.999", "/stamp@bot 1", "/find \u00a0x", "/buy 1 100000000000 списать 1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := flows.ParseStaffCommand(s)
		if err != nil {
			if cardbot.CodeOf(err) != cardbot.Invalid {
				t.Fatalf("%q: error %v is not invalid", s, err)
			}
			return
		}
		switch {
		case c.Name == "buy" && (c.Sum <= 0 || c.Sum > cardbot.MaxAmount || c.Redeem < 0 || c.Card == ""),
			c.Name == "add" && (c.Points <= 0 || c.Card == ""),
			c.Name == "stamp" && (c.Count < 1 || c.Count > 100),
			c.Name == "cancel" && c.OpID == 0,
			c.Name == "find" && c.Query == "":
			t.Fatalf("%q parsed to an out-of-range %+v", s, c)
		}
		again, err := flows.ParseStaffCommand(c.String())
		if err != nil || again != c {
			t.Fatalf("%q → %+v → %q → %+v, %v", s, c, c.String(), again, err)
		}
		_ = fmt.Sprint(c.Request("staff:test"))
	})
}

// WhatsApp staff are listed by phone; the same phone writing on Telegram (an id there) is no one special.
func TestWhatsAppStaffByPhone(t *testing.T) {
	e := newEnv(t, func(cfg *cardbot.Config) { cfg.WhatsApp.Staff = []string{"+79160000999"} })
	_, card := e.welcomed("1")
	before := e.cards(card.ClientID)[0].Balance

	in := e.inbound("+79160000999", "/add "+card.Number+" 500")
	in.Channel = "whatsapp"
	e.handle(in)
	if got := e.cards(card.ClientID)[0].Balance; got != before+500_00 {
		t.Fatalf("WhatsApp staff /add: balance %d, want %d", got, before+500_00)
	}
	e.outbox()
	m := one(t, e.say("+79160000999", "/add "+card.Number+" 500")) // the same string as a Telegram id
	if m.Event != "staff_only" {
		t.Fatalf("a Telegram user is not WhatsApp staff: %s", m.Event)
	}
}
