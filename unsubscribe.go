package cardbot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
)

// UnsubscribeSecretSize is the length of the secret that signs unsubscribe links, in bytes.
const UnsubscribeSecretSize = 32

// unsubscribeMACSize is how much of the HMAC-SHA256 a token carries: 128 bits cannot be guessed.
const unsubscribeMACSize = 16

// EmailKey is an email address the way it is compared: trimmed and lowercased. Unsubscribe links and
// the store's email index both use it, so a link finds every client with that address however its
// letters were typed.
func EmailKey(address string) string { return strings.ToLower(strings.TrimSpace(address)) }

// UnsubscribeTokens makes and checks the tokens of the unsubscribe links in emails. A token is
// base64url(address) "." base64url(first 16 bytes of HMAC-SHA256(secret, address)), the address as
// EmailKey gives it: only the holder of the secret can make one, so nobody can unsubscribe another
// person by writing their address into a link. Tokens never expire: a link in a mail from years ago
// still works, as long as the secret is kept.
type UnsubscribeTokens struct {
	secret []byte
}

// NewUnsubscribeTokens returns the tokens signed with secret (UnsubscribeSecretSize random bytes).
func NewUnsubscribeTokens(secret []byte) (*UnsubscribeTokens, error) {
	if len(secret) < UnsubscribeSecretSize {
		return nil, fmt.Errorf("the unsubscribe secret is %d bytes, want at least %d", len(secret), UnsubscribeSecretSize)
	}
	return &UnsubscribeTokens{secret: append([]byte(nil), secret...)}, nil
}

// Token is the token of address; addresses that differ only in case or surrounding spaces share it.
func (u *UnsubscribeTokens) Token(address string) string {
	key := EmailKey(address)
	return base64.RawURLEncoding.EncodeToString([]byte(key)) + "." + base64.RawURLEncoding.EncodeToString(u.mac(key))
}

// Address returns the address a token was made for, and false for anything this secret did not sign.
func (u *UnsubscribeTokens) Address(token string) (string, bool) {
	addr, sig, ok := strings.Cut(token, ".")
	if !ok {
		return "", false
	}
	// Strict: the unused bits of the last character must be zero, so each token has one spelling.
	enc := base64.RawURLEncoding.Strict()
	raw, err := enc.DecodeString(addr)
	if err != nil || len(raw) == 0 {
		return "", false
	}
	mac, err := enc.DecodeString(sig)
	if err != nil {
		return "", false
	}
	key := string(raw)
	// Only the canonical form was ever signed; comparing in constant time tells nothing about the MAC.
	if key != EmailKey(key) || !hmac.Equal(mac, u.mac(key)) {
		return "", false
	}
	return key, true
}

func (u *UnsubscribeTokens) mac(key string) []byte {
	h := hmac.New(sha256.New, u.secret)
	h.Write([]byte("cardbot unsubscribe\x00" + key))
	return h.Sum(nil)[:unsubscribeMACSize]
}
