package whatsapp

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// Pair shows every code, starts a new round when one runs out, and returns the phone once linked.
func TestPair(t *testing.T) {
	f := newFake()
	var mu sync.Mutex
	var shown []Pairing
	done := make(chan error, 1)
	var phone string
	go func() {
		var err error
		phone, err = Pair(context.Background(), f, "", func(p Pairing) {
			mu.Lock()
			defer mu.Unlock()
			shown = append(shown, p)
		})
		done <- err
	}()
	eventually(t, "a round", func() bool { return f.showCode("1@a") })
	f.showCode("1@b")
	eventually(t, "two codes shown", func() bool { mu.Lock(); defer mu.Unlock(); return len(shown) == 2 })
	f.expire()
	eventually(t, "a second round", func() bool { return f.showCode("2@a") })
	f.scanned("79161234567")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if phone != "+79161234567" {
		t.Fatalf("phone %q", phone)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(shown) != 3 || shown[0].QR != "1@a" || shown[1].QR != "1@b" || shown[2].QR != "2@a" || shown[0].PhoneCode != "" {
		t.Fatalf("shown %+v", shown)
	}
	f.locked(func(f *fakeClient) {
		if f.qrRounds != 2 {
			t.Fatalf("%d rounds, want 2", f.qrRounds)
		}
		if len(f.handlers) != 0 {
			t.Fatal("Pair left its event handler behind")
		}
	})
}

// With a phone number, each round asks for one phone code, shown with the round's first QR code.
func TestPairByPhone(t *testing.T) {
	f := newFake()
	f.phoneCode = "WXYZ-1234"
	got := make(chan Pairing, 8)
	done := make(chan error, 1)
	go func() {
		_, err := Pair(context.Background(), f, "+79161234567", func(p Pairing) { got <- p })
		done <- err
	}()
	eventually(t, "a round", func() bool { return f.showCode("1@a") })
	if p := <-got; p.PhoneCode != "WXYZ-1234" {
		t.Fatalf("first code %+v", p)
	}
	f.showCode("1@b")
	if p := <-got; p.PhoneCode != "" {
		t.Fatalf("a second phone code in one round: %+v", p)
	}
	f.expire()
	eventually(t, "a second round", func() bool { return f.showCode("2@a") })
	if p := <-got; p.PhoneCode != "WXYZ-1234" {
		t.Fatalf("no phone code in the second round: %+v", p)
	}
	f.scanned("79161234567")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	f.locked(func(f *fakeClient) {
		if len(f.pairCalls) != 2 {
			t.Fatalf("%d phone codes asked for, want 2", len(f.pairCalls))
		}
	})
}

func TestPairStopsWithContext(t *testing.T) {
	f := newFake()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := Pair(ctx, f, "", func(Pairing) {})
		done <- err
	}()
	eventually(t, "a round", func() bool { return f.showCode("1@a") })
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Pair did not stop")
	}
	if f.IsConnected() {
		t.Fatal("left connected")
	}
}

func TestPairRefuses(t *testing.T) {
	if phone, err := Pair(context.Background(), pairedFake(), "", func(Pairing) {}); !errors.Is(err, ErrAlreadyPaired) || phone != "+79990000001" {
		t.Fatalf("paired device: %q, %v", phone, err)
	}
	if _, err := Pair(context.Background(), newFake(), "89161234567", func(Pairing) {}); err == nil {
		t.Fatal("accepted a phone not in E.164 form")
	}
}
