package telegram

import "time"

// WithPollTimings shortens the long-poll loop's pauses and attempt limit, so tests of retries and
// give-ups take milliseconds.
func WithPollTimings(minBackoff, maxBackoff time.Duration, maxAttempts int) Option {
	return func(a *Adapter) {
		a.poll.minBackoff, a.poll.maxBackoff, a.poll.maxAttempts = minBackoff, maxBackoff, maxAttempts
	}
}
