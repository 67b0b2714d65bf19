package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cardbot"

	bolt "go.etcd.io/bbolt"
)

func TestOpenCreatesAPrivateDirectoryAndFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new", "cardbot.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dir, _ := os.Stat(filepath.Dir(path))
	file, _ := os.Stat(path)
	if dir.Mode().Perm() != 0o700 || file.Mode().Perm() != 0o600 {
		t.Fatalf("directory %v, file %v; want 0700 and 0600", dir.Mode().Perm(), file.Mode().Perm())
	}
	if v := schemaVersionOf(t, db); v != SchemaVersion {
		t.Fatalf("new database has schema version %d, want %d", v, SchemaVersion)
	}
}

func schemaVersionOf(t *testing.T, db *DB) uint64 {
	t.Helper()
	var v uint64
	if err := db.bolt.View(func(btx *bolt.Tx) error { var err error; v, err = readVersion(btx); return err }); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestReopenedDatabaseKeepsRecordsIndexesAndSequences(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cardbot.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	anna := createClient(t, db, "+79990001122", tg)
	card := createCard(t, db, anna.ID, "0001", "tok")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mustView(t, db, func(tx cardbot.Tx) error {
		if c, err := tx.ClientByAddress(tg); err != nil || c.Phone != anna.Phone {
			t.Fatalf("client after reopen: %+v, %v", c, err)
		}
		if c, err := tx.CardByToken("tok"); err != nil || c.ID != card.ID {
			t.Fatalf("card after reopen: %+v, %v", c, err)
		}
		return nil
	})
	if next := createClient(t, db, ""); next.ID != 2 {
		t.Fatalf("client after reopen got id %d, want 2", next.ID)
	}
}

// setSchemaVersion rewrites the version of a closed database file, as a newer or older binary would
// have left it.
func setSchemaVersion(t *testing.T, path string, version uint64) {
	t.Helper()
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	if err := bdb.Update(func(btx *bolt.Tx) error { return writeVersion(btx, version) }); err != nil {
		t.Fatal(err)
	}
}

func newDatabaseFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cardbot.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	createClient(t, db, "+79990001122")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestNewerSchemaIsRefusedWithoutTouchingTheFile(t *testing.T) {
	path := newDatabaseFile(t)
	setSchemaVersion(t, path, SchemaVersion+1)
	before, _ := os.ReadFile(path)

	db, err := Open(path)
	if err == nil {
		db.Close()
		t.Fatal("Open accepted a newer schema")
	}
	want := fmt.Sprintf("database schema version %d is newer than this cardbot understands (%d): upgrade cardbot or restore a backup",
		SchemaVersion+1, SchemaVersion)
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not say %q", err, want)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("refusing a newer schema changed the file")
	}
}

func TestMigrationRunsOnceAndRecordsItsVersion(t *testing.T) {
	path := newDatabaseFile(t)
	runs := 0
	next := uint64(SchemaVersion + 1)
	toNext := schema{version: next, migrations: append(migrations(), func(btx *bolt.Tx) error {
		runs++
		// A real step would rewrite records; this one leaves a mark to check it ran in the same tx.
		b, err := btx.CreateBucket([]byte("v2_mark"))
		if err != nil {
			return err
		}
		return b.Put([]byte("ran"), []byte("yes"))
	})}
	for range 2 {
		db, err := open(path, toNext)
		if err != nil {
			t.Fatal(err)
		}
		if v := schemaVersionOf(t, db); v != next {
			t.Fatalf("schema version %d after migration, want %d", v, next)
		}
		mustView(t, db, func(tx cardbot.Tx) error {
			_, err := tx.ClientByPhone("+79990001122") // data and indexes survive
			return err
		})
		db.Close()
	}
	if runs != 1 {
		t.Fatalf("migration ran %d times over two opens, want once", runs)
	}
	// The migrated file is now too new for this binary.
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("schema version %d is newer", next)) {
		t.Fatalf("Open of a version %d file: %v", next, err)
	}
}

func TestFailedMigrationLeavesTheOldVersionAndData(t *testing.T) {
	path := newDatabaseFile(t)
	failing := schema{version: SchemaVersion + 1, migrations: append(migrations(), func(btx *bolt.Tx) error {
		if err := btx.DeleteBucket([]byte(bucketClients)); err != nil {
			return err
		}
		return errTest
	})}
	if _, err := open(path, failing); !errors.Is(err, errTest) {
		t.Fatalf("open with a failing migration: %v", err)
	}
	db, err := Open(path)
	if err != nil {
		t.Fatalf("reopen at the old version: %v", err)
	}
	defer db.Close()
	mustView(t, db, func(tx cardbot.Tx) error { _, err := tx.Client(1); return err })
}

func TestSchemaWithoutItsMigrationsIsRefused(t *testing.T) {
	_, err := open(filepath.Join(t.TempDir(), "cardbot.db"), schema{version: 3, migrations: nil})
	if err == nil {
		t.Fatal("a schema version without the migrations to reach it was accepted")
	}
}

func TestForeignBoltFileIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = bdb.Update(func(btx *bolt.Tx) error { _, err := btx.CreateBucket([]byte("widgets")); return err })
	bdb.Close()
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), "not a cardbot database") {
		t.Fatalf("Open of a foreign bolt file: %v", err)
	}
}

func TestSecondOpenOfTheSameFileSaysItIsLocked(t *testing.T) {
	db := openTestDB(t)
	second, err := Open(db.bolt.Path())
	if err == nil {
		second.Close()
		t.Fatal("a second Open of a file in use succeeded")
	}
	if !strings.Contains(err.Error(), "database is locked by another cardbot") {
		t.Fatalf("second Open: %v", err)
	}
}
