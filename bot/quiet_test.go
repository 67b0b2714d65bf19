package bot_test

import (
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // the zones below must load on machines without a zoneinfo database

	"cardbot"
	"cardbot/bot"
)

var moscow = mustLoadLocation("Europe/Moscow")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// msk is a moment of March 2026 in Moscow.
func msk(day, hour, minute int) time.Time { return time.Date(2026, 3, day, hour, minute, 0, 0, moscow) }

// night is the default window, 21:00 to 09:00 in Moscow.
var night = bot.QuietHours{From: 21 * 60, To: 9 * 60, Location: moscow}

// moveTo sets the dispatcher's clock and has it look at the rows again.
func (h *harness) moveTo(at time.Time) {
	h.clock.Set(at)
	h.d.Wake()
}

var heldNote = shape{"", "held", "held for quiet hours"}

func TestQuietHoursUntil(t *testing.T) {
	lunch := bot.QuietHours{From: 13 * 60, To: 14 * 60, Location: moscow}
	berlin := mustLoadLocation("Europe/Berlin")
	tests := []struct {
		name string
		q    bot.QuietHours
		at   time.Time
		want time.Time // zero: not quiet
	}{
		{"evening before", night, msk(1, 20, 59), time.Time{}},
		{"as they start", night, msk(1, 21, 0), msk(2, 9, 0)},
		{"late evening", night, msk(1, 22, 30), msk(2, 9, 0)},
		{"midnight", night, msk(2, 0, 0), msk(2, 9, 0)},
		{"a second before they end", night, msk(2, 8, 59).Add(59 * time.Second), msk(2, 9, 0)},
		{"as they end", night, msk(2, 9, 0), time.Time{}},
		{"judged in the window's zone", night, time.Date(2026, 3, 1, 19, 30, 0, 0, time.UTC), msk(2, 9, 0)},
		{"inside a day, before", lunch, msk(1, 12, 59), time.Time{}},
		{"inside a day, in", lunch, msk(1, 13, 15), msk(1, 14, 0)},
		{"inside a day, after", lunch, msk(1, 14, 0), time.Time{}},
		{"inside a day, at night", lunch, msk(1, 23, 0), time.Time{}},
		{"no window", bot.QuietHours{}, msk(1, 22, 30), time.Time{}},
		{"no location is UTC", bot.QuietHours{From: 21 * 60, To: 9 * 60}, msk(2, 2, 0), time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)},
		// Clocks go forward at 02:00 on 29 March in Berlin: the night is an hour short, and still
		// ends at 09:00 on the wall.
		{"over a DST change", bot.QuietHours{From: 21 * 60, To: 9 * 60, Location: berlin},
			time.Date(2026, 3, 28, 22, 0, 0, 0, berlin), time.Date(2026, 3, 29, 9, 0, 0, 0, berlin)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, quiet := tt.q.Until(tt.at)
			if quiet != !tt.want.IsZero() || !got.Equal(tt.want) {
				t.Fatalf("Until(%v) = %v, %v; want %v", tt.at, got, quiet, tt.want)
			}
		})
	}
}

func TestMarketingWaitsOutQuietHours(t *testing.T) {
	tg := newFake("telegram")
	h := newHarnessAt(t, msk(1, 22, 30), bot.Options{QuietHours: night}, tg)
	c := h.client(anna())

	id := h.enqueue(marketing(c.ID, "sale"))[0]
	m := h.waitAttempts(id, 1)
	if m.Status != cardbot.MessagePending || !m.NextAt.Equal(msk(2, 9, 0)) {
		t.Fatalf("at 22:30 the row is %s until %v, want held until 09:00", m.Status, m.NextAt)
	}
	wantShapes(t, m, heldNote)

	h.moveTo(msk(2, 8, 59))
	h.quiet()
	if tg.count() != 0 {
		t.Fatal("marketing went out inside quiet hours")
	}
	h.moveTo(msk(2, 9, 0))
	m = h.waitStatus(id, cardbot.MessageSent)
	wantShapes(t, m, heldNote, shape{"telegram", cardbot.AttemptSent, ""})
	if !m.SentAt.Equal(msk(2, 9, 0)) {
		t.Fatalf("sent at %v, want 09:00", m.SentAt)
	}
}

