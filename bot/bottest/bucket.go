// Package bottest holds what tests of the dispatcher and of its users share: the rate limit a fake
// channel enforces on its own.
package bottest

import (
	"sync"
	"time"
)

// Bucket is a token bucket of rate tokens a second holding at most burst, full at first: the rule a
// channel that limits its own rate enforces. A burst of one is the strictest limiter there is: every
// send must come a full 1/rate after the one before; a burst of one second's worth is Telegram's
// "about 30 messages per second", as the fake Bot API has it.
type Bucket struct {
	rate, burst float64

	mu     sync.Mutex
	tokens float64
	last   time.Time
}

// NewBucket returns a full bucket.
func NewBucket(rate, burst float64) *Bucket {
	return &Bucket{rate: rate, burst: burst, tokens: burst}
}

// Take spends a token at now if there is one, or returns how long until there is.
func (b *Bucket) Take(now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.last.IsZero() {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
	if b.tokens < 1 {
		return time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
	}
	b.tokens--
	return 0
}

// RetryAfter is the retry_after a 429 gives for a wait: whole seconds, rounded up, as Telegram's is.
func RetryAfter(wait time.Duration) time.Duration {
	return wait.Truncate(time.Second) + time.Second
}
