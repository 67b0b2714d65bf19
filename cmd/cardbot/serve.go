package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"time"

	"cardbot"
	"cardbot/admin"
	"cardbot/bot"
	"cardbot/bot/email"
	"cardbot/bot/sms"
	"cardbot/bot/telegram"
	"cardbot/bot/webchat"
	"cardbot/bot/whatsapp"
	"cardbot/cmd/cardbot/configfile"
	"cardbot/flows"
	"cardbot/store"
	"cardbot/wallet"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
)

// shutdownGrace bounds how long in-flight requests, and then in-flight sends, may take once a stop
// is asked for.
const shutdownGrace = 10 * time.Second

// server is the wired service: the only place that knows every package.
type server struct {
	cfg        cardbot.Config
	log        *slog.Logger
	db         *store.DB
	engine     *flows.Engine
	dispatcher *bot.Dispatcher
	scheduler  *flows.Scheduler
	broadcasts *flows.Broadcasts // the dispatcher's gate and image source; the admin page's broadcasts
	telegram   *telegram.Adapter // nil when the channel is off
	whatsapp   *whatsAppChannel  // nil when the channel is off
	webchat    *webchat.Adapter  // nil when the channel is off
	app        *fiber.App
	http       net.Listener
	control    *controlServer
	page       *admin.Page // the owner's admin page
	// unsubscribe signs the unsubscribe links of emails and checks them on the page /u/<token>.
	unsubscribe *cardbot.UnsubscribeTokens
}

// dbPath is where the service keeps its database.
func dbPath(cfg cardbot.Config) string { return filepath.Join(cfg.DataDir, "cardbot.db") }

