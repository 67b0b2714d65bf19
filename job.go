package cardbot

import "time"

// JobInfo is one scheduled job (rating requests, birthdays, triggers, expiry, cleanup) as the admin
// page shows it: what it is, when it runs next, and how its last run went.
type JobInfo struct {
	Name      string
	Spec      string // the cron schedule
	About     string
	Next      time.Time // zero until the scheduler is started
	LastRun   time.Time
	LastTook  time.Duration
	LastDone  int    // how many things the last run did (messages, entries, records)
	LastError string // "" when the last run succeeded
	Running   bool
}

// JobLister lists the scheduler's jobs with their next and last runs (flows.Scheduler implements it).
type JobLister interface {
	Jobs() []JobInfo
}
