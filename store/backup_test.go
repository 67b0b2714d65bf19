package store

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cardbot"
)

func TestBackupWhileWritingIsConsistent(t *testing.T) {
	db := openTestDB(t)
	var stop atomic.Bool
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				// Each update creates a client and counts it: a consistent copy has count == clients.
				err := db.Update(t.Context(), func(tx cardbot.Tx) error {
					if _, err := tx.NextSequence("created"); err != nil {
						return err
					}
					return tx.CreateClient(&cardbot.Client{Phone: fmt.Sprintf("+7%02d%08d", w, i)})
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for db.commits.Load() < 3 {
		time.Sleep(time.Millisecond) // let the writers get going, so every backup races with them
	}
	dir := t.TempDir()
	for i := range 5 {
		path := filepath.Join(dir, fmt.Sprintf("backup-%d.db", i))
		if err := db.BackupFile(path); err != nil {
			t.Fatal(err)
		}
		checkBackup(t, path)
	}
	stop.Store(true)
	wg.Wait()
}

// checkBackup opens a backup as a database and checks the counter, the records and the phone index
// agree.
func checkBackup(t *testing.T, path string) {
	t.Helper()
	db, err := Open(path)
	if err != nil {
		t.Fatalf("backup does not open: %v", err)
	}
	defer db.Close()
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		created, err := tx.NextSequence("created")
		if err != nil {
			return err
		}
		clients, err := tx.Clients(0, 0)
		if err != nil {
			return err
		}
		if uint64(len(clients)) != created-1 {
			t.Fatalf("backup counted %d clients but holds %d", created-1, len(clients))
		}
		for _, c := range clients {
			if byPhone, err := tx.ClientByPhone(c.Phone); err != nil || byPhone.ID != c.ID {
				t.Fatalf("backup phone index for client %d: %v", c.ID, err)
			}
		}
		t.Logf("backup %s: %d clients", filepath.Base(path), len(clients))
		return nil
	})
}

func TestBackupToWriterReportsItsSize(t *testing.T) {
	db := openTestDB(t)
	createClient(t, db, "+79990001122")
	var buf bytes.Buffer
	n, err := db.Backup(&buf)
	if err != nil || n != int64(buf.Len()) || n == 0 {
		t.Fatalf("Backup: %d bytes reported, %d written, %v", n, buf.Len(), err)
	}
}

func TestBackupFileReplacesAnOldBackupAndLeavesNoTemporary(t *testing.T) {
	db := openTestDB(t)
	path := filepath.Join(t.TempDir(), "backup.db")
	if err := os.WriteFile(path, []byte("old backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := db.BackupFile(path); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + ".tmp"); !os.IsNotExist(err) {
		t.Fatalf("temporary file left behind: %v", err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Fatalf("backup mode %v, want 0600", info.Mode().Perm())
	}
	checkBackup(t, path)
}

func TestBackupFileRefusesTheLiveDatabase(t *testing.T) {
	db := openTestDB(t)
	createClient(t, db, "+79990001122")
	live := db.bolt.Path()
	link := filepath.Join(t.TempDir(), "link.db")
	if err := os.Symlink(live, link); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{live, link, filepath.Join(filepath.Dir(live), ".", filepath.Base(live))} {
		wantCode(t, db.BackupFile(path), cardbot.Invalid, "")
	}
	// The database is untouched and still serving.
	mustView(t, db, func(tx cardbot.Tx) error { _, err := tx.ClientByPhone("+79990001122"); return err })
}
