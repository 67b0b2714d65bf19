package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cardbot"
)

func TestConcurrentUpdatesAreEachAppliedOnce(t *testing.T) {
	db := openTestDB(t)
	const callers, perCaller = 200, 5
	var runs atomic.Int64
	var wg sync.WaitGroup
	for g := range callers {
		wg.Go(func() {
			for i := range perCaller {
				err := db.Update(t.Context(), func(tx cardbot.Tx) error {
					runs.Add(1)
					if _, err := tx.NextSequence("hits"); err != nil {
						return err
					}
					return tx.CreateClient(&cardbot.Client{Phone: fmt.Sprintf("+7999%03d%04d", g, i)})
				})
				if err != nil {
					t.Errorf("caller %d update %d: %v", g, i, err)
				}
			}
		})
	}
	wg.Wait()
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		hits, err := tx.NextSequence("hits")
		if hits-1 != callers*perCaller {
			t.Fatalf("counter reached %d, want %d", hits-1, callers*perCaller)
		}
		clients, _ := tx.Clients(0, 0)
		if len(clients) != callers*perCaller {
			t.Fatalf("%d clients, want %d", len(clients), callers*perCaller)
		}
		return err
	})
	commits := db.commits.Load()
	t.Logf("%d updates, %d fn runs, %d commits", callers*perCaller, runs.Load(), commits)
	if commits >= callers*perCaller {
		t.Errorf("%d commits for %d concurrent updates: nothing was grouped", commits, callers*perCaller)
	}
}

func TestQueuedUpdatesShareOneCommit(t *testing.T) {
	db := openTestDB(t)
	release := holdWriter(t, db)
	const queued = 50
	var wg sync.WaitGroup
	for range queued {
		wg.Go(func() {
			err := db.Update(t.Context(), func(tx cardbot.Tx) error { _, err := tx.NextSequence("n"); return err })
			if err != nil {
				t.Error(err)
			}
		})
	}
	waitQueued(t, db, queued)
	before := db.commits.Load()
	release()
	wg.Wait()
	// The held update only read, so it is not committed; the fifty queued behind it share one commit.
	if got := db.commits.Load() - before; got != 1 {
		t.Fatalf("%d commits for %d queued updates, want 1", got, queued)
	}
}

// batchOutcome starts Updates while the writer is held, so they all land in one batch, and returns
// their errors in the order they were queued.
func batchOutcome(t *testing.T, db *DB, fns ...func(cardbot.Tx) error) []error {
	t.Helper()
	release := holdWriter(t, db)
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Go(func() { errs[i] = db.Update(context.Background(), fn) })
		waitQueued(t, db, i+1) // one at a time, so queue order is fns order
	}
	release()
	wg.Wait()
	return errs
}

func TestFailingUpdateLeavesNoTraceAndItsBatchCommits(t *testing.T) {
	db := openTestDB(t)
	var runs [4]atomic.Int32
	create := func(i int, phone string, fail error) func(cardbot.Tx) error {
		return func(tx cardbot.Tx) error {
			runs[i].Add(1)
			if err := tx.CreateClient(&cardbot.Client{Phone: phone}); err != nil {
				return err
			}
			return fail // after writing, so the rollback has something to undo
		}
	}
	errs := batchOutcome(t, db,
		create(0, "+70000000001", nil),
		create(1, "+70000000002", errTest),
		create(2, "+70000000003", nil),
		create(3, "+70000000001", nil), // the phone of the first: a conflict inside the batch
	)
	if errs[0] != nil || errs[2] != nil || !errors.Is(errs[1], errTest) {
		t.Fatalf("outcomes %v", errs)
	}
	wantCode(t, errs[3], cardbot.Conflict, "phone +70000000001 already belongs to client 1")
	mustView(t, db, func(tx cardbot.Tx) error {
		_, err := tx.ClientByPhone("+70000000002")
		wantCode(t, err, cardbot.NotFound, "")
		clients, _ := tx.Clients(0, 0)
		if len(clients) != 2 || clients[0].Phone != "+70000000001" || clients[1].Phone != "+70000000003" {
			t.Fatalf("clients after the batch: %+v", clients)
		}
		return nil
	})
	if runs[0].Load() < 2 || runs[1].Load() != 1 {
		t.Fatalf("runs %v: the first fn should have re-run after the second failed, the failed one not", &runs)
	}
}

func TestPanickingUpdateFailsOnlyItsCaller(t *testing.T) {
	db := openTestDB(t)
	seq := func(tx cardbot.Tx) error { _, err := tx.NextSequence("n"); return err }
	errs := batchOutcome(t, db, seq, func(cardbot.Tx) error { panic("boom") }, seq)
	if errs[0] != nil || errs[2] != nil {
		t.Fatalf("neighbours of the panic failed: %v", errs)
	}
	if errs[1] == nil || !strings.Contains(errs[1].Error(), "panicked: boom") {
		t.Fatalf("panicking update returned %v", errs[1])
	}
	// The writer survived.
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		if n, err := tx.NextSequence("n"); n != 3 || err != nil {
			t.Fatalf("counter %d, %v; want 3", n, err)
		}
		return nil
	})
}

