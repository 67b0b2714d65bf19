package whatsapp

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
)

// fakeClient stands in for WhatsApp behind the Client interface. It behaves like whatsmeow where
// the adapter depends on it: events go to every handler, a connect of a paired device logs in and
// reports Connected from another goroutine, Disconnect reports nothing, a drop reports Disconnected,
// and the QR channel closes when its context ends.
type fakeClient struct {
	mu       sync.Mutex
	handlers map[uint32]whatsmeow.EventHandler
	lastID   uint32

	own        types.JID
	connected  bool
	loggedIn   bool
	connects   int
	connectErr []error // returned by the next connects, in turn

	lids       map[types.JID]types.JID // LID → phone JID
	onWhatsApp map[string]types.JID    // phone → account; other phones are not on WhatsApp
	isOnErr    error
	isOnCalls  int

	sendErr   error
	sent      []sentMessage
	uploadErr error
	uploads   [][]byte
	reads     []types.MessageID

	qr        chan whatsmeow.QRChannelItem // the current pairing round's channel
	qrRounds  int
	phoneCode string
	pairCalls []string
	logoutErr error
}

type sentMessage struct {
	to  types.JID
	msg *waE2E.Message
}

func newFake() *fakeClient {
	return &fakeClient{handlers: map[uint32]whatsmeow.EventHandler{}, lids: map[types.JID]types.JID{}, onWhatsApp: map[string]types.JID{}}
}

// paired returns a fake whose device is linked to +79990000001.
func pairedFake() *fakeClient {
	f := newFake()
	f.own = types.JID{User: "79990000001", Device: 7, Server: types.DefaultUserServer}
	return f
}

func (f *fakeClient) AddEventHandler(h whatsmeow.EventHandler) uint32 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastID++
	f.handlers[f.lastID] = h
	return f.lastID
}

func (f *fakeClient) RemoveEventHandler(id uint32) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.handlers[id]
	delete(f.handlers, id)
	return ok
}

// emit dispatches an event to every handler, as whatsmeow's event goroutine does.
func (f *fakeClient) emit(evt any) {
	f.mu.Lock()
	hs := make([]whatsmeow.EventHandler, 0, len(f.handlers))
	for _, h := range f.handlers {
		hs = append(hs, h)
	}
	f.mu.Unlock()
	for _, h := range hs {
		h(evt)
	}
}

func (f *fakeClient) ConnectContext(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.connects++
	if len(f.connectErr) > 0 {
		err := f.connectErr[0]
		f.connectErr = f.connectErr[1:]
		return err
	}
	if f.connected {
		return whatsmeow.ErrAlreadyConnected
	}
	f.connected = true
	if !f.own.IsEmpty() {
		f.loggedIn = true
		go f.emit(&events.Connected{})
	}
	return nil
}

func (f *fakeClient) Disconnect() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.connected, f.loggedIn = false, false
}

// drop is the connection failing under us.
func (f *fakeClient) drop() {
	f.Disconnect()
	f.emit(&events.Disconnected{})
}

// logoutRemotely is the phone unlinking the device: whatsmeow reports it and deletes the device.
func (f *fakeClient) logoutRemotely() {
	f.mu.Lock()
	f.connected, f.loggedIn = false, false
	f.mu.Unlock()
	f.emit(&events.LoggedOut{Reason: events.ConnectFailureLoggedOut})
	f.mu.Lock()
	f.own = types.JID{}
	f.mu.Unlock()
}

func (f *fakeClient) IsConnected() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.connected
}

func (f *fakeClient) IsLoggedIn() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.loggedIn
}

func (f *fakeClient) GetQRChannel(ctx context.Context) (<-chan whatsmeow.QRChannelItem, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.own.IsEmpty() {
		return nil, whatsmeow.ErrQRStoreContainsID
	}
	ch := make(chan whatsmeow.QRChannelItem, 8)
	f.qr, f.qrRounds = ch, f.qrRounds+1
	go func() {
		<-ctx.Done()
		f.endRound(ch, nil)
	}()
	return ch, nil
}

