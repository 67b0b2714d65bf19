package whatsapp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"time"

	"cardbot"

	"github.com/boombuler/barcode/qr"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
)

var (
	// ErrAlreadyPaired refuses to pair a device that is linked to an account already.
	ErrAlreadyPaired = errors.New("whatsapp: the device is already paired")
	// ErrNoPairingCode means no pairing round is on, so there is no code to show; StartPairing
	// starts one.
	ErrNoPairingCode = errors.New("whatsapp: no pairing code now; start pairing first")

	errCodesExpired = errors.New("whatsapp: the pairing codes expired unused")
)

// What the phone's "Linked devices" list shows for a device paired by phone code. WhatsApp accepts
// only "Browser (OS)" names of common browsers here.
const (
	pairClient      = whatsmeow.PairClientChrome
	pairDisplayName = "Chrome (Linux)"
)

// loginWait bounds how long Pair waits for the first login after the phone accepted the device.
const loginWait = 30 * time.Second

// Pairing is what the person pairing needs to see, as a pairing round goes on.
type Pairing struct {
	QR string // the code to show as a QR code; WhatsApp replaces it every 20 s (the first lasts 60)
	// PhoneCode is the code to type on the phone (WhatsApp → Linked devices → Link with phone number
	// instead), when pairing by phone number; one per round.
	PhoneCode string
}

