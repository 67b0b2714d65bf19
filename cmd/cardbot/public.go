package main

import (
	"slices"
	"strings"

	"cardbot"
	"cardbot/bot/webchat"
	"cardbot/minisite"
	"cardbot/wallet"
)

// webChat builds the web chat channel when webchat.enabled is on (the default) and adds its sender.
func (s *server) webChat(senders []cardbot.Sender, pictures cardbot.Pictures, clock cardbot.Clock) []cardbot.Sender {
	if !s.cfg.WebChat.Enabled {
		s.log.Info("the web chat is off: webchat.enabled is false")
		return senders
	}
	s.webchat = webchat.New(s.engine, s.db, pictures, s.log.With("channel", webchat.ChannelName),
		webchat.WithClock(clock), webchat.WithSecureCookies(strings.HasPrefix(s.cfg.HTTP.BaseURL, "https:")))
	s.log.Info("the web chat is on: talk to the bot in a browser", "url", s.cfg.HTTP.BaseURL+"/chat")
	return append(senders, s.webchat)
}

// cascade is the owner's cascade with the web chat last (see withWebChat).
func (s *server) cascade() []string { return s.withWebChat(s.cfg.Settings.Cascade) }

// withWebChat is a cascade with the web chat last: a client known only from the web chat still sees
// their notices there the next time the chat is open. The admin page's cascade goes through it too.
func (s *server) withWebChat(c []string) []string {
	if s.webchat == nil || slices.Contains(c, webchat.ChannelName) {
		return c
	}
	return append(slices.Clone(c), webchat.ChannelName)
}

// mountPublic adds the mini-sites, invite link pages (/r/<code>), card pages and the web chat to the
// HTTP server.
func (s *server) mountPublic(store cardbot.Store, w *wallet.Wallet, pictures cardbot.Pictures, clock cardbot.Clock) error {
	links := minisite.Links{WebChat: s.webchat != nil}
	if tg := s.telegram; tg != nil {
		links.TelegramBot = tg.Username
	}
	if wa := s.whatsapp; wa != nil {
		links.WhatsAppNumber = wa.device.Phone
		s.engine.SetWhatsAppNumber(wa.device.Phone) // for the links of /invite
	}
	site, err := minisite.New(minisite.Deps{
		Store: store, Wallet: w, Clock: clock, Config: s.cfg, Log: s.log.With("part", "minisite"),
		Notifier: s.engine, Pictures: pictures, Links: links, Generation: s.db.Generation,
	})
	if err != nil {
		return err
	}
	site.Mount(s.app)
	if err := site.MountUnsubscribe(s.app, s.unsubscribe); err != nil {
		return err
	}
	if s.webchat != nil {
		s.webchat.Mount(s.app)
	}
	return nil
}
