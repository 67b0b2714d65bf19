package whatsapp

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
	"go.mau.fi/whatsmeow/types/events"
)

func TestRunReconnectsAfterDrop(t *testing.T) {
	f := pairedFake()
	a := newTestAdapter(t, f, &recorder{})
	run(t, a)
	s := waitState(t, a, StateConnected)
	if s.Phone != "+79990000001" {
		t.Fatalf("status phone %q", s.Phone)
	}
	for i := 2; i <= 4; i++ {
		f.drop()
		eventually(t, "a reconnect", func() bool { return f.connectCount() == i })
		waitState(t, a, StateConnected)
	}
}

// Failed connects are retried with growing pauses until one works.
func TestRunRetriesFailedConnects(t *testing.T) {
	f := pairedFake()
	f.connectErr = []error{errors.New("dial: no route"), errors.New("dial: no route"), errors.New("dial: no route")}
	a := newTestAdapter(t, f, &recorder{})
	start := time.Now()
	run(t, a)
	waitState(t, a, StateConnected)
	if n := f.connectCount(); n != 4 {
		t.Fatalf("%d connects, want 4", n)
	}
	if waited := time.Since(start); waited < 5*time.Millisecond+10*time.Millisecond+20*time.Millisecond {
		t.Fatalf("three retries took %v: no backoff", waited)
	}
}

// A logout from the phone stops the reconnecting: no connects, no pairing round, until asked.
func TestRunStopsAfterLogout(t *testing.T) {
	f := pairedFake()
	a := newTestAdapter(t, f, &recorder{})
	run(t, a)
	waitState(t, a, StateConnected)
	f.logoutRemotely()
	s := waitState(t, a, StateLoggedOut)
	if s.Detail == "" {
		t.Fatal("no reason given for the logout")
	}
	time.Sleep(100 * time.Millisecond) // many backoffs' worth
	if n := f.connectCount(); n != 1 {
		t.Fatalf("%d connects after the logout, want none", n-1)
	}
	f.locked(func(f *fakeClient) {
		if f.qrRounds != 0 {
			t.Fatalf("%d pairing rounds started unasked", f.qrRounds)
		}
	})
	if s := a.Status(); s.State != StateLoggedOut {
		t.Fatalf("state %s, want it to stay logged_out", s.State)
	}

	// Pairing again brings the link back.
	a.StartPairing()
	eventually(t, "a pairing round", func() bool { return f.showCode("2@code") })
	waitState(t, a, StatePairing)
	f.scanned("79990000002")
	s = waitState(t, a, StateConnected)
	if s.Phone != "+79990000002" {
		t.Fatalf("phone %q after pairing again", s.Phone)
	}
}

func TestRunStopsWhenReplaced(t *testing.T) {
	f := pairedFake()
	a := newTestAdapter(t, f, &recorder{})
	run(t, a)
	waitState(t, a, StateConnected)
	f.Disconnect()
	f.emit(&events.StreamReplaced{})
	s := waitState(t, a, StateDisconnected)
	time.Sleep(50 * time.Millisecond)
	if n := f.connectCount(); n != 1 {
		t.Fatalf("reconnected %d times after another program took the device over", n-1)
	}
	if s.Detail == "" {
		t.Fatal("no reason shown")
	}
}

// whatsmeow leaves a connection whose keepalives go unanswered to its own reconnecting, which is
// off: Run drops it and connects again.
func TestRunReconnectsOnDeadKeepalive(t *testing.T) {
	f := pairedFake()
	a := newTestAdapter(t, f, &recorder{})
	run(t, a)
	waitState(t, a, StateConnected)
	f.emit(&events.KeepAliveTimeout{ErrorCount: 1, LastSuccess: time.Now()})
	time.Sleep(30 * time.Millisecond)
	if n := f.connectCount(); n != 1 {
		t.Fatalf("one missed keepalive caused %d reconnects", n-1)
	}
	f.emit(&events.KeepAliveTimeout{ErrorCount: 9, LastSuccess: time.Now().Add(-time.Hour)})
	eventually(t, "a reconnect", func() bool { return f.connectCount() == 2 })
	waitState(t, a, StateConnected)
}

// A device never paired starts pairing at once; the codes show in Status and as a PNG, and the
// round that runs out returns to not_paired until asked again.
func TestRunPairsNewDevice(t *testing.T) {
	f := newFake()
	a := newTestAdapter(t, f, &recorder{})
	if _, err := a.PairingQRPNG(); !errors.Is(err, ErrNoPairingCode) {
		t.Fatalf("PairingQRPNG before pairing: %v", err)
	}
	run(t, a)
	eventually(t, "a pairing round", func() bool { return f.showCode("1@first,code") })
	if s := waitState(t, a, StatePairing); s.QR != "1@first,code" {
		t.Fatalf("QR %q", s.QR)
	}
	pic, err := a.PairingQRPNG()
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeQR(t, pic); got != "1@first,code" {
		t.Fatalf("the PNG reads %q", got)
	}
	f.expire()
	waitState(t, a, StateNotPaired)
	if _, err := a.PairingQRPNG(); !errors.Is(err, ErrNoPairingCode) {
		t.Fatalf("PairingQRPNG after the round: %v", err)
	}

	code, err := pairPhoneWhile(t, a, f)
	if err != nil || code != "ABCD-EFGH" {
		t.Fatalf("PairPhone: %q, %v", code, err)
	}
	f.locked(func(f *fakeClient) {
		if len(f.pairCalls) != 1 || f.pairCalls[0] != "+79161234567 Chrome (Linux)" {
			t.Fatalf("PairPhone calls %q", f.pairCalls)
		}
	})
	f.scanned("79161234567")
	if s := waitState(t, a, StateConnected); s.Phone != "+79161234567" || s.QR != "" {
		t.Fatalf("status after pairing %+v", s)
	}
	if _, err := a.PairPhone(context.Background(), "+79161234567"); !errors.Is(err, ErrAlreadyPaired) {
		t.Fatalf("PairPhone when paired: %v", err)
	}
}

// pairPhoneWhile calls PairPhone while the fake shows the round's first code.
func pairPhoneWhile(t *testing.T, a *Adapter, f *fakeClient) (string, error) {
	t.Helper()
	f.locked(func(f *fakeClient) { f.phoneCode = "ABCD-EFGH" })
	go func() {
		for !f.showCode("2@second") {
			time.Sleep(time.Millisecond)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return a.PairPhone(ctx, "+79161234567")
}

func TestPairPhoneRefusesBadNumbers(t *testing.T) {
	a := newTestAdapter(t, newFake(), &recorder{})
	if _, err := a.PairPhone(context.Background(), "8 916 123-45-67"); err == nil {
		t.Fatal("accepted a number not in E.164 form")
	}
}

func TestLogoutHere(t *testing.T) {
	f := pairedFake()
	a := newTestAdapter(t, f, &recorder{})
	run(t, a)
	waitState(t, a, StateConnected)
	if err := a.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s := waitState(t, a, StateNotPaired); s.Phone != "" {
		t.Fatalf("phone %q after logout", s.Phone)
	}
	time.Sleep(50 * time.Millisecond)
	if n := f.connectCount(); n != 1 {
		t.Fatalf("%d connects after the logout", n-1)
	}
}

func decodeQR(t *testing.T, pic []byte) string {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(pic))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := gozxingqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("the QR code does not read: %v", err)
	}
	return res.GetText()
}
