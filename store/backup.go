package store

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"cardbot"

	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the database to w while it keeps serving: the copy is one read
// transaction's snapshot, so writers are not blocked. It returns the number of bytes written.
func (db *DB) Backup(w io.Writer) (int64, error) {
	var n int64
	err := db.view(func(btx *bolt.Tx) error {
		var err error
		n, err = btx.WriteTo(w)
		return err
	})
	return n, err
}

// BackupFile writes a copy to path through path+".tmp", synced and renamed into place, so path always
// holds either the previous backup or a complete new one. It refuses to write over the live database.
func (db *DB) BackupFile(path string) error {
	tmp := path + ".tmp"
	if err := db.refuseLiveFile(path, tmp); err != nil {
		return err
	}
	if err := db.writeSynced(tmp); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("store: backup: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

// refuseLiveFile fails when any of paths is the database file itself (also through a link).
func (db *DB) refuseLiveFile(paths ...string) error {
	live, err := os.Stat(db.bolt.Path())
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	for _, p := range paths {
		info, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("store: backup: %w", err)
		}
		if os.SameFile(info, live) {
			return cardbot.Errorf(cardbot.Invalid, "%s is the live database: choose another backup path", p)
		}
	}
	return nil
}

func (db *DB) writeSynced(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	if _, err := db.Backup(f); err != nil {
		_ = f.Close()
		return fmt.Errorf("store: backup: %w", err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("store: backup: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	return nil
}

// syncDir makes the rename itself durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("store: backup: sync %s: %w", dir, err)
	}
	return nil
}
