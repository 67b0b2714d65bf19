package admin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"strings"
	"time"
	"unicode/utf8"

	"cardbot"

	"github.com/gofiber/fiber/v2"
)

// apiKeyPrefix marks cardbot keys so they are recognisable in a till's settings or a leaked log.
const apiKeyPrefix = "cb_"

// HashAPIKey is how a key is kept: only its SHA-256 is stored. The key has 160 random bits, so a fast
// hash is enough; a slow one would only slow every API call.
func HashAPIKey(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// CreateAPIKey makes a new key named name, stores its hash and returns the secret, which is shown once.
func CreateAPIKey(ctx context.Context, store cardbot.Store, name string, now time.Time) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 64 {
		return "", cardbot.Errorf(cardbot.Invalid, "an API key needs a name of 1 to 64 characters, e.g. till-1")
	}
	secret := apiKeyPrefix + strings.ToLower(rand.Text()) // rand.Text: 26 base32 chars, 130 bits
	key := &cardbot.APIKey{Name: name, Hash: HashAPIKey(secret), Prefix: secret[:8], CreatedAt: now}
	err := store.Update(ctx, func(tx cardbot.Tx) error {
		k := *key
		return tx.CreateAPIKey(&k)
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// requireAPIKey lets a request through only with a known, unrevoked key in Authorization: Bearer.
func (a *API) requireAPIKey(c *fiber.Ctx) error {
	secret, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
	secret = strings.TrimSpace(secret)
	if !ok || secret == "" {
		return cardbot.Errorf(cardbot.Unauthorized, "send an API key as Authorization: Bearer <key> (make one with: cardbot apikey create NAME)")
	}
	var key *cardbot.APIKey
	err := a.store.View(c.UserContext(), func(tx cardbot.Tx) error {
		var err error
		key, err = tx.APIKeyByHash(HashAPIKey(secret))
		return err
	})
	if cardbot.CodeOf(err) == cardbot.NotFound || (err == nil && key.Revoked) {
		return cardbot.Errorf(cardbot.Unauthorized, "unknown or revoked API key")
	}
	if err != nil {
		return err
	}
	c.Locals(localKey, key)
	return c.Next()
}

type localName string

const localKey localName = "apikey"

// caller returns the key that authenticated the request.
func caller(c *fiber.Ctx) *cardbot.APIKey {
	k, _ := c.Locals(localKey).(*cardbot.APIKey)
	return k
}
