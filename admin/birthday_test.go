package admin_test

import (
	"strings"
	"testing"
	"time"
)

// A till writing a client's birthday through the API meets the bot's rule: a date later this year is
// refused with the reason, today in the business's time zone (Moscow) is taken.
func TestTheAPITakesABirthdayByTheBotsRule(t *testing.T) {
	s := newServer(t)
	s.clock.Set(time.Date(2026, 3, 10, 22, 30, 0, 0, time.UTC)) // 11 March in Moscow
	refused := s.call("POST", "/api/v1/clients", map[string]any{"name": "Анна", "birthday": "2026-12-01"}).must(t, 400)
	if msg := refused.str(t, "error.message"); !strings.Contains(msg, "2026-12-01") || !strings.Contains(msg, "has not come yet") {
		t.Fatalf("refusal says %q", msg)
	}
	s.call("POST", "/api/v1/clients", map[string]any{"name": "Пётр", "birthday": "1905-03-10"}).must(t, 400)
	made := s.call("POST", "/api/v1/clients", map[string]any{"name": "Ева", "birthday": "2026-03-11"})
	if made.Status != 200 && made.Status != 201 {
		t.Fatalf("today's birthday in Moscow: %d %s", made.Status, made.Raw)
	}
}
