package cardbot

import (
	"context"
	"time"
)

// BroadcastStatus is where a broadcast is in its life.
type BroadcastStatus string

// Broadcast statuses. A draft or scheduled broadcast can still be edited; starting snapshots the
// audience (status starting while the recipient list is written), then rows are enqueued in windows
// until every recipient has an outcome (done). Paused stops enqueueing and holds rows already in the
// outbox; cancelled marks every recipient not yet sent as cancelled.
const (
	BroadcastDraft     BroadcastStatus = "draft"
	BroadcastScheduled BroadcastStatus = "scheduled"
	BroadcastStarting  BroadcastStatus = "starting"
	BroadcastRunning   BroadcastStatus = "running"
	BroadcastPaused    BroadcastStatus = "paused"
	BroadcastDone      BroadcastStatus = "done"
	BroadcastCancelled BroadcastStatus = "cancelled"
)

// Pictures a broadcast message can carry.
const (
	PictureNone  = ""      // text only
	PictureCard  = "card"  // each recipient's own card (the one the segment matched)
	PictureImage = "image" // the image uploaded with the broadcast (stored as PNG)
)

// EventBroadcast is the Event of every broadcast message: settings.routes can route it.
const EventBroadcast = "broadcast"

// BroadcastSpec is what the owner writes: the message and who gets it.
type BroadcastSpec struct {
	Name string `json:"name"` // for the owner's list; not sent
	// Text is a Go template over the recipient: {{.Name}}, {{.Balance}}, {{.Card}} (number),
	// {{.Program}}, {{.Tier}}.
	Text    string  `json:"text"`
	Picture string  `json:"picture,omitempty"` // PictureNone, PictureCard or PictureImage
	Button  *Button `json:"button,omitempty"`  // one URL button under the message
	Segment Segment `json:"segment"`
	// ScheduledAt, when set, is when RunDue starts the broadcast; zero leaves it a draft to start by hand.
	ScheduledAt time.Time `json:"scheduled_at,omitzero"`
	CreatedBy   string    `json:"created_by,omitempty"`
}

// Segment chooses the clients a broadcast goes to: every condition given must hold (an empty list or
// nil bound is no condition). Card conditions must all hold for one active, unexpired card of the
// client; that card is the recipient's card (its picture, balance and number in the text).
type Segment struct {
	Programs []string      `json:"programs,omitempty"` // programme ids: a card of one of them
	Types    []ProgramType `json:"types,omitempty"`    // programme types: a card of one of them
	Tiers    []string      `json:"tiers,omitempty"`    // a card at one of these tiers
	// BalanceMin and BalanceMax bound the card balance, inclusive, in the card's unit as stored
	// (hundredths for points and money, whole stamps and visits).
	BalanceMin *int64 `json:"balance_min,omitempty"`
	BalanceMax *int64 `json:"balance_max,omitempty"`
	// LastOperationFrom and LastOperationTo bound the time of the card's last ledger entry (expiry
	// entries, which nobody made, do not count) to [from, to). A card without entries has none.
	LastOperationFrom time.Time `json:"last_operation_from,omitzero"`
	LastOperationTo   time.Time `json:"last_operation_to,omitzero"`

	BirthdayMonths []time.Month `json:"birthday_months,omitempty"`
	Tags           []string     `json:"tags,omitempty"`    // the client has one of them
	Sources        []string     `json:"sources,omitempty"` // Client.Source starts with one: "referral", "site:3"
}

// HasCardConditions reports whether the segment says anything about cards.
func (s Segment) HasCardConditions() bool {
	return len(s.Programs) > 0 || len(s.Types) > 0 || len(s.Tiers) > 0 || s.BalanceMin != nil ||
		s.BalanceMax != nil || !s.LastOperationFrom.IsZero() || !s.LastOperationTo.IsZero()
}

// Broadcast is a message to a segment and where its sending stands.
type Broadcast struct {
	ID uint64 `json:"id"`
	BroadcastSpec
	Status     BroadcastStatus `json:"status"`
	CreatedAt  time.Time       `json:"created_at"`
	StartedAt  time.Time       `json:"started_at,omitzero"`
	PausedAt   time.Time       `json:"paused_at,omitzero"`
	FinishedAt time.Time       `json:"finished_at,omitzero"`
	// Error says why a scheduled broadcast could not start (it went back to draft).
	Error string `json:"error,omitempty"`
	// Cursor is the Seq of the last recipient enqueued (or cancelled): recipients after it are pending.
	Cursor   uint64            `json:"cursor"`
	Progress BroadcastProgress `json:"progress"`
}

// BroadcastProgress counts recipients by state and attempts by channel. Total = Pending + Enqueued +
// Sent + Failed + Skipped + Cancelled at every moment.
type BroadcastProgress struct {
	Total     int `json:"total"`
	Pending   int `json:"pending"`  // not in the outbox yet
	Enqueued  int `json:"enqueued"` // in the outbox, outcome not known yet
	Sent      int `json:"sent"`
	Failed    int `json:"failed"`
	Skipped   int `json:"skipped"` // not sent on purpose: opted out, no channel
	Cancelled int `json:"cancelled"`
	// Channels counts what happened on each channel, from the outbox attempts of settled rows.
	Channels map[string]ChannelResult `json:"channels,omitempty"`
	// SkipReasons counts skipped recipients by why (opted out, no channel…).
	SkipReasons map[string]int `json:"skip_reasons,omitempty"`
}