// showCode sends the current round a new QR code.
func (f *fakeClient) showCode(code string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.qr == nil {
		return false
	}
	f.qr <- whatsmeow.QRChannelItem{Event: whatsmeow.QRChannelEventCode, Code: code, Timeout: time.Minute}
	return true
}

// scanned is the phone accepting the device: the round ends, and whatsmeow logs in by itself.
func (f *fakeClient) scanned(phone string) {
	f.mu.Lock()
	f.own = types.JID{User: phone, Device: 9, Server: types.DefaultUserServer}
	ch := f.qr
	f.mu.Unlock()
	f.endRound(ch, &whatsmeow.QRChannelSuccess)
	f.mu.Lock()
	f.connected, f.loggedIn = true, true
	f.mu.Unlock()
	f.emit(&events.Connected{})
}

// expire is the round running out of codes: whatsmeow disconnects.
func (f *fakeClient) expire() {
	f.mu.Lock()
	ch := f.qr
	f.connected = false
	f.mu.Unlock()
	f.endRound(ch, &whatsmeow.QRChannelTimeout)
}

func (f *fakeClient) endRound(ch chan whatsmeow.QRChannelItem, last *whatsmeow.QRChannelItem) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if ch == nil || f.qr != ch {
		return // ended already
	}
	if last != nil {
		ch <- *last
	}
	close(ch)
	f.qr = nil
}

func (f *fakeClient) PairPhone(_ context.Context, phone string, _ bool, _ whatsmeow.PairClientType, name string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.connected {
		return "", whatsmeow.ErrNotConnected
	}
	f.pairCalls = append(f.pairCalls, phone+" "+name)
	return f.phoneCode, nil
}

func (f *fakeClient) Logout(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.logoutErr != nil {
		return f.logoutErr
	}
	f.connected, f.loggedIn, f.own = false, false, types.JID{}
	return nil
}

func (f *fakeClient) SendMessage(_ context.Context, to types.JID, msg *waE2E.Message, _ ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sendErr != nil {
		return whatsmeow.SendResponse{}, f.sendErr
	}
	f.sent = append(f.sent, sentMessage{to: to, msg: msg})
	return whatsmeow.SendResponse{ID: "sent", Timestamp: time.Now()}, nil
}

func (f *fakeClient) Upload(_ context.Context, data []byte, media whatsmeow.MediaType) (whatsmeow.UploadResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.uploadErr != nil {
		return whatsmeow.UploadResponse{}, f.uploadErr
	}
	if media != whatsmeow.MediaImage {
		return whatsmeow.UploadResponse{}, errors.New("fake: unexpected media type")
	}
	f.uploads = append(f.uploads, data)
	return whatsmeow.UploadResponse{
		URL: "https://mmg.example/x", DirectPath: "/v/x", MediaKey: []byte("key"),
		FileEncSHA256: []byte("enc"), FileSHA256: []byte("sha"), FileLength: uint64(len(data)),
	}, nil
}

func (f *fakeClient) IsOnWhatsApp(_ context.Context, phones []string) ([]types.IsOnWhatsAppResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.isOnCalls++
	if f.isOnErr != nil {
		return nil, f.isOnErr
	}
	var out []types.IsOnWhatsAppResponse
	for _, p := range phones {
		jid, ok := f.onWhatsApp[p]
		if !ok {
			jid = types.NewJID(p[1:], types.DefaultUserServer)
		}
		out = append(out, types.IsOnWhatsAppResponse{Query: p, JID: jid, IsIn: ok})
	}
	return out, nil
}

func (f *fakeClient) MarkRead(_ context.Context, ids []types.MessageID, _ time.Time, _, _ types.JID, _ ...types.ReceiptType) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads = append(f.reads, ids...)
	return nil
}

func (f *fakeClient) OwnID() types.JID {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.own
}

func (f *fakeClient) PhoneForLID(_ context.Context, lid types.JID) (types.JID, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lids[lid], nil
}

// locked reads the fake's state under its lock.
func (f *fakeClient) locked(read func(f *fakeClient)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	read(f)
}
