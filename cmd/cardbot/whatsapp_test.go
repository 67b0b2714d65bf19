package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"cardbot"
	"cardbot/bot/whatsapp"
)

func TestWhatsAppPairUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"link"}, {"pair", "extra"}, {"pair", "-qr"}} {
		err := whatsappCommand(context.Background(), args, &strings.Builder{}, &strings.Builder{})
		var u usageError
		if !errors.As(err, &u) {
			t.Errorf("%q: got %v, want a usage error", args, err)
		}
	}
	path := writeConfig(t, smallConfig)
	err := whatsappCommand(context.Background(), []string{"pair", "-config", path, "-phone", "call me"}, &strings.Builder{}, &strings.Builder{})
	var u usageError
	if !errors.As(err, &u) || !strings.Contains(err.Error(), "-phone") {
		t.Fatalf("a bad -phone: %v", err)
	}
}

// While serve has the channel open, pairing is refused with a message that says what to do; once
// the service lets go, the store opens again.
func TestWhatsAppPairRefusesWhileServing(t *testing.T) {
	path := writeConfig(t, smallConfig+"whatsapp:\n  enabled: true\n")
	cfg, err := loadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := openWhatsApp(cfg, nopHandler{}, cardbot.SystemClock{}, newLogger(&strings.Builder{}))
	if err != nil || ch == nil {
		t.Fatalf("openWhatsApp: %v, %v", ch, err)
	}
	if s := ch.adapter.Status(); s.State != whatsapp.StateNotPaired {
		t.Fatalf("a new device is %s", s.State)
	}
	if senders := ch.appendTo(nil); len(senders) != 1 || senders[0].Channel() != "whatsapp" {
		t.Fatalf("senders %v", senders)
	}
	err = whatsappCommand(context.Background(), []string{"pair", "-config", path}, &strings.Builder{}, &strings.Builder{})
	if err == nil || !strings.Contains(err.Error(), "in use") || !strings.Contains(err.Error(), "Stop it first") {
		t.Fatalf("pairing while serving: %v", err)
	}
	if _, err := openWhatsApp(cfg, nopHandler{}, cardbot.SystemClock{}, newLogger(&strings.Builder{})); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("a second service on the same store: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel() // Run returns at once, without going online, and the store is closed
	ch.run(ctx)
	dev, err := whatsapp.Open(context.Background(), cfg.DataDir, newLogger(&strings.Builder{}))
	if err != nil {
		t.Fatalf("the store stayed locked after the channel stopped: %v", err)
	}
	dev.Close()
}

func TestWhatsAppOff(t *testing.T) {
	cfg := cardbot.DefaultConfig()
	cfg.DataDir = t.TempDir()
	ch, err := openWhatsApp(cfg, nopHandler{}, cardbot.SystemClock{}, newLogger(&strings.Builder{}))
	if err != nil || ch != nil {
		t.Fatalf("off: %v, %v", ch, err)
	}
	if senders := ch.appendTo(nil); len(senders) != 0 {
		t.Fatal("a switched-off channel added a sender")
	}
	ch.run(context.Background()) // returns at once
}

type nopHandler struct{}

func (nopHandler) Handle(context.Context, cardbot.Inbound) error { return nil }
