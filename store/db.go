package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"cardbot"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// lockTimeout bounds the wait for bolt's file lock, so a second cardbot started on the same file fails
// fast with a clear message instead of hanging.
const lockTimeout = time.Second

// initialMmapSize is address space, not memory or disk. bolt must remap to grow past it, and a remap
// waits for every open read transaction, so a long Backup or View would stall the writer; mapping
// generously up front keeps readers and the writer independent until the file outgrows it.
const initialMmapSize = 256 << 20

// DB is the cardbot database: one bolt file and the writer goroutine that commits Updates in groups.
type DB struct {
	bolt *bolt.DB

	// queue carries Updates to the writer. closeMu guards sending against Close closing it.
	queue   chan *request
	closeMu sync.RWMutex
	closed  bool

	writerDone chan struct{}
	closeOnce  func() error

	commits atomic.Uint64 // bolt commits made by the writer, so tests can see grouping
}

var _ cardbot.Store = (*DB)(nil)

// Open opens the database at path, creating the directory (0700) and the file (0600) when missing, and
// brings its schema up to SchemaVersion. It refuses a file written by a newer cardbot and a file
// another process has open.
func Open(path string) (*DB, error) {
	return open(path, currentSchema())
}

func open(path string, s schema) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout, InitialMmapSize: initialMmapSize})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("store: open %s: database is locked by another cardbot: %w", path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := upgrade(bdb, s); err != nil {
		_ = bdb.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db := &DB{
		bolt:       bdb,
		queue:      make(chan *request, queueSize),
		writerDone: make(chan struct{}),
	}
	db.closeOnce = sync.OnceValue(db.close)
	go db.runWriter()
	return db, nil
}

// Close stops taking Updates, lets the writer finish those already queued, waits for open View
// transactions and closes the file. Calling it again returns the first call's result.
func (db *DB) Close() error {
	return db.closeOnce()
}

func (db *DB) close() error {
	db.closeMu.Lock()
	db.closed = true
	close(db.queue)
	db.closeMu.Unlock()
	<-db.writerDone
	return db.bolt.Close()
}

// View runs fn in a read-only bolt transaction. Many Views run at once and alongside the writer.
// fn must not call Update: the writer may need the read transaction to end before it can grow the file.
func (db *DB) View(ctx context.Context, fn func(cardbot.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.view(func(btx *bolt.Tx) error { return fn(&tx{btx: btx}) })
}

// view runs fn in a bolt read transaction, reporting a closed database as Unavailable.
func (db *DB) view(fn func(*bolt.Tx) error) error {
	began := false
	err := db.bolt.View(func(btx *bolt.Tx) error {
		began = true
		return fn(btx)
	})
	if !began && errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return errClosed()
	}
	return err
}

func errClosed() error {
	return cardbot.Errorf(cardbot.Unavailable, "the database is closed")
}
