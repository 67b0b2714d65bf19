package fakeapi

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"
)

// Failure is an error answer the fake gives on purpose.
type Failure struct {
	Code        int    // HTTP status and error_code
	Description string // Telegram's description text
	RetryAfter  int    // seconds; sent as parameters.retry_after when > 0
}

// TooManyRequests is Telegram's flood-control answer.
func TooManyRequests(retryAfter int) Failure {
	return Failure{
		Code:        http.StatusTooManyRequests,
		Description: fmt.Sprintf("Too Many Requests: retry after %d", retryAfter),
		RetryAfter:  retryAfter,
	}
}

// Blocked is the answer for a user who blocked the bot: permanent, the
// cascade should fall back to another channel.
func Blocked() Failure {
	return Failure{Code: http.StatusForbidden, Description: "Forbidden: bot was blocked by the user"}
}

// ServerError is a passing failure on Telegram's side.
func ServerError() Failure {
	return Failure{Code: http.StatusInternalServerError, Description: "Internal Server Error"}
}

func (f Failure) apiError() *apiError {
	return &apiError{Code: f.Code, Description: f.Description, RetryAfter: f.RetryAfter}
}

type failKey struct {
	method string
	chat   int64
}

// FailNext makes the next call of method for chatID answer with failure.
// chatID 0 matches any chat (and methods without one, like getUpdates).
// Calls queue up: FailNext twice fails the next two calls.
func (s *Server) FailNext(method string, chatID int64, failure Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := failKey{strings.ToLower(method), chatID}
	s.failures[k] = append(s.failures[k], failure)
}

// BlockBy makes chatID's user block the bot: every later send, edit or
// delete in that chat answers 403 until Unblock.
func (s *Server) BlockBy(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatLocked(chatID).blocked = true
}

// Unblock undoes BlockBy, as when the user restarts the bot.
func (s *Server) Unblock(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatLocked(chatID).blocked = false
}

// SetRateLimit makes chat-scoped methods (sends, edits, deletes) answer
// 429 with retry_after when more than perSecond calls in total, or more
// than perChat calls to one chat, arrive per second. Each budget allows a
// burst of one second's worth. Zero turns a limit off; both start off.
// Telegram documents about 30/s overall and 1/s per chat.
func (s *Server) SetRateLimit(perSecond, perChat float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = limiter{global: perSecond, perChat: perChat}
}

// gate applies injected failures, blocks and rate limits before a method
// runs, in that order: a test's explicit FailNext wins over the rest.
func (s *Server) gate(method string, chatScoped bool, f *form) *apiError {
	chatID, _ := f.chatID()
	s.mu.Lock()
	defer s.mu.Unlock()
	if fail, ok := s.popFailureLocked(method, chatID); ok {
		return fail.apiError()
	}
	if !chatScoped || chatID == 0 {
		return nil
	}
	if c := s.chats[chatID]; c != nil && c.blocked {
		return Blocked().apiError()
	}
	if wait, ok := s.limits.allow(s.now(), chatID); !ok {
		return TooManyRequests(wait).apiError()
	}
	return nil
}

func (s *Server) popFailureLocked(method string, chatID int64) (Failure, bool) {
	for _, k := range []failKey{{method, chatID}, {method, 0}} {
		if q := s.failures[k]; len(q) > 0 {
			s.failures[k] = q[1:]
			return q[0], true
		}
	}
	return Failure{}, false
}

// limiter is a pair of token buckets. Hand-rolled rather than
// golang.org/x/time/rate because it must run on the injected clock and
// report Telegram's whole-second retry_after.
type limiter struct {
	global, perChat float64
	all             bucket
	chats           map[int64]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// allow takes one token from both buckets, or none, returning the
// seconds to wait when either is empty.
func (l *limiter) allow(now time.Time, chatID int64) (retryAfter int, ok bool) {
	if l.global <= 0 && l.perChat <= 0 {
		return 0, true
	}
	if l.chats == nil {
		l.chats = map[int64]*bucket{}
	}
	cb := l.chats[chatID]
	if cb == nil {
		cb = &bucket{}
		l.chats[chatID] = cb
	}
	waitAll := l.all.refill(now, l.global)
	waitChat := cb.refill(now, l.perChat)
	if wait := max(waitAll, waitChat); wait > 0 {
		return int(math.Ceil(wait.Seconds())), false
	}
	l.all.take(l.global)
	cb.take(l.perChat)
	return 0, true
}

// refill tops the bucket up for the time elapsed and returns how long
// until a token is available (0 if one is, or if rate is off).
func (b *bucket) refill(now time.Time, rate float64) time.Duration {
	if rate <= 0 {
		return 0
	}
	burst := max(1, rate)
	if b.last.IsZero() {
		b.tokens = burst
	} else if now.After(b.last) {
		b.tokens = min(burst, b.tokens+now.Sub(b.last).Seconds()*rate)
	}
	b.last = now
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / rate * float64(time.Second))
}

func (b *bucket) take(rate float64) {
	if rate > 0 {
		b.tokens--
	}
}
