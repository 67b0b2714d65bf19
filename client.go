package cardbot

import (
	"fmt"
	"time"
)

// Client is a customer of the business: one person, however many channels and cards they have.
type Client struct {
	ID       uint64    `json:"id"`
	Name     string    `json:"name"`
	Phone    string    `json:"phone,omitempty"` // E.164, unique among clients
	Email    string    `json:"email,omitempty"`
	Birthday *Date     `json:"birthday,omitempty"`
	Channels []Address `json:"channels,omitempty"` // messenger accounts, unique among clients
	Consent  Consent   `json:"consent"`
	Tags     []string  `json:"tags,omitempty"`
	// Source says how the client came: "api", "admin", "telegram", "referral:<code>", "site:<id>".
	Source string `json:"source,omitempty"`
	// ReferralCode is the client's own code in invite links (unique); ReferredBy the client who invited them.
	ReferralCode   string    `json:"referral_code,omitempty"`
	ReferredBy     uint64    `json:"referred_by,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	LastActivityAt time.Time `json:"last_activity_at"`
}

// Address is one messenger account of a client: the channel and the user's id there.
type Address struct {
	Channel string `json:"channel"` // telegram, whatsapp, webchat
	ID      string `json:"id"`
}

// Key is the address as one string, "telegram:12345", used by indexes.
func (a Address) Key() string { return a.Channel + ":" + a.ID }

// Consent records what the client agreed to, where and when.
type Consent struct {
	PersonalData bool      `json:"personal_data"`    // agreed to processing of personal data
	Marketing    bool      `json:"marketing"`        // may receive marketing; false for good after /stop
	Source       string    `json:"source,omitempty"` // where it was last given or withdrawn: api, telegram, site:<id>, admin
	At           time.Time `json:"at,omitzero"`
}

// Date is a calendar date without a time zone; Year is 0 when the client did not say it.
type Date struct {
	Year  int        `json:"-"`
	Month time.Month `json:"-"`
	Day   int        `json:"-"`
}

// String renders the date as ISO 8601: 1990-03-15, or --03-15 without a year.
func (d Date) String() string {
	if d.Year == 0 {
		return fmt.Sprintf("--%02d-%02d", int(d.Month), d.Day)
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// ParseDate reads the ISO forms String writes and checks the date exists (29 February needs a leap
// year when the year is known).
func ParseDate(s string) (Date, error) {
	var d Date
	var m int
	var err error
	if len(s) == 7 && s[:2] == "--" {
		_, err = fmt.Sscanf(s, "--%2d-%2d", &m, &d.Day)
	} else if len(s) == 10 {
		_, err = fmt.Sscanf(s, "%4d-%2d-%2d", &d.Year, &m, &d.Day)
	} else {
		err = fmt.Errorf("bad length")
	}
	d.Month = time.Month(m)
	if err != nil || !d.Valid() {
		return Date{}, Errorf(Invalid, "%q is not a date like 1990-03-15 or --03-15", s)
	}
	return d, nil
}

// Valid reports whether the day exists in the month (in a leap year when the year is unknown).
func (d Date) Valid() bool {
	if d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Year < 0 || d.Year > 9999 {
		return false
	}
	y := d.Year
	if y == 0 {
		y = 2000 // a leap year, so 29 February is allowed without a year
	}
	return time.Date(y, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Day() == d.Day
}

// MarshalText writes the ISO form.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads the ISO form.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
