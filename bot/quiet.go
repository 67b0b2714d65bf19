package bot

import (
	"time"

	"cardbot"
)

// QuietHours is a daily window in which marketing is not sent. From and To are minutes after
// midnight in Location (UTC when nil); From after To spans midnight. From equal to To is no window,
// so the zero value means no quiet hours.
type QuietHours struct {
	From, To int
	Location *time.Location
}

// QuietHoursFrom builds the dispatcher's quiet hours from the validated config: settings.quiet_hours
// in business.timezone, or none when they are not enabled.
func QuietHoursFrom(cfg cardbot.Config) (QuietHours, error) {
	q := cfg.Settings.QuietHours
	if !q.Enabled {
		return QuietHours{}, nil
	}
	loc, err := time.LoadLocation(cfg.Business.Timezone)
	if err != nil {
		return QuietHours{}, err
	}
	from, err := cardbot.ParseTimeOfDay(q.From)
	if err != nil {
		return QuietHours{}, err
	}
	to, err := cardbot.ParseTimeOfDay(q.To)
	if err != nil {
		return QuietHours{}, err
	}
	return QuietHours{From: from, To: to, Location: loc}, nil
}

// Until reports whether t falls in the quiet hours and, if it does, when they end: the next To
// after t, on the local calendar, so a day that is 23 or 25 hours long (a DST change) still ends
// at To by the clock on the wall.
func (q QuietHours) Until(t time.Time) (time.Time, bool) {
	if q.From == q.To {
		return time.Time{}, false
	}
	loc := q.Location
	if loc == nil {
		loc = time.UTC
	}
	local := t.In(loc)
	if !cardbot.InDailyWindow(q.From, q.To, local.Hour()*60+local.Minute()) {
		return time.Time{}, false
	}
	y, m, d := local.Date()
	end := time.Date(y, m, d, q.To/60, q.To%60, 0, 0, loc)
	if !end.After(local) {
		end = time.Date(y, m, d+1, q.To/60, q.To%60, 0, 0, loc)
	}
	return end, true
}

// quietUntil says whether a row must wait for the quiet hours to end. Only marketing waits: a
// notice (an accrual, a code) is expected at once, and a reply answers someone who just wrote.
func (d *Dispatcher) quietUntil(m *cardbot.Message, now time.Time) (time.Time, bool) {
	if m.Kind != cardbot.KindMarketing {
		return time.Time{}, false
	}
	return d.opt.QuietHours.Until(now)
}