// pairRound runs one round of pairing: it connects without an account and passes on each QR code
// as WhatsApp rotates them, about 160 seconds of codes in all. It returns nil once the phone
// accepted the device (whatsmeow then reconnects and logs in by itself), errCodesExpired when the
// codes ran out, or show's error, which ends the round.
func pairRound(ctx context.Context, c Client, show func(code string) error) error {
	round, cancel := context.WithCancel(ctx)
	defer cancel() // stops the code rotation, whatever ended the round
	codes, err := c.GetQRChannel(round)
	if err != nil {
		return fmt.Errorf("whatsapp: starting to pair: %w", err)
	}
	// The connection outlives the round when the pairing works, so it is tied to ctx.
	if err := c.ConnectContext(ctx); err != nil {
		return fmt.Errorf("whatsapp: connecting to pair: %w", err)
	}
	err = readCodes(codes, show)
	if err != nil {
		c.Disconnect()
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// readCodes follows whatsmeow's QR channel to its last item.
func readCodes(codes <-chan whatsmeow.QRChannelItem, show func(code string) error) error {
	for item := range codes {
		switch {
		case item.Event == whatsmeow.QRChannelEventCode:
			if err := show(item.Code); err != nil {
				return err
			}
		case item == whatsmeow.QRChannelSuccess:
			return nil
		case item == whatsmeow.QRChannelTimeout:
			return errCodesExpired
		case item == whatsmeow.QRChannelScannedWithoutMultidevice:
			continue // the phone is told what to do; the same code still works
		case item.Event == whatsmeow.QRChannelEventError:
			return fmt.Errorf("whatsapp: pairing failed: %w", item.Error)
		default:
			return fmt.Errorf("whatsapp: pairing stopped: %s", item.Event)
		}
	}
	return errCodesExpired // closed without a last word: the context ended
}

// Pair links an unpaired device to a WhatsApp account, for `cardbot whatsapp pair`: round after
// round of QR codes until one is scanned, or, with phone (E.164), a code to type on that phone. show
// is called with every new code. It returns the account's phone once the device has logged in for
// the first time (or after loginWait: the device is linked either way), and ctx's error when ctx
// ends first.
func Pair(ctx context.Context, c Client, phone string, show func(Pairing)) (string, error) {
	if !c.OwnID().IsEmpty() {
		return phoneOf(c.OwnID().ToNonAD()), ErrAlreadyPaired
	}
	if phone != "" {
		if jid, err := parseAddress(phone); err != nil || jid.Server != types.DefaultUserServer {
			return "", fmt.Errorf("whatsapp: %q is not a phone number in E.164 form like +79161234567", phone)
		}
	}
	loggedIn := make(chan struct{}, 1)
	id := c.AddEventHandler(func(evt any) {
		if _, ok := evt.(*events.Connected); ok {
			select {
			case loggedIn <- struct{}{}:
			default:
			}
		}
	})
	defer c.RemoveEventHandler(id)
	if err := pairRounds(ctx, c, phone, show); err != nil {
		return "", err
	}
	select {
	case <-loggedIn:
	case <-time.After(loginWait):
	case <-ctx.Done():
	}
	return phoneOf(c.OwnID().ToNonAD()), nil
}

// pairRounds starts a new round whenever one runs out, until a pairing works or fails.
func pairRounds(ctx context.Context, c Client, phone string, show func(Pairing)) error {
	for {
		first := true
		err := pairRound(ctx, c, func(code string) error {
			p := Pairing{QR: code}
			if phone != "" && first {
				var err error
				if p.PhoneCode, err = c.PairPhone(ctx, phone, true, pairClient, pairDisplayName); err != nil {
					return fmt.Errorf("whatsapp: asking for a phone pairing code: %w", err)
				}
			}
			first = false
			show(p)
			return nil
		})
		if !errors.Is(err, errCodesExpired) || ctx.Err() != nil {
			return err
		}
	}
}

// StartPairing asks Run for a pairing round (about 160 seconds of QR codes) when the device is not
// paired; Status shows the codes. It does nothing while paired or while a round is on.
func (a *Adapter) StartPairing() {
	if a.linked() || a.Status().State == StatePairing {
		return
	}
	select {
	case a.pairRequests <- struct{}{}:
	default: // asked already
	}
}

// pairWhenAsked waits for a pairing request and runs the round.
func (a *Adapter) pairWhenAsked(ctx context.Context) {
	select {
	case <-ctx.Done():
		return
	case <-a.pairRequests:
	}
	resting := StateNotPaired // where a round that ends unpaired leaves the status
	if a.Status().State == StateLoggedOut {
		resting = StateLoggedOut
	}
	err := pairRound(ctx, a.client, func(code string) error {
		a.setQR(code)
		return nil
	})
	select {
	case <-a.pairRequests: // asked during the round: answered by it
	default:
	}
	switch {
	case err == nil:
		a.setState(StateDisconnected, "linked; logging in")
		a.log.Info("whatsapp device paired", "phone", phoneOf(a.client.OwnID()))
	case ctx.Err() != nil:
		a.setState(resting, "")
	case errors.Is(err, errCodesExpired):
		a.setState(resting, "the pairing codes expired unused")
	default:
		a.setState(resting, err.Error())
		a.log.Error("whatsapp pairing failed", "err", err)
	}
}

// PairPhone pairs by phone number instead of a QR code: it starts a pairing round if none is on and
// returns the code (like "ABCD-EFGH") to type on that phone, in WhatsApp → Linked devices → Link
// with phone number instead. The code is good until the round ends (about 160 seconds). It needs
// Run to be running.
func (a *Adapter) PairPhone(ctx context.Context, phone string) (string, error) {
	if jid, err := parseAddress(phone); err != nil || jid.Server != types.DefaultUserServer {
		return "", cardbot.Errorf(cardbot.Invalid, "%q is not a phone number in E.164 form like +79161234567", phone)
	}
	if a.linked() {
		return "", ErrAlreadyPaired
	}
	a.StartPairing()
	// whatsmeow wants the pairing connection up, which the first QR code shows, before it is asked.
	_, err := a.awaitStatus(ctx, func(s Status) bool { return s.State == StatePairing && s.QR != "" })
	if err != nil {
		return "", err
	}
	code, err := a.client.PairPhone(ctx, phone, true, pairClient, pairDisplayName)
	if err != nil {
		return "", fmt.Errorf("whatsapp: asking for a phone pairing code: %w", err)
	}
	return code, nil
}

// Logout unlinks the device from the account (it leaves the phone's list of linked devices) and
// deletes its keys; Run then waits for a new pairing.
func (a *Adapter) Logout(ctx context.Context) error {
	if err := a.client.Logout(ctx); err != nil {
		return fmt.Errorf("whatsapp: logging out: %w", err)
	}
	a.setState(StateNotPaired, "unlinked from cardbot")
	a.log.Info("whatsapp device unlinked")
	a.forward(loggedOutHere{})
	return nil
}

// loggedOutHere tells Run that Logout unlinked the device: whatsmeow reports only logouts made
// elsewhere.
type loggedOutHere struct{}

// qrModule is the side of one QR module in PairingQRPNG's picture, in pixels.
const qrModule = 6

// PairingQRPNG returns the current pairing code as a QR code picture (PNG) for the admin page, or
// ErrNoPairingCode when no pairing round is on.
func (a *Adapter) PairingQRPNG() ([]byte, error) {
	code := a.Status().QR
	if code == "" {
		return nil, ErrNoPairingCode
	}
	return qrPNG(code, qrModule)
}

// qrPNG draws content as a black-on-white QR code with a four-module quiet zone, which phone
// cameras need to find the code.
func qrPNG(content string, module int) ([]byte, error) {
	code, err := qr.Encode(content, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: drawing the pairing code: %w", err)
	}
	n := code.Bounds().Dx()
	side := (n + 8) * module
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.White, color.Black})
	for y := range n * module {
		for x := range n * module {
			if r, _, _, _ := code.At(x/module, y/module).RGBA(); r == 0 {
				img.SetColorIndex(4*module+x, 4*module+y, 1)
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
