package store

import (
	"testing"

	"cardbot"
)

func TestPutAPIKeySavesTheChangeAndKeepsItFoundByHash(t *testing.T) {
	db := openTestDB(t)
	till := &cardbot.APIKey{Name: "till", Hash: []byte{1, 2}, Prefix: "cb_12345", CreatedAt: testTime}
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.CreateAPIKey(till) })
	revoked := *till
	revoked.Revoked, revoked.RevokedAt = true, testTime
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.PutAPIKey(&revoked) })
	mustView(t, db, func(tx cardbot.Tx) error {
		got, err := tx.APIKeyByHash([]byte{1, 2})
		if err != nil || got.ID != till.ID || !got.Revoked || !got.RevokedAt.Equal(testTime) {
			t.Fatalf("after PutAPIKey: %+v, %v", got, err)
		}
		return nil
	})
	err := db.Update(t.Context(), func(tx cardbot.Tx) error {
		return tx.PutAPIKey(&cardbot.APIKey{ID: 99, Name: "ghost", Hash: []byte{3}})
	})
	wantCode(t, err, cardbot.NotFound, "API key 99 not found")
	err = db.Update(t.Context(), func(tx cardbot.Tx) error {
		return tx.CreateAPIKey(&cardbot.APIKey{Name: "copy", Hash: []byte{1, 2}})
	})
	wantCode(t, err, cardbot.Conflict, "")
}
