package flows_test

import (
	"strings"
	"testing"
	"time"

	"cardbot"
)

func TestRatingWaitsOutQuietHoursAndIsAcceptedFromIdle(t *testing.T) {
	e := newEnv(t, withRatings, func(cfg *cardbot.Config) { cfg.Settings.QuietHours.Enabled = true })
	s := e.scheduler()
	customer, card := e.welcomed("1")
	// 20:00 in Moscow: the question would be due at 22:00, inside the quiet hours (21:00–09:00).
	e.clock.Set(time.Date(2026, 6, 10, 17, 0, 0, 0, time.UTC))
	e.apiOperation(card.Number, cardbot.OperationRequest{Type: cardbot.OpPurchase, Purchase: 50000})
	e.outbox()
	e.clock.Advance(2 * time.Hour)
	if msgs := e.run(s, "ratings"); len(msgs) != 0 {
		t.Fatalf("asked at night: %v", events(msgs))
	}
	e.clock.Set(time.Date(2026, 6, 11, 6, 0, 0, 0, time.UTC)) // 09:00 in Moscow
	prompt := one(t, e.run(s, "ratings"))
	mustContain(t, prompt.Text, "10.06.2026 20:00")

	// The customer did something else first: the chat is idle again, the button still counts.
	e.say("1", "/balance")
	if st := e.conversation("1").State; st != "idle" {
		t.Fatalf("state %s", st)
	}
	mustContain(t, texts(e.press("1", prompt.Buttons[0][4].Data)), "Спасибо за оценку 5")
	if r := e.rating(customer.ID); r.Score != 5 {
		t.Fatalf("rating %+v", r)
	}
}

func TestInactiveCustomerIsRemindedOnceWithAGift(t *testing.T) {
	e := newEnv(t, func(cfg *cardbot.Config) {
		cfg.Triggers.Inactive = cardbot.InactiveTrigger{Enabled: true, Days: 30, EveryDays: 30, Bonus: 10000, BonusExpireDays: 5}
	})
	s := e.scheduler()
	customer, _ := e.welcomed("1")
	e.welcomed("2")
	e.outbox()
	e.clock.Advance(20 * 24 * time.Hour)
	e.say("2", "/balance") // the second customer stays active
	e.outbox()
	e.clock.Set(time.Date(2026, 7, 10, 9, 30, 0, 0, time.UTC)) // 12:30 in Moscow, 30 days on
	msg := one(t, e.run(s, "triggers"))
	if msg.ClientID != customer.ID || msg.Event != "inactive" || msg.Kind != cardbot.KindMarketing {
		t.Fatalf("reminder %+v", msg)
	}
	mustContain(t, msg.Text, "соскучились", "30 дней", "100 баллов", "15 июля")
	e.clock.Advance(24 * time.Hour)
	if msgs := e.run(s, "triggers"); len(msgs) != 0 {
		t.Fatalf("reminded again: %v", events(msgs))
	}
}

func TestPointsExpiringWarningAndTheExpiry(t *testing.T) {
	e := newEnv(t, func(cfg *cardbot.Config) {
		cfg.Programs[0].PointsExpireDays = 30
		cfg.Triggers.PointsExpiring = cardbot.ExpiringTrigger{Enabled: true, Days: 7, EveryDays: 7}
	})
	s := e.scheduler()
	_, card := e.welcomed("1")
	e.apiOperation(card.Number, cardbot.OperationRequest{Type: cardbot.OpPurchase, Purchase: 100000})
	e.outbox()
	e.clock.Advance(20 * 24 * time.Hour)
	if msgs := e.run(s, "triggers"); len(msgs) != 0 {
		t.Fatalf("warned 10 days early: %v", events(msgs))
	}
	e.clock.Advance(4 * 24 * time.Hour)
	warning := one(t, e.run(s, "triggers"))
	// The welcome bonus (100) and the purchase's 50 both expire on 10 July.
	mustContain(t, warning.Text, "150 баллов на вашей карте сгорят 10 июля")
	if warning.Kind != cardbot.KindNotice {
		t.Errorf("kind %s", warning.Kind)
	}
	e.clock.Advance(24 * time.Hour)
	if msgs := e.run(s, "triggers"); len(msgs) != 0 {
		t.Fatalf("warned again the next day: %v", events(msgs))
	}
	e.clock.Advance(6 * 24 * time.Hour)
	e.run(s, "expire_points")
	if b := e.cards(card.ClientID)[0].Balance; b != 0 {
		t.Fatalf("balance %d after expiry, want 0", b)
	}
}

