// Package telegram is the Telegram channel: it turns Bot API updates into cardbot.Inbound values for
// the conversation engine and sends cardbot.Outgoing messages back. The messages go out by calls of
// its own (call.go), the other API calls through github.com/go-telegram/bot.
//
// Updates arrive either by long polling (Run) or by webhook (WebhookHandler, SetWebhook). In both
// modes an update counts as received by us only once the engine's Handle returned without error:
// polling confirms offsets only past handled updates, and the webhook answers 200 only after Handle.
// Each chat's updates are handled strictly in the order they arrived, different chats in parallel.
package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"cardbot"
	outbox "cardbot/bot"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// ChannelName is the channel's name in Inbound.Channel, addresses and the cascade.
const ChannelName = "telegram"

// WebhookPath is where the wiring mounts WebhookHandler; SetWebhook gets base_url + WebhookPath.
const WebhookPath = "/telegram/webhook"

// allowedUpdates are the only update kinds the adapter turns into Inbound; asking Telegram for just
// these saves it sending (and us confirming) reactions, edits and membership changes.
var allowedUpdates = []string{models.AllowedUpdateMessage, models.AllowedUpdateCallbackQuery}

// defaultAPIURL is Telegram's own Bot API server, used when api_url is empty.
const defaultAPIURL = "https://api.telegram.org"

// getMeTimeout bounds the identity check in New, which has no context of its own.
const getMeTimeout = 15 * time.Second

// Adapter is the Telegram channel: a cardbot.Sender, and the source of the channel's inbound messages.
type Adapter struct {
	cfg      cardbot.TelegramConfig
	apiURL   string
	handler  cardbot.Handler
	log      *slog.Logger
	clock    cardbot.Clock
	bot      *bot.Bot
	username string
	seq      *outbox.Sequencer[int64]
	poll     pollSettings
	http     *http.Client // for our own getUpdates loop
	api      *http.Client // the library's client, for every other call
}

// Option changes a default of New.
type Option func(*Adapter)

// WithClock sets the clock that dates pressed buttons (Telegram gives callback queries no date).
func WithClock(c cardbot.Clock) Option {
	return func(a *Adapter) { a.clock = c }
}

// Command is one entry of the bot's command menu: Name without the slash (a-z, 0-9, _).
type Command struct {
	Name, Description string
}

// New connects to the Bot API at cfg.APIURL and checks the token with getMe, so a wrong token fails
// here, at start, rather than on the first message. handler receives every inbound message.
func New(cfg cardbot.TelegramConfig, handler cardbot.Handler, log *slog.Logger, opts ...Option) (*Adapter, error) {
	if cfg.Token == "" {
		return nil, errors.New("telegram: no bot token")
	}
	if handler == nil {
		return nil, errors.New("telegram: no handler for inbound messages")
	}
	if log == nil {
		log = slog.Default()
	}
	apiURL := strings.TrimRight(cfg.APIURL, "/")
	if apiURL == "" {
		apiURL = defaultAPIURL
	}
	a := &Adapter{
		cfg: cfg, apiURL: apiURL, handler: handler,
		log: log.With("channel", ChannelName), clock: cardbot.SystemClock{},
		seq: outbox.NewSequencer[int64](), poll: defaultPollSettings(),
	}
	for _, o := range opts {
		o(a)
	}
	transport := apiTransport()
	a.http = &http.Client{Transport: transport, Timeout: a.poll.timeout + 15*time.Second}
	a.api = &http.Client{Transport: transport, Timeout: apiCallTimeout}
	b, err := bot.New(cfg.Token, a.botOptions()...)
	if err != nil {
		return nil, fmt.Errorf("telegram: %w", err)
	}
	a.bot = b
	if err := a.identify(); err != nil {
		return nil, err
	}
	return a, nil
}

// botOptions configures the library as a plain API client: we skip its getMe (identify calls it and
// keeps the answer) and never use its update loop, so its handlers are irrelevant.
func (a *Adapter) botOptions() []bot.Option {
	return []bot.Option{
		bot.WithServerURL(a.apiURL),
		bot.WithHTTPClient(apiCallTimeout, newBufferedClient(a.api)),
		bot.WithSkipGetMe(),
		bot.WithErrorsHandler(func(err error) { a.log.Warn("telegram library error", "err", err) }),
	}
}

// identify calls getMe and keeps the bot's username, which deep links and /start@name need.
func (a *Adapter) identify() error {
	ctx, cancel := context.WithTimeout(context.Background(), getMeTimeout)
	defer cancel()
	me, err := a.bot.GetMe(ctx)
	switch {
	case errors.Is(err, bot.ErrorUnauthorized), errors.Is(err, bot.ErrorNotFound):
		// Telegram answers 401 for a revoked or mistyped token (404 when it is malformed).
		return fmt.Errorf("telegram: the Bot API refused the token; check telegram.token (%w)", err)
	case err != nil:
		return fmt.Errorf("telegram: getMe at %s failed: %w", a.apiURL, err)
	}
	a.username = me.Username
	return nil
}

// Username is the bot's @username without the @, as getMe reported it.
func (a *Adapter) Username() string { return a.username }

// Channel names the channel for the dispatcher: "telegram".
func (a *Adapter) Channel() string { return ChannelName }

// SetCommands replaces the command menu every user sees (setMyCommands, default scope).
func (a *Adapter) SetCommands(ctx context.Context, cmds []Command) error {
	list := make([]models.BotCommand, len(cmds))
	for i, c := range cmds {
		list[i] = models.BotCommand{Command: c.Name, Description: c.Description}
	}
	if _, err := a.bot.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: list}); err != nil {
		return fmt.Errorf("telegram: setMyCommands: %w", err)
	}
	return nil
}

// SetWebhook registers url (base_url + WebhookPath) with Telegram, with cfg.WebhookSecret as the
// secret_token Telegram sends back on every call. It refuses to register without a secret: anyone
// could post fake updates to an unauthenticated webhook, and WebhookHandler rejects them all anyway.
func (a *Adapter) SetWebhook(ctx context.Context, url string) error {
	if a.cfg.WebhookSecret == "" {
		return errors.New("telegram: webhook mode needs telegram.webhook_secret")
	}
	if url == "" {
		return errors.New("telegram: no webhook URL")
	}
	_, err := a.bot.SetWebhook(ctx, &bot.SetWebhookParams{
		URL: url, SecretToken: a.cfg.WebhookSecret, AllowedUpdates: allowedUpdates,
	})
	if err != nil {
		return fmt.Errorf("telegram: setWebhook: %w", err)
	}
	return nil
}
