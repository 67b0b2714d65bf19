package minisite

import (
	"sync"
	"time"

	"cardbot"
)

// The mini-site form accepts formTries submissions per IP address in formWindow.
const (
	formTries  = 10
	formWindow = 10 * time.Minute
	// maxTrackedIPs bounds the limiter's memory: past it, windows that ended are swept, and if every
	// address is still inside its window the oldest window is dropped.
	maxTrackedIPs = 50000
)

// ipLimits counts form submissions per IP address in fixed windows.
type ipLimits struct {
	clock  cardbot.Clock
	tries  int
	window time.Duration

	mu sync.Mutex
	m  map[string]*ipWindow
}

type ipWindow struct {
	start time.Time
	n     int
}

func newIPLimits(clock cardbot.Clock, tries int, window time.Duration) *ipLimits {
	return &ipLimits{clock: clock, tries: tries, window: window, m: map[string]*ipWindow{}}
}

// allow counts one try from ip and reports whether it is within the limit.
func (l *ipLimits) allow(ip string) bool {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.m[ip]
	if w == nil || now.Sub(w.start) >= l.window {
		if w == nil && len(l.m) >= maxTrackedIPs {
			l.sweep(now)
		}
		w = &ipWindow{start: now}
		l.m[ip] = w
	}
	w.n++
	return w.n <= l.tries
}

// sweep drops ended windows; when none has ended, it drops the oldest one.
func (l *ipLimits) sweep(now time.Time) {
	var oldest string
	for ip, w := range l.m {
		if now.Sub(w.start) >= l.window {
			delete(l.m, ip)
			continue
		}
		if oldest == "" || w.start.Before(l.m[oldest].start) {
			oldest = ip
		}
	}
	if len(l.m) >= maxTrackedIPs && oldest != "" {
		delete(l.m, oldest)
	}
}
