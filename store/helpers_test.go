package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"cardbot"
)

// openTestDB opens a fresh database in a directory that does not exist yet (Open must create it) and
// closes it when the test ends.
func openTestDB(t testing.TB) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "data", "cardbot.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func mustUpdate(t testing.TB, db *DB, fn func(cardbot.Tx) error) {
	t.Helper()
	if err := db.Update(context.Background(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func mustView(t testing.TB, db *DB, fn func(cardbot.Tx) error) {
	t.Helper()
	if err := db.View(context.Background(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// wantCode fails unless err carries the code and, when message is not empty, exactly that message.
func wantCode(t testing.TB, err error, code cardbot.ErrorCode, message string) {
	t.Helper()
	if got := cardbot.CodeOf(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
	if message != "" && cardbot.MessageOf(err) != message {
		t.Fatalf("message %q, want %q", cardbot.MessageOf(err), message)
	}
}

// createClient stores a client with the given phone and addresses and returns it.
func createClient(t testing.TB, db *DB, phone string, addrs ...cardbot.Address) *cardbot.Client {
	t.Helper()
	c := &cardbot.Client{Name: "Anna", Phone: phone, Channels: addrs, CreatedAt: testTime}
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.CreateClient(c) })
	return c
}

func createCard(t testing.TB, db *DB, clientID uint64, number, token string) *cardbot.Card {
	t.Helper()
	c := &cardbot.Card{ClientID: clientID, Number: number, Token: token, ProgramID: "bonus",
		Type: "bonus", Status: cardbot.CardActive, IssuedAt: testTime}
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.CreateCard(c) })
	return c
}

var testTime = time.Date(2025, 3, 15, 12, 30, 0, 0, time.UTC)

// holdWriter occupies the writer with an Update that waits until release is called, so the Updates
// sent meanwhile pile up in the queue and are gathered into one batch.
func holdWriter(t *testing.T, db *DB) (release func()) {
	t.Helper()
	started, gate := make(chan struct{}), make(chan struct{})
	result := make(chan error, 1)
	go func() {
		result <- db.Update(context.Background(), func(cardbot.Tx) error {
			close(started)
			<-gate
			return nil
		})
	}()
	<-started
	return func() {
		close(gate)
		if err := <-result; err != nil {
			t.Errorf("holding update: %v", err)
		}
	}
}

// waitQueued waits until n Updates are waiting in the queue.
func waitQueued(t *testing.T, db *DB, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(db.queue) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d updates queued, want %d", len(db.queue), n)
		}
		time.Sleep(time.Millisecond)
	}
}

var errTest = errors.New("test failure")
