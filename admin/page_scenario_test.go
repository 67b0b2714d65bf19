package admin_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"cardbot"
)

// newClient stores a client with a card of program, as a till or the bot would, and returns the
// client and the card number.
func (s *site) newClient(name, phone, program string, channels ...cardbot.Address) (*cardbot.Client, string) {
	s.t.Helper()
	cl := &cardbot.Client{Name: name, Phone: phone, Channels: channels, CreatedAt: s.clock.Now(), LastActivityAt: s.clock.Now(),
		Consent: cardbot.Consent{PersonalData: true, Marketing: true}}
	var number string
	err := s.db.Update(s.t.Context(), func(tx cardbot.Tx) error {
		c := *cl
		if err := tx.CreateClient(&c); err != nil {
			return err
		}
		issued, err := s.wallet.Issue(tx, c.ID, program, "test")
		if err != nil {
			return err
		}
		*cl, number = c, issued.Card.Number
		return nil
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return cl, number
}

var balanceRE = regexp.MustCompile(`id="balance-(\d+)">([^<]+)<`)

// balanceOn reads the balance a client page shows for a card.
func balanceOn(t *testing.T, p page, number string) string {
	t.Helper()
	for _, m := range balanceRE.FindAllStringSubmatch(p.Body, -1) {
		if m[1] == number {
			return m[2]
		}
	}
	t.Fatalf("no balance of card %s on the page:\n%s", number, p.Body)
	return ""
}

func clientPath(c *cardbot.Client) string { return "/admin/clients/" + uintStr(c.ID) }

func uintStr(n uint64) string { return strconv.FormatUint(n, 10) }

// The owner's first day: log in, make a mini-site for the counter, find a client who bought
// something, accrue points by hand and see the balance change, and the notice in their history.
func TestOwnerScenario(t *testing.T) {
	s := newSite(t)
	s.addUser("olga", "correct horse", cardbot.RoleOwner)
	anna, number := s.newClient("Анна Петрова", "+79161234567", "bonus", cardbot.Address{Channel: "telegram", ID: "555"})

	b := s.browser()
	if p := b.get("/admin/cards"); p.Status != http.StatusSeeOther {
		t.Fatalf("before login: %d", p.Status)
	}
	b.mustLogin("olga", "correct horse")

	// A mini-site for the counter.
	b.get("/admin/sites/new").must(t, http.StatusOK).contains(t, `id="site-form"`)
	p := b.post("/admin/sites", url.Values{"slug": {"cafe"}, "title": {"Кофейня на Тверской"},
		"text": {"Карта за минуту"}, "program_id": {"bonus"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("create mini-site: %d\n%s", p.Status, p.Body)
	}
	b.get("/admin/sites").must(t, http.StatusOK).contains(t,
		`id="site-cafe"`, `href="http://cards.example/s/cafe"`, `href="/s/cafe/qr.png"`, `href="/s/cafe/qr.svg"`, "Кофейня на Тверской")
	// The same slug twice is refused with a message.
	b.post("/admin/sites", url.Values{"slug": {"cafe"}, "title": {"Again"}}).must(t, http.StatusBadRequest).contains(t, `id="form-error"`)

	// Find the client by the start of the phone and by a word of the name.
	for _, q := range []string{"+7 916 123", "Петрова", "анна", number} {
		b.get("/admin/clients?q="+url.QueryEscape(q)).must(t, http.StatusOK).contains(t, `id="client-`+uintStr(anna.ID)+`"`)
	}
	b.get("/admin/clients?q="+url.QueryEscape("Сидоров")).must(t, http.StatusOK).contains(t, `id="no-clients"`)

	// Accrue 250 points: the welcome bonus of 100 becomes 350.
	before := b.get(clientPath(anna)).must(t, http.StatusOK)
	if got := balanceOn(t, before, number); got != "100" {
		t.Fatalf("balance before: %s", got)
	}
	p = b.post(clientPath(anna)+"/operations", url.Values{"card": {number}, "type": {"accrue"}, "amount": {"250"},
		"reason": {"compensation"}, "op_key": {"form-1"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("accrue: %d\n%s", p.Status, p.Body)
	}
	after := b.get(p.Location[:strings.Index(p.Location, "#")]).must(t, http.StatusOK)
	if got := balanceOn(t, after, number); got != "350" {
		t.Fatalf("balance after: %s", got)
	}
	after.contains(t, "admin:olga", "compensation", `id="flash"`)
	// The same form sent twice (a double click) counts once.
	b.post(clientPath(anna)+"/operations", url.Values{"card": {number}, "type": {"accrue"}, "amount": {"250"},
		"reason": {"compensation"}, "op_key": {"form-1"}}).must(t, http.StatusSeeOther)
	if got := balanceOn(t, b.get(clientPath(anna)), number); got != "350" {
		t.Fatalf("balance after a resent form: %s", got)
	}
	// The client was told, in the same outbox the API uses: the history shows the row.
	var notices []*cardbot.Message
	s.db.View(t.Context(), func(tx cardbot.Tx) error {
		notices, _ = tx.ClientMessages(anna.ID, 0, 10)
		return nil
	})
	if len(notices) != 1 || notices[0].Kind != cardbot.KindNotice || !strings.Contains(notices[0].Text, "250") {
		t.Fatalf("outbox after the accrual: %+v", notices)
	}
	after.contains(t, `id="message-`+uintStr(notices[0].ID)+`"`)
}
