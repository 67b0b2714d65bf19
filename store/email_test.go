package store

import (
	"path/filepath"
	"slices"
	"testing"

	"cardbot"

	bolt "go.etcd.io/bbolt"
)

// clientsByEmail returns the ids of the clients with the address.
func clientsByEmail(t *testing.T, db *DB, address string) []uint64 {
	t.Helper()
	var ids []uint64
	mustView(t, db, func(tx cardbot.Tx) error {
		found, err := tx.ClientsByEmail(address)
		for _, c := range found {
			ids = append(ids, c.ID)
		}
		return err
	})
	return ids
}

func TestClientsByEmailFollowTheAddressInAnyCase(t *testing.T) {
	db := openTestDB(t)
	anna := &cardbot.Client{Name: "Anna", Email: "Anna@Example.com"}
	boris := &cardbot.Client{Name: "Boris", Email: "anna@example.com"} // the family mailbox
	other := &cardbot.Client{Name: "Vera", Email: "vera@example.com"}
	none := &cardbot.Client{Name: "Gleb"}
	for _, c := range []*cardbot.Client{anna, boris, other, none} {
		mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.CreateClient(c) })
	}
	if got := clientsByEmail(t, db, " ANNA@example.COM "); !slices.Equal(got, []uint64{anna.ID, boris.ID}) {
		t.Fatalf("clients of anna@example.com: %v, want %d and %d", got, anna.ID, boris.ID)
	}
	if got := clientsByEmail(t, db, "nobody@example.com"); len(got) != 0 {
		t.Fatalf("clients of an unknown address: %v", got)
	}
	if got := clientsByEmail(t, db, ""); len(got) != 0 {
		t.Fatalf("clients of no address: %v", got)
	}

	// Boris gets his own mailbox; Vera's is removed; Gleb adds one.
	boris.Email = "boris@example.com"
	other.Email = ""
	none.Email = "Gleb@example.com"
	for _, c := range []*cardbot.Client{boris, other, none} {
		mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.PutClient(c) })
	}
	for address, want := range map[string][]uint64{
		"anna@example.com":  {anna.ID},
		"boris@example.com": {boris.ID},
		"vera@example.com":  nil,
		"gleb@example.com":  {none.ID},
	} {
		if got := clientsByEmail(t, db, address); !slices.Equal(got, want) {
			t.Errorf("clients of %s after the changes: %v, want %v", address, got, want)
		}
	}
	// A change of case only keeps the one entry.
	anna.Email = "anna@example.com"
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.PutClient(anna) })
	if got := clientsByEmail(t, db, "anna@example.com"); !slices.Equal(got, []uint64{anna.ID}) {
		t.Fatalf("clients of anna@example.com after a change of case: %v", got)
	}
}

func TestClientsByEmailIncludeThoseStoredBeforeTheIndex(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cardbot.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	old := &cardbot.Client{Name: "Anna", Email: "Anna@example.com"}
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.CreateClient(old) })
	db.Close()
	db = reopenWithout(t, path, idxClientEmail)
	fresh := &cardbot.Client{Name: "Anna's son", Email: "anna@example.com"}
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.CreateClient(fresh) })
	if got := clientsByEmail(t, db, "anna@example.com"); !slices.Equal(got, []uint64{old.ID, fresh.ID}) {
		t.Fatalf("clients of anna@example.com: %v, want %d and %d", got, old.ID, fresh.ID)
	}
}

// reopenWithout turns the closed database at path into one from before an index (its bucket is
// missing) and opens it again, closing it when the test ends.
func reopenWithout(t *testing.T, path, index string) *DB {
	t.Helper()
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := bdb.Update(func(btx *bolt.Tx) error { return btx.DeleteBucket([]byte(index)) }); err != nil {
		t.Fatal(err)
	}
	bdb.Close()
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
