package telegram

import (
	"context"
	"fmt"
	"runtime/debug"

	"cardbot"

	"github.com/go-telegram/bot"
)

// deliver hands one update to the engine. A button press is answered first, so the customer's
// button stops spinning whatever the engine does; a panic in the engine becomes an error, so one bad
// update cannot take the whole bot down.
func (a *Adapter) deliver(ctx context.Context, r received) (err error) {
	if err := ctx.Err(); err != nil {
		return err // shutting down, or the webhook caller left while this waited its turn
	}
	if r.queryID != "" {
		a.answer(ctx, r.queryID)
	}
	defer func() {
		if p := recover(); p != nil {
			a.log.Error("handler panicked", "update", r.in.UpdateID, "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("telegram: handler panicked: %v", p)
		}
	}()
	return a.handler.Handle(ctx, r.in)
}

// answer acknowledges a callback query with no text. Telegram accepts one answer per query, so a
// redelivered press fails here harmlessly; that is logged at debug level only.
func (a *Adapter) answer(ctx context.Context, queryID string) {
	_, err := a.bot.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: queryID})
	if err != nil {
		a.log.Debug("answerCallbackQuery failed", "query", queryID, "err", err)
	}
}

// refused reports whether the engine refused the update for good: the input itself is invalid or
// not allowed, so delivering it again would fail the same way. Any other error (store unavailable,
// I/O, a conflict between concurrent writers) may pass, and the update is delivered again.
func refused(err error) bool {
	switch cardbot.CodeOf(err) {
	case cardbot.Invalid, cardbot.NotFound, cardbot.Forbidden, cardbot.Unauthorized:
		return true
	}
	return false
}

// logFailure records a failed update; refused ones are dropped, which is worth a warning, the rest
// are retried.
func (a *Adapter) logFailure(r received, err error, willRetry bool) {
	args := []any{"update", r.in.UpdateID, "chat", r.chatID, "err", err}
	switch {
	case willRetry:
		a.log.Warn("handling a telegram update failed; it will be delivered again", args...)
	default:
		a.log.Error("handling a telegram update failed; dropping it", args...)
	}
}
