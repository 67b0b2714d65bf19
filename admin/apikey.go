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

// APIKeys lists every key, revoked ones included, by ascending id.
func APIKeys(ctx context.Context, store cardbot.Store) ([]*cardbot.APIKey, error) {
	var keys []*cardbot.APIKey
	err := store.View(ctx, func(tx cardbot.Tx) error {
		var err error
		keys, err = tx.APIKeys()
		return err
	})
	return keys, err
}

// RevokeAPIKey stops a key from working at once. which is the key's name, the prefix `cardbot apikey
// list` shows (cb_xxxxx), or the whole secret. A name that more than one active key has is refused:
// the owner picks one by its prefix. It returns the key as revoked.
func RevokeAPIKey(ctx context.Context, store cardbot.Store, which string, now time.Time) (*cardbot.APIKey, error) {
	which = strings.TrimSpace(which)
	if which == "" {
		return nil, cardbot.Errorf(cardbot.Invalid, "name the key to revoke: its name or its prefix (cardbot apikey list)")
	}
	var revoked *cardbot.APIKey
	err := store.Update(ctx, func(tx cardbot.Tx) error {
		key, err := findAPIKey(tx, which)
		if err != nil {
			return err
		}
		key.Revoked, key.RevokedAt = true, now
		revoked = key
		return tx.PutAPIKey(key)
	})
	if err != nil {
		return nil, err
	}
	return revoked, nil
}

// findAPIKey picks the one active key that which names (see RevokeAPIKey).
func findAPIKey(tx cardbot.Tx, which string) (*cardbot.APIKey, error) {
	if strings.HasPrefix(which, apiKeyPrefix) && len(which) > len(apiKeyPrefix)+5 {
		key, err := tx.APIKeyByHash(HashAPIKey(which))
		if err == nil && !key.Revoked {
			return key, nil
		}
		if err != nil && cardbot.CodeOf(err) != cardbot.NotFound {
			return nil, err
		}
	}
	keys, err := tx.APIKeys()
	if err != nil {
		return nil, err
	}
	var found []*cardbot.APIKey
	for _, k := range keys {
		if !k.Revoked && (k.Name == which || k.Prefix == which) {
			found = append(found, k)
		}
	}
	if len(which) > 8 && strings.HasPrefix(which, apiKeyPrefix) {
		which = which[:8] + "…" // a whole secret (of a revoked key, or mistyped) is not repeated in the error
	}
	switch len(found) {
	case 0:
		return nil, cardbot.Errorf(cardbot.NotFound, "no active API key is named or starts with %q (see cardbot apikey list)", which)
	case 1:
		return found[0], nil
	default:
		return nil, cardbot.Errorf(cardbot.Conflict, "%d active API keys match %q: revoke one by its prefix (see cardbot apikey list)", len(found), which)
	}
}