func TestUpdateCancelledWhileQueuedNeverRuns(t *testing.T) {
	db := openTestDB(t)
	release := holdWriter(t, db)
	ctx, cancel := context.WithCancel(t.Context())
	var ran atomic.Bool
	result := make(chan error, 1)
	go func() {
		result <- db.Update(ctx, func(cardbot.Tx) error { ran.Store(true); return nil })
	}()
	waitQueued(t, db, 1)
	cancel()
	if err := <-result; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled update returned %v", err)
	}
	release()
	mustUpdate(t, db, func(cardbot.Tx) error { return nil }) // the writer has passed the abandoned request
	if ran.Load() {
		t.Fatal("an update cancelled in the queue ran")
	}
}

func TestUpdateCancelledWhileRunningReportsItsCommit(t *testing.T) {
	db := openTestDB(t)
	ctx, cancel := context.WithCancel(t.Context())
	err := db.Update(ctx, func(tx cardbot.Tx) error {
		cancel()
		time.Sleep(10 * time.Millisecond) // let Update see the cancellation before the commit
		_, err := tx.NextSequence("n")
		return err
	})
	if err != nil {
		t.Fatalf("update that committed returned %v", err)
	}
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		if n, _ := tx.NextSequence("n"); n != 2 {
			t.Fatalf("counter %d, want 2: the cancelled-while-running update was not committed", n)
		}
		return nil
	})
}

func TestUpdateWithDoneContextIsNotQueued(t *testing.T) {
	db := openTestDB(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := db.Update(ctx, func(cardbot.Tx) error { t.Fatal("ran"); return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("Update: %v", err)
	}
	if err := db.View(ctx, func(cardbot.Tx) error { t.Fatal("ran"); return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("View: %v", err)
	}
}

func TestCloseFinishesQueuedUpdatesThenRefusesMore(t *testing.T) {
	db := openTestDB(t)
	release := holdWriter(t, db)
	const queued = 10
	var wg sync.WaitGroup
	for range queued {
		wg.Go(func() {
			if err := db.Update(t.Context(), func(tx cardbot.Tx) error { _, err := tx.NextSequence("n"); return err }); err != nil {
				t.Errorf("queued update: %v", err)
			}
		})
	}
	waitQueued(t, db, queued)
	closed := make(chan error, 1)
	go func() { closed <- db.Close() }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned %v while updates were in flight", err)
	case <-time.After(20 * time.Millisecond):
	}
	release()
	wg.Wait()
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	wantCode(t, db.Update(t.Context(), func(cardbot.Tx) error { return nil }), cardbot.Unavailable, "")
	wantCode(t, db.View(t.Context(), func(cardbot.Tx) error { return nil }), cardbot.Unavailable, "")
	_, err := db.Backup(&strings.Builder{})
	wantCode(t, err, cardbot.Unavailable, "")
	if err := db.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestRefusalBeforeWritingDoesNotReRunItsBatch(t *testing.T) {
	db := openTestDB(t)
	var runs [3]atomic.Int32
	write := func(i int, phone string) func(cardbot.Tx) error {
		return func(tx cardbot.Tx) error {
			runs[i].Add(1)
			return tx.CreateClient(&cardbot.Client{Phone: phone})
		}
	}
	refuse := func(tx cardbot.Tx) error {
		runs[1].Add(1)
		if _, err := tx.ClientByPhone("+70000000001"); err != nil {
			return err
		}
		return cardbot.Errorf(cardbot.Conflict, "not enough points")
	}
	errs := batchOutcome(t, db, write(0, "+70000000001"), refuse, write(2, "+70000000002"))
	if errs[0] != nil || errs[2] != nil || cardbot.CodeOf(errs[1]) != cardbot.Conflict {
		t.Fatalf("outcomes %v", errs)
	}
	for i := range runs {
		if n := runs[i].Load(); n != 1 {
			t.Errorf("fn %d ran %d times, want once", i, n)
		}
	}
}

func TestBatchOfRefusalsLeavesTheFileUntouched(t *testing.T) {
	db := openTestDB(t)
	createClient(t, db, "+70000000001")
	var before, after strings.Builder
	if _, err := db.Backup(&before); err != nil {
		t.Fatal(err)
	}
	refuse := func(cardbot.Tx) error { return cardbot.Errorf(cardbot.Invalid, "no") }
	batchOutcome(t, db, refuse, refuse)
	db.Update(t.Context(), refuse)
	if _, err := db.Backup(&after); err != nil {
		t.Fatal(err)
	}
	if before.String() != after.String() {
		t.Fatal("refused updates changed the database file")
	}
}

// The store's own refusals (a taken phone, a second cancel) happen before anything is written, so
// they too are answered without re-running the group.
func TestStoreRefusalsDoNotReRunTheirBatch(t *testing.T) {
	db := openTestDB(t)
	createClient(t, db, "+70000000001")
	var runs [3]atomic.Int32
	create := func(i int, phone string) func(cardbot.Tx) error {
		return func(tx cardbot.Tx) error {
			runs[i].Add(1)
			return tx.CreateClient(&cardbot.Client{Phone: phone})
		}
	}
	errs := batchOutcome(t, db, create(0, "+70000000002"), create(1, "+70000000001"), create(2, "+70000000003"))
	if errs[0] != nil || errs[2] != nil || cardbot.CodeOf(errs[1]) != cardbot.Conflict {
		t.Fatalf("outcomes %v", errs)
	}
	for i := range runs {
		if n := runs[i].Load(); n != 1 {
			t.Errorf("fn %d ran %d times, want once", i, n)
		}
	}
}
