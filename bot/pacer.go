package bot

import (
	"runtime"
	"sync"
	"time"

	"cardbot"
)

// pacer keeps each channel and each chat within its Limit. Every limit is a token bucket that holds
// one token, kept twice: slot books each row a moment ahead, a little more than 1/rate after the
// last one booked, so rows can sleep until then; claim, just before the send, checks the real gap to
// the last send actually made. Both are needed: booking lets a backlog wait without holding workers,
// and a slot used a little late (a timer fires late) would leave too short a gap to the next one,
// which a strict limiter answers with a 429. Times are the real clock: pacing is about the
// channel's real limits, not the injected clock.
type pacer struct {
	limits map[string]Limit

	mu    sync.Mutex
	free  map[string]time.Time // channel, or channel:chat → first moment free for booking
	next  map[string]time.Time // channel, or channel:chat → 1/rate after the last send made
	kept  map[uint64]time.Time // slots booked by rows sent back to the store until just before them
	swept time.Time
}

const (
	// sweepEvery is how often the pacer forgets what no longer matters.
	sweepEvery = time.Minute
	// guard widens the gap claim keeps between real sends by this part of 1/rate: the channel
	// sees a send a little after claim lets it go (tens of microseconds, now and then a few
	// hundred under the race detector), and a strict limiter refuses a gap short by a microsecond.
	// At 30/s it is 250 µs.
	guard = 0.0075
	// margin widens booked slots by this part of 1/rate. It is more than guard, so the time a
	// send held back by claim costs the sends behind it is won back, a little on every slot.
	margin = 0.01
	// spinLead is the longest wait await spins through, and how early a row held back by claim
	// wakes to spin the rest. Timers fire late, often by half a millisecond (a 30/s slot is 33 ms),
	// and a send put back by a late timer puts back every send behind it.
	spinLead = 2 * time.Millisecond
)

func newPacer(limits map[string]Limit) *pacer {
	return &pacer{limits: limits, free: map[string]time.Time{}, next: map[string]time.Time{}, kept: map[uint64]time.Time{}}
}

// slot books the moment row id may go out to the address: its kept slot if it has one still on time,
// otherwise the first moment both the channel and the chat have room, which may be now.
func (p *pacer) slot(id uint64, to cardbot.Address, now time.Time) time.Time {
	l := p.limits[to.Channel]
	if l.PerSecond <= 0 && l.PerChat <= 0 {
		return now
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sweep(now)
	if at, ok := p.kept[id]; ok {
		delete(p.kept, id)
		if p.onTime(to, at, now) {
			return at
		}
	}
	chat := to.Key()
	at := later(now, later(firstFree(p.free, chat, l.PerChat), firstFree(p.free, to.Channel, l.PerSecond)))
	take(p.free, chat, l.PerChat, at, margin)
	take(p.free, to.Channel, l.PerSecond, at, margin)
	return at
}

// await claims the channel and chat for a send now. A wait of up to spinLead it spins through, to
// the microsecond; a longer one it returns, for the caller to sleep through (less spinLead) and
// try again.
func (p *pacer) await(to cardbot.Address) time.Duration {
	for {
		wait := p.claim(to)
		if wait == 0 || wait > spinLead {
			return wait
		}
		for until := time.Now().Add(wait); time.Now().Before(until); {
			runtime.Gosched()
		}
	}
}

// claim is the last word before a send: it returns how long the send must still wait to come a
// full 1/rate after the last send on its channel and to its chat, or, when it need not wait, records
// it as that last send.
func (p *pacer) claim(to cardbot.Address) time.Duration {
	l := p.limits[to.Channel]
	if l.PerSecond <= 0 && l.PerChat <= 0 {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now() // under the lock: a time read before waiting for it would date the send early
	chat := to.Key()
	if wait := later(firstFree(p.next, chat, l.PerChat), firstFree(p.next, to.Channel, l.PerSecond)).Sub(now); wait > 0 {
		return wait
	}
	take(p.next, chat, l.PerChat, now, guard)
	take(p.next, to.Channel, l.PerSecond, now, guard)
	return 0
}

// onTime reports whether a booked slot can still be used: it is not more than half an interval past.
// Used later than that, it would take the next slot's moment, and claim would put that row and
// every row behind it back. (Claim alone bounds the sends: never two closer than 1/rate.)
func (p *pacer) onTime(to cardbot.Address, at time.Time, now time.Time) bool {
	l := p.limits[to.Channel]
	rate := max(l.PerSecond, l.PerChat)
	return rate <= 0 || now.Sub(at) <= every(rate)/2
}

// keep remembers a booked slot for a row that goes back to the store until shortly before it.
func (p *pacer) keep(id uint64, at time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.kept[id] = at
}

// firstFree is when a bucket of the given rate in m has its token again; unpaced keys always have.
func firstFree(m map[string]time.Time, key string, rate float64) time.Time {
	if rate <= 0 {
		return time.Time{}
	}
	return m[key]
}

// take spends the bucket's token at a moment: it is back 1/rate later, widened by a part of that.
func take(m map[string]time.Time, key string, rate float64, at time.Time, widen float64) {
	if rate > 0 {
		m[key] = at.Add(every(rate) + time.Duration(widen*float64(every(rate))))
	}
}

// sweep forgets buckets that are full again and slots nobody came back for (a row settled elsewhere),
// so a long run with many chats does not grow without bound.
func (p *pacer) sweep(now time.Time) {
	if now.Sub(p.swept) < sweepEvery {
		return
	}
	p.swept = now
	for _, m := range []map[string]time.Time{p.free, p.next} {
		for k, at := range m {
			if !at.After(now) {
				delete(m, k)
			}
		}
	}
	for id, at := range p.kept {
		if now.Sub(at) > sweepEvery {
			delete(p.kept, id)
		}
	}
}

// every is the interval between sends at a rate per second.
func every(rate float64) time.Duration { return time.Duration(float64(time.Second) / rate) }