func TestWelcomeAfterANewCardAndTierCongratulationCap(t *testing.T) {
	e := newEnv(t, func(cfg *cardbot.Config) {
		cfg.Triggers.Welcome = cardbot.WelcomeTrigger{Enabled: true, Delay: cardbot.Duration(time.Hour)}
	})
	_, card := e.welcomed("1")
	var welcome *cardbot.Message
	e.view(func(tx cardbot.Tx) error {
		due, err := tx.DueMessages(e.clock.Now().Add(2*time.Hour), 0)
		for _, m := range due {
			if m.Event == "welcome_card" {
				welcome = m
			}
		}
		return err
	})
	if welcome == nil || !welcome.NextAt.Equal(e.clock.Now().Add(time.Hour)) {
		t.Fatalf("welcome %+v", welcome)
	}
	mustContain(t, welcome.Text, card.Number)
	e.outbox()

	op := e.apiOperation(card.Number, cardbot.OperationRequest{Type: cardbot.OpPurchase, Purchase: 1_000_000})
	n := one(t, e.outbox())
	if n.Event != "tier_changed" || !strings.HasPrefix(n.Text, "Поздравляем!") {
		t.Fatalf("tier notice %+v", n)
	}
	e.apiOperation(card.Number, cardbot.OperationRequest{Type: cardbot.OpCancel, Cancels: op.ID})
	e.outbox()
	e.apiOperation(card.Number, cardbot.OperationRequest{Type: cardbot.OpPurchase, Purchase: 1_000_000})
	if n := one(t, e.outbox()); strings.Contains(n.Text, "Поздравляем") {
		t.Fatalf("congratulated twice the same day: %s", n.Text)
	}
}

func TestCertificateLowWarning(t *testing.T) {
	e := newEnv(t, func(cfg *cardbot.Config) {
		cfg.Programs = append(cfg.Programs, cardbot.Program{ID: "gift", Name: "Сертификат", Type: cardbot.Certificate, Nominal: 300000, ValidDays: 365})
		cfg.Triggers.CertificateLow = cardbot.LowTrigger{Enabled: true, Below: 50000, EveryDays: 30}
	})
	customer, _ := e.welcomed("1")
	var cert *cardbot.Card
	e.update(func(tx cardbot.Tx) error {
		got, err := e.w.Issue(tx, customer.ID, "gift", "admin:test")
		cert = got.Card
		return err
	})
	e.apiOperation(cert.Number, cardbot.OperationRequest{Type: cardbot.OpSpend, Amount: 200000})
	if got := events(e.outbox()); strings.Contains(strings.Join(got, ","), "certificate_low") {
		t.Fatalf("warned with 1000 left: %v", got)
	}
	e.apiOperation(cert.Number, cardbot.OperationRequest{Type: cardbot.OpSpend, Amount: 60000})
	msgs := e.outbox()
	if got := strings.Join(events(msgs), ","); got != "spend,certificate_low" {
		t.Fatalf("events %s", got)
	}
	mustContain(t, msgs[1].Text, "осталось 400 ₽")
}

func TestNoRatingForACancelledPurchase(t *testing.T) {
	e := newEnv(t, withRatings)
	s := e.scheduler()
	customer, card := e.welcomed("1")
	op := e.apiOperation(card.Number, cardbot.OperationRequest{Type: cardbot.OpPurchase, Purchase: 50000})
	e.apiOperation(card.Number, cardbot.OperationRequest{Type: cardbot.OpCancel, Cancels: op.ID})
	e.outbox()
	e.clock.Advance(3 * time.Hour)
	if msgs := e.run(s, "ratings"); len(msgs) != 0 {
		t.Fatalf("asked about a cancelled purchase: %v", events(msgs))
	}
	if r := e.rating(customer.ID); r.Status != cardbot.RatingSkipped || r.Note != "the purchase was cancelled" {
		t.Fatalf("rating %+v", r)
	}
}

