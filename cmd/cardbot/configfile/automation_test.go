package configfile

import (
	"testing"
	"time"

	"cardbot"
)

func TestAutomationSectionsAreRead(t *testing.T) {
	src := `rating:
  enabled: true
  delay: 90m
  every_days: 14
  good: 5
  yandex_maps: https://yandex.ru/maps/org/1
  2gis: https://2gis.ru/firm/2
  google: https://g.page/r/3
  apology_bonus: 150
birthdays:
  enabled: true
  days_before: 3
  at: "11:30"
  bonus: 500
  bonus_expire_days: 10
triggers:
  at: "13:00"
  inactive: {enabled: true, days: 45, every_days: 90, bonus: 100}
  points_expiring: {enabled: true, days: 5}
  welcome: {enabled: true, delay: 1h}
referral:
  enabled: true
  reward: referrer
  on: signup
  referrer_bonus: 300
maintenance:
  keep_idempotency_days: 3
`
	cfg, ps := parse(t, src, nil)
	if ps != nil {
		t.Fatal(ps)
	}
	r := cfg.Rating
	if !r.Enabled || r.Delay != cardbot.Duration(90*time.Minute) || r.EveryDays != 14 || r.Good != 5 ||
		r.TwoGIS != "https://2gis.ru/firm/2" || r.ApologyBonus != 15000 || r.MaxAge != cardbot.Duration(48*time.Hour) {
		t.Errorf("rating %+v", r)
	}
	if b := cfg.Birthdays; b.DaysBefore != 3 || b.At != "11:30" || b.Bonus != 50000 || b.BonusExpireDays != 10 {
		t.Errorf("birthdays %+v", b)
	}
	if tr := cfg.Triggers; tr.Inactive.Days != 45 || tr.PointsExpiring.EveryDays != 7 || tr.Welcome.Delay != cardbot.Duration(time.Hour) {
		t.Errorf("triggers %+v", tr)
	}
	if f := cfg.Referral; f.Reward != cardbot.RewardReferrer || f.On != cardbot.RewardOnSignup || f.ReferrerBonus != 30000 {
		t.Errorf("referral %+v", f)
	}
	if m := cfg.Maintenance; m.KeepIdempotencyDays != 3 || m.KeepUpdatesDays != 7 {
		t.Errorf("maintenance %+v", m)
	}
}

func TestAutomationValidation(t *testing.T) {
	checkOneProblem(t, []oneProblem{
		{"negative delay", "rating:\n  delay: -1h\n", "rating.delay", "from 0s to a year", 2},
		{"delay beyond max age", "rating:\n  delay: 72h\n", "rating.delay", "shorter than rating.max_age", 2},
		{"good out of range", "rating:\n  good: 6\n", "rating.good", "score from 1 to 5", 2},
		{"review link not a url", "rating:\n  google: g.page/x\n", "rating.google", "https address", 2},
		{"staff email without the channel", "rating:\n  staff_email: boss@example.com\n", "rating.staff_email", "needs the email channel", 2},
		{"birthday hour", "birthdays:\n  at: \"25:00\"\n", "birthdays.at", "time of day", 2},
		{"birthday too early", "birthdays:\n  days_before: 60\n", "birthdays.days_before", "0 (on the day) to 30", 2},
		{"negative bonus", "birthdays:\n  bonus: -5\n", "birthdays.bonus", "points from 0", 2},
		{"inactive days zero", "triggers:\n  inactive:\n    days: 0\n", "triggers.inactive.days", "from 1", 3},
		{"certificate low without a sum", "triggers:\n  certificate_low:\n    enabled: true\n", "triggers.certificate_low.below", "positive sum", 2},
		{"referral reward typo", "referral:\n  reward: all\n", "referral.reward", "referrer, friend or both", 2},
		{"referral moment typo", "referral:\n  on: purchase\n", "referral.on", "signup or first_purchase", 2},
		{"referral rewards nobody", "referral:\n  enabled: true\n", "referral.enabled", "rewards nobody", 2},
		{"prune days", "maintenance:\n  keep_updates_days: 0\n", "maintenance.keep_updates_days", "from 1", 2},
	})
}

func TestAutomationTextsAreCheckedAtTheirLine(t *testing.T) {
	checkOneProblem(t, []oneProblem{
		{"unknown variable", "texts:\n  birthday_greeting: \"С днём рождения, {{.Nmae}}\"\n", "texts.birthday_greeting", "unknown variable .Nmae", 2},
	})
	if _, ps := parse(t, "texts:\n  rating_thanks: \"Спасибо! {{range .Reviews}}{{.Name}} {{.URL}} {{end}}\"\n", nil); ps != nil {
		t.Fatal(ps)
	}
}
