package configfile

import (
	"net/mail"
	"net/url"
	"time"

	"cardbot"
)

// maxBonus bounds a bonus the automation gives (a million points): a typo in a bonus is money.
const maxBonus = cardbot.Amount(100_000_000)

// automation checks the rating, birthdays, triggers, referral and maintenance sections. Values are
// checked even where a feature is off, so switching it on cannot fail at start.
func (v *validator) automation(cfg *cardbot.Config) {
	r := &cfg.Rating
	v.positiveDuration("rating.delay", r.Delay, false)
	v.positiveDuration("rating.max_age", r.MaxAge, true)
	if r.MaxAge > 0 && r.Delay >= r.MaxAge {
		v.add("rating.delay", "must be shorter than rating.max_age (%s), or no question would ever be asked", r.MaxAge)
	}
	v.days("rating.every_days", r.EveryDays, 0)
	if r.Good < 1 || r.Good > 5 {
		v.add("rating.good", "must be a score from 1 to 5 (the lowest score thanked with review links), not %d", r.Good)
	}
	for _, l := range []struct{ key, val string }{{"yandex_maps", r.YandexMaps}, {"2gis", r.TwoGIS}, {"google", r.Google}} {
		if l.val == "" {
			continue
		}
		if u, err := url.Parse(l.val); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.add("rating."+l.key, "must be an https address of the business's review page, not %q", l.val)
		}
	}
	if r.StaffEmail != "" {
		if a, err := mail.ParseAddress(r.StaffEmail); err != nil || a.Name != "" {
			v.add("rating.staff_email", "%q is not an address like owner@example.com", r.StaffEmail)
		} else if !cfg.Email.Enabled {
			v.add("rating.staff_email", "needs the email channel: set email.enabled and the SMTP server, or remove it")
		}
	}
	v.bonus("rating.apology_bonus", r.ApologyBonus)
	v.days("rating.bonus_expire_days", r.BonusExpireDays, 0)

	b := &cfg.Birthdays
	v.timeOfDay("birthdays.at", b.At)
	if b.DaysBefore < 0 || b.DaysBefore > 30 {
		v.add("birthdays.days_before", "must be from 0 (on the day) to 30, not %d", b.DaysBefore)
	}
	v.bonus("birthdays.bonus", b.Bonus)
	v.days("birthdays.bonus_expire_days", b.BonusExpireDays, 0)

	t := &cfg.Triggers
	v.timeOfDay("triggers.at", t.At)
	v.days("triggers.inactive.days", t.Inactive.Days, 1)
	v.days("triggers.inactive.every_days", t.Inactive.EveryDays, 1)
	v.bonus("triggers.inactive.bonus", t.Inactive.Bonus)
	v.days("triggers.inactive.bonus_expire_days", t.Inactive.BonusExpireDays, 0)
	v.days("triggers.points_expiring.days", t.PointsExpiring.Days, 1)
	v.days("triggers.points_expiring.every_days", t.PointsExpiring.EveryDays, 1)
	v.days("triggers.tier_changed.every_days", t.TierChanged.EveryDays, 0)
	v.positiveDuration("triggers.welcome.delay", t.Welcome.Delay, false)
	v.days("triggers.certificate_low.every_days", t.CertificateLow.EveryDays, 1)
	if t.CertificateLow.Below < 0 || (t.CertificateLow.Enabled && t.CertificateLow.Below == 0) {
		v.add("triggers.certificate_low.below", "must be a positive sum, like 500")
	}

	f := &cfg.Referral
	if f.Reward != cardbot.RewardReferrer && f.Reward != cardbot.RewardFriend && f.Reward != cardbot.RewardBoth {
		v.add("referral.reward", "must be referrer, friend or both, not %q", f.Reward)
	}
	if f.On != cardbot.RewardOnSignup && f.On != cardbot.RewardOnFirstPurchase {
		v.add("referral.on", "must be signup or first_purchase, not %q", f.On)
	}
	v.bonus("referral.referrer_bonus", f.ReferrerBonus)
	v.bonus("referral.friend_bonus", f.FriendBonus)
	v.days("referral.bonus_expire_days", f.BonusExpireDays, 0)
	if f.Enabled && f.ReferrerBonus == 0 && f.FriendBonus == 0 {
		v.add("referral.enabled", "rewards nobody: set referrer_bonus and/or friend_bonus")
	}

	v.bonusesNeedABonusProgramme(cfg)

	m := &cfg.Maintenance
	v.days("maintenance.keep_idempotency_days", m.KeepIdempotencyDays, 1)
	v.days("maintenance.keep_updates_days", m.KeepUpdatesDays, 1)
}

// bonusesNeedABonusProgramme refuses points given by a feature that is on when no programme keeps
// points: they would be promised in the config and given to nobody.
func (v *validator) bonusesNeedABonusProgramme(cfg *cardbot.Config) {
	for _, p := range cfg.Programs {
		if p.Type == cardbot.Bonus && !p.Archived {
			return
		}
	}
	for _, b := range []struct {
		path string
		on   bool
		a    cardbot.Amount
	}{
		{"rating.apology_bonus", cfg.Rating.Enabled, cfg.Rating.ApologyBonus},
		{"birthdays.bonus", cfg.Birthdays.Enabled, cfg.Birthdays.Bonus},
		{"triggers.inactive.bonus", cfg.Triggers.Inactive.Enabled, cfg.Triggers.Inactive.Bonus},
		{"referral.referrer_bonus", cfg.Referral.Enabled, cfg.Referral.ReferrerBonus},
		{"referral.friend_bonus", cfg.Referral.Enabled, cfg.Referral.FriendBonus},
	} {
		if b.on && b.a > 0 {
			v.add(b.path, "gives points, but no programme keeps points: add a programme of type bonus, or set it to 0")
		}
	}
}

func (v *validator) days(path string, n, least int) {
	if n < least || n > maxDays {
		v.add(path, "must be a number of days from %d to %d, not %d", least, maxDays, n)
	}
}

func (v *validator) bonus(path string, a cardbot.Amount) {
	if a < 0 || a > maxBonus {
		v.add(path, "must be points from 0 to %s, not %s", maxBonus, a)
	}
}

func (v *validator) timeOfDay(path, s string) {
	if _, err := cardbot.ParseTimeOfDay(s); err != nil {
		v.add(path, "must be a time of day from 00:00 to 23:59, like 10:00, not %q", s)
	}
}

// positiveDuration refuses negative spans (and zero when nonZero) and ones longer than a year.
func (v *validator) positiveDuration(path string, d cardbot.Duration, nonZero bool) {
	if d < 0 || (nonZero && d == 0) || time.Duration(d) > 366*24*time.Hour {
		v.add(path, "must be a duration from %s to a year, like 2h or 30m, not %s", map[bool]string{true: "1s", false: "0s"}[nonZero], d)
	}
}
