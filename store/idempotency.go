package store

import (
	"errors"

	"cardbot"
)

// idempotentRecord is a remembered request outcome as stored, keyed by the caller's scoped key.
type idempotentRecord struct {
	V int `json:"v"`
	*cardbot.Idempotent
}

// Idempotent returns the remembered outcome for key, or nil (and no error) when there is none.
func (t *tx) Idempotent(key string) (*cardbot.Idempotent, error) {
	if key == "" {
		return nil, nil
	}
	rec := idempotentRecord{Idempotent: new(cardbot.Idempotent)}
	found, err := t.loadKey(bucketIdempotency, []byte(key), &rec)
	if err != nil || !found {
		return nil, err
	}
	return rec.Idempotent, nil
}

// PutIdempotent remembers r under r.Key, replacing what was there.
func (t *tx) PutIdempotent(r *cardbot.Idempotent) error {
	if err := t.writable(); err != nil {
		return err
	}
	if r == nil {
		return errors.New("store: nil idempotency record")
	}
	if r.Key == "" {
		return cardbot.Errorf(cardbot.Invalid, "an idempotency record needs a key")
	}
	return t.saveKey(bucketIdempotency, []byte(r.Key), idempotentRecord{V: recordVersion, Idempotent: r})
}