// ChannelResult is what one channel did for a broadcast.
type ChannelResult struct {
	Sent    int `json:"sent"`    // messages delivered on this channel
	Failed  int `json:"failed"`  // final failures here (the row then fell through or failed)
	Retries int `json:"retries"` // passing failures retried later
}

// RecipientState is where one recipient of a broadcast is.
type RecipientState string

// Recipient states: pending → enqueued (an outbox row exists) → sent, failed or skipped as read
// back from the outbox; pending (or an enqueued row held by the pause) → cancelled.
const (
	RecipientPending   RecipientState = "pending"
	RecipientEnqueued  RecipientState = "enqueued"
	RecipientSent      RecipientState = "sent"
	RecipientFailed    RecipientState = "failed"
	RecipientSkipped   RecipientState = "skipped"
	RecipientCancelled RecipientState = "cancelled"
)

// Recipient is one client in a broadcast's audience, numbered by Seq from 1 in snapshot order.
type Recipient struct {
	Broadcast uint64         `json:"broadcast"`
	Seq       uint64         `json:"seq"`
	ClientID  uint64         `json:"client_id"`
	CardID    uint64         `json:"card_id,omitempty"`
	State     RecipientState `json:"state"`
	MessageID uint64         `json:"message_id,omitempty"`
	Channel   string         `json:"channel,omitempty"` // where it was delivered
	Reason    string         `json:"reason,omitempty"`  // why it failed, was skipped or cancelled
	At        time.Time      `json:"at,omitzero"`       // of the last change
}

// BroadcastTx is the part of a transaction that keeps broadcasts and their audiences.
type BroadcastTx interface {
	// CreateBroadcast assigns the ID and stores b.
	CreateBroadcast(b *Broadcast) error
	PutBroadcast(b *Broadcast) error
	Broadcast(id uint64) (*Broadcast, error)
	// Broadcasts lists broadcasts newest first, starting below the given id (0: from the newest).
	Broadcasts(before uint64, limit int) ([]*Broadcast, error)
	// PutBroadcastImage stores the picture of a broadcast (nil removes it); BroadcastImage reads it
	// (NotFound when there is none).
	PutBroadcastImage(id uint64, png []byte) error
	BroadcastImage(id uint64) ([]byte, error)

	// PutRecipient writes a recipient under (Broadcast, Seq), creating or replacing it; an enqueued
	// recipient is listed by OpenRecipients until it is written with another state.
	PutRecipient(r *Recipient) error
	// Recipients lists a broadcast's recipients by ascending Seq after the given one.
	Recipients(broadcastID, after uint64, limit int) ([]*Recipient, error)
	// OpenRecipients lists a broadcast's enqueued recipients by ascending Seq.
	OpenRecipients(broadcastID uint64, limit int) ([]*Recipient, error)
	// DeleteRecipients removes a broadcast's whole audience (a snapshot cut short by a crash is redone).
	DeleteRecipients(broadcastID uint64) error
}

// MessageGate lets the owner of a message stop it on its way out: a paused broadcast holds its rows,
// a cancelled one skips them. The dispatcher asks it for every row just before routing it and again
// just before sending it, so it must answer from memory, fast.
type MessageGate interface {
	Gate(m *Message, now time.Time) GateVerdict
}

// GateVerdict is a gate's answer; the zero value lets the row go.
type GateVerdict struct {
	HoldUntil time.Time // keep the row pending until then; it holds back none of the recipient's other rows
	Skip      string    // settle the row as skipped, with this reason
}

// Images serves pictures that messages carry by key (Message.Image), such as a broadcast's upload.
type Images interface {
	Image(ctx context.Context, key string) ([]byte, error)
}

// Broadcaster is what the admin page uses to run broadcasts (flows.Broadcasts implements it).
type Broadcaster interface {
	Create(ctx context.Context, spec BroadcastSpec) (*Broadcast, error)
	Edit(ctx context.Context, id uint64, spec BroadcastSpec) (*Broadcast, error)
	SetImage(ctx context.Context, id uint64, data []byte) error
	Audience(ctx context.Context, seg Segment) (int, error)
	Start(ctx context.Context, id uint64) (*Broadcast, error)
	Pause(ctx context.Context, id uint64) (*Broadcast, error)
	Resume(ctx context.Context, id uint64) (*Broadcast, error)
	Cancel(ctx context.Context, id uint64) (*Broadcast, error)
	Get(ctx context.Context, id uint64) (*Broadcast, error)
	List(ctx context.Context) ([]*Broadcast, error)
	Recipients(ctx context.Context, id, after uint64, limit int) ([]*Recipient, error)
}
