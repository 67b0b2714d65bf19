package store

import (
	"testing"

	"cardbot"
)

func TestRatingsNewestFirstPagesDown(t *testing.T) {
	db := openTestDB(t)
	anna := createClient(t, db, "+79990001122")
	var ids []uint64
	for op := uint64(1); op <= 5; op++ {
		r := &cardbot.Rating{ClientID: anna.ID, OpID: op, DueAt: testTime}
		mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.CreateRating(r) })
		ids = append(ids, r.ID)
	}
	page := func(before uint64, limit int) []uint64 {
		var got []uint64
		mustView(t, db, func(tx cardbot.Tx) error {
			rs, err := tx.RatingsNewestFirst(before, limit)
			for _, r := range rs {
				got = append(got, r.ID)
			}
			return err
		})
		return got
	}
	same := func(got, want []uint64) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("got %v, want %v", got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("got %v, want %v", got, want)
			}
		}
	}
	same(page(0, 2), []uint64{ids[4], ids[3]})
	same(page(ids[3], 2), []uint64{ids[2], ids[1]})
	same(page(ids[1], 2), []uint64{ids[0]})
	same(page(ids[0], 2), nil)
	same(page(ids[4]+100, 0), []uint64{ids[4], ids[3], ids[2], ids[1], ids[0]}) // a bound past the newest
}
