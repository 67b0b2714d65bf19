package cardbot

import (
	"net/netip"
	"sync"
	"time"
)

// limiterBudget bounds an IPLimiter's memory: it keeps at most this many event times (8 bytes each),
// so 50,000 addresses at 10 events each, fewer at a larger limit. Past it, addresses whose window has
// passed are forgotten, and when that frees too little, arbitrary ones.
const limiterBudget = 500_000

// IPLimiter allows each client address at most n events in any window of the given length (a sliding
// window: the times of the last n counted events are kept). It is the one per-IP limit of the HTTP
// side: admin logins, mini-site forms, unsubscribe pages, new web chats. An IPv6 address counts with
// its /64, the block one home or phone gets, so a visitor cannot step around the limit by changing
// the last bits of the address. Addresses come from c.IP(), which knows the trusted proxies.
type IPLimiter struct {
	clock   Clock
	n       int
	window  time.Duration
	maxKeys int

	mu   sync.Mutex
	seen map[string][]int64 // key → times (Unix ns) of the counted events, oldest first, at most n
}

// NewIPLimiter allows n events per address in window.
func NewIPLimiter(clock Clock, n int, window time.Duration) *IPLimiter {
	n = max(n, 1)
	return &IPLimiter{clock: clock, n: n, window: window, maxKeys: max(limiterBudget/n, 100), seen: map[string][]int64{}}
}

// Allow counts one event from ip and reports true, or reports false, counting nothing, when ip has
// used up its events for now.
func (l *IPLimiter) Allow(ip string) bool {
	key, now := ipKey(ip), l.clock.Now().UnixNano()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.recent(key, now)) >= l.n {
		return false
	}
	l.add(key, now)
	return true
}

// Add counts one event from ip whatever the count (a wrong password already tried, say).
func (l *IPLimiter) Add(ip string) {
	key, now := ipKey(ip), l.clock.Now().UnixNano()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recent(key, now)
	l.add(key, now)
}

// Spent reports whether ip has used up its events for now, counting nothing.
func (l *IPLimiter) Spent(ip string) bool {
	key, now := ipKey(ip), l.clock.Now().UnixNano()
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recent(key, now)) >= l.n
}

// Wait is how long until ip may have an event again: 0 when it may now.
func (l *IPLimiter) Wait(ip string) time.Duration {
	key, now := ipKey(ip), l.clock.Now().UnixNano()
	l.mu.Lock()
	defer l.mu.Unlock()
	times := l.recent(key, now)
	if len(times) < l.n {
		return 0
	}
	return time.Duration(times[len(times)-l.n] + int64(l.window) - now)
}

// RetryAfter is Wait in whole seconds, rounded up, for a Retry-After header.
func (l *IPLimiter) RetryAfter(ip string) int {
	return int((l.Wait(ip) + time.Second - 1) / time.Second)
}

// recent drops the key's events that left the window and returns the rest; the caller holds mu.
func (l *IPLimiter) recent(key string, now int64) []int64 {
	times := l.seen[key]
	i := 0
	for i < len(times) && now-times[i] >= int64(l.window) {
		i++
	}
	if i == len(times) {
		delete(l.seen, key)
		return nil
	}
	if i > 0 {
		times = append(times[:0], times[i:]...)
		l.seen[key] = times
	}
	return times
}

// add records an event, keeping the last n; the caller holds mu and has called recent.
func (l *IPLimiter) add(key string, now int64) {
	times, known := l.seen[key]
	if !known && len(l.seen) >= l.maxKeys {
		l.sweep(now)
	}
	if len(times) >= l.n {
		times = append(times[:0], times[len(times)-l.n+1:]...)
	}
	l.seen[key] = append(times, now)
}

// sweep forgets addresses whose events all left the window; when that frees less than a tenth of
// the room, it forgets arbitrary addresses too (a spray from that many addresses is beyond what a
// per-IP limit can stop), so sweeps stay rare and each new address costs little on average.
func (l *IPLimiter) sweep(now int64) {
	for k := range l.seen {
		l.recent(k, now)
	}
	for k := range l.seen {
		if len(l.seen) < l.maxKeys*9/10 {
			break
		}
		delete(l.seen, k)
	}
}

// ipKey is what an address is counted under: an IPv4 address itself, an IPv6 address's /64. What is
// not an address counts as itself.
func ipKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}
