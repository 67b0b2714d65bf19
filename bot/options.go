package bot

import (
	"math/rand/v2"
	"time"

	"cardbot"
)

// Limit paces one channel. Zero means "no limit" for either rate.
type Limit struct {
	PerSecond float64 // messages per second on the whole channel (Telegram: about 30)
	PerChat   float64 // messages per second to one chat or address (Telegram: about 1)
}

// Options tune the Dispatcher; a zero field takes its default.
type Options struct {
	// Cascade is the channel order for notices and marketing (default cardbot.Channels).
	Cascade []string
	// Routes replace the cascade for some rows: the route named by a row's Event if there is one,
	// else the one named by its Kind. A row with a route uses only the route's channels, so a one-time
	// code routed to SMS fails rather than turn up in a chat. Replies ignore routes.
	Routes map[string][]string
	// QuietHours hold marketing that comes due inside them until they end (zero: none). A held row
	// keeps its id, so it goes out before marketing that came after it, and it holds back none of
	// its recipient's other rows: a notice is not delayed to morning by a sale held overnight.
	QuietHours QuietHours
	// MaxAttempts is how many passing failures one channel may have before the row falls through to
	// the next channel (default 5). 429 answers do not count.
	MaxAttempts int
	// Backoff is the wait after the n-th passing failure on a channel, n from 1 (default defaultBackoff).
	Backoff func(attempt int) time.Duration
	// Workers is how many rows are worked on, and so sent, at once (default 16).
	Workers int
	// Unsaved is how many sent rows may wait at once for their outcome's commit while their worker
	// goes on (default 4 × Workers). With Workers it bounds what a crash can send twice: a row the
	// channel took but whose outcome was not committed is sent again after restart.
	Unsaved int
	// Limits paces channels by name; channels not named are not paced. Pacing runs on the real
	// clock; a row whose slot is further off than 5×Poll goes back to the store with NextAt on the
	// injected clock, so a backlog on one channel does not hold up the others.
	Limits map[string]Limit
	// Poll is how often due rows are looked for when nobody calls Wake (default 1s).
	Poll time.Duration
	// SendTimeout bounds one Send (default 30s), so a hung channel holds neither a worker nor a shutdown.
	SendTimeout time.Duration
	// Gate, when set, is asked about every row before it is routed and again just before it is sent:
	// it may hold the row (a paused broadcast) or skip it (a cancelled one). See gate.go.
	Gate cardbot.MessageGate
	// Images serves the pictures rows name in Message.Image (a broadcast's upload). Nil: none.
	Images cardbot.Images
}

const maxBackoff = 5 * time.Minute

func (o Options) withDefaults() Options {
	if len(o.Cascade) == 0 {
		o.Cascade = cardbot.Channels
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 5
	}
	if o.Backoff == nil {
		o.Backoff = defaultBackoff
	}
	if o.Workers <= 0 {
		o.Workers = 16
	}
	if o.Unsaved <= 0 {
		o.Unsaved = 4 * o.Workers
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.SendTimeout <= 0 {
		o.SendTimeout = 30 * time.Second
	}
	return o
}

// defaultBackoff doubles from 1s up to 5 minutes and takes off up to a tenth at random, so rows that
// failed together (a channel outage) do not all come back in the same instant.
func defaultBackoff(n int) time.Duration {
	d := maxBackoff
	if n < 20 {
		d = min(time.Second<<max(n-1, 0), maxBackoff)
	}
	return d - rand.N(d/10+1)
}
