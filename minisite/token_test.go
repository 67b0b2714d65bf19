package minisite_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"cardbot"
)

// A wrong card token is answered 404 after the same store work as a right one begins with: one seek
// in the token index with the token as given. Nothing compares tokens character by character, so a
// token that is right but for its last character costs exactly what an unrelated one costs, and a
// token of the wrong shape never reaches the store. (How long each takes is measured, not asserted:
// BenchmarkCardPageWrongToken in cmd/cardbot, figures in BENCHMARKS.md.)
func TestAWrongCardTokenCostsTheSameLookupAsARightOne(t *testing.T) {
	var reads readLog
	r := newRigOn(t, reads.watch)
	b := r.browser()
	right := strings.TrimPrefix(b.submit("tverskaya", anna()).header.Get("Location"), "/c/")
	if right == "" {
		t.Fatal("the form did not lead to a card page")
	}
	last := byte('a')
	if right[len(right)-1] == 'a' {
		last = 'b'
	}
	near := right[:len(right)-1] + string(last)
	unrelated := strings.Repeat("z", len(right))

	for _, suffix := range []string{"", "/card.png", "/qr.svg"} {
		view := func(token string, want int) []string {
			t.Helper()
			reads.take()
			if p := b.get("/c/" + token + suffix); p.status != want {
				t.Fatalf("/c/%s%s: status %d, want %d", token, suffix, p.status, want)
			}
			return reads.take()
		}
		rightReads := view(right, 200)
		nearReads := view(near, 404)
		unrelatedReads := view(unrelated, 404)

		if len(rightReads) == 0 || rightReads[0] != "CardByToken("+right+")" {
			t.Fatalf("%s: a right token's view begins with %q, want the token seek", suffix, rightReads)
		}
		if want := []string{"CardByToken(" + near + ")"}; !slices.Equal(nearReads, want) {
			t.Fatalf("%s: a nearly right token read %q, want only %q", suffix, nearReads, want)
		}
		if want := []string{"CardByToken(" + unrelated + ")"}; !slices.Equal(unrelatedReads, want) {
			t.Fatalf("%s: an unrelated token read %q, want only %q", suffix, unrelatedReads, want)
		}
		for _, junk := range []string{"short", strings.ToUpper(right), strings.Repeat("a", 200), right + "!"} {
			if got := view(junk, 404); len(got) != 0 {
				t.Fatalf("%s: the malformed token %q reached the store: %q", suffix, junk, got)
			}
		}
	}
}

// readLog records the card and client reads the pages make, in order.
type readLog struct {
	mu    sync.Mutex
	reads []string
}

func (l *readLog) add(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reads = append(l.reads, fmt.Sprintf(format, args...))
}

// take returns the reads so far and starts over.
func (l *readLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.reads
	l.reads = nil
	return r
}

func (l *readLog) watch(s cardbot.Store) cardbot.Store { return watchedStore{s, l} }

type watchedStore struct {
	cardbot.Store
	log *readLog
}

func (s watchedStore) View(ctx context.Context, fn func(cardbot.Tx) error) error {
	return s.Store.View(ctx, func(tx cardbot.Tx) error { return fn(watchedTx{tx, s.log}) })
}

func (s watchedStore) Update(ctx context.Context, fn func(cardbot.Tx) error) error {
	return s.Store.Update(ctx, func(tx cardbot.Tx) error { return fn(watchedTx{tx, s.log}) })
}

// watchedTx logs every way a transaction can find a card or a client.
type watchedTx struct {
	cardbot.Tx
	log *readLog
}

func (tx watchedTx) CardByToken(token string) (*cardbot.Card, error) {
	tx.log.add("CardByToken(%s)", token)
	return tx.Tx.CardByToken(token)
}

func (tx watchedTx) Card(id uint64) (*cardbot.Card, error) {
	tx.log.add("Card(%d)", id)
	return tx.Tx.Card(id)
}

func (tx watchedTx) CardByNumber(number string) (*cardbot.Card, error) {
	tx.log.add("CardByNumber(%s)", number)
	return tx.Tx.CardByNumber(number)
}

func (tx watchedTx) ClientCards(clientID uint64) ([]*cardbot.Card, error) {
	tx.log.add("ClientCards(%d)", clientID)
	return tx.Tx.ClientCards(clientID)
}

func (tx watchedTx) CardOperations(cardID, before uint64, limit int) ([]*cardbot.Operation, error) {
	tx.log.add("CardOperations(%d)", cardID)
	return tx.Tx.CardOperations(cardID, before, limit)
}

func (tx watchedTx) Client(id uint64) (*cardbot.Client, error) {
	tx.log.add("Client(%d)", id)
	return tx.Tx.Client(id)
}

func (tx watchedTx) Clients(after uint64, limit int) ([]*cardbot.Client, error) {
	tx.log.add("Clients(%d)", after)
	return tx.Tx.Clients(after, limit)
}
