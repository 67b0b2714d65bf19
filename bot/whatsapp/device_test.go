package whatsapp

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Open creates the SQLite device store with the pure-Go driver (this test also runs with
// CGO_ENABLED=0), keeps other processes out while open, and lets them in after Close.
func TestOpen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data dir #1") // a path SQLite must get escaped
	ctx := context.Background()
	d, err := Open(ctx, dir, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, "whatsapp.db"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Size() == 0 {
		t.Fatal("the store has no tables")
	}
	if mode := info.Mode().Perm(); mode&0o077 != 0 {
		t.Fatalf("the store is readable by others: %v", mode)
	}
	if d.Phone() != "" || !d.Client().OwnID().IsEmpty() {
		t.Fatal("a new device claims to be paired")
	}
	if _, err := Open(ctx, dir, quietLog()); !errors.Is(err, ErrInUse) {
		t.Fatalf("a second Open: %v, want ErrInUse", err)
	}
	a := New(d.Client(), &recorder{}, quietLog())
	if s := a.Status(); s.State != StateNotPaired {
		t.Fatalf("state %s", s.State)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	d, err = Open(ctx, dir, quietLog())
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
}
