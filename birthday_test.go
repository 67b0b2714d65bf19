package cardbot_test

import (
	"testing"
	"time"

	"cardbot"
)

// The rule the bot, the mini-site and the admin page share, on 23 November 2026 in Moscow.
func TestCheckBirthday(t *testing.T) {
	msk := time.FixedZone("MSK", 3*3600)
	today := time.Date(2026, 11, 23, 0, 30, 0, 0, msk) // 22 November 21:30 UTC
	for _, c := range []struct {
		date, want string
	}{
		{"1990-03-15", ""},
		{"--12-31", ""}, // no year: any day of the calendar
		{"2026-11-23", ""},
		{"2026-11-24", cardbot.BirthdayInFuture},
		{"2026-12-31", cardbot.BirthdayInFuture}, // this year, but not yet
		{"2027-01-01", cardbot.BirthdayInFuture},
		{"1906-11-23", ""},                     // 120 today
		{"1906-11-22", ""},                     // 120 and a day
		{"1905-12-31", ""},                     // 120 until the end of December
		{"1905-11-23", cardbot.BirthdayTooOld}, // 121 today
		{"0001-01-01", cardbot.BirthdayTooOld},
	} {
		d, err := cardbot.ParseDate(c.date)
		if err != nil {
			t.Fatal(err)
		}
		err = cardbot.CheckBirthday(d, today)
		got := ""
		if err != nil {
			got = cardbot.MessageOf(err)
		}
		if got != c.want || (err != nil && cardbot.CodeOf(err) != cardbot.Invalid) {
			t.Errorf("%s: %v, want %q", c.date, err, c.want)
		}
	}
}
