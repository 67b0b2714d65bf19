package main

import (
	"context"
	"fmt"

	"cardbot"
	"cardbot/admin"
	"cardbot/bot"
	"cardbot/bot/email"
	"cardbot/bot/sms"
	"cardbot/bot/telegram"
	"cardbot/bot/whatsapp"
	"cardbot/flows"
	"cardbot/wallet"
)

// liveSettings puts the settings the owner edits in the admin page in force in the running engine
// and dispatcher (the wallet's programmes are set by the page itself).
type liveSettings struct {
	engine     *flows.Engine
	dispatcher *bot.Dispatcher
	cascade    func([]string) []string // the owner's cascade as the dispatcher walks it
}

func (l liveSettings) Apply(cfg cardbot.Config) error {
	if err := l.engine.SetTexts(cfg.Texts); err != nil {
		return err
	}
	if err := l.engine.SetSettings(cfg.Settings); err != nil {
		return err
	}
	l.dispatcher.SetCascade(l.cascade(cfg.Settings.Cascade))
	return nil
}

// adminChannels shows the admin page the state of each channel and lets it act on WhatsApp and send
// test messages.
type adminChannels struct {
	telegram *telegram.Adapter
	whatsapp *whatsAppChannel
	senders  map[string]cardbot.Sender
}

func newAdminChannels(s *server, senders []cardbot.Sender) *adminChannels {
	a := &adminChannels{telegram: s.telegram, whatsapp: s.whatsapp, senders: map[string]cardbot.Sender{}}
	for _, sn := range senders {
		a.senders[sn.Channel()] = sn
	}
	return a
}

func (a *adminChannels) Status(channel string) admin.ChannelStatus {
	switch channel {
	case telegram.ChannelName:
		if a.telegram == nil {
			return admin.ChannelStatus{Detail: "no telegram.token in the config"}
		}
		return admin.ChannelStatus{On: true, State: "connected", Detail: "@" + a.telegram.Username()}
	case whatsapp.ChannelName:
		if a.whatsapp == nil {
			return admin.ChannelStatus{Detail: "whatsapp.enabled is off"}
		}
		st := a.whatsapp.adapter.Status()
		detail := st.Detail
		if st.Phone != "" {
			detail = st.Phone
		}
		return admin.ChannelStatus{On: true, State: st.State, Detail: detail, Since: st.Since}
	case sms.ChannelName, email.ChannelName:
		if a.senders[channel] == nil {
			return admin.ChannelStatus{Detail: channel + ".enabled is off"}
		}
		return admin.ChannelStatus{On: true}
	}
	return admin.ChannelStatus{}
}

func (a *adminChannels) WhatsAppQR() ([]byte, error) {
	if a.whatsapp == nil {
		return nil, fmt.Errorf("whatsapp is off")
	}
	return a.whatsapp.adapter.PairingQRPNG()
}

func (a *adminChannels) WhatsAppPair() {
	if a.whatsapp != nil {
		a.whatsapp.adapter.StartPairing()
	}
}

func (a *adminChannels) WhatsAppLogout(ctx context.Context) error {
	if a.whatsapp == nil {
		return fmt.Errorf("whatsapp is off")
	}
	return a.whatsapp.adapter.Logout(ctx)
}

func (a *adminChannels) TestSend(ctx context.Context, channel, to, text string) error {
	s := a.senders[channel]
	if s == nil {
		return fmt.Errorf("%s is off", channel)
	}
	return s.Send(ctx, cardbot.Outgoing{To: to, Text: text})
}

// newStatistics builds the statistics page's figures over the ledger and the stored visit ratings;
// a score below rating.good counts as negative, as in the auto-replies.
func newStatistics(db cardbot.Store, cfg cardbot.Config, w *wallet.Wallet) (*flows.Statistics, error) {
	return flows.NewStatistics(flows.StatsDeps{
		Store: db, Config: cfg, Programs: w.Programs, Ratings: flows.StoredRatings{Store: db},
		NegativeAtMost: cfg.Rating.Good - 1,
	})
}
