package cardbot

import (
	"context"
	"fmt"
	"time"
)

// Outgoing is a message ready for one channel: the adapter only formats and sends it.
type Outgoing struct {
	To       string // the user's id on this channel
	Text     string
	Picture  []byte // PNG, optional
	Buttons  [][]Button
	AskPhone bool
	// Message and CardID name the outbox row and the card whose picture it carries (0: none), for
	// channels that keep what they sent (the web chat shows it again after a page reload).
	Message uint64
	CardID  uint64
	// Kind is the outbox row's kind: email marks marketing mail for one-click unsubscribing.
	Kind MessageKind
}

// Sender is one channel's way out. Send returns nil when the channel accepted the message, a
// *SendError that says whether to retry, or another error (treated as passing).
type Sender interface {
	Channel() string
	Send(ctx context.Context, m Outgoing) error
}

// SendError is a channel's refusal, classified for the dispatcher.
type SendError struct {
	Permanent  bool          // blocked by the user, not on this channel, invalid address: do not retry here
	RetryAfter time.Duration // the channel asked to wait this long (Telegram 429)
	Reason     string
}

func (e *SendError) Error() string {
	if e.RetryAfter > 0 {
		return fmt.Sprintf("%s (retry after %s)", e.Reason, e.RetryAfter)
	}
	return e.Reason
}

// Pictures renders the picture of a card, for messages that carry one.
type Pictures interface {
	CardPicture(ctx context.Context, cardID uint64) ([]byte, error)
}

// Notifier turns card operations into outbox messages for the client, in the caller's transaction.
// The REST API, staff commands and scheduled jobs call it, so every operation is told the same way.
type Notifier interface {
	OperationNotice(tx Tx, card *Card, op *Operation) error
}

// Handler takes inbound messages from a channel adapter. It returns once the message and everything
// it causes are committed; an error means nothing was committed and the channel may deliver it again.
type Handler interface {
	Handle(ctx context.Context, in Inbound) error
}
