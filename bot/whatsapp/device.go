package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"
	_ "modernc.org/sqlite" // the "sqlite" driver: pure Go, so the binary builds without cgo
)

// Files in the data directory.
const (
	storeFile = "whatsapp.db"   // the device's keys and sessions: whoever has it is the business on WhatsApp
	lockFile  = "whatsapp.lock" // held while a process uses the store
)

// ErrInUse means another process (a running `cardbot serve`, or another `cardbot whatsapp pair`)
// has the device store open. Two processes on one device would each disconnect the other.
var ErrInUse = errors.New("whatsapp: the device store is in use by another cardbot process")

// Device is the WhatsApp device in the data directory: its store and the whatsmeow client on it.
// Only one process may have it open at a time.
type Device struct {
	store  *sqlstore.Container
	client *whatsmeow.Client
	unlock func() error
}

// Open opens (or creates) the device store at dataDir/whatsapp.db and the client on its device: the
// paired one, or a new one to pair. It fails with ErrInUse while another process has it open.
func Open(ctx context.Context, dataDir string, log *slog.Logger) (*Device, error) {
	if log == nil {
		log = slog.Default()
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("whatsapp: %w", err)
	}
	unlock, err := lockStore(filepath.Join(dataDir, lockFile))
	if err != nil {
		return nil, err
	}
	d, err := openStore(ctx, filepath.Join(dataDir, storeFile), log)
	if err != nil {
		return nil, errors.Join(err, unlock())
	}
	d.unlock = unlock
	return d, nil
}

func openStore(ctx context.Context, path string, log *slog.Logger) (*Device, error) {
	// The keys are the account: keep them from other users of the machine. SQLite gives its journal
	// files the database's mode.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: %w", err)
	}
	f.Close()
	waLog := newLogger(log.With("component", "whatsmeow"))
	container, err := sqlstore.New(ctx, "sqlite", storeDSN(path), waLog)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: opening the device store %s: %w", path, err)
	}
	device, err := container.GetFirstDevice(ctx)
	if err != nil {
		container.Close()
		return nil, fmt.Errorf("whatsapp: reading the device store %s: %w", path, err)
	}
	// The name the phone lists the device under, in Linked devices. (A whatsmeow global: one
	// process, one device.)
	store.DeviceProps.Os = proto.String("cardbot")
	client := whatsmeow.NewClient(device, waLog)
	client.EnableAutoReconnect = false      // Run reconnects, with its own backoff and stop rules
	client.ManualHistorySyncDownload = true // old chats are of no use to the bot: do not download them
	return &Device{store: container, client: client}, nil
}

// storeDSN is the modernc SQLite address of the store: a file: URI (the path escaped, as SQLite
// decodes it), foreign keys on as whatsmeow needs, WAL and a busy timeout so whatsmeow's concurrent
// writers wait for each other rather than fail.
func storeDSN(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	u := url.URL{Path: filepath.ToSlash(path)}
	return "file:" + u.EscapedPath() + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)"
}

// Client is the client for New and Pair.
func (d *Device) Client() Client { return liveClient{d.client} }

// Phone is the paired account's phone in E.164, or "" when the device is not paired.
func (d *Device) Phone() string { return phoneOf(d.client.Store.GetJID()) }

// Close disconnects, closes the store and lets other processes open it.
func (d *Device) Close() error {
	d.client.Disconnect()
	return errors.Join(d.store.Close(), d.unlock())
}

// liveClient is *whatsmeow.Client with the two device-store reads Client adds.
type liveClient struct {
	*whatsmeow.Client
}

func (c liveClient) OwnID() types.JID { return c.Store.GetJID() }

func (c liveClient) PhoneForLID(ctx context.Context, lid types.JID) (types.JID, error) {
	return c.Store.LIDs.GetPNForLID(ctx, lid)
}
