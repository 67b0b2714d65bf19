package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"cardbot"
	"cardbot/bot/whatsapp"
	"cardbot/wallet"

	"github.com/mdp/qrterminal/v3"
	"golang.org/x/term"
)

// whatsAppChannel is the WhatsApp channel as serve runs it: the adapter and the device store under
// it. A nil *whatsAppChannel is the channel switched off; its methods then do nothing.
type whatsAppChannel struct {
	adapter *whatsapp.Adapter
	device  *whatsapp.Device
	log     *slog.Logger
}

// openWhatsApp opens the device store in data_dir and builds the adapter when whatsapp.enabled is
// set; nil when it is not. It fails while another process (a `cardbot whatsapp pair`) holds the
// store. A device not paired yet is no failure: the channel starts pairing, and the admin page
// shows the code.
func openWhatsApp(cfg cardbot.Config, handler cardbot.Handler, clock cardbot.Clock, log *slog.Logger) (*whatsAppChannel, error) {
	if !cfg.WhatsApp.Enabled {
		log.Info("whatsapp is off: whatsapp.enabled is not set in the config")
		return nil, nil
	}
	dev, err := whatsapp.Open(context.Background(), cfg.DataDir, log)
	if errors.Is(err, whatsapp.ErrInUse) {
		return nil, fmt.Errorf("whatsapp: the device store in %s is in use by another cardbot (a `cardbot whatsapp pair` still running?)", cfg.DataDir)
	}
	if err != nil {
		return nil, err
	}
	a := whatsapp.New(dev.Client(), handler, log, whatsapp.WithClock(clock))
	if dev.Phone() == "" {
		log.Warn("whatsapp is not paired yet: pair it from the admin page, or stop the service and run `cardbot whatsapp pair`")
	}
	return &whatsAppChannel{adapter: a, device: dev, log: log}, nil
}

// appendTo adds the channel's sender to senders when the channel is on.
func (w *whatsAppChannel) appendTo(senders []cardbot.Sender) []cardbot.Sender {
	if w == nil {
		return senders
	}
	return append(senders, w.adapter)
}

// run keeps the channel online until ctx ends, then closes the device store.
func (w *whatsAppChannel) run(ctx context.Context) {
	if w == nil {
		return
	}
	if err := w.adapter.Run(ctx); err != nil {
		w.log.Error("whatsapp stopped", "err", err)
	}
	w.close()
}

// close closes the device store, letting other processes open it.
func (w *whatsAppChannel) close() {
	if w == nil {
		return
	}
	if err := w.device.Close(); err != nil {
		w.log.Warn("closing the whatsapp device store", "err", err)
	}
}

const whatsappUsage = "usage: cardbot whatsapp pair [-config FILE] [-phone +79161234567]"

// whatsappCommand runs `cardbot whatsapp pair`: it links the business's WhatsApp account to this
// installation, showing the pairing QR code in the terminal (a new one as WhatsApp rotates them),
// or with -phone printing a code to type on that phone. It returns once the phone accepted the
// device, or with an error on Ctrl-C.
func whatsappCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "pair" {
		return usageError(whatsappUsage)
	}
	path, phone, err := pairFlags(args[1:])
	if err != nil {
		return err
	}
	cfg, err := loadConfig(path)
	if err != nil {
		return err
	}
	if phone != "" {
		if phone, err = wallet.NormalizePhone(phone, cfg.Business.Country); err != nil {
			return usageError("-phone: " + cardbot.MessageOf(err))
		}
	}
	dev, err := openForPairing(ctx, cfg.DataDir, stderr)
	if err != nil {
		return err
	}
	defer dev.Close()
	return pair(ctx, dev, phone, cfg.WhatsApp.Enabled, stdout)
}

func pairFlags(args []string) (path, phone string, err error) {
	fs := flag.NewFlagSet("whatsapp pair", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&path, "config", "", "config file")
	fs.StringVar(&phone, "phone", "", "pair by a code typed on this phone instead of a QR code")
	if err := fs.Parse(args); err != nil {
		return "", "", usageError(err.Error() + "\n" + whatsappUsage)
	}
	if fs.NArg() > 0 {
		return "", "", usageError(whatsappUsage)
	}
	return path, phone, nil
}

// openForPairing opens the device store, refusing while the service has it: two processes on one
// device would take the link from each other. The running service holds a lock on the store (see
// whatsapp.Open), which is what is checked.
func openForPairing(ctx context.Context, dataDir string, stderr io.Writer) (*whatsapp.Device, error) {
	// Only whatsmeow's warnings and errors: its progress lines would push the QR code off screen.
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	dev, err := whatsapp.Open(ctx, dataDir, log)
	if errors.Is(err, whatsapp.ErrInUse) {
		return nil, fmt.Errorf("the WhatsApp device in %s is in use: cardbot is running with this data directory. "+
			"Stop it first (or pair from the admin page), then run this again", dataDir)
	}
	return dev, err
}

func pair(ctx context.Context, dev *whatsapp.Device, phone string, enabled bool, stdout io.Writer) error {
	if p := dev.Phone(); p != "" {
		return fmt.Errorf("this cardbot is already paired with %s. To pair another number, unlink \"cardbot\" "+
			"in WhatsApp on that phone (Settings → Linked devices), start cardbot once so it notices, then pair again", p)
	}
	paired, err := whatsapp.Pair(ctx, dev.Client(), phone, func(p whatsapp.Pairing) { showPairing(stdout, p, phone) })
	if err != nil {
		if ctx.Err() != nil {
			return errors.New("pairing stopped: no phone was linked")
		}
		return err
	}
	fmt.Fprintf(stdout, "\nPaired with %s.\n", paired)
	if !enabled {
		fmt.Fprintln(stdout, "Set whatsapp.enabled: true in the config to switch the channel on.")
	}
	return nil
}

// showPairing prints a new QR code (over the previous one on a terminal), or the phone code.
func showPairing(w io.Writer, p whatsapp.Pairing, phone string) {
	if phone != "" {
		if p.PhoneCode != "" {
			fmt.Fprintf(w, "\nOn %s open WhatsApp → Settings → Linked devices → Link a device → Link with phone number instead, and enter:\n\n    %s\n\n(the code works for about two and a half minutes; a new one follows)\n", phone, p.PhoneCode)
		}
		return
	}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(w, "\033[H\033[2J") // clear the screen: one code at a time
	}
	qrterminal.GenerateHalfBlock(p.QR, qrterminal.L, w)
	fmt.Fprintln(w, "On the business's phone open WhatsApp → Settings → Linked devices → Link a device, and scan this code.")
	fmt.Fprintln(w, "It changes every 20 seconds. Ctrl-C to stop.")
}
