package whatsapp

import (
	"context"
	"errors"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types/events"
)

// timing holds the adapter's waits; tests shorten them.
type timing struct {
	minBackoff, maxBackoff time.Duration // between reconnects, doubling
	login                  time.Duration // from connecting to being logged in, before trying again
	keepAliveMaxFail       time.Duration // unanswered keepalives for this long: reconnect
	handleAttempts         int           // tries of one message before it is dropped
	handleBackoff          time.Duration // first pause between tries, doubling
	handleMaxBackoff       time.Duration
	receipt                time.Duration // bound on a read receipt
	drain                  time.Duration // for queued messages at shutdown
	rateLimitPause         time.Duration // how long the channel rests after a 429
}

// defaultTiming gives a failing message about forty seconds of tries (ten, the pauses doubling from
// 0.2 s to 10 s): long enough to ride out a busy store, short enough not to hold its chat for long.
func defaultTiming() timing {
	return timing{
		minBackoff: time.Second, maxBackoff: 5 * time.Minute, login: time.Minute,
		keepAliveMaxFail: whatsmeow.KeepAliveMaxFailTime,
		handleAttempts:   10, handleBackoff: 200 * time.Millisecond, handleMaxBackoff: 10 * time.Second,
		receipt: 10 * time.Second, drain: 10 * time.Second, rateLimitPause: time.Minute,
	}
}

// Run links the device and keeps it online until ctx ends, then returns nil; call it once.
//
// A device that was never paired starts a pairing round at once (see StartPairing). A paired one
// connects, and after a drop reconnects with a doubling pause (1 s to 5 min). It stops reconnecting
// when reconnecting cannot help: when the phone unlinks the device (Status: logged_out; it waits for
// a new pairing), when another program connects with the same device, or when WhatsApp refuses the
// client's version (both: until restart). A temporary ban is waited out.
//
// The adapter reconnects itself rather than leaving it to whatsmeow (Open turns whatsmeow's own
// reconnecting off), so that these rules, the backoff and Status are in one place.
//
// On the way out it disconnects and then gives messages already received up to ten seconds to be
// handled. WhatsApp delivers a message once: one not handled by then is lost.
func (a *Adapter) Run(ctx context.Context) error {
	a.setContexts(ctx)
	defer a.shutdown()
	if !a.linked() && a.Status().State == StateNotPaired {
		a.StartPairing() // so the admin page has a code to show right away
	}
	for ctx.Err() == nil {
		if a.linked() {
			a.stayOnline(ctx)
		} else {
			a.pairWhenAsked(ctx)
		}
	}
	return nil
}

// linked reports whether the device is paired. whatsmeow deletes the device from its store after
// it reports a logout, so the state is checked too: until the deletion, the store still names the
// account, and reconnecting with it would only be refused again.
func (a *Adapter) linked() bool {
	s := a.Status().State
	return !a.client.OwnID().IsEmpty() && s != StateLoggedOut && s != StateNotPaired
}

// stayOnline connects, and reconnects after drops, until the device is unlinked or ctx ends.
func (a *Adapter) stayOnline(ctx context.Context) {
	b := &backoff{min: a.timing.minBackoff, max: a.timing.maxBackoff}
	for ctx.Err() == nil && a.linked() {
		if err := a.connect(ctx); err != nil {
			wait := b.next()
			a.setState(StateDisconnected, "connecting failed: "+err.Error())
			a.log.Warn("connecting to whatsapp failed", "err", err, "retry_in", wait)
			sleep(ctx, wait)
			continue
		}
		n := a.watch(ctx, b)
		switch {
		case n.unlinked:
			return
		case n.halt:
			<-ctx.Done()
			return
		}
		sleep(ctx, n.wait)
	}
}

func (a *Adapter) connect(ctx context.Context) error {
	if a.client.IsConnected() {
		return nil // still up from pairing, which logs in by itself
	}
	a.setState(StateDisconnected, "connecting")
	err := a.client.ConnectContext(ctx)
	if errors.Is(err, whatsmeow.ErrAlreadyConnected) {
		return nil
	}
	return err
}

// next is what watch decided: reconnect after wait, pair again, or stop reconnecting.
type next struct {
	wait     time.Duration
	unlinked bool
	halt     bool
}

