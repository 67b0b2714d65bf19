package whatsapp

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"

	"cardbot"

	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
)

// linkBuffer is room for connection events between whatsmeow and Run. They come a few at a time
// (a drop, a reconnect), so a full buffer means Run is not running; the newest is dropped then.
const linkBuffer = 64

// onEvent is the adapter's one handler for everything whatsmeow reports. It runs on whatsmeow's
// event goroutine, which waits for it, so nothing here may block for long: messages go to the
// sequencer, connection events to Run.
func (a *Adapter) onEvent(evt any) {
	switch e := evt.(type) {
	case *events.Message:
		a.onMessage(e)
	case *events.Connected, *events.Disconnected, *events.LoggedOut, *events.StreamReplaced,
		*events.TemporaryBan, *events.ClientOutdated, *events.ConnectFailure,
		*events.KeepAliveTimeout, *events.KeepAliveRestored:
		a.forward(e)
	case *events.PairSuccess:
		// The pairing round (GetQRChannel) acts on it; this is for the log.
		a.log.Info("whatsapp device linked", "phone", phoneOf(e.ID.ToNonAD()), "platform", e.Platform)
	case *events.PairError:
		a.log.Error("linking the whatsapp device failed", "err", e.Error)
	case *events.UndecryptableMessage:
		// whatsmeow asks the sender's phone to send it again; if that works, it comes as a Message.
		a.log.Warn("a whatsapp message could not be decrypted", "id", e.Info.ID, "from", e.Info.Sender.String())
	case *events.StreamError:
		a.log.Warn("whatsapp stream error", "code", e.Code)
	}
}

// forward hands a connection event to Run.
func (a *Adapter) forward(evt any) {
	select {
	case a.link <- evt:
	default:
		a.log.Warn("a whatsapp connection event was dropped: nobody is watching the link", "event", fmt.Sprintf("%T", evt))
	}
}

// onMessage queues a message behind its chat's earlier ones.
func (a *Adapter) onMessage(evt *events.Message) {
	handleCtx, _ := a.contexts()
	r, ok := a.receive(handleCtx, evt)
	if !ok {
		return
	}
	if r.in.Phone != "" {
		// The number wrote to us, so it has an account: replies need not ask WhatsApp.
		a.numbers.remember(r.in.Phone, types.NewJID(r.in.Phone[1:], types.DefaultUserServer), true)
	}
	a.seq.Submit(r.in.UserID, func() { a.deliver(r) })
}

// deliver hands one message to the engine. WhatsApp has already been told the message arrived and
// will not send it again, so a passing failure (the store busy, a conflict) is retried here, with
// pauses, while later messages of the chat wait their turn; a refusal or the last failed attempt
// drops the message, loudly.
func (a *Adapter) deliver(r received) {
	ctx, stopping := a.contexts()
	for attempt := 1; ; attempt++ {
		err := a.handle(ctx, r.in)
		if err == nil {
			a.markRead(ctx, r)
			return
		}
		args := []any{"id", r.in.UpdateID, "from", r.in.UserID, "attempt", attempt, "err", err}
		if refused(err) || attempt >= a.timing.handleAttempts {
			a.log.Error("handling a whatsapp message failed; dropping it", args...)
			return
		}
		a.log.Warn("handling a whatsapp message failed; trying again", args...)
		if !sleep(stopping, min(a.timing.handleBackoff<<(attempt-1), a.timing.handleMaxBackoff)) {
			a.log.Error("shutting down before a failed whatsapp message could be retried; it is lost", args...)
			return
		}
	}
}

// handle calls the engine; a panic in it becomes an error, so one bad message cannot take the
// whole service down.
func (a *Adapter) handle(ctx context.Context, in cardbot.Inbound) (err error) {
	defer func() {
		if p := recover(); p != nil {
			a.log.Error("handler panicked", "id", in.UpdateID, "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("whatsapp: handler panicked: %v", p)
		}
	}()
	if a.handler == nil {
		return errNoHandler
	}
	return a.handler.Handle(ctx, in)
}

// markRead shows the customer the blue ticks once the message is handled: it was seen, an answer
// is on its way. A failure only costs the ticks.
func (a *Adapter) markRead(ctx context.Context, r received) {
	ctx, cancel := context.WithTimeout(ctx, a.timing.receipt)
	defer cancel()
	err := a.client.MarkRead(ctx, []types.MessageID{r.in.UpdateID}, a.clock.Now(), r.chat, r.sender)
	if err != nil {
		a.log.Debug("marking a whatsapp message read failed", "id", r.in.UpdateID, "err", err)
	}
}

// refused reports whether the engine refused the message for good: the input itself is invalid or
// not allowed, so handling it again would fail the same way.
func refused(err error) bool {
	switch cardbot.CodeOf(err) {
	case cardbot.Invalid, cardbot.NotFound, cardbot.Forbidden, cardbot.Unauthorized:
		return true
	}
	return false
}

// sleep waits for d or until ctx ends; it reports whether the whole pause passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
