package cardbot_test

import (
	"fmt"
	"testing"
	"time"

	"cardbot"
)

// Ten tries in ten minutes: the eleventh waits until the first leaves the window, not a whole new
// window, and refused tries do not push the end further away.
func TestIPLimiterSlidingWindow(t *testing.T) {
	clock := cardbot.NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	l := cardbot.NewIPLimiter(clock, 10, 10*time.Minute)
	for i := range 10 {
		if !l.Allow("198.51.100.1") {
			t.Fatalf("try %d refused", i+1)
		}
		clock.Advance(30 * time.Second) // tries at 12:00, 12:00:30 … 12:04:30
	}
	clock.Set(time.Date(2026, 3, 1, 12, 9, 0, 0, time.UTC))
	if l.Allow("198.51.100.1") || !l.Spent("198.51.100.1") {
		t.Fatal("the 11th try in ten minutes was allowed")
	}
	if got := l.RetryAfter("198.51.100.1"); got != 60 {
		t.Fatalf("Retry-After %d s, want 60: the first try leaves the window at 12:10", got)
	}
	if !l.Allow("198.51.100.2") {
		t.Fatal("another visitor was refused")
	}
	clock.Set(time.Date(2026, 3, 1, 12, 10, 0, 0, time.UTC))
	if !l.Allow("198.51.100.1") {
		t.Fatal("after the first try left the window the visitor was still refused")
	}
	if l.Allow("198.51.100.1") {
		t.Fatal("only one try came free, two were allowed")
	}
	if w := l.Wait("198.51.100.1"); w != 30*time.Second {
		t.Fatalf("Wait %v, want 30s: until the second try leaves the window", w)
	}
}

// A wrong password counts with Add; Spent asks without counting.
func TestIPLimiterAddAndSpent(t *testing.T) {
	clock := cardbot.NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	l := cardbot.NewIPLimiter(clock, 3, time.Minute)
	for range 3 {
		if l.Spent("203.0.113.5") {
			t.Fatal("spent before three failures")
		}
		l.Add("203.0.113.5")
	}
	if !l.Spent("203.0.113.5") || l.RetryAfter("203.0.113.5") != 60 {
		t.Fatalf("after three failures: spent %v, retry after %d s", l.Spent("203.0.113.5"), l.RetryAfter("203.0.113.5"))
	}
	clock.Advance(time.Minute)
	if l.Spent("203.0.113.5") {
		t.Fatal("still spent a minute later")
	}
}

// A phone on IPv6 has a whole /64: changing the last bits does not make a new visitor; another /64 is one.
func TestIPLimiterCountsIPv6ByItsSlash64(t *testing.T) {
	clock := cardbot.NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	l := cardbot.NewIPLimiter(clock, 2, time.Minute)
	l.Allow("2001:db8:1:2::1")
	l.Allow("2001:db8:1:2:ffff::9")
	if l.Allow("2001:db8:1:2:abcd::1") {
		t.Fatal("a third address of the same /64 was a new visitor")
	}
	if !l.Allow("2001:db8:1:3::1") {
		t.Fatal("the next /64 was refused")
	}
}

// A spray from very many addresses keeps the memory bounded and the limiter working.
func TestIPLimiterForgetsWhenFull(t *testing.T) {
	clock := cardbot.NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	l := cardbot.NewIPLimiter(clock, 1, time.Hour)
	for i := range 60000 {
		l.Allow(fmt.Sprintf("10.%d.%d.%d", i>>16, i>>8&255, i&255))
	}
	if !l.Allow("198.51.100.1") || l.Allow("198.51.100.1") {
		t.Fatal("after the spray a new visitor is not limited as before")
	}
}
