package flows_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"cardbot"
	"cardbot/flows"
)

func TestSchedulerListsJobsAndStopsCleanly(t *testing.T) {
	e := newEnv(t)
	s := e.scheduler()
	jobs := s.Jobs()
	names := map[string]bool{}
	for _, j := range jobs {
		names[j.Name] = true
		if j.Spec == "" || j.About == "" || !j.Next.IsZero() {
			t.Errorf("job before start %+v", j)
		}
	}
	for _, want := range []string{"ratings", "birthdays", "triggers", "expire_points", "cleanup"} {
		if !names[want] {
			t.Errorf("no job %s in %+v", want, jobs)
		}
	}
	s.Start(context.Background())
	for _, j := range s.Jobs() {
		if j.Next.IsZero() || j.LastRun.IsZero() || j.Running {
			t.Errorf("job after start %+v", j)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Run(context.Background(), "ratings"); cardbot.CodeOf(err) != cardbot.Unavailable {
		t.Errorf("run after stop: %v", err)
	}
	if err := e.scheduler().Run(context.Background(), "nope"); cardbot.CodeOf(err) != cardbot.NotFound {
		t.Errorf("unknown job: %v", err)
	}
}

func TestBirthdayDaysBeforeAndTheTwentyNinthOfFebruary(t *testing.T) {
	e := newEnv(t, func(cfg *cardbot.Config) {
		cfg.Birthdays = cardbot.BirthdayConfig{Enabled: true, At: "10:00", DaysBefore: 2}
	})
	s := e.scheduler()
	leap, _ := e.welcomed("1")
	e.update(func(tx cardbot.Tx) error {
		c, err := tx.Client(leap.ID)
		if err != nil {
			return err
		}
		c.Birthday = &cardbot.Date{Month: time.February, Day: 29}
		return tx.PutClient(c)
	})
	e.outbox()
	// 2027 is not a leap year: the birthday is kept on 28 February, greeted two days before.
	e.clock.Set(time.Date(2027, 2, 26, 8, 0, 0, 0, time.UTC))
	msg := one(t, e.run(s, "birthdays"))
	mustContain(t, msg.Text, "через 2 дня")
	e.clock.Set(time.Date(2027, 2, 27, 8, 0, 0, 0, time.UTC))
	if msgs := e.run(s, "birthdays"); len(msgs) != 0 {
		t.Fatalf("greeted again: %v", events(msgs))
	}
}

func TestRatingDialogueInEnglish(t *testing.T) {
	e := newEnv(t, withRatings, func(cfg *cardbot.Config) { cfg.Locale = "en" })
	s := e.scheduler()
	_, card := e.welcomed("1")
	e.apiOperation(card.Number, cardbot.OperationRequest{Type: cardbot.OpPurchase, Purchase: 50000})
	e.outbox()
	e.clock.Advance(2 * time.Hour)
	prompt := one(t, e.run(s, "ratings"))
	mustContain(t, prompt.Text, "how was your visit", "from 1 to 5")
	mustContain(t, texts(e.press("1", prompt.Buttons[0][4].Data)), "Thank you for the 5", "2GIS: https://2gis.ru/zerno")
}

func TestCleanupDeletesExpiredAdminSessionsABoundedNumberARun(t *testing.T) {
	e := newEnv(t)
	s := e.scheduler()
	now := e.clock.Now()
	expired := flows.SessionsPrunedPerRun + 40
	e.update(func(tx cardbot.Tx) error {
		for i := range expired + 2 {
			expires := now.Add(-time.Duration(i+1) * time.Minute)
			if i >= expired {
				expires = now.Add(time.Hour) // still logged in
			}
			id := []byte(fmt.Sprintf("session-%05d", i))
			if err := tx.PutSession(&cardbot.Session{ID: id, UserName: "owner", ExpiresAt: expires}); err != nil {
				return err
			}
		}
		return nil
	})
	left := func() (old, live int) {
		e.update(func(tx cardbot.Tx) error {
			old, live = 0, 0
			for i := range expired + 2 {
				if _, err := tx.Session([]byte(fmt.Sprintf("session-%05d", i))); err == nil && i < expired {
					old++
				} else if err == nil {
					live++
				}
			}
			return nil
		})
		return old, live
	}

	e.run(s, "cleanup")
	if old, live := left(); old != 40 || live != 2 {
		t.Fatalf("after one run %d expired and %d live sessions left, want 40 and 2", old, live)
	}
	if done := jobInfo(t, s, "cleanup").LastDone; done != flows.SessionsPrunedPerRun {
		t.Errorf("the run reports %d records pruned, want %d", done, flows.SessionsPrunedPerRun)
	}
	e.run(s, "cleanup") // the next night takes the rest
	if old, live := left(); old != 0 || live != 2 {
		t.Fatalf("after two runs %d expired and %d live sessions left, want 0 and 2", old, live)
	}
}

func jobInfo(t *testing.T, s *flows.Scheduler, name string) cardbot.JobInfo {
	t.Helper()
	for _, j := range s.Jobs() {
		if j.Name == name {
			return j
		}
	}
	t.Fatalf("no job %s", name)
	return cardbot.JobInfo{}
}