// A held marketing row keeps its place among its recipient's marketing, and holds back none of
// their notices: a receipt must not wait for the morning behind a sale.
func TestHeldMarketingHoldsBackNoNotice(t *testing.T) {
	tg := newFake("telegram")
	h := newHarnessAt(t, msk(1, 22, 30), bot.Options{QuietHours: night}, tg)
	c := h.client(anna())

	evening := h.enqueue(marketing(c.ID, "sale 1"), notice(c.ID, "receipt 1"))
	h.waitStatus(evening[1], cardbot.MessageSent)
	h.moveTo(msk(2, 8, 0))
	morning := h.enqueue(marketing(c.ID, "sale 2"), notice(c.ID, "receipt 2"))
	h.waitStatus(morning[1], cardbot.MessageSent)
	for _, id := range []uint64{evening[0], morning[0]} {
		if m := h.message(id); m.Status != cardbot.MessagePending || !m.NextAt.Equal(msk(2, 9, 0)) {
			t.Fatalf("marketing %d is %s until %v, want held until 09:00", id, m.Status, m.NextAt)
		}
	}

	h.moveTo(msk(2, 9, 0))
	h.waitStatus(morning[0], cardbot.MessageSent)
	want := []string{"receipt 1", "receipt 2", "sale 1", "sale 2"}
	if got := texts(tg.accepted()); !slices.Equal(got, want) {
		t.Fatalf("sent %q, want %q", got, want)
	}
}

// Through the dispatcher, in both shapes of window: across midnight and inside one day.
func TestQuietWindows(t *testing.T) {
	lunch := bot.QuietHours{From: 13 * 60, To: 14 * 60, Location: moscow}
	tests := []struct {
		name string
		q    bot.QuietHours
		at   time.Time
		held time.Time // zero: sent at once
	}{
		{"night, before midnight", night, msk(1, 22, 30), msk(2, 9, 0)},
		{"night, after midnight", night, msk(2, 3, 0), msk(2, 9, 0)},
		{"night, at noon", night, msk(1, 12, 0), time.Time{}},
		{"lunch, in it", lunch, msk(1, 13, 15), msk(1, 14, 0)},
		{"lunch, in the evening", lunch, msk(1, 22, 30), time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg := newFake("telegram")
			h := newHarnessAt(t, tt.at, bot.Options{QuietHours: tt.q}, tg)
			id := h.enqueue(marketing(h.client(anna()).ID, "sale"))[0]
			if !tt.held.IsZero() {
				m := h.waitAttempts(id, 1)
				if !m.NextAt.Equal(tt.held) || tg.count() != 0 {
					t.Fatalf("next at %v after %d sends, want held until %v", m.NextAt, tg.count(), tt.held)
				}
				h.moveTo(tt.held)
			}
			h.waitStatus(id, cardbot.MessageSent)
		})
	}
}

func TestQuietHoursFromConfig(t *testing.T) {
	cfg := cardbot.DefaultConfig()
	q, err := bot.QuietHoursFrom(cfg)
	if err != nil || q.From != 21*60 || q.To != 9*60 || q.Location.String() != "Europe/Moscow" {
		t.Fatalf("defaults give %+v, %v; want 21:00 to 09:00 in Moscow", q, err)
	}
	cfg.Settings.QuietHours.Enabled = false
	if q, err := bot.QuietHoursFrom(cfg); err != nil || q != (bot.QuietHours{}) {
		t.Fatalf("disabled gives %+v, %v; want no window", q, err)
	}
	cfg.Settings.QuietHours = cardbot.QuietHours{Enabled: true, From: "25:00", To: "09:00"}
	if _, err := bot.QuietHoursFrom(cfg); err == nil {
		t.Fatal("25:00 was taken for a time of day")
	}
}
