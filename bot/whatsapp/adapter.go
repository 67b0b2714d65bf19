// Package whatsapp is the WhatsApp channel: it links cardbot to the business's WhatsApp account as a
// companion device (like WhatsApp Web) through go.mau.fi/whatsmeow, turns private text messages into
// cardbot.Inbound values for the conversation engine, and sends cardbot.Outgoing messages back.
//
// The device's keys live in a SQLite file in the data directory (Open). The device is paired once,
// with `cardbot whatsapp pair` or from the admin page (Status, PairingQRPNG, PairPhone); Run then
// keeps it connected, reconnecting with backoff after drops, and stops when the phone unlinks it.
//
// Messages are handled per chat in the order they arrived, different chats in parallel. WhatsApp
// gives no way to ask for a message again, so a message the engine fails on is retried here a few
// times; one still queued when the process dies is lost (see Run).
package whatsapp

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"cardbot"
	"cardbot/bot"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
)

// ChannelName is the channel's name in Inbound.Channel, addresses and the cascade.
const ChannelName = "whatsapp"

// Client is the part of *whatsmeow.Client the adapter uses, so that tests can stand in for WhatsApp,
// which has no offline server. The methods keep whatsmeow's names and signatures; the last two read
// the device store, which whatsmeow keeps in Client.Store rather than behind methods. Device.Client
// returns the real one.
type Client interface {
	AddEventHandler(handler whatsmeow.EventHandler) uint32
	RemoveEventHandler(id uint32) bool
	ConnectContext(ctx context.Context) error
	Disconnect()
	IsConnected() bool
	IsLoggedIn() bool
	GetQRChannel(ctx context.Context) (<-chan whatsmeow.QRChannelItem, error)
	PairPhone(ctx context.Context, phone string, showPushNotification bool, clientType whatsmeow.PairClientType, clientDisplayName string) (string, error)
	Logout(ctx context.Context) error
	SendMessage(ctx context.Context, to types.JID, message *waE2E.Message, extra ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error)
	Upload(ctx context.Context, plaintext []byte, appInfo whatsmeow.MediaType) (whatsmeow.UploadResponse, error)
	IsOnWhatsApp(ctx context.Context, phones []string) ([]types.IsOnWhatsAppResponse, error)
	MarkRead(ctx context.Context, ids []types.MessageID, timestamp time.Time, chat, sender types.JID, receiptTypeExtra ...types.ReceiptType) error

	// OwnID is the paired account's device JID; empty before pairing and after a logout.
	OwnID() types.JID
	// PhoneForLID maps a hidden user id (…@lid) to the user's phone JID; empty when unknown.
	PhoneForLID(ctx context.Context, lid types.JID) (types.JID, error)
}

// Adapter is the WhatsApp channel: a cardbot.Sender, and the source of the channel's inbound
// messages while Run runs.
type Adapter struct {
	client  Client
	handler cardbot.Handler
	log     *slog.Logger
	clock   cardbot.Clock
	timing  timing
	seq     *bot.Sequencer[string]
	numbers *numberCache

	// link carries connection events from whatsmeow's event goroutine to Run, the only goroutine
	// that acts on them.
	link chan any
	// pairRequests asks Run for a pairing round while the device is not paired.
	pairRequests chan struct{}

	mu      sync.Mutex
	status  Status
	changed chan struct{} // closed and replaced on every status change, for waiters
	// handleCtx is what Handle runs under: Run's context without its cancellation, so that messages
	// already taken from WhatsApp are still handled while Run drains at shutdown. stopping is Run's
	// context itself: retries pause on it.
	handleCtx context.Context
	stopping  context.Context
}

var _ cardbot.Sender = (*Adapter)(nil)

// Option changes a default of New.
type Option func(*Adapter)

// WithClock sets the clock for status times and read receipts.
func WithClock(c cardbot.Clock) Option {
	return func(a *Adapter) { a.clock = c }
}

// New builds the adapter on a client (Device.Client for the real one) and registers for its
// events. handler receives every inbound message once Run has connected.
func New(client Client, handler cardbot.Handler, log *slog.Logger, opts ...Option) *Adapter {
	if log == nil {
		log = slog.Default()
	}
	a := &Adapter{
		client: client, handler: handler, log: log.With("channel", ChannelName),
		clock: cardbot.SystemClock{}, timing: defaultTiming(), seq: bot.NewSequencer[string](),
		link: make(chan any, linkBuffer), pairRequests: make(chan struct{}, 1),
		changed: make(chan struct{}), handleCtx: context.Background(), stopping: context.Background(),
	}
	for _, o := range opts {
		o(a)
	}
	a.numbers = newNumberCache(a.clock)
	a.status = Status{State: StateDisconnected, Phone: phoneOf(client.OwnID()), Since: a.clock.Now()}
	if a.status.Phone == "" {
		a.status.State = StateNotPaired
	}
	client.AddEventHandler(a.onEvent)
	return a
}

// Channel names the channel for the dispatcher: "whatsapp".
func (a *Adapter) Channel() string { return ChannelName }

// errNoHandler is what a message meets when the adapter was built without a handler (pairing only).
var errNoHandler = errors.New("whatsapp: no handler for inbound messages")

// contexts returns the contexts deliveries run under (see Adapter.handleCtx).
func (a *Adapter) contexts() (handle, stopping context.Context) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.handleCtx, a.stopping
}

func (a *Adapter) setContexts(ctx context.Context) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.handleCtx, a.stopping = context.WithoutCancel(ctx), ctx
}
