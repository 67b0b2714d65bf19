package whatsapp

import (
	"context"
	"time"

	"go.mau.fi/whatsmeow/types"
)

// States of the link to WhatsApp, as the admin page shows them.
const (
	StateNotPaired    = "not_paired"   // no account linked yet: pair with the QR code or a phone code
	StatePairing      = "pairing"      // a pairing round is on: Status.QR is the code to scan
	StateConnected    = "connected"    // linked and online
	StateDisconnected = "disconnected" // linked, offline: Run is reconnecting (or stopped, see Detail)
	StateLoggedOut    = "logged_out"   // the phone unlinked the device: pair again
)

// Status is the link's state for the admin page.
type Status struct {
	State  string
	Phone  string    // the linked account in E.164 (+7916…); "" when not paired
	QR     string    // the pairing code to show as a QR code, while State is pairing
	Detail string    // why the link is in this state, when there is something to say
	Since  time.Time // when State last changed
}

// Status reports the link's current state.
func (a *Adapter) Status() Status {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.status
}

// setState moves the link to state with a reason. Since changes only when the state does, so
// "disconnected since 10:02" survives the reconnect attempts in between.
func (a *Adapter) setState(state, detail string) {
	a.update(func(s *Status) {
		if s.State != state {
			s.Since = a.clock.Now()
		}
		s.State, s.Detail = state, detail
		if state != StatePairing {
			s.QR = ""
		}
		s.Phone = phoneOf(a.client.OwnID())
	})
}

// setQR shows a new pairing code.
func (a *Adapter) setQR(code string) {
	a.update(func(s *Status) {
		if s.State != StatePairing {
			s.Since = a.clock.Now()
		}
		s.State, s.QR, s.Detail = StatePairing, code, ""
	})
}

func (a *Adapter) update(change func(*Status)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	change(&a.status)
	close(a.changed)
	a.changed = make(chan struct{})
}

// awaitStatus waits until ok accepts the status, or ctx ends.
func (a *Adapter) awaitStatus(ctx context.Context, ok func(Status) bool) (Status, error) {
	for {
		a.mu.Lock()
		s, changed := a.status, a.changed
		a.mu.Unlock()
		if ok(s) {
			return s, nil
		}
		select {
		case <-ctx.Done():
			return s, ctx.Err()
		case <-changed:
		}
	}
}

// phoneOf is the E.164 phone of a phone-number JID (user@s.whatsapp.net, with or without a device
// part); "" for any other JID.
func phoneOf(jid types.JID) string {
	if jid.Server != types.DefaultUserServer || jid.User == "" {
		return ""
	}
	return "+" + jid.User
}