// watch follows the connection until it needs Run to act. A connection that has not logged in
// within timing.login is dropped and tried again: whatsmeow reports nothing when its own reconnect
// after pairing fails, and a half-open connection may report nothing at all.
func (a *Adapter) watch(ctx context.Context, b *backoff) next {
	login := time.NewTimer(a.timing.login)
	defer login.Stop()
	for {
		select {
		case <-ctx.Done():
			return next{halt: true}
		case <-login.C:
			if a.client.IsLoggedIn() {
				continue
			}
			a.client.Disconnect()
			a.setState(StateDisconnected, "logging in to WhatsApp timed out")
			return next{wait: b.next()}
		case evt := <-a.link:
			if n, act := a.onLink(evt, b); act {
				return n
			}
		}
	}
}

// onLink applies one connection event; act is false when Run has nothing to do about it.
func (a *Adapter) onLink(evt any, b *backoff) (n next, act bool) {
	switch e := evt.(type) {
	case *events.Connected:
		b.reset()
		a.setState(StateConnected, "")
		a.log.Info("whatsapp connected", "phone", phoneOf(a.client.OwnID()))
	case *events.Disconnected:
		if a.client.IsConnected() {
			return next{}, false // about a connection already replaced
		}
		return a.dropped("the connection dropped", b), true
	case *events.ConnectFailure:
		return a.dropped("WhatsApp refused the connection: "+e.Reason.String(), b), true
	case *events.KeepAliveTimeout:
		// whatsmeow only forces a reconnect itself when its own reconnecting is on.
		if time.Since(e.LastSuccess) < a.timing.keepAliveMaxFail {
			a.log.Warn("whatsapp is not answering keepalives", "failures", e.ErrorCount)
			return next{}, false
		}
		a.client.Disconnect()
		return a.dropped("WhatsApp stopped answering", b), true
	case *events.KeepAliveRestored:
		a.log.Info("whatsapp answers keepalives again")
	case *events.TemporaryBan:
		a.setState(StateDisconnected, e.String())
		a.log.Error("whatsapp banned the account for a while", "ban", e.String())
		return next{wait: max(e.Expire, b.next())}, true
	case *events.LoggedOut:
		a.setState(StateLoggedOut, "the phone unlinked this device ("+e.Reason.String()+"); pair it again")
		a.log.Error("whatsapp logged out: the device was unlinked from the phone; not reconnecting until it is paired again", "reason", e.Reason.String())
		return next{unlinked: true}, true
	case loggedOutHere:
		return next{unlinked: true}, true
	case *events.StreamReplaced:
		return a.halted("another program connected with this WhatsApp device; restart cardbot to take the link back"), true
	case *events.ClientOutdated:
		return a.halted("WhatsApp no longer accepts this version of the client; update cardbot"), true
	}
	return next{}, false
}

func (a *Adapter) dropped(why string, b *backoff) next {
	wait := b.next()
	a.setState(StateDisconnected, why)
	a.log.Warn("whatsapp disconnected; reconnecting", "why", why, "retry_in", wait)
	return next{wait: wait}
}

func (a *Adapter) halted(why string) next {
	a.setState(StateDisconnected, why)
	a.log.Error("whatsapp disconnected; not reconnecting", "why", why)
	return next{halt: true}
}

// shutdown disconnects, so no more messages arrive, and waits a while for those already queued.
func (a *Adapter) shutdown() {
	a.client.Disconnect()
	if s := a.Status().State; s == StateConnected || s == StatePairing {
		a.setState(StateDisconnected, "stopped")
	}
	ctx, cancel := context.WithTimeout(context.Background(), a.timing.drain)
	defer cancel()
	if !a.seq.Wait(ctx) {
		a.log.Warn("whatsapp messages were still being handled at shutdown; they may be lost")
	}
}

// backoff is a doubling pause between min and max.
type backoff struct {
	min, max, cur time.Duration
}

func (b *backoff) next() time.Duration {
	d := max(b.cur, b.min)
	b.cur = min(2*d, b.max)
	return d
}

func (b *backoff) reset() { b.cur = 0 }