// newServer opens the database, builds the packages and binds the listeners, so that every failure
// (a bad port, a locked database, a Telegram token that is refused) is reported before the service
// says it is up.
func newServer(cfg cardbot.Config, clock cardbot.Clock, log *slog.Logger) (*server, error) {
	db, err := store.Open(dbPath(cfg))
	if err != nil {
		return nil, err
	}
	s := &server{cfg: cfg, log: log, db: db}
	if err := s.wire(clock); err != nil {
		s.whatsapp.close() // an opened device store holds its lock until closed
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *server) wire(clock cardbot.Clock) error {
	w, err := wallet.New(s.cfg, clock)
	if err != nil {
		return err
	}
	wake := func() { s.dispatcher.Wake() }
	s.engine, err = flows.NewEngine(flows.Deps{Store: s.db, Wallet: w, Clock: clock, Config: s.cfg, Log: s.log, Wake: wake, Texts: s.cfg.Texts})
	if err != nil {
		return err
	}
	// The automation's jobs (ratings, birthdays, triggers, expiry, cleanup); Jobs() feeds the admin page.
	if s.scheduler, err = flows.NewScheduler(s.engine); err != nil {
		return err
	}
	s.broadcasts, err = flows.NewBroadcasts(context.Background(), flows.BroadcastDeps{
		Store: s.db, Clock: clock, Config: s.cfg, Programs: w.Programs, Log: s.log, Wake: wake, Window: flows.BroadcastWindow(s.cfg),
	})
	if err != nil {
		return err
	}
	if s.unsubscribe, err = unsubscribeTokens(context.Background(), s.db); err != nil {
		return err
	}
	senders, err := s.channels(clock)
	if err != nil {
		return err
	}
	pictures := flows.NewPictures(s.db, w, s.cfg)
	senders = s.webChat(senders, pictures, clock)
	quiet, err := bot.QuietHoursFrom(s.cfg)
	if err != nil {
		return err
	}
	s.dispatcher = bot.New(s.db, clock, senders, pictures, s.log, bot.Options{
		Cascade:    s.cascade(),
		Routes:     s.cfg.Settings.Routes,
		QuietHours: quiet,
		Gate:       s.broadcasts, // paused broadcasts hold their rows, cancelled ones skip them
		Images:     s.broadcasts,
		// No per-chat pacing: a reply of two or three messages must arrive at once, and Telegram
		// tolerates such bursts; a 429 still pauses the channel.
		Limits: map[string]bot.Limit{
			telegram.ChannelName: {PerSecond: s.cfg.Telegram.RateLimit},
			sms.ChannelName:      {PerSecond: s.cfg.SMS.RateLimit},
			email.ChannelName:    {PerSecond: s.cfg.Email.RateLimit},
			whatsapp.ChannelName: {PerSecond: s.cfg.WhatsApp.RateLimit},
		},
	})
	proxies, err := cardbot.ParseTrustedProxies(s.cfg.HTTP.TrustedProxies)
	if err != nil {
		return fmt.Errorf("http.trusted_proxies: %w", err)
	}
	s.app = admin.NewApp(s.log, proxies)
	// The API's notices are committed by the API, so its store wakes the dispatcher after each commit.
	apiStore := wakingStore{Store: s.db, wake: wake}
	deps := admin.Deps{Store: apiStore, Wallet: w, Clock: clock, Config: s.cfg, Log: s.log, Notifier: s.engine}
	admin.NewAPI(deps).Mount(s.app)
	if err := s.mountAdminPage(deps, senders); err != nil {
		return err
	}
	if s.telegram != nil && s.cfg.Telegram.Mode == cardbot.TelegramWebhook {
		s.app.Post(telegram.WebhookPath, adaptor.HTTPHandler(s.telegram.WebhookHandler()))
	}
	if err := s.mountPublic(apiStore, w, pictures, clock); err != nil {
		return err
	}
	return s.listen(clock)
}

// channels builds the adapters that have what they need in the config; the others stay off.
func (s *server) channels(clock cardbot.Clock) ([]cardbot.Sender, error) {
	var senders []cardbot.Sender
	if s.cfg.Telegram.Token == "" {
		s.log.Info("telegram is off: no telegram.token in the config")
	} else {
		tg, err := telegram.New(s.cfg.Telegram, s.engine, s.log, telegram.WithClock(clock))
		if err != nil {
			return nil, err // already says "telegram: …"
		}
		s.telegram = tg
		s.engine.SetBotUsername(telegram.ChannelName, tg.Username())
		senders = append(senders, tg)
	}
	if s.cfg.SMS.Enabled {
		sm, err := sms.New(s.cfg.SMS, nil, s.log.With("channel", sms.ChannelName))
		if err != nil {
			return nil, fmt.Errorf("sms: %w", err)
		}
		senders = append(senders, sm)
	}
	if s.cfg.Email.Enabled {
		em, err := email.New(s.cfg.Email, s.cfg.Business, s.log.With("channel", email.ChannelName), email.WithLocale(s.cfg.Locale),
			email.WithUnsubscribeTokens(s.unsubscribe))
		if err != nil {
			return nil, fmt.Errorf("email: %w", err)
		}
		senders = append(senders, em)
	}
	wa, err := openWhatsApp(s.cfg, s.engine, clock, s.log) // nil, nil while whatsapp.enabled is off
	if err != nil {
		return nil, err
	}
	s.whatsapp, senders = wa, wa.appendTo(senders)
	return senders, nil
}

func (s *server) listen(clock cardbot.Clock) error {
	var err error
	s.http, err = net.Listen("tcp", s.cfg.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", s.cfg.HTTP.Listen, err)
	}
	s.control, err = startControl(s.cfg, s.db, clock, s.log)
	if err != nil {
		s.http.Close()
		return err
	}
	return nil
}

// Addr is the address the HTTP server listens on.
func (s *server) Addr() string { return s.http.Addr().String() }

// Run serves until ctx is done, then shuts down in order: stop taking updates and requests (running
// ones finish), send what is in flight for a bounded time, stop the control socket, close the database.
// Rows still pending then are sent after the next start.
func (s *server) Run(ctx context.Context) error {
	intake, stopIntake := context.WithCancel(context.Background())
	defer stopIntake()
	var background sync.WaitGroup
	sending, stopSending := context.WithCancel(context.Background())
	defer stopSending()
	background.Go(func() { s.dispatcher.Run(sending) })
	// After the dispatcher, so the catch-up's messages go out at once.
	background.Go(func() { s.scheduler.Start(intake) })
	// Like the scheduler, broadcasts stop writing rows when intake stops, so the drain sees them all.
	background.Go(func() { s.broadcasts.Run(intake) })

	served := make(chan error, 1)
	go func() { served <- s.app.Listener(s.http) }()
	if err := s.startTelegram(ctx, intake, &background); err != nil {
		s.log.Error("telegram did not start", "err", err)
	}
	background.Go(func() { s.whatsapp.run(intake) }) // closes its device store before the database closes
	s.log.Info("cardbot is serving", "url", "http://"+s.Addr(), "database", dbPath(s.cfg))
	s.hintAboutKeys(ctx)
	s.hintAboutAdmin(ctx)
	var err error
	select {
	case <-ctx.Done():
	case err = <-served:
		err = fmt.Errorf("http server stopped: %w", err)
	}
	s.log.Info("shutting down")
	stopIntake()
	if s.webchat != nil {
		s.webchat.Close() // its long polls answer now instead of holding the shutdown
	}
	if shutErr := s.app.ShutdownWithTimeout(shutdownGrace); shutErr != nil {
		s.log.Warn("http shutdown", "err", shutErr)
	}
	drain, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	// The scheduler stops before the dispatcher drains, so the drain sees every row it wrote.
	if schedErr := s.scheduler.Stop(drain); schedErr != nil {
		s.log.Warn("scheduled jobs still running at shutdown", "err", schedErr)
	}
	if drainErr := s.dispatcher.Drain(drain); drainErr != nil {
		s.log.Warn("sends still in flight at shutdown are kept for the next start", "err", drainErr)
	}
	cancel()
	stopSending()
	background.Wait()
	s.control.Close()
	err = errors.Join(err, s.db.Close())
	if err == nil {
		s.log.Info("stopped cleanly")
	}
	return err
}

// startTelegram publishes the command menu and starts receiving: a long poll, or the webhook.
func (s *server) startTelegram(ctx, intake context.Context, background *sync.WaitGroup) error {
	if s.telegram == nil {
		return nil
	}
	cmds := []telegram.Command{}
	for _, c := range s.engine.Commands() {
		cmds = append(cmds, telegram.Command{Name: c.Name, Description: c.Description})
	}
	if err := s.telegram.SetCommands(ctx, cmds); err != nil {
		s.log.Warn("telegram: could not set the command menu", "err", err)
	}
	if s.cfg.Telegram.Mode == cardbot.TelegramWebhook {
		return s.telegram.SetWebhook(ctx, s.cfg.HTTP.BaseURL+telegram.WebhookPath)
	}
	background.Go(func() {
		if err := s.telegram.Run(intake); err != nil {
			s.log.Error("telegram polling stopped", "err", err)
		}
	})
	return nil
}

// hintAboutKeys tells a new owner how to make the first API key.
func (s *server) hintAboutKeys(ctx context.Context) {
	var keys []*cardbot.APIKey
	err := s.db.View(ctx, func(tx cardbot.Tx) error {
		var err error
		keys, err = tx.APIKeys()
		return err
	})
	if err == nil && len(keys) == 0 {
		s.log.Info("no API keys yet: make one with `cardbot apikey create NAME` (or `make apikey NAME=till`)")
	}
}

// mountAdminPage builds the admin page over the API's dependencies, with the live settings seam and
// the channels, and puts the owner's stored settings in force.
func (s *server) mountAdminPage(deps admin.Deps, senders []cardbot.Sender) error {
	stats, err := newStatistics(s.db, s.cfg, deps.Wallet)
	if err != nil {
		return err
	}
	page, err := admin.NewPage(context.Background(), admin.PageDeps{
		Deps:       deps,
		Runtime:    liveSettings{engine: s.engine, dispatcher: s.dispatcher, cascade: s.withWebChat},
		Channels:   newAdminChannels(s, senders),
		Validate:   configfile.Validate,
		Broadcasts: s.broadcasts,
		Stats:      stats,
		Jobs:       s.scheduler,
	})
	if err != nil {
		return err
	}
	s.page = page
	return page.Mount(s.app)
}

// hintAboutAdmin prints the one-time setup link while nobody can log in to the admin page.
func (s *server) hintAboutAdmin(ctx context.Context) {
	link, err := s.page.SetupLink(ctx)
	if err != nil {
		s.log.Error("admin page", "err", err)
		return
	}
	if link != "" {
		s.log.Warn("no admin page users yet: open this link once to create the owner account (or run `cardbot user add NAME`)", "url", link)
	}
}

// wakingStore wakes the dispatcher after each committed update, for writers (the API) whose commits
// may enqueue messages but who do not know about the dispatcher.
type wakingStore struct {
	cardbot.Store
	wake func()
}

func (w wakingStore) Update(ctx context.Context, fn func(cardbot.Tx) error) error {
	err := w.Store.Update(ctx, fn)
	if err == nil {
		w.wake()
	}
	return err
}

func serveCommand(ctx context.Context, args []string, logOut io.Writer) error {
	path, rest, err := parseFlags("serve", args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError("serve takes no arguments")
	}
	cfg, err := loadConfig(path)
	if err != nil {
		return err
	}
	defer tuneGC()()
	s, err := newServer(cfg, cardbot.SystemClock{}, newLogger(logOut))
	if err != nil {
		return err
	}
	return s.Run(ctx)
}
