package store

import (
	"path/filepath"
	"testing"
	"time"

	"cardbot"
)

func TestRatingsByOperationClientAndDueTime(t *testing.T) {
	db := openTestDB(t)
	anna := createClient(t, db, "+79990001122")
	boris := createClient(t, db, "+79990003344")
	rate := func(client, op uint64, due time.Duration) *cardbot.Rating {
		r := &cardbot.Rating{ClientID: client, OpID: op, DueAt: testTime.Add(due), Branch: "center"}
		mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.CreateRating(r) })
		return r
	}
	first := rate(anna.ID, 10, 2*time.Hour)
	second := rate(boris.ID, 11, time.Hour)
	third := rate(anna.ID, 12, 3*time.Hour)
	if first.Status != cardbot.RatingPending {
		t.Fatalf("status %q, want pending", first.Status)
	}
	err := db.Update(t.Context(), func(tx cardbot.Tx) error {
		return tx.CreateRating(&cardbot.Rating{ClientID: anna.ID, OpID: 10})
	})
	wantCode(t, err, cardbot.Conflict, "")

	mustView(t, db, func(tx cardbot.Tx) error {
		due, err := tx.DueRatings(testTime.Add(2*time.Hour), 0)
		if err != nil {
			return err
		}
		if len(due) != 2 || due[0].ID != second.ID || due[1].ID != first.ID {
			t.Fatalf("due %+v", due)
		}
		mine, err := tx.ClientRatings(anna.ID, 0, 0)
		if len(mine) != 2 || mine[0].ID != third.ID {
			t.Fatalf("anna's ratings %+v", mine)
		}
		got, err := tx.RatingByOperation(11)
		if err != nil || got.ID != second.ID {
			t.Fatalf("by operation: %+v %v", got, err)
		}
		return err
	})

	// Asked and answered: out of the due list, kept everywhere else.
	second.Status, second.Score = cardbot.RatingRated, 4
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.PutRating(second) })
	mustView(t, db, func(tx cardbot.Tx) error {
		due, err := tx.DueRatings(testTime.Add(24*time.Hour), 0)
		if len(due) != 2 || due[0].ID != first.ID || due[1].ID != third.ID {
			t.Fatalf("due after answering %+v", due)
		}
		all, err := tx.Ratings(0, 0)
		if len(all) != 3 || all[1].Score != 4 {
			t.Fatalf("all ratings %+v", all)
		}
		return err
	})
	second.Score = 7
	err = db.Update(t.Context(), func(tx cardbot.Tx) error { return tx.PutRating(second) })
	wantCode(t, err, cardbot.Invalid, "")
}

// TestRatingDueInAnOddZoneLeavesTheDueList: a due time whose zone has a seconds offset (local mean
// time before 1920, say) loses the seconds in the stored record; the due entry must still be the
// one a later save removes.
func TestRatingDueInAnOddZoneLeavesTheDueList(t *testing.T) {
	db := openTestDB(t)
	anna := createClient(t, db, "+79990001122")
	lmt := time.FixedZone("LMT", 2*3600+30*60+17)
	r := &cardbot.Rating{ClientID: anna.ID, OpID: 10, DueAt: testTime.In(lmt)}
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.CreateRating(r) })
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		stored, err := tx.Rating(r.ID)
		if err != nil {
			return err
		}
		stored.Status, stored.Score = cardbot.RatingRated, 5
		return tx.PutRating(stored)
	})
	mustView(t, db, func(tx cardbot.Tx) error {
		due, err := tx.DueRatings(testTime.Add(24*time.Hour), 0)
		if len(due) != 0 {
			t.Fatalf("an answered rating is still due: %+v", due)
		}
		return err
	})
}

// TestOutboxRowDueInAnOddZoneLeavesTheDueList is the same for an outbox row held until a time given in
// a zone with a seconds offset: once sent, it is no longer due.
func TestOutboxRowDueInAnOddZoneLeavesTheDueList(t *testing.T) {
	db := openTestDB(t)
	lmt := time.FixedZone("LMT", 2*3600+30*60+17)
	m := &cardbot.Message{Kind: cardbot.KindNotice, Text: "hello", NextAt: testTime.In(lmt)}
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.EnqueueMessage(m) })
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		stored, err := tx.Message(m.ID)
		if err != nil {
			return err
		}
		stored.Status = cardbot.MessageSent
		return tx.PutMessage(stored)
	})
	mustView(t, db, func(tx cardbot.Tx) error {
		due, err := tx.DueMessageIDs(testTime.Add(24*time.Hour), 0)
		if len(due) != 0 {
			t.Fatalf("a sent row is still due: %v", due)
		}
		return err
	})
}

func TestMarksAndPruning(t *testing.T) {
	db := openTestDB(t)
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		if at, err := tx.Mark("birthday:1:2026"); err != nil || !at.IsZero() {
			t.Fatalf("unset mark %v %v", at, err)
		}
		if err := tx.PutMark("birthday:1:2026", testTime); err != nil {
			return err
		}
		for i, at := range []time.Time{testTime.Add(-10 * 24 * time.Hour), testTime.Add(-time.Hour)} {
			if err := tx.PutIdempotent(&cardbot.Idempotent{Key: string(rune('a' + i)), At: at}); err != nil {
				return err
			}
			if _, err := tx.SeenUpdate("telegram", string(rune('a'+i)), at); err != nil {
				return err
			}
		}
		return nil
	})
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		if at, _ := tx.Mark("birthday:1:2026"); !at.Equal(testTime) {
			t.Fatalf("mark %v, want %v", at, testTime)
		}
		cut := testTime.Add(-7 * 24 * time.Hour)
		if n, err := tx.PruneIdempotency(cut, 0); n != 1 || err != nil {
			t.Fatalf("pruned %d idempotency records: %v", n, err)
		}
		if n, err := tx.PruneSeenUpdates(cut, 0); n != 1 || err != nil {
			t.Fatalf("pruned %d update ids: %v", n, err)
		}
		if r, _ := tx.Idempotent("a"); r != nil {
			t.Fatal("old idempotency record kept")
		}
		if r, _ := tx.Idempotent("b"); r == nil {
			t.Fatal("recent idempotency record pruned")
		}
		if seen, _ := tx.SeenUpdate("telegram", "b", testTime); !seen {
			t.Fatal("recent update id pruned")
		}
		return nil
	})
}

func TestReferredClientsIncludingThoseReferredBeforeTheIndex(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cardbot.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	referrer := createClient(t, db, "+79990001122")
	old := &cardbot.Client{Name: "Old friend", ReferredBy: referrer.ID}
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.CreateClient(old) })
	db.Close()
	db = reopenWithout(t, path, idxClientReferred)
	fresh := &cardbot.Client{Name: "New friend", ReferredBy: referrer.ID}
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.CreateClient(fresh) })
	list := func() []*cardbot.Client {
		var out []*cardbot.Client
		mustView(t, db, func(tx cardbot.Tx) error {
			var err error
			out, err = tx.ReferredClients(referrer.ID)
			return err
		})
		return out
	}
	if got := list(); len(got) != 2 || got[0].ID != old.ID || got[1].ID != fresh.ID {
		t.Fatalf("friends %+v", got)
	}
	// Not a referral after all (the same person): off the list.
	fresh.ReferredBy = 0
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.PutClient(fresh) })
	if got := list(); len(got) != 1 || got[0].ID != old.ID {
		t.Fatalf("friends after the correction %+v", got)
	}
}
