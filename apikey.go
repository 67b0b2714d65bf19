package cardbot

import "time"

// APIKey lets a till or CRM call the REST API. Only the SHA-256 of the secret is kept.
type APIKey struct {
	ID        uint64    `json:"id"`
	Name      string    `json:"name"`
	Hash      []byte    `json:"hash"`
	Prefix    string    `json:"prefix"` // the first characters of the key, to tell keys apart in lists
	CreatedAt time.Time `json:"created_at"`
	Revoked   bool      `json:"revoked,omitempty"`

	RevokedAt time.Time `json:"revoked_at,omitzero"` // when Revoked was set
}

// Idempotent is the remembered outcome of a request sent with an Idempotency-Key, so a retry gets the
// same answer and a different request under the same key is refused.
type Idempotent struct {
	Key         string    `json:"key"`          // scope + the caller's key
	RequestHash []byte    `json:"request_hash"` // SHA-256 of what was asked
	Status      int       `json:"status"`
	Body        []byte    `json:"body"`
	At          time.Time `json:"at"`
}
