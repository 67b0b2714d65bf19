package flows

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"cardbot"

	"github.com/robfig/cron/v3"
)

// The scheduler runs the automation's jobs. Each job is a "do what is due at now" function over the
// store, with now from the engine's clock: cron only decides when to call it (cron itself runs on
// real time), tests call Run with a ManualClock, and Start runs every job once before cron takes
// over, so work that fell due while the service was down is done at once when it still makes sense
// (each job decides: yesterday's rating request yes, a passed birthday no).

// job is one scheduled job: its name, cron spec (in business.timezone) and what it does.
type job struct {
	name  string
	spec  string
	about string
	run   func(ctx context.Context, now time.Time) (int, error)
}

// jobs declares every job, in the order the admin page lists them.
func (e *Engine) jobs() []job {
	return []job{
		{"ratings", "@every 1m", "ask visit ratings that are due", e.askRatings},
		{"birthdays", "*/10 * * * *", "birthday greetings and gifts", e.greetBirthdays},
		{"triggers", "*/10 * * * *", "daily: inactive customers, points about to expire", e.dailyTriggers},
		{"expire_points", "7 * * * *", "write off points past their date", e.expirePoints},
		{"cleanup", "17 4 * * *", "prune old idempotency keys, seen update ids and expired admin sessions", e.prune},
	}
}

// Scheduler runs the jobs on their schedules. Start it after the dispatcher, stop it before the
// dispatcher drains.
type Scheduler struct {
	e    *Engine
	log  *slog.Logger
	cron *cron.Cron
	jobs []job
	ids  map[string]cron.EntryID

	// base is the context of scheduled runs; Stop cancels it so a long job ends between two clients.
	base   context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	status  map[string]*cardbot.JobInfo
	stopped bool
	runs    sync.WaitGroup
}

// NewScheduler builds the scheduler of the engine's jobs in the business timezone.
func NewScheduler(e *Engine) (*Scheduler, error) {
	logger := cronLogger{e.log.With("component", "scheduler")}
	base, cancel := context.WithCancel(context.Background())
	s := &Scheduler{
		base: base, cancel: cancel,
		e: e, log: e.log.With("component", "scheduler"), jobs: e.jobs(),
		ids: map[string]cron.EntryID{}, status: map[string]*cardbot.JobInfo{},
		cron: cron.New(cron.WithLocation(e.loc), cron.WithLogger(logger),
			cron.WithChain(cron.SkipIfStillRunning(logger), cron.Recover(logger))),
	}
	for _, j := range s.jobs {
		s.status[j.name] = &cardbot.JobInfo{Name: j.name, Spec: j.spec, About: j.about}
		id, err := s.cron.AddFunc(j.spec, func() { _ = s.Run(s.base, j.name) })
		if err != nil {
			return nil, fmt.Errorf("flows: job %s: schedule %q: %w", j.name, j.spec, err)
		}
		s.ids[j.name] = id
	}
	return s, nil
}

// Run runs one job now, at the clock's time, and records the outcome for Jobs. Two runs of the
// same job do not overlap: a second one started meanwhile is refused (Conflict).
func (s *Scheduler) Run(ctx context.Context, name string) error {
	var j *job
	for i := range s.jobs {
		if s.jobs[i].name == name {
			j = &s.jobs[i]
		}
	}
	if j == nil {
		return cardbot.Errorf(cardbot.NotFound, "no job %q", name)
	}
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return cardbot.Errorf(cardbot.Unavailable, "the scheduler is stopped")
	}
	s.runs.Add(1)
	defer s.runs.Done()
	st := s.status[name]
	if st.Running {
		s.mu.Unlock()
		return cardbot.Errorf(cardbot.Conflict, "job %s is already running", name)
	}
	st.Running = true
	s.mu.Unlock()

	start := s.e.clock.Now()
	took := time.Now()
	done, err := j.run(ctx, start)

	s.mu.Lock()
	st.Running, st.LastRun, st.LastTook, st.LastDone, st.LastError = false, start, time.Since(took), done, ""
	if err != nil {
		st.LastError = err.Error()
	}
	s.mu.Unlock()
	if err != nil {
		s.log.Error("job failed", "job", name, "err", err)
	} else if done > 0 {
		s.log.Info("job done", "job", name, "done", done)
	}
	if done > 0 && s.e.wake != nil {
		s.e.wake()
	}
	return err
}

// CatchUp runs every job once: what fell due while the service was down is done now, as far as
// each job finds it still meaningful.
func (s *Scheduler) CatchUp(ctx context.Context) error {
	var errs []error
	for _, j := range s.jobs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.Run(ctx, j.name); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", j.name, err))
		}
	}
	return errors.Join(errs...)
}

// Start catches up on missed work, then starts the schedule. It returns once the catch-up is done
// (a failed job is logged; the others still run). ctx ends the catch-up early; a Stop before the
// catch-up ends keeps the schedule from starting.
func (s *Scheduler) Start(ctx context.Context) {
	if err := s.CatchUp(ctx); err != nil {
		s.log.Error("catch-up on start", "err", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.stopped && ctx.Err() == nil {
		s.cron.Start()
	}
}

// Stop stops the schedule, cancels running jobs (each stops between two customers; what it did is
// committed) and waits for them until ctx ends.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	s.stopped = true
	s.mu.Unlock()
	s.cancel()
	done := s.cron.Stop()
	select {
	case <-done.Done():
	case <-ctx.Done():
		return ctx.Err()
	}
	waited := make(chan struct{})
	go func() { s.runs.Wait(); close(waited) }()
	select {
	case <-waited:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Jobs lists every job with its schedule, next run and last outcome, for the admin page.
func (s *Scheduler) Jobs() []cardbot.JobInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]cardbot.JobInfo, 0, len(s.jobs))
	for _, j := range s.jobs {
		info := *s.status[j.name]
		info.Next = s.cron.Entry(s.ids[j.name]).Next
		out = append(out, info)
	}
	return out
}

// cronLogger writes cron's own messages (skipped overlapping runs, recovered panics) to slog.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug(msg, kv...) }

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error(msg, append(kv, "err", err)...)
}

// Ratings lists a client's visit ratings, newest first, for the admin page's client view.
func (e *Engine) Ratings(ctx context.Context, clientID uint64, limit int) ([]*cardbot.Rating, error) {
	var out []*cardbot.Rating
	err := e.store.View(ctx, func(tx cardbot.Tx) error {
		var err error
		out, err = tx.ClientRatings(clientID, 0, limit)
		return err
	})
	return out, err
}
