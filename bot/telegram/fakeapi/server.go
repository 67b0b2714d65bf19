// Package fakeapi is an in-process fake of Telegram's Bot API server.
//
// Tests and demos point the real go-telegram/bot client at it with
// bot.WithServerURL(fake.URL()). It speaks the same wire format as
// Telegram (POST /bot<token>/<method>, multipart, JSON or urlencoded
// bodies, {"ok":...} envelopes), holds getUpdates open like a real long
// poll, pushes updates to a webhook when one is set, and records what the
// bot sent so tests can assert on it. Test controls inject updates, fail
// calls on purpose and impose rate limits.
package fakeapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// User is a Telegram user as it appears in updates and getMe.
type User struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name,omitempty"`
	Username     string `json:"username,omitempty"`
	LanguageCode string `json:"language_code,omitempty"`
}

// Server is the fake Bot API. The zero value is not usable; call New.
type Server struct {
	token string
	me    User

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every state change
	now      func() time.Time
	chats    map[int64]*chat
	queue    []pending
	seq      uint64
	nextUpd  int64
	pollGen  int64
	hook     webhook
	sent     []Sent
	sentBy   map[int64][]int // chat → indexes into sent, so waiting on one chat does not scan every chat
	answers  []CallbackAnswer
	queries  map[string]*query
	nextQID  int
	files    map[string][]byte
	nextFile int
	commands map[string][]BotCommand
	calls    map[string]int
	failures map[failKey][]Failure
	limits   limiter

	closing   chan struct{}
	closeOnce sync.Once
	stop      context.CancelFunc // cancels webhook deliveries in flight
	stopCtx   context.Context
	workers   sync.WaitGroup
	hs        *httptest.Server
}

// New returns a fake serving the bot with this token. Requests with any
// other token are refused with 401, as Telegram does.
func New(token string) *Server {
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{
		token:    token,
		me:       botUser(token),
		changed:  make(chan struct{}),
		now:      time.Now,
		chats:    map[int64]*chat{},
		nextUpd:  1,
		queries:  map[string]*query{},
		files:    map[string][]byte{},
		commands: map[string][]BotCommand{},
		calls:    map[string]int{},
		failures: map[failKey][]Failure{},
		closing:  make(chan struct{}),
		stop:     cancel,
		stopCtx:  ctx,
	}
}

// botUser derives the bot's identity from its token, whose prefix before
// the colon is the bot id in real Telegram tokens.
func botUser(token string) User {
	id, _ := strconv.ParseInt(strings.SplitN(token, ":", 2)[0], 10, 64)
	return User{ID: id, IsBot: true, FirstName: "Fake Bot", Username: "fake_bot"}
}

// Me is the bot user returned by getMe; commands may be addressed to
// "/start@" + Me().Username.
func (s *Server) Me() User { return s.me }

// SetClock replaces the clock used for message dates, Sent.At and rate
// limiting. Long-poll and webhook timers always use real time.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// Start listens on a loopback port, like httptest.NewServer.
func (s *Server) Start() {
	s.hs = httptest.NewServer(s.Handler())
}

// URL is the base URL to hand to bot.WithServerURL; valid after Start.
func (s *Server) URL() string {
	if s.hs == nil {
		return ""
	}
	return s.hs.URL
}

// Close releases held long polls, stops webhook delivery and shuts the
// listener down. It must release the polls first: httptest.Server.Close
// waits for every request in flight.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		// Under the lock so no delivery goroutine starts after Wait below.
		s.mu.Lock()
		close(s.closing)
		s.mu.Unlock()
		s.stop()
	})
	if s.hs != nil {
		s.hs.Close()
	}
	s.workers.Wait()
}

// Handler serves the Bot API, for embedding in another server.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(s.serveHTTP)
}

// Calls counts requests for a method with the right token, failed ones
// included, so tests can assert on retries. Method names are
// case-insensitive, as in Telegram.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[strings.ToLower(method)]
}

// notifyLocked wakes everything waiting for a state change: long polls,
// the webhook worker and WaitSent.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) unixNowLocked() int64 { return s.now().Unix() }
