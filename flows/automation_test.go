package flows_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"cardbot"
	"cardbot/flows"
)

func withRatings(cfg *cardbot.Config) {
	cfg.Rating.Enabled = true
	cfg.Rating.Google = "https://g.page/zerno/review"
	cfg.Rating.TwoGIS = "https://2gis.ru/zerno"
	cfg.Rating.StaffEmail = "owner@zerno.example"
	cfg.Settings.QuietHours.Enabled = false
}

func (e *env) scheduler() *flows.Scheduler {
	e.t.Helper()
	s, err := flows.NewScheduler(e.eng)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

func (e *env) run(s *flows.Scheduler, job string) []*cardbot.Message {
	e.t.Helper()
	if err := s.Run(context.Background(), job); err != nil {
		e.t.Fatalf("job %s: %v", job, err)
	}
	return e.outbox()
}

func (e *env) rating(clientID uint64) *cardbot.Rating {
	e.t.Helper()
	var rs []*cardbot.Rating
	e.view(func(tx cardbot.Tx) error {
		var err error
		rs, err = tx.ClientRatings(clientID, 0, 0)
		return err
	})
	for _, r := range rs { // the newest that was not skipped
		if r.Status != cardbot.RatingSkipped {
			return r
		}
	}
	if len(rs) == 0 {
		e.t.Fatalf("client %d has no rating", clientID)
	}
	return rs[0]
}

func TestLowRatingIsApologisedForAndTheStaffHearWhatWentWrong(t *testing.T) {
	e := newEnv(t, withRatings)
	s := e.scheduler()
	customer, card := e.welcomed("1")
	e.outbox()

	e.apiOperation(card.Number, cardbot.OperationRequest{Type: cardbot.OpPurchase, Purchase: 50000, Branch: "Тверская"})
	e.clock.Advance(30 * time.Minute)
	e.apiOperation(card.Number, cardbot.OperationRequest{Type: cardbot.OpPurchase, Purchase: 20000})
	e.outbox() // the purchase notices

	e.clock.Advance(89 * time.Minute) // 1 h 59 min after the first visit
	if msgs := e.run(s, "ratings"); len(msgs) != 0 {
		t.Fatalf("asked before the delay: %v", events(msgs))
	}
	e.clock.Advance(2 * time.Minute)
	prompt := one(t, e.run(s, "ratings"))
	if prompt.Event != "rating_prompt" || prompt.Kind != cardbot.KindMarketing || prompt.ClientID != customer.ID {
		t.Fatalf("prompt %+v", prompt)
	}
	if len(prompt.Buttons) != 1 || len(prompt.Buttons[0]) != 5 {
		t.Fatalf("buttons %+v", prompt.Buttons)
	}
	// The second purchase the same day brings no second question, now or later.
	e.clock.Advance(time.Hour)
	if msgs := e.run(s, "ratings"); len(msgs) != 0 {
		t.Fatalf("second prompt: %v", events(msgs))
	}

	msgs := e.press("1", prompt.Buttons[0][1].Data) // "2"
	mustContain(t, texts(msgs), "Нам очень жаль", "что пошло не так")
	var alerts []*cardbot.Message
	for _, m := range msgs {
		if m.Event == "rating_alert" {
			alerts = append(alerts, m)
		}
	}
	if len(alerts) != 2 || alerts[0].To.Key() != "telegram:999" || alerts[1].To.Key() != "email:owner@zerno.example" {
		t.Fatalf("staff alerts %+v", alerts)
	}
	mustContain(t, alerts[0].Text, "2 из 5", "Анна", "Тверская")
	if st := e.conversation("1").State; st != "awaiting_feedback" {
		t.Fatalf("state %s after a low score", st)
	}

	msgs = e.say("1", "Кофе был холодный, ждали 20 минут")
	mustContain(t, texts(msgs), "Спасибо, что рассказали", "Отзыв: Кофе был холодный, ждали 20 минут")
	r := e.rating(customer.ID)
	if r.Score != 2 || r.Feedback != "Кофе был холодный, ждали 20 минут" || r.Branch != "Тверская" || r.Status != cardbot.RatingFeedback {
		t.Fatalf("rating %+v", r)
	}
	if st := e.conversation("1").State; st != "idle" {
		t.Fatalf("state %s after the feedback", st)
	}
	// A digit now is the menu again, not a score.
	mustContain(t, texts(e.say("1", "1")), "баллов")
}

func TestHighRatingByDigitGetsReviewLinks(t *testing.T) {
	e := newEnv(t, withRatings)
	s := e.scheduler()
	customer, card := e.welcomed("1")
	e.apiOperation(card.Number, cardbot.OperationRequest{Type: cardbot.OpPurchase, Purchase: 50000})
	e.outbox()
	e.clock.Advance(2 * time.Hour)
	one(t, e.run(s, "ratings"))
	if st := e.conversation("1").State; st != "awaiting_rating" {
		t.Fatalf("state %s while a score is awaited", st)
	}
	msg := one(t, e.say("1", "5"))
	mustContain(t, msg.Text, "Спасибо за оценку 5", "https://g.page/zerno/review", "https://2gis.ru/zerno")
	if r := e.rating(customer.ID); r.Score != 5 || r.Status != cardbot.RatingRated {
		t.Fatalf("rating %+v", r)
	}
	// The same visit cannot be rated twice.
	e.press("1", "rate:"+strconv.FormatUint(e.rating(customer.ID).ID, 10)+":1")
	if r := e.rating(customer.ID); r.Score != 5 {
		t.Fatalf("score changed to %d", r.Score)
	}
}

func TestRatingDueWhileDownIsAskedOnStartUnlessTooOld(t *testing.T) {
	e := newEnv(t, withRatings)
	_, card := e.welcomed("1")
	_, card2 := e.welcomed("2")
	e.apiOperation(card.Number, cardbot.OperationRequest{Type: cardbot.OpPurchase, Purchase: 50000})
	e.clock.Advance(-72 * time.Hour) // the second visit was three days earlier
	e.apiOperation(card2.Number, cardbot.OperationRequest{Type: cardbot.OpPurchase, Purchase: 50000})
	e.clock.Advance(72 * time.Hour)
	e.outbox()

	// The service was down; it starts the next day.
	e.clock.Advance(26 * time.Hour)
	s := e.scheduler()
	s.Start(context.Background())
	defer s.Stop(context.Background())
	msgs := e.outbox()
	var prompts []*cardbot.Message
	for _, m := range msgs {
		if m.Event == "rating_prompt" {
			prompts = append(prompts, m)
		}
	}
	if len(prompts) != 1 || prompts[0].ClientID != card.ClientID {
		t.Fatalf("prompts after the restart: %+v", prompts)
	}
	if r := e.rating(card2.ClientID); r.Status != cardbot.RatingSkipped {
		t.Fatalf("three-day-old visit: %+v", r)
	}
	for _, j := range s.Jobs() {
		if j.Next.IsZero() || j.LastRun.IsZero() || j.LastError != "" {
			t.Errorf("job %+v", j)
		}
	}
}

func TestBirthdayGreetingOnceAtTheHourWithABonusThatExpires(t *testing.T) {
	e := newEnv(t, func(cfg *cardbot.Config) {
		cfg.Birthdays = cardbot.BirthdayConfig{Enabled: true, At: "10:00", Bonus: 30000, BonusExpireDays: 7}
	})
	s := e.scheduler()
	customer, card := e.welcomed("1")
	late, _ := e.welcomed("2")
	e.update(func(tx cardbot.Tx) error {
		for id, day := range map[uint64]int{customer.ID: 11, late.ID: 10} {
			c, err := tx.Client(id)
			if err != nil {
				return err
			}
			c.Birthday = &cardbot.Date{Year: 1990, Month: time.June, Day: day}
			if err := tx.PutClient(c); err != nil {
				return err
			}
		}
		return nil
	})
	e.outbox()

	// 11 June, 09:59 in Moscow (06:59 UTC): not yet.
	e.clock.Set(time.Date(2026, 6, 11, 6, 59, 0, 0, time.UTC))
	if msgs := e.run(s, "birthdays"); len(msgs) != 0 {
		t.Fatalf("greeted before 10:00 Moscow time: %v", events(msgs))
	}
	e.clock.Set(time.Date(2026, 6, 11, 7, 0, 0, 0, time.UTC))
	greeting := one(t, e.run(s, "birthdays")) // the 10 June birthday has passed: not greeted late
	if greeting.ClientID != customer.ID || greeting.Event != "birthday_greeting" {
		t.Fatalf("greeting %+v", greeting)
	}
	mustContain(t, greeting.Text, "с днём рождения", "300 баллов", "18 июня")
	e.clock.Advance(3 * time.Hour)
	if msgs := e.run(s, "birthdays"); len(msgs) != 0 {
		t.Fatalf("greeted twice: %v", events(msgs))
	}
	balance := func() int64 { return e.cards(customer.ID)[0].Balance }
	if b := balance(); b != card.Balance+30000 {
		t.Fatalf("balance %d after the gift, was %d", b, card.Balance)
	}
	e.clock.Set(time.Date(2026, 6, 18, 7, 0, 0, 0, time.UTC))
	e.run(s, "expire_points")
	if b := balance(); b != card.Balance {
		t.Fatalf("balance %d after the gift expired, want %d", b, card.Balance)
	}
}

// TestBirthdayPointsForAStampCardHolderGoOnANewBonusCard: a café gives stamp cards by default and
// points on birthdays. A customer who holds only a stamp card gets a bonus card with the points,
// and the greeting names it.
func TestBirthdayPointsForAStampCardHolderGoOnANewBonusCard(t *testing.T) {
	e := newEnv(t, func(cfg *cardbot.Config) {
		cfg.Settings.DefaultProgram = "coffee"
		cfg.Birthdays = cardbot.BirthdayConfig{Enabled: true, At: "10:00", Bonus: 30000}
	})
	s := e.scheduler()
	customer, stamps := e.welcomed("1")
	if stamps.Type != cardbot.Stamp {
		t.Fatalf("welcomed with a %s card", stamps.Type)
	}
	e.update(func(tx cardbot.Tx) error {
		c, err := tx.Client(customer.ID)
		if err != nil {
			return err
		}
		c.Birthday = &cardbot.Date{Year: 1990, Month: time.June, Day: 11}
		return tx.PutClient(c)
	})
	e.outbox()
	e.clock.Set(time.Date(2026, 6, 11, 7, 0, 0, 0, time.UTC)) // 10:00 in Moscow
	msgs := e.run(s, "birthdays")
	if len(msgs) != 2 || msgs[0].Event != "card_issued" || msgs[1].Event != "birthday_greeting" {
		t.Fatalf("messages %v, want the new card's notice, then the greeting", events(msgs))
	}
	issued, greeting := msgs[0], msgs[1]
	cards := e.cards(customer.ID)
	if len(cards) != 2 {
		t.Fatalf("%d cards after the gift, want the stamp card and a bonus card", len(cards))
	}
	var bonus *cardbot.Card
	for _, c := range cards {
		if c.Type == cardbot.Bonus {
			bonus = c
		}
	}
	if bonus == nil || bonus.Balance != 10000+30000 { // the programme's welcome bonus and the gift
		t.Fatalf("bonus card %+v", bonus)
	}
	mustContain(t, issued.Text, bonus.Number, "100 баллов")
	mustContain(t, greeting.Text, "с днём рождения", "300 баллов")
	e.clock.Advance(time.Hour)
	if msgs := e.run(s, "birthdays"); len(msgs) != 0 || len(e.cards(customer.ID)) != 2 {
		t.Fatalf("a second greeting or card: %v", events(msgs))
	}
}

func TestReferralRewardsBothOnceOnTheFriendsFirstPurchase(t *testing.T) {
	e := newEnv(t, func(cfg *cardbot.Config) {
		cfg.Referral = cardbot.ReferralConfig{Enabled: true, Reward: cardbot.RewardBoth, On: cardbot.RewardOnFirstPurchase,
			ReferrerBonus: 20000, FriendBonus: 10000}
	})
	referrer, refCard := e.welcomed("1")
	e.say("2", "/start ref_"+referrer.ReferralCode)
	e.press("2", "skip")
	friend := e.clientAt("2")
	if friend.ReferredBy != referrer.ID {
		t.Fatalf("friend %+v", friend)
	}
	friendCard := e.cards(friend.ID)[0]
	e.outbox()

	e.apiOperation(friendCard.Number, cardbot.OperationRequest{Type: cardbot.OpPurchase, Purchase: 50000})
	msgs := e.outbox()
	got := strings.Join(events(msgs), ",")
	if !strings.Contains(got, "referral_reward_friend") || !strings.Contains(got, "referral_reward_referrer") {
		t.Fatalf("events %s", got)
	}
	mustContain(t, texts(msgs), "Анна пришёл по вашему приглашению", "200 баллов", "100 баллов")
	e.apiOperation(friendCard.Number, cardbot.OperationRequest{Type: cardbot.OpPurchase, Purchase: 50000})
	if strings.Contains(strings.Join(events(e.outbox()), ","), "referral") {
		t.Fatal("rewarded twice")
	}
	if b := e.cards(referrer.ID)[0].Balance; b != refCard.Balance+20000 {
		t.Fatalf("referrer balance %d", b)
	}
	var friends []*cardbot.Client
	e.view(func(tx cardbot.Tx) error {
		var err error
		friends, err = tx.ReferredClients(referrer.ID)
		return err
	})
	if len(friends) != 1 || friends[0].ID != friend.ID {
		t.Fatalf("friends %+v", friends)
	}
}

func TestSelfReferralIsRefused(t *testing.T) {
	e := newEnv(t, func(cfg *cardbot.Config) {
		cfg.Referral = cardbot.ReferralConfig{Enabled: true, Reward: cardbot.RewardBoth, On: cardbot.RewardOnSignup,
			ReferrerBonus: 20000, FriendBonus: 10000}
	})
	referrer, _ := e.welcomed("1")
	e.update(func(tx cardbot.Tx) error {
		c, err := tx.Client(referrer.ID)
		if err != nil {
			return err
		}
		c.Phone = "+79161234567"
		return tx.PutClient(c)
	})
	e.outbox()
	// Their own link, from the chat the bot knows: not a new client, no referral.
	msgs := e.say("1", "/start ref_"+referrer.ReferralCode)
	// Their own code from their own WhatsApp (its id is their phone).
	e.handle(cardbot.Inbound{Channel: "whatsapp", UserID: "+79161234567", Text: "ref_" + referrer.ReferralCode, At: e.clock.Now()})
	msgs = append(msgs, e.outbox()...)
	if strings.Contains(strings.Join(events(msgs), ","), "referral") {
		t.Fatalf("self-referral rewarded: %v", events(msgs))
	}
	if b := e.cards(referrer.ID)[0].Balance; b != 10000 {
		t.Fatalf("referrer balance %d", b)
	}
}

func TestUnknownVariableInANotificationTextIsNamed(t *testing.T) {
	e := newEnv(t)
	_, err := flows.NewEngine(flows.Deps{Store: e.db, Wallet: e.w, Clock: e.clock, Config: e.cfg,
		Texts: map[string]string{"birthday_greeting": "С днём рождения, {{.Nmae}}!"}})
	if err == nil || !strings.Contains(err.Error(), `"birthday_greeting"`) || !strings.Contains(err.Error(), ".Nmae") {
		t.Fatalf("error %v", err)
	}
}
