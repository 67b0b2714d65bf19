// Package cardbot holds the domain of a self-hosted loyalty programme run inside messengers:
// clients, cards, programmes, ledger operations, configuration, error codes and the small
// interfaces that the other packages speak through. It imports the standard library only.
//
// The packages below it each own one concern (see DESIGN.md in the repository):
//
//	wallet/   loyalty rules: issuing cards, accruals, redemptions, tiers, stamps, expiry
//	store/    the bbolt database behind the Store and Tx interfaces
//	admin/    the owner's page and the REST API
//	cmd/      main and the wiring
package cardbot

import (
	"sync"
	"time"
)

// Clock tells the time. Every package takes one instead of calling time.Now, so tests can move it.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns the current wall-clock time.
func (SystemClock) Now() time.Time { return time.Now() }

// ManualClock is a clock that moves only when told to: tests and simulations use it.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock returns a clock standing at t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{now: t} }

// Now returns the time the clock stands at.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set puts the clock at t.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}
