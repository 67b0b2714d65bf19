package cardbot

import "time"

// Inbound is anything a customer (or a staff member) sends through any channel, reduced to one shape.
// Every adapter builds these and hands them to the conversation engine; nothing else comes in.
type Inbound struct {
	Channel  string // telegram, whatsapp, webchat
	UserID   string // the sender's id on that channel (Telegram chat id, WhatsApp phone, web chat session)
	UpdateID string // the channel's id of this delivery: the same id twice is handled once; "" = no dedup
	Name     string // display name as the channel shows it
	Text     string // what they wrote, as written
	Phone    string // a phone they shared with the channel's contact button, as the channel gave it
	Payload  string // deep-link start payload: ref_<code>, site_<id>
	Button   string // data of a button they pressed
	At       time.Time
}

// Address returns where the inbound came from.
func (in Inbound) Address() Address { return Address{Channel: in.Channel, ID: in.UserID} }

// Conversation is the state of one (channel, user) dialogue; the engine rebuilds its FSM from State.
type Conversation struct {
	Address   Address   `json:"address"`
	ClientID  uint64    `json:"client_id,omitempty"`
	State     string    `json:"state"`
	Tries     int       `json:"tries,omitempty"` // failed answers in the current state (birthday re-asks)
	UpdatedAt time.Time `json:"updated_at"`
}

// MessageKind decides how a message may travel: a reply stays on the conversation's channel, a
// notice follows the cascade and ignores opt-outs, marketing follows the cascade and honours them.
type MessageKind string

// Message kinds.
const (
	KindReply     MessageKind = "reply"
	KindNotice    MessageKind = "notice"
	KindMarketing MessageKind = "marketing"
)

// MessageStatus is where a message is in its life.
type MessageStatus string

// Message statuses. Pending messages are the dispatcher's work list.
const (
	MessagePending MessageStatus = "pending"
	MessageSent    MessageStatus = "sent"
	MessageFailed  MessageStatus = "failed"  // every channel failed for good
	MessageSkipped MessageStatus = "skipped" // not sent on purpose: opted out, no address
)

// Message is one row of the outbox: written in the same transaction as the change that caused it, sent
// later by the dispatcher, kept as the client's message history.
type Message struct {
	ID       uint64      `json:"id"`
	ClientID uint64      `json:"client_id,omitempty"`
	Kind     MessageKind `json:"kind"`
	// To is the conversation a reply goes back to; notices and marketing leave it empty and follow the cascade.
	To      *Address   `json:"to,omitempty"`
	Text    string     `json:"text"`
	CardID  uint64     `json:"card_id,omitempty"` // attach this card's picture
	Buttons [][]Button `json:"buttons,omitempty"` // inline buttons, rows of them
	// AskPhone shows a "share my phone" button where the channel has one (Telegram).
	AskPhone bool `json:"ask_phone,omitempty"`
	// Broadcast is the broadcast the row belongs to (0: none); Image the key of a picture served by
	// cardbot.Images, sent instead of the card picture.
	Broadcast uint64 `json:"broadcast,omitempty"`
	Image     string `json:"image,omitempty"`
	// Event names what caused the message (card_issued, accrual, birthday_question…), for the history.
	Event     string        `json:"event,omitempty"`
	Status    MessageStatus `json:"status"`
	Attempts  []Attempt     `json:"attempts,omitempty"`
	NextAt    time.Time     `json:"next_at"` // not before this time (retry backoff, 429 retry_after, quiet hours)
	CreatedAt time.Time     `json:"created_at"`
	SentAt    time.Time     `json:"sent_at,omitzero"`
}

// Button is an inline button: Data comes back as Inbound.Button when pressed; URL opens a link.
type Button struct {
	Text string `json:"text"`
	Data string `json:"data,omitempty"`
	URL  string `json:"url,omitempty"`
}

// Attempt is one try to deliver a message on one channel.
type Attempt struct {
	Channel string    `json:"channel"`
	At      time.Time `json:"at"`
	Result  string    `json:"result"` // sent, retry, failed
	Error   string    `json:"error,omitempty"`
}

// Attempt results.
const (
	AttemptSent   = "sent"
	AttemptRetry  = "retry"  // a passing failure: try the same channel again later
	AttemptFailed = "failed" // a final failure on this channel: blocked, not on the channel, invalid address
)
