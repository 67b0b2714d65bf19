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
