package cardbot_test

import (
	"bytes"
	"strings"
	"testing"

	"cardbot"
)

func tokens(t *testing.T, seed byte) *cardbot.UnsubscribeTokens {
	t.Helper()
	u, err := cardbot.NewUnsubscribeTokens(bytes.Repeat([]byte{seed}, cardbot.UnsubscribeSecretSize))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestUnsubscribeTokensNameTheAddressTheyWereMadeFor(t *testing.T) {
	u := tokens(t, 1)
	token := u.Token(" Anna@Example.com")
	if token != u.Token("anna@example.com") {
		t.Errorf("the same address in another case got another token")
	}
	if addr, ok := u.Address(token); !ok || addr != "anna@example.com" {
		t.Fatalf("Address(%q) = %q, %v", token, addr, ok)
	}
	if _, ok := tokens(t, 2).Address(token); ok {
		t.Errorf("a token of another secret was accepted")
	}
}

func TestUnsubscribeTokensRefuseForgeries(t *testing.T) {
	u := tokens(t, 1)
	good := u.Token("anna@example.com")
	addr, sig, _ := strings.Cut(good, ".")
	boris := u.Token("boris@example.com")
	_, borisSig, _ := strings.Cut(boris, ".")
	flipped := []byte(sig)
	flipped[3] ^= 1
	for name, token := range map[string]string{
		"address only (the old links)": addr,
		"another address's signature":  addr + "." + borisSig,
		"a changed signature":          addr + "." + string(flipped),
		"a shortened signature":        addr + "." + sig[:len(sig)-2],
		"unused bits set":              addr + "." + sig[:len(sig)-1] + string(sig[len(sig)-1]+1),
		"an address in capitals":       strings.Replace(good, addr, "QU5OQUBFWEFNUExFLkNPTQ", 1),
		"not base64":                   "anna@example.com." + sig,
		"empty":                        "",
		"only a dot":                   ".",
	} {
		if got, ok := u.Address(token); ok {
			t.Errorf("%s: %q accepted as %q", name, token, got)
		}
	}
}

func TestUnsubscribeTokensNeedALongSecret(t *testing.T) {
	if _, err := cardbot.NewUnsubscribeTokens([]byte("short")); err == nil {
		t.Fatal("a 5-byte secret was accepted")
	}
}

// FuzzUnsubscribeToken: whatever arrives in the link, Address never panics, accepts only what Token
// made (a token accepted names an address whose own token it is), and every address round-trips.
func FuzzUnsubscribeToken(f *testing.F) {
	u, err := cardbot.NewUnsubscribeTokens(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"anna@example.com", u.Token("anna@example.com"), "", ".", "a.b", "YW5uYQ.AAAA", " Anna@Example.COM "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if address, ok := u.Address(s); ok && u.Token(address) != s {
			t.Fatalf("%q accepted for %q, whose token is %q", s, address, u.Token(address))
		}
		if cardbot.EmailKey(s) == "" {
			return // no address, no link
		}
		address, ok := u.Address(u.Token(s))
		if !ok || address != cardbot.EmailKey(s) {
			t.Fatalf("the token of %q names %q (%v)", s, address, ok)
		}
	})
}