func TestWhatsAppCustomerRatesWithADigit(t *testing.T) {
	e := newEnv(t, withRatings, func(cfg *cardbot.Config) {
		cfg.Settings.AskBirthday = false
		cfg.Rating.ApologyBonus, cfg.Rating.BonusExpireDays = 5000, 10
	})
	s := e.scheduler()
	wa := func(text string) []*cardbot.Message {
		e.handle(cardbot.Inbound{Channel: "whatsapp", UserID: "+79161234567", Name: "Олег", Text: text, At: e.clock.Now()})
		return e.outbox()
	}
	wa("Здравствуйте")
	var card *cardbot.Card
	var customer *cardbot.Client
	e.view(func(tx cardbot.Tx) error {
		var err error
		if customer, err = tx.ClientByAddress(cardbot.Address{Channel: "whatsapp", ID: "+79161234567"}); err != nil {
			return err
		}
		cards, err := tx.ClientCards(customer.ID)
		card = cards[0]
		return err
	})
	e.apiOperation(card.Number, cardbot.OperationRequest{Type: cardbot.OpPurchase, Purchase: 50000})
	e.outbox()
	e.clock.Advance(2 * time.Hour)
	prompt := one(t, e.run(s, "ratings"))
	if len(prompt.Buttons) != 0 {
		t.Fatalf("buttons for WhatsApp: %+v", prompt.Buttons)
	}
	mustContain(t, prompt.Text, "от 1 до 5 — отправьте цифру")
	// "1" would be the balance in the menu; while a score is awaited it is the score.
	mustContain(t, texts(wa("1")), "Нам очень жаль", "начислили 50 баллов")
	mustContain(t, texts(wa("Долго ждали заказ")), "Спасибо, что рассказали")
	if r := e.rating(customer.ID); r.Score != 1 || r.Feedback != "Долго ждали заказ" {
		t.Fatalf("rating %+v", r)
	}
}

// The owner puts WhatsApp first in the admin page while the service runs: a customer on both
// messengers is asked as WhatsApp shows it, to send a digit, without buttons.
func TestRatingPromptFollowsTheCascadeTheOwnerSet(t *testing.T) {
	e := newEnv(t, withRatings)
	s := e.scheduler()
	customer, card := e.welcomed("1")
	e.update(func(tx cardbot.Tx) error {
		c, err := tx.Client(customer.ID)
		if err != nil {
			return err
		}
		c.Channels = append(c.Channels, cardbot.Address{Channel: "whatsapp", ID: "+79161234567"})
		return tx.PutClient(c)
	})
	settings := e.cfg.Settings
	settings.Cascade = []string{"whatsapp", "telegram", "sms", "email"}
	if err := e.eng.SetSettings(settings); err != nil {
		t.Fatal(err)
	}
	e.apiOperation(card.Number, cardbot.OperationRequest{Type: cardbot.OpPurchase, Purchase: 50000})
	e.outbox()
	e.clock.Advance(2 * time.Hour)
	prompt := one(t, e.run(s, "ratings"))
	if len(prompt.Buttons) != 0 {
		t.Fatalf("buttons for a customer reached on WhatsApp first: %+v", prompt.Buttons)
	}
	mustContain(t, prompt.Text, "от 1 до 5 — отправьте цифру")
}

func TestAnOldQuestionNoLongerTakesMenuDigits(t *testing.T) {
	e := newEnv(t, withRatings)
	s := e.scheduler()
	customer, card := e.welcomed("1")
	e.apiOperation(card.Number, cardbot.OperationRequest{Type: cardbot.OpPurchase, Purchase: 50000})
	e.clock.Advance(2 * time.Hour)
	e.run(s, "ratings")
	e.clock.Advance(8 * 24 * time.Hour)
	mustContain(t, texts(e.say("1", "2")), "Последние операции")
	if r := e.rating(customer.ID); r.Score != 0 || r.Status != cardbot.RatingAsked {
		t.Fatalf("rating %+v", r)
	}
}
