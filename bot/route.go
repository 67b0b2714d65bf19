package bot

import (
	"strconv"
	"time"

	"cardbot"
)

// Channels whose address is a field of the client rather than an entry in Client.Channels.
const (
	channelSMS   = "sms"
	channelEmail = "email"
)

// recipient names whose rows must keep their order: the client, or the address of a reply that has
// no client. Rows with neither have nobody to keep order with.
func recipient(m *cardbot.Message) string {
	switch {
	case m.ClientID != 0:
		return "client:" + strconv.FormatUint(m.ClientID, 10)
	case m.To != nil:
		return m.To.Key()
	}
	return "message:" + strconv.FormatUint(m.ID, 10)
}

// route picks the address a pending row goes to now, or the outcome that settles it unsent.
func (d *Dispatcher) route(m *cardbot.Message, c *cardbot.Client, now time.Time) (cardbot.Address, *outcome) {
	switch {
	case m.ClientID != 0 && c == nil:
		return cardbot.Address{}, settledWithout(cardbot.MessageSkipped, now, "client not found")
	case m.Kind == cardbot.KindMarketing && (c == nil || !c.Consent.Marketing):
		return cardbot.Address{}, settledWithout(cardbot.MessageSkipped, now, "opted out")
	}
	if a, ok := d.next(m, c); ok {
		// Checked once the row has somewhere to go, so a row that cannot be sent at all is settled
		// now rather than held overnight first.
		if until, quiet := d.quietUntil(m, now); quiet {
			return cardbot.Address{}, quietHold(now, until)
		}
		return a, nil
	}
	if triedAny(m) {
		return cardbot.Address{}, settledWithout(cardbot.MessageFailed, now, "no channel left")
	}
	return cardbot.Address{}, settledWithout(cardbot.MessageSkipped, now, "no channel")
}

// next is the first address the row may still use: a reply's own, otherwise the first channel of its
// route (see channelsFor) with a sender and an address for the client. A channel with a failed attempt is done for
// the row; deriving this from the recorded attempts is what makes a cascade resume where it was
// after a restart, never sending again on a channel it already left.
func (d *Dispatcher) next(m *cardbot.Message, c *cardbot.Client) (cardbot.Address, bool) {
	for _, a := range d.candidates(m, c) {
		if d.senders[a.Channel] != nil && !closedOn(m, a.Channel) {
			return a, true
		}
	}
	return cardbot.Address{}, false
}

func (d *Dispatcher) candidates(m *cardbot.Message, c *cardbot.Client) []cardbot.Address {
	if m.To != nil {
		return []cardbot.Address{*m.To}
	}
	if c == nil {
		return nil
	}
	channels := d.channelsFor(m)
	as := make([]cardbot.Address, 0, len(channels))
	for _, ch := range channels {
		if id := addressOn(c, ch); id != "" {
			as = append(as, cardbot.Address{Channel: ch, ID: id})
		}
	}
	return as
}

// channelsFor is the channel order for a row that is not a reply: its event's route, its kind's,
// or the cascade. It depends only on the row and the options, so a cascade resumed after a restart
// walks the same channels.
func (d *Dispatcher) channelsFor(m *cardbot.Message) []string {
	if r, ok := d.opt.Routes[m.Event]; ok && m.Event != "" {
		return r
	}
	if r, ok := d.opt.Routes[string(m.Kind)]; ok {
		return r
	}
	if c := d.cascade.Load(); c != nil {
		return *c
	}
	return d.opt.Cascade
}

// addressOn is the client's id on a channel: phone for SMS, email for email, otherwise their
// messenger account there, "" when they have none.
func addressOn(c *cardbot.Client, channel string) string {
	switch channel {
	case channelSMS:
		return c.Phone
	case channelEmail:
		return c.Email
	}
	for _, a := range c.Channels {
		if a.Channel == channel {
			return a.ID
		}
	}
	return ""
}

// triedAny reports whether a channel was tried for the row: a note without a channel (held for
// quiet hours) is not a try.
func triedAny(m *cardbot.Message) bool {
	for _, a := range m.Attempts {
		if a.Channel != "" {
			return true
		}
	}
	return false
}

func closedOn(m *cardbot.Message, channel string) bool {
	for _, a := range m.Attempts {
		if a.Channel == channel && a.Result == cardbot.AttemptFailed {
			return true
		}
	}
	return false
}

// hold keeps a recipient's rows with ids above id waiting until the time row id waits for.
type hold struct {
	id    uint64
	until time.Time
}

// hold starts or widens the recipient's hold: the earliest held-for row and the latest time win.
func (d *Dispatcher) hold(key string, id uint64, until time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	h, ok := d.holds[key]
	if ok && h.until.After(d.clock.Now()) {
		h.id, h.until = min(h.id, id), later(h.until, until)
	} else {
		h = hold{id: id, until: until}
	}
	d.holds[key] = h
}

func (d *Dispatcher) heldUntil(m *cardbot.Message, now time.Time) (time.Time, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	h, ok := d.holds[recipient(m)]
	return h.until, ok && m.ID > h.id && h.until.After(now)
}

// pause stops a channel that answered 429 until the time it named.
func (d *Dispatcher) pause(channel string, until time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.pauses[channel] = later(d.pauses[channel], until)
}

func (d *Dispatcher) pausedUntil(channel string, now time.Time) (time.Time, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	until := d.pauses[channel]
	return until, until.After(now)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
