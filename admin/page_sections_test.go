package admin_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cardbot"
	"cardbot/admin"
	"cardbot/store"
)

func ownerOf(t *testing.T, s *site) *browser {
	t.Helper()
	s.addUser("olga", "correct horse", cardbot.RoleOwner)
	return s.browser().mustLogin("olga", "correct horse")
}

func TestProgrammesAreEditedLiveAndSurviveARestart(t *testing.T) {
	s := newSite(t)
	b := ownerOf(t, s)
	s.newClient("Анна", "+79161234567", "bonus", cardbot.Address{Channel: "telegram", ID: "1"})
	s.newClient("Борис", "+79161234568", "bonus")

	list := b.get("/admin/cards").must(t, http.StatusOK)
	list.contains(t, `id="card-bonus"`, `<td class="issued">2</td>`, `<td class="installed">1</td>`)

	// A new stamp card: in the wallet at once, marked as created here.
	p := b.post("/admin/cards", url.Values{"id": {"tea"}, "name": {"Чайная карта"}, "type": {"stamp"},
		"stamps": {"8"}, "reward": {"Чайник чая"}, "stamps_per_visit": {"1"}, "cashback": {"99"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", p.Status, p.Body)
	}
	tea := s.wallet.Program("tea")
	if tea == nil || tea.Stamps != 8 || tea.Cashback != 0 {
		t.Fatalf("the wallet has %+v (fields of other types must be dropped)", tea)
	}
	b.get("/admin/cards").contains(t, `id="card-tea"`, "created here")

	// config.yaml's bonus card edited here: 7 % from now on, for every card of it.
	p = b.post("/admin/cards/bonus", url.Values{"name": {"Бонусы"}, "cashback": {"7"}, "welcome_bonus": {"100"},
		"max_redeem_percent": {"30"}, "tiers": {"Silver; 10000; 9\nGold; 50000; 12"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", p.Status, p.Body)
	}
	if got := s.wallet.Program("bonus"); got.Cashback != 700 || len(got.Tiers) != 2 || got.Tiers[1].Cashback != 1200 {
		t.Fatalf("bonus after the edit: %+v", got)
	}
	b.get("/admin/cards").contains(t, "config.yaml, changed here")

	// config.yaml's rules apply: a bonus card without cashback is refused, nothing changes.
	b.post("/admin/cards/bonus", url.Values{"name": {"Бонусы"}, "cashback": {"0"}}).
		must(t, http.StatusBadRequest).contains(t, "cashback")
	if s.wallet.Program("bonus").Cashback != 700 {
		t.Fatal("a refused edit changed the programme")
	}
	// A card that has been issued can be archived, not deleted.
	b.post("/admin/cards/bonus/delete", nil).must(t, http.StatusConflict).contains(t, "archive")
	// The default card cannot go either.
	b.post("/admin/cards/discount/delete", nil).must(t, http.StatusSeeOther)
	if s.wallet.Program("discount") != nil {
		t.Fatal("discount is still there after delete")
	}
	b.post("/admin/cards/coffee/archive", url.Values{"archived": {"1"}}).must(t, http.StatusSeeOther)
	if !s.wallet.Program("coffee").Archived {
		t.Fatal("coffee not archived")
	}

	// After a restart the stored edits are in force again, over config.yaml.
	again := startSite(t, s.db, nil)
	if p := again.wallet.Program("bonus"); p == nil || p.Cashback != 700 {
		t.Fatalf("after restart bonus is %+v", p)
	}
	if again.wallet.Program("tea") == nil || again.wallet.Program("discount") != nil || !again.wallet.Program("coffee").Archived {
		t.Fatal("after restart the programmes are not the stored ones")
	}
}

func TestSettingsOverrideConfigAndReachTheEngine(t *testing.T) {
	s := newSite(t)
	b := ownerOf(t, s)
	page := b.get("/admin/settings").must(t, http.StatusOK)
	page.contains(t, `id="default-program-source">from config.yaml`, `id="cascade-source">from config.yaml`)

	p := b.post("/admin/settings", url.Values{"default_program": {"coffee"}, "auto_issue": {"on"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", p.Status, p.Body)
	}
	page = b.get("/admin/settings")
	page.contains(t, `<option value="coffee" selected>`, `id="default-program-source">set here`, `id="ask-birthday-source">set here`,
		`id="auto-issue-source">from config.yaml`)

	// The running engine issues the new default card to a new customer, and does not ask the birthday.
	err := s.engine.Handle(t.Context(), cardbot.Inbound{Channel: "telegram", UserID: "42", Name: "Вера", Text: "привет", UpdateID: "u1"})
	if err != nil {
		t.Fatal(err)
	}
	var cards []*cardbot.Card
	var msgs []*cardbot.Message
	s.db.View(t.Context(), func(tx cardbot.Tx) error {
		cl, err := tx.ClientByAddress(cardbot.Address{Channel: "telegram", ID: "42"})
		if err != nil {
			return err
		}
		cards, _ = tx.ClientCards(cl.ID)
		msgs, _ = tx.ClientMessages(cl.ID, 0, 10)
		return nil
	})
	if len(cards) != 1 || cards[0].ProgramID != "coffee" {
		t.Fatalf("the new customer got %+v", cards)
	}
	for _, m := range msgs {
		if m.Event == "birthday_question" {
			t.Fatal("the engine still asks the birthday")
		}
	}

	// The cascade: SMS up one place reaches the dispatcher's seam; back to config.yaml undoes it.
	b.post("/admin/settings/cascade", url.Values{"channel": {"sms"}, "dir": {"up"}}).must(t, http.StatusSeeOther)
	if got := strings.Join(s.live.cascade, ","); got != "telegram,sms,whatsapp,email" {
		t.Fatalf("cascade %s", got)
	}
	b.get("/admin/settings").contains(t, `id="cascade-source">set here`)
	b.post("/admin/settings/reset", url.Values{"field": {"cascade"}}).must(t, http.StatusSeeOther)
	if got := strings.Join(s.live.cascade, ","); got != "telegram,whatsapp,sms,email" {
		t.Fatalf("cascade after reset %s", got)
	}
	// A value equal to config.yaml's shows as coming from it.
	b.post("/admin/settings", url.Values{"default_program": {"bonus"}, "auto_issue": {"on"}, "ask_birthday": {"on"}}).must(t, http.StatusSeeOther)
	b.get("/admin/settings").contains(t, `id="default-program-source">from config.yaml`)
	// An archived or unknown default card is refused.
	b.post("/admin/settings", url.Values{"default_program": {"nope"}, "auto_issue": {"on"}}).must(t, http.StatusBadRequest)
}

func TestMessageTextsPreviewAndApply(t *testing.T) {
	s := newSite(t)
	b := ownerOf(t, s)
	b.get("/admin/messages").must(t, http.StatusOK).contains(t, `id="text-notice"`, `id="opt-out-count">0<`)
	b.get("/admin/messages/notice").must(t, http.StatusOK).contains(t, `id="text-body"`, `id="preview-text"`)

	// The preview runs the real template code with sample data; a broken template says why.
	p := b.post("/admin/messages/notice/preview", url.Values{"text": {"{{.Business}}: баланс {{.Card.Balance}}"}}, "HX-Request", "true")
	p.must(t, http.StatusOK).contains(t, "My business: баланс 150")
	b.post("/admin/messages/notice/preview", url.Values{"text": {"{{.Nope}}"}}, "HX-Request", "true").
		must(t, http.StatusOK).contains(t, `id="preview-error"`)
	b.post("/admin/messages/notice", url.Values{"text": []string{"{{.Nope"}}).must(t, http.StatusBadRequest).contains(t, `id="form-error"`)

	// Saved, it is what the next notice says.
	b.post("/admin/messages/notice", url.Values{"text": {"Новый баланс: {{.Card.Balance}}"}}).must(t, http.StatusSeeOther)
	b.get("/admin/messages").contains(t, "Новый баланс")
	anna, number := s.newClient("Анна", "+79161234567", "bonus")
	b.post(clientPath(anna)+"/operations", url.Values{"card": {number}, "type": {"accrue"}, "amount": {"5"}}).must(t, http.StatusSeeOther)
	var msgs []*cardbot.Message
	s.db.View(t.Context(), func(tx cardbot.Tx) error { msgs, _ = tx.ClientMessages(anna.ID, 0, 1); return nil })
	if len(msgs) != 1 || !strings.HasPrefix(msgs[0].Text, "Новый баланс: ") {
		t.Fatalf("notice: %+v", msgs)
	}
	// Back to the built-in text.
	b.post("/admin/messages/notice/reset", nil).must(t, http.StatusSeeOther)
	b.get("/admin/messages/notice").contains(t, `id="text-source">built in`)
}

func TestClientSearchFiltersAndPages(t *testing.T) {
	s := newSite(t)
	old, _ := s.newClient("Старый Клиент", "+79160000001", "coffee")
	s.clock.Advance(10 * 24 * time.Hour)
	var recent []*cardbot.Client
	for i := range 55 {
		c, _ := s.newClient("Клиент "+uintStr(uint64(i)), "+7916100"+strings.Repeat("0", 4-len(uintStr(uint64(i))))+uintStr(uint64(i)), "bonus")
		recent = append(recent, c)
	}
	b := ownerOf(t, s)
	first := b.get("/admin/clients").must(t, http.StatusOK)
	first.contains(t, `id="client-`+uintStr(recent[54].ID)+`"`, `id="next-page"`)
	if strings.Contains(first.Body, `id="client-`+uintStr(old.ID)+`"`) {
		t.Fatal("the oldest client is on the first page of 50")
	}
	next := first.Body[strings.Index(first.Body, `id="next-page" href="`)+len(`id="next-page" href="`):]
	next = strings.ReplaceAll(next[:strings.Index(next, `"`)], "&amp;", "&")
	b.get(next).must(t, http.StatusOK).contains(t, `id="client-`+uintStr(old.ID)+`"`)

	b.get("/admin/clients?program=coffee").contains(t, `id="client-`+uintStr(old.ID)+`"`)
	onlyOld := b.get("/admin/clients?to=2026-03-05")
	onlyOld.contains(t, `id="client-`+uintStr(old.ID)+`"`)
	if strings.Contains(onlyOld.Body, `id="client-`+uintStr(recent[0].ID)+`"`) {
		t.Fatal("the date filter kept a client active later")
	}
	b.get("/admin/clients?from=2026-03-05").contains(t, `id="client-`+uintStr(recent[54].ID)+`"`)
	b.get("/admin/clients?from=yesterday").contains(t, `id="form-error"`)
	// htmx asks for the results alone.
	frag := b.get("/admin/clients?q=Старый", "HX-Request", "true", "HX-Target", "results").must(t, http.StatusOK)
	if strings.Contains(frag.Body, "<html") || !strings.Contains(frag.Body, `id="results"`) {
		t.Fatalf("fragment: %s", frag.Body)
	}
}

func TestStaffRecordOperationsAndCancel(t *testing.T) {
	s := newSite(t)
	s.addUser("ivan", "till password", cardbot.RoleStaff)
	staff := s.browser().mustLogin("ivan", "till password")
	anna, cup := s.newClient("Анна", "+79161234567", "coffee")
	friend, _ := s.newClient("Друг", "+79160000002", "bonus")
	s.db.Update(t.Context(), func(tx cardbot.Tx) error {
		f, _ := tx.Client(friend.ID)
		f.ReferredBy = anna.ID
		return tx.PutClient(f)
	})
	staff.post(clientPath(anna)+"/operations", url.Values{"card": {cup}, "type": {"stamp"}, "count": {"2"}}).must(t, http.StatusSeeOther)
	page := staff.get(clientPath(anna)).must(t, http.StatusOK)
	if got := balanceOn(t, page, cup); got != "2" {
		t.Fatalf("stamps: %s", got)
	}
	page.contains(t, `id="friends"`, `href="/admin/clients/`+uintStr(friend.ID)+`"`)
	// Cancel the stamps from the ledger line.
	var opID uint64
	s.db.View(t.Context(), func(tx cardbot.Tx) error {
		card, _ := tx.CardByNumber(cup)
		ops, _ := tx.CardOperations(card.ID, 0, 1)
		opID = ops[0].ID
		return nil
	})
	page.contains(t, `id="cancel-`+uintStr(opID)+`"`)
	staff.post(clientPath(anna)+"/operations", url.Values{"card": {cup}, "type": {"cancel"}, "operation_id": {uintStr(opID)}}).must(t, http.StatusSeeOther)
	page = staff.get(clientPath(anna))
	if got := balanceOn(t, page, cup); got != "0" {
		t.Fatalf("after cancel: %s", got)
	}
	// Refusals come back as a message on the page, and change nothing.
	staff.post(clientPath(anna)+"/operations", url.Values{"card": {cup}, "type": {"reward"}}).
		must(t, http.StatusBadRequest).contains(t, `id="form-error"`)
	staff.post(clientPath(anna)+"/operations", url.Values{"card": {cup}, "type": {"stamp"}, "count": {"many"}}).
		must(t, http.StatusBadRequest)
	// Another client's card is not reachable from this client's page.
	_, other := s.newClient("Чужой", "+79160000003", "bonus")
	staff.post(clientPath(anna)+"/operations", url.Values{"card": {other}, "type": {"accrue"}, "amount": {"1"}}).
		must(t, http.StatusBadRequest)
}

func TestMessageHistoryShowsEveryAttempt(t *testing.T) {
	s := newSite(t)
	b := ownerOf(t, s)
	anna, _ := s.newClient("Анна", "+79161234567", "bonus")
	at := s.clock.Now()
	s.db.Update(t.Context(), func(tx cardbot.Tx) error {
		m := &cardbot.Message{ClientID: anna.ID, Kind: cardbot.KindNotice, Text: "Начислено 5 баллов", Event: "accrual",
			Status: cardbot.MessageSent, CreatedAt: at, SentAt: at.Add(time.Minute), Attempts: []cardbot.Attempt{
				{Channel: "telegram", At: at, Result: cardbot.AttemptFailed, Error: "bot was blocked by the user"},
				{Channel: "sms", At: at.Add(time.Minute), Result: cardbot.AttemptSent},
			}}
		return tx.EnqueueMessage(m)
	})
	b.get(clientPath(anna)).contains(t, "Начислено 5 баллов", "bot was blocked by the user", "telegram", "· sms ·")
}

func TestUsersPage(t *testing.T) {
	s := newSite(t)
	b := ownerOf(t, s)
	b.post("/admin/users", url.Values{"name": {"ivan"}, "password": {"till password"}, "role": {"staff"}}).must(t, http.StatusSeeOther)
	b.get("/admin/users").contains(t, `id="user-ivan"`)
	b.post("/admin/users", url.Values{"name": {"petr"}, "password": {"short"}, "role": {"staff"}}).must(t, http.StatusBadRequest)
	s.browser().mustLogin("ivan", "till password").get("/admin/users").must(t, http.StatusForbidden)
}

// fakeChannels stands in for the adapters behind the settings page.
type fakeChannels struct {
	state  string
	sent   []string
	logout bool
	paired bool
}

func (f *fakeChannels) Status(ch string) admin.ChannelStatus {
	switch ch {
	case "whatsapp":
		return admin.ChannelStatus{On: true, State: f.state}
	case "sms":
		return admin.ChannelStatus{On: true}
	}
	return admin.ChannelStatus{Detail: "off"}
}
func (f *fakeChannels) WhatsAppQR() ([]byte, error) {
	if f.state != "pairing" {
		return nil, errors.New("no code")
	}
	return []byte("\x89PNG fake"), nil
}
func (f *fakeChannels) WhatsAppPair() { f.paired, f.state = true, "pairing" }
func (f *fakeChannels) WhatsAppLogout(context.Context) error {
	f.logout, f.state = true, "not_paired"
	return nil
}
func (f *fakeChannels) TestSend(_ context.Context, ch, to, text string) error {
	if to == "+79990000000" {
		return &cardbot.SendError{Permanent: true, Reason: "number unreachable"}
	}
	f.sent = append(f.sent, ch+" "+to+" "+text)
	return nil
}

func TestChannelsOnTheSettingsPage(t *testing.T) {
	fake := &fakeChannels{state: "not_paired"}
	db, err := store.Open(filepath.Join(t.TempDir(), "cardbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := startSite(t, db, fake)
	b := ownerOf(t, s)
	b.get("/admin/settings").contains(t, `id="whatsapp-state" data-state="not_paired"`, `id="whatsapp-pair"`, `id="test-sms"`)
	b.post("/admin/settings/whatsapp/pair", nil, "HX-Request", "true").must(t, http.StatusOK).contains(t, `id="whatsapp-qr"`)
	if !fake.paired {
		t.Fatal("pairing not started")
	}
	// The panel the page polls, and the picture in it.
	b.get("/admin/settings/whatsapp", "HX-Request", "true").must(t, http.StatusOK).contains(t, `data-state="pairing"`)
	b.get("/admin/settings/whatsapp/qr.png").must(t, http.StatusOK)
	fake.state = "connected"
	b.get("/admin/settings/whatsapp", "HX-Request", "true").contains(t, `id="whatsapp-logout"`)
	b.post("/admin/settings/whatsapp/logout", nil, "HX-Request", "true").must(t, http.StatusOK)
	if !fake.logout {
		t.Fatal("not logged out")
	}
	b.get("/admin/settings/whatsapp/qr.png").must(t, http.StatusNotFound)
	// Test sends: a phone typed any usual way, and the channel's refusal shown.
	b.post("/admin/settings/test", url.Values{"channel": {"sms"}, "to": {"8 916 123-45-67"}}).must(t, http.StatusOK).contains(t, `id="test-result"`, "Sent to &#43;79161234567")
	b.post("/admin/settings/test", url.Values{"channel": {"sms"}, "to": {"+79990000000"}}).contains(t, "number unreachable")
	b.post("/admin/settings/test", url.Values{"channel": {"email"}, "to": {"a@b.c"}}).must(t, http.StatusBadRequest)
	if len(fake.sent) != 1 {
		t.Fatalf("sent %v", fake.sent)
	}
}

func TestLanguageSwitch(t *testing.T) {
	s := newSite(t)
	b := ownerOf(t, s)
	b.get("/admin/cards").contains(t, `<html lang="en"`, ">Cards<")
	p := b.get("/admin/lang/ru", "Referer", s.url+"/admin/cards")
	if p.Status != http.StatusSeeOther || p.Location != "/admin/cards" {
		t.Fatalf("switch: %d %q", p.Status, p.Location)
	}
	b.get("/admin/cards").contains(t, `<html lang="ru"`, ">Карты<", "Новая карта")
	// The switch works before login, and never redirects off the admin page.
	if p := s.browser().get("/admin/lang/ru", "Referer", "https://evil.example/"); p.Location != "/admin" {
		t.Fatalf("switch from elsewhere: %q", p.Location)
	}
}

func TestMessageHistoryPages(t *testing.T) {
	s := newSite(t)
	b := ownerOf(t, s)
	anna, _ := s.newClient("Анна", "+79161234567", "bonus")
	var first uint64
	s.db.Update(t.Context(), func(tx cardbot.Tx) error {
		for i := range 130 {
			m := &cardbot.Message{ClientID: anna.ID, Kind: cardbot.KindNotice, Text: "notice " + uintStr(uint64(i)), CreatedAt: s.clock.Now()}
			if err := tx.EnqueueMessage(m); err != nil {
				return err
			}
			if i == 0 {
				first = m.ID
			}
		}
		return nil
	})
	p := b.get(clientPath(anna)).must(t, http.StatusOK)
	if strings.Contains(p.Body, `id="message-`+uintStr(first)+`"`) {
		t.Fatal("the oldest message is on the first page")
	}
	next := p.Body[strings.Index(p.Body, `id="older-messages" href="`)+len(`id="older-messages" href="`):]
	next = next[:strings.Index(next, "#")]
	b.get(next).must(t, http.StatusOK).contains(t, `id="message-`+uintStr(first)+`"`)
}

// config.yaml changed under the stored settings: the service starts with the file's values instead
// of refusing to start.
func TestStoredSettingsThatNoLongerFitAreSetAside(t *testing.T) {
	s := newSite(t)
	b := ownerOf(t, s)
	b.post("/admin/settings", url.Values{"default_program": {"coffee"}, "auto_issue": {"on"}}).must(t, http.StatusSeeOther)
	again := startSite(t, s.db, nil, func(c *cardbot.Config) {
		c.Programs = slices.DeleteFunc(c.Programs, func(p cardbot.Program) bool { return p.ID == "coffee" })
	})
	err := again.engine.Handle(t.Context(), cardbot.Inbound{Channel: "telegram", UserID: "9", Name: "Вера", Text: "привет", UpdateID: "1"})
	if err != nil {
		t.Fatal(err)
	}
	var cards []*cardbot.Card
	again.db.View(t.Context(), func(tx cardbot.Tx) error {
		cl, err := tx.ClientByAddress(cardbot.Address{Channel: "telegram", ID: "9"})
		if err == nil {
			cards, err = tx.ClientCards(cl.ID)
		}
		return err
	})
	if len(cards) != 1 || cards[0].ProgramID != "bonus" {
		t.Fatalf("after config.yaml dropped coffee the new customer got %+v", cards)
	}
}
