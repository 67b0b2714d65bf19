package cardbot

import "time"

// RatingConfig is the quality rating asked after a visit (a purchase): when, how often, and what the
// answer brings.
type RatingConfig struct {
	Enabled bool `yaml:"enabled"`
	// Delay is how long after the purchase the question goes out (it waits out quiet hours too).
	Delay Duration `yaml:"delay"`
	// EveryDays: a customer is asked at most once in this many days, however often they come.
	EveryDays int `yaml:"every_days"`
	// MaxAge: a question not sent this long after the visit (the service was down) is dropped; a
	// rating request about last week's coffee is noise.
	MaxAge Duration `yaml:"max_age"`
	// Good is the lowest score answered with thanks and review links; lower scores get an apology
	// and a question about what went wrong.
	Good int `yaml:"good"`
	// Review sites offered after a good score; empty ones are not shown.
	YandexMaps string `yaml:"yandex_maps"`
	TwoGIS     string `yaml:"2gis"`
	Google     string `yaml:"google"`
	// StaffEmail also receives the alert about a low score (the Telegram staff of telegram.staff
	// always do).
	StaffEmail string `yaml:"staff_email"`
	// ApologyBonus is accrued to the customer's bonus card after a low score; 0: none. It expires
	// after BonusExpireDays (0: with the programme's points).
	ApologyBonus    Amount `yaml:"apology_bonus"`
	BonusExpireDays int    `yaml:"bonus_expire_days"`
}

// BirthdayConfig is the birthday greeting.
type BirthdayConfig struct {
	Enabled    bool   `yaml:"enabled"`
	DaysBefore int    `yaml:"days_before"` // 0: on the day
	At         string `yaml:"at"`          // HH:MM in business.timezone
	// Bonus is accrued with the greeting (0: none) and expires after BonusExpireDays.
	Bonus           Amount `yaml:"bonus"`
	BonusExpireDays int    `yaml:"bonus_expire_days"`
}

// TriggersConfig are the messages that follow from what a customer did or did not do.
type TriggersConfig struct {
	// At is when the daily triggers (inactivity, points expiring) run, HH:MM in business.timezone.
	At             string          `yaml:"at"`
	Inactive       InactiveTrigger `yaml:"inactive"`
	PointsExpiring ExpiringTrigger `yaml:"points_expiring"`
	TierChanged    CappedTrigger   `yaml:"tier_changed"`
	Welcome        WelcomeTrigger  `yaml:"welcome"`
	CertificateLow LowTrigger      `yaml:"certificate_low"`
}

// CappedTrigger is a message sent at most once in EveryDays days per customer.
type CappedTrigger struct {
	Enabled   bool `yaml:"enabled"`
	EveryDays int  `yaml:"every_days"`
}

// InactiveTrigger writes to customers who have not come for Days days.
type InactiveTrigger struct {
	Enabled         bool   `yaml:"enabled"`
	Days            int    `yaml:"days"`
	EveryDays       int    `yaml:"every_days"`
	Bonus           Amount `yaml:"bonus"`
	BonusExpireDays int    `yaml:"bonus_expire_days"`
}

// ExpiringTrigger warns Days days before accrued points expire.
type ExpiringTrigger struct {
	Enabled   bool `yaml:"enabled"`
	Days      int  `yaml:"days"`
	EveryDays int  `yaml:"every_days"`
}

// WelcomeTrigger follows a newly issued card with a message on how to use it, after Delay.
type WelcomeTrigger struct {
	Enabled bool     `yaml:"enabled"`
	Delay   Duration `yaml:"delay"`
}

// LowTrigger tells a certificate holder their balance fell below Below.
type LowTrigger struct {
	Enabled   bool   `yaml:"enabled"`
	Below     Amount `yaml:"below"`
	EveryDays int    `yaml:"every_days"`
}

// Referral reward recipients and moments.
const (
	RewardReferrer = "referrer"
	RewardFriend   = "friend"
	RewardBoth     = "both"

	RewardOnSignup        = "signup"
	RewardOnFirstPurchase = "first_purchase"
)

// ReferralConfig is the reward for bringing a friend.
type ReferralConfig struct {
	Enabled         bool   `yaml:"enabled"`
	Reward          string `yaml:"reward"` // referrer, friend or both
	On              string `yaml:"on"`     // signup or first_purchase
	ReferrerBonus   Amount `yaml:"referrer_bonus"`
	FriendBonus     Amount `yaml:"friend_bonus"`
	BonusExpireDays int    `yaml:"bonus_expire_days"` // 0: with the programme's points
}

// MaintenanceConfig says how long bookkeeping records are kept before the scheduler prunes them.
type MaintenanceConfig struct {
	KeepIdempotencyDays int `yaml:"keep_idempotency_days"` // API idempotency keys
	KeepUpdatesDays     int `yaml:"keep_updates_days"`     // channel update ids seen (duplicate deliveries)
}

// DefaultAutomation sets the defaults of the automation sections on c: ratings after 2 hours at most
// once a month, birthdays at 10:00 on the day, triggers at 12:00, referral rewards for both on the
// friend's first purchase. Every feature is off until the owner switches it on.
func DefaultAutomation(c *Config) {
	c.Rating = RatingConfig{Delay: Duration(2 * time.Hour), EveryDays: 30, MaxAge: Duration(48 * time.Hour), Good: 4}
	c.Birthdays = BirthdayConfig{At: "10:00", BonusExpireDays: 14}
	c.Triggers = TriggersConfig{
		At:             "12:00",
		Inactive:       InactiveTrigger{Days: 60, EveryDays: 60, BonusExpireDays: 14},
		PointsExpiring: ExpiringTrigger{Days: 7, EveryDays: 7},
		TierChanged:    CappedTrigger{Enabled: true, EveryDays: 1},
		Welcome:        WelcomeTrigger{Delay: Duration(24 * time.Hour)},
		CertificateLow: LowTrigger{EveryDays: 30},
	}
	c.Referral = ReferralConfig{Reward: RewardBoth, On: RewardOnFirstPurchase}
	c.Maintenance = MaintenanceConfig{KeepIdempotencyDays: 7, KeepUpdatesDays: 7}
}

// Rating statuses.
const (
	RatingPending  = "pending"  // waiting for its time to be asked
	RatingAsked    = "asked"    // the question went out
	RatingRated    = "rated"    // the customer gave a score
	RatingSkipped  = "skipped"  // not asked: asked recently, opted out, too late
	RatingFeedback = "feedback" // a low score with the customer's words about what went wrong
)

// Rating is one visit's quality rating: scheduled after a purchase, asked, answered.
type Rating struct {
	ID        uint64    `json:"id"`
	ClientID  uint64    `json:"client_id"`
	CardID    uint64    `json:"card_id"`
	OpID      uint64    `json:"op_id"` // the purchase (the visit) rated
	Branch    string    `json:"branch,omitempty"`
	Status    string    `json:"status"`
	VisitAt   time.Time `json:"visit_at"`
	DueAt     time.Time `json:"due_at"` // when to ask
	AskedAt   time.Time `json:"asked_at,omitzero"`
	Score     int       `json:"score,omitempty"` // 1 to 5
	RatedAt   time.Time `json:"rated_at,omitzero"`
	Feedback  string    `json:"feedback,omitempty"` // what went wrong, in the customer's words
	Note      string    `json:"note,omitempty"`     // why it was skipped
	UpdatedAt time.Time `json:"updated_at"`
}
