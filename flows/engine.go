// Package flows is the conversation engine: it turns what customers and staff write in any channel
// into card operations and replies. Each inbound message is one store transaction in which the
// conversation state, the client, the cards and ledger, and every reply (as an outbox row) change
// together; the dispatcher in bot/ sends the rows later.
//
// The dialogue is a looplab/fsm state machine rebuilt from the saved state for every message. One file
// per flow: welcome.go (first contact), ask_birthday.go, ask_phone.go, commands.go, staff.go,
// delete.go, notices.go; texts*.go hold every customer-facing sentence as a template.
//
// The automation: scheduler.go runs the jobs (robfig/cron), rating.go asks and answers visit ratings,
// triggers.go has birthdays, inactivity, expiring points, the welcome and the low certificate,
// referral.go rewards invitations; automation.go is what they share.
package flows

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"cardbot"
	"cardbot/wallet"
)

// Deps are what the engine needs from the wiring.
type Deps struct {
	Store  cardbot.Store
	Wallet *wallet.Wallet
	Clock  cardbot.Clock
	Config cardbot.Config
	Log    *slog.Logger
	// Wake is called after each commit that enqueued messages, so the dispatcher sends them at once
	// instead of at its next poll. It must not block. May be nil.
	Wake func()
	// Texts replace built-in texts by name (the owner's own wording). They are validated like the
	// built-ins; a name that is not a built-in text is refused.
	Texts map[string]string
}

// Command is one entry of the bot's command menu, in the configured language.
type Command struct {
	Name        string // without the slash
	Description string
}

// Engine handles inbound messages. It is safe for concurrent use: work is serialised per
// conversation and runs in parallel across conversations.
type Engine struct {
	store   cardbot.Store
	wallet  *wallet.Wallet
	clock   cardbot.Clock
	cfg     cardbot.Config
	log     *slog.Logger
	wake    func()
	texts   *catalog
	loc     *time.Location
	staff   map[string]bool // Telegram user ids allowed to run staff commands
	example string          // a phone number of the business's country, for re-asks
	locks   keyedLocks

	mu        sync.RWMutex
	usernames map[string]string // channel → the bot's @username, for invite links
	waNumber  func() string     // the business's WhatsApp number, for invite links; nil: none
	live      cardbot.Settings  // cfg.Settings as the admin page last set them (see live.go)
}

var (
	_ cardbot.Handler  = (*Engine)(nil)
	_ cardbot.Notifier = (*Engine)(nil)
)

// maxTextBytes bounds what the engine reads of one message. Telegram allows 4096 characters; a
// longer text is not a command or an answer anyway, and the bound keeps parsing cheap.
const maxTextBytes = 4096 * 4

// NewEngine checks the configuration the flows depend on and parses and validates every text
// template; an error names what is wrong (for a template, its name).
func NewEngine(d Deps) (*Engine, error) {
	if d.Store == nil || d.Wallet == nil {
		return nil, errors.New("flows: Deps.Store and Deps.Wallet are required")
	}
	if d.Clock == nil {
		d.Clock = cardbot.SystemClock{}
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	loc, err := time.LoadLocation(d.Config.Business.Timezone)
	if err != nil {
		return nil, fmt.Errorf("flows: business timezone %q: %w", d.Config.Business.Timezone, err)
	}
	if p := d.Config.Settings.DefaultProgram; d.Config.Settings.AutoIssue && d.Wallet.Program(p) == nil {
		return nil, fmt.Errorf("flows: settings.default_program %q is not a configured programme", p)
	}
	texts, err := newCatalog(d.Config.Locale, d.Texts, d.Config.Business.Currency, loc)
	if err != nil {
		return nil, err
	}
	e := &Engine{
		store: d.Store, wallet: d.Wallet, clock: d.Clock, cfg: d.Config, log: d.Log, wake: d.Wake,
		texts: texts, loc: loc, staff: map[string]bool{}, example: wallet.PhoneExample(d.Config.Business.Country),
		locks: keyedLocks{m: map[string]*keyLock{}}, usernames: map[string]string{}, live: d.Config.Settings,
	}
	for _, id := range d.Config.Telegram.Staff {
		e.staff[cardbot.Address{Channel: "telegram", ID: strconv.FormatInt(id, 10)}.Key()] = true
	}
	for _, phone := range d.Config.WhatsApp.Staff { // E.164, as the WhatsApp adapter gives UserID
		e.staff[cardbot.Address{Channel: "whatsapp", ID: phone}.Key()] = true
	}
	return e, nil
}

// SetBotUsername records the bot's public username on a channel (Telegram's @username, without the
// @), which invite links need. The adapter learns it at start, after the engine is built.
func (e *Engine) SetBotUsername(channel, username string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.usernames[channel] = username
}

func (e *Engine) botUsername(channel string) string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.usernames[channel]
}

// Commands lists the customer commands with descriptions in the configured language, for the
// channel's command menu (Telegram's setMyCommands).
func (e *Engine) Commands() []Command {
	out := make([]Command, 0, len(menuCommands))
	for _, name := range menuCommands {
		desc, err := e.texts.render("cmd_"+name, e.texts.sample())
		if err != nil {
			desc = name // validated at start; never reached
		}
		out = append(out, Command{Name: name, Description: desc})
	}
	return out
}

// Handle processes one inbound message: everything it changes and every reply it causes are
// committed in one transaction before it returns. An error means nothing was committed.
func (e *Engine) Handle(ctx context.Context, in cardbot.Inbound) error {
	if in.Channel == "" || in.UserID == "" {
		return cardbot.Errorf(cardbot.Invalid, "an inbound message needs a channel and a user id")
	}
	in = clean(in)
	unlock, err := e.locks.lock(ctx, in.Address().Key())
	if err != nil {
		return err
	}
	defer unlock()
	enqueued := false
	err = e.store.Update(ctx, func(tx cardbot.Tx) error {
		// The store may run this more than once; every run starts from scratch.
		t := &turn{e: e, ctx: ctx, tx: tx, in: in, now: e.clock.Now()}
		err := t.run()
		enqueued = t.enqueued > 0
		return err
	})
	if err != nil {
		return err
	}
	if enqueued && e.wake != nil {
		e.wake()
	}
	return nil
}

// clean bounds the text and takes a deep-link payload from "/start <payload>" when the adapter left
// it in the text.
func clean(in cardbot.Inbound) cardbot.Inbound {
	if len(in.Text) > maxTextBytes {
		cut := maxTextBytes
		for cut > 0 && !utf8.RuneStart(in.Text[cut]) {
			cut--
		}
		in.Text = in.Text[:cut]
	}
	if in.Payload == "" {
		if cmd, ok := parseCommand(in.Text); ok && cmd.name == "start" {
			in.Payload = cmd.args
		}
	}
	return in
}

// isStaff reports whether the sender may run staff commands: a Telegram user id or a WhatsApp phone
// listed in the config. The web chat has no identity the owner can know in advance.
func (e *Engine) isStaff(in cardbot.Inbound) bool {
	return e.staff[in.Address().Key()]
}

// hasButtons reports whether a channel shows inline buttons (Telegram and the web chat do);
// elsewhere the texts offer menu digits and words instead.
func hasButtons(channel string) bool {
	return channel == "telegram" || channel == "webchat"
}
