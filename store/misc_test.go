package store

import (
	"bytes"
	"slices"
	"testing"

	"cardbot"
)

func TestNamedSequencesCountFromOneAndPersist(t *testing.T) {
	db := openTestDB(t)
	var got []uint64
	for _, name := range []string{"receipt", "receipt", "other", "receipt"} {
		mustUpdate(t, db, func(tx cardbot.Tx) error {
			n, err := tx.NextSequence(name)
			got = append(got, n)
			return err
		})
	}
	if want := []uint64{1, 2, 1, 3}; !slices.Equal(got, want) {
		t.Fatalf("sequence values %v, want %v", got, want)
	}
}

func TestSequenceTakenInAFailedUpdateIsNotUsedUp(t *testing.T) {
	db := openTestDB(t)
	_ = db.Update(t.Context(), func(tx cardbot.Tx) error {
		_, _ = tx.NextSequence("n")
		return errTest
	})
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		if n, err := tx.NextSequence("n"); n != 1 || err != nil {
			t.Fatalf("NextSequence after rollback: %d, %v", n, err)
		}
		return nil
	})
}

func TestAPIKeysAreFoundByHashAndListed(t *testing.T) {
	db := openTestDB(t)
	till := &cardbot.APIKey{Name: "till", Hash: []byte{0xde, 0xad}, Prefix: "cb_12", CreatedAt: testTime}
	crm := &cardbot.APIKey{Name: "crm", Hash: []byte{0xbe, 0xef}, Revoked: true}
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		if err := tx.CreateAPIKey(till); err != nil {
			return err
		}
		return tx.CreateAPIKey(crm)
	})
	mustView(t, db, func(tx cardbot.Tx) error {
		got, err := tx.APIKeyByHash([]byte{0xde, 0xad})
		if err != nil || got.ID != till.ID || got.Name != "till" || !bytes.Equal(got.Hash, till.Hash) {
			t.Fatalf("APIKeyByHash: %+v, %v", got, err)
		}
		_, err = tx.APIKeyByHash([]byte{1})
		wantCode(t, err, cardbot.NotFound, "API key not found")
		all, err := tx.APIKeys()
		if err != nil || len(all) != 2 || all[0].Name != "till" || !all[1].Revoked {
			t.Fatalf("APIKeys: %+v, %v", all, err)
		}
		return nil
	})
	err := db.Update(t.Context(), func(tx cardbot.Tx) error {
		return tx.CreateAPIKey(&cardbot.APIKey{Name: "copy", Hash: []byte{0xde, 0xad}})
	})
	wantCode(t, err, cardbot.Conflict, "this key already belongs to API key 1")
	err = db.Update(t.Context(), func(tx cardbot.Tx) error { return tx.CreateAPIKey(&cardbot.APIKey{Name: "no hash"}) })
	wantCode(t, err, cardbot.Invalid, "")
}

func TestIdempotencyRecordsAreRememberedAndReplaced(t *testing.T) {
	db := openTestDB(t)
	mustView(t, db, func(tx cardbot.Tx) error {
		if r, err := tx.Idempotent("api:key-1"); r != nil || err != nil {
			t.Fatalf("absent record: %+v, %v; want nil, nil", r, err)
		}
		return nil
	})
	for _, status := range []int{201, 409} {
		mustUpdate(t, db, func(tx cardbot.Tx) error {
			return tx.PutIdempotent(&cardbot.Idempotent{Key: "api:key-1", RequestHash: []byte{1}, Status: status,
				Body: []byte(`{"id":1}`), At: testTime})
		})
	}
	mustView(t, db, func(tx cardbot.Tx) error {
		r, err := tx.Idempotent("api:key-1")
		if err != nil || r.Status != 409 || string(r.Body) != `{"id":1}` || !r.At.Equal(testTime) {
			t.Fatalf("Idempotent: %+v, %v", r, err)
		}
		return nil
	})
	err := db.Update(t.Context(), func(tx cardbot.Tx) error { return tx.PutIdempotent(&cardbot.Idempotent{}) })
	wantCode(t, err, cardbot.Invalid, "")
}
