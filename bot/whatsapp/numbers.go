package whatsapp

import (
	"sync"
	"time"

	"cardbot"

	"go.mau.fi/whatsmeow/types"
)

// Bounds of what the number cache keeps.
const (
	// notOnWhatsAppFor is how long "no account" is believed: people do install WhatsApp.
	notOnWhatsAppFor = 24 * time.Hour
	// maxNumbers bounds the cache; when it is full it starts over, which only costs a query per number.
	maxNumbers = 100_000
)

// numberCache remembers WhatsApp's answers about phone numbers, so the question is asked once per
// number rather than before every message: WhatsApp rate-limits these lookups, and bans numbers
// that make too many of them.
type numberCache struct {
	clock cardbot.Clock
	mu    sync.Mutex
	known map[string]numberAnswer // by E.164 phone
}

type numberAnswer struct {
	jid types.JID // the account, when on
	on  bool
	at  time.Time
}

func newNumberCache(clock cardbot.Clock) *numberCache {
	return &numberCache{clock: clock, known: map[string]numberAnswer{}}
}

// lookup returns what is known about a phone; known is false when WhatsApp must be asked.
func (c *numberCache) lookup(phone string) (jid types.JID, on, known bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ans, ok := c.known[phone]
	if !ok || (!ans.on && c.clock.Now().Sub(ans.at) > notOnWhatsAppFor) {
		return types.JID{}, false, false
	}
	return ans.jid, ans.on, true
}

// remember keeps an answer: from WhatsApp, or from a message the number sent us (proof enough).
func (c *numberCache) remember(phone string, jid types.JID, on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.known) >= maxNumbers {
		clear(c.known)
	}
	c.known[phone] = numberAnswer{jid: jid, on: on, at: c.clock.Now()}
}
