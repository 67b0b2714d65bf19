package minisite_test

import (
	"testing"
	"time"
)

// The form takes a birthday by the same rule as the bot: not a day after today in the business's
// time zone (Moscow here), not more than 120 years ago.
func TestTheFormTakesABirthdayByTheBotsRule(t *testing.T) {
	r := newRig(t)
	// 22:30 in London is already 11 March in Moscow: a baby born today there is no future date.
	r.clock.Set(time.Date(2026, 3, 10, 22, 30, 0, 0, time.UTC))
	for _, c := range []struct {
		birthday, phone string
		status          int
	}{
		{"2026-12-01", "+79161110001", 422}, // this year, but not yet
		{"2026-03-12", "+79161110002", 422}, // tomorrow in Moscow
		{"1905-03-10", "+79161110003", 422}, // 121
		{"2026-03-11", "+79161110004", 303}, // today in Moscow
		{"1906-03-11", "+79161110005", 303}, // 120 today
		{"--12-01", "+79161110006", 303},    // no year
	} {
		fields := anna()
		fields["birthday"], fields["phone"] = c.birthday, c.phone
		p := r.browser().submit("tverskaya", fields)
		if p.status != c.status {
			t.Errorf("birthday %s: status %d, want %d", c.birthday, p.status, c.status)
		}
		if c.status == 422 {
			mustContain(t, p.body, "дату рождения")
		}
	}
}
