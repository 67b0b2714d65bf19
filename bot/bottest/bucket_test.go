package bottest

import (
	"testing"
	"time"
)

func TestBucketOfOneWantsAFullIntervalBetweenSends(t *testing.T) {
	b := NewBucket(30, 1)
	start := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	if wait := b.Take(start); wait != 0 {
		t.Fatalf("first send waits %v", wait)
	}
	// 33.3 ms is 1/30 s less 33 µs: refused, with the rest of the interval to wait.
	if wait := b.Take(start.Add(33300 * time.Microsecond)); wait <= 0 || wait > 100*time.Microsecond {
		t.Fatalf("a send short of 1/30 s waits %v, want the few µs left", wait)
	}
	if wait := b.Take(start.Add(time.Second / 30).Add(time.Microsecond)); wait != 0 {
		t.Fatalf("a send 1/30 s after the last one taken waits %v", wait)
	}
}

func TestBucketOfASecondsWorthTakesABurstThenTheRate(t *testing.T) {
	b := NewBucket(30, 30)
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for i := range 30 {
		if wait := b.Take(at); wait != 0 {
			t.Fatalf("send %d of the burst waits %v", i+1, wait)
		}
	}
	if wait := b.Take(at); wait <= 0 {
		t.Fatal("the 31st send at once was taken")
	}
	if wait := b.Take(at.Add(time.Second / 30).Add(time.Microsecond)); wait != 0 {
		t.Fatalf("a send once a token came back waits %v", wait)
	}
}

func TestRetryAfterIsWholeSecondsRoundedUp(t *testing.T) {
	for wait, want := range map[time.Duration]time.Duration{
		time.Millisecond: time.Second, 999 * time.Millisecond: time.Second, 1500 * time.Millisecond: 2 * time.Second,
	} {
		if got := RetryAfter(wait); got != want {
			t.Errorf("RetryAfter(%v) = %v, want %v", wait, got, want)
		}
	}
}
