package store

import (
	"encoding/json"
	"fmt"
	"time"

	"cardbot"

	bolt "go.etcd.io/bbolt"
)

// Mark returns when the event named key last happened, or the zero time.
func (t *tx) Mark(key string) (time.Time, error) {
	raw := t.bucket(bucketMarks).Get([]byte(key))
	if raw == nil || key == "" {
		return time.Time{}, nil
	}
	return time.Unix(0, int64(keyID(raw))).UTC(), nil
}

// PutMark records that the event named key happened at at.
func (t *tx) PutMark(key string, at time.Time) error {
	if err := t.writable(); err != nil {
		return err
	}
	if key == "" {
		return cardbot.Errorf(cardbot.Invalid, "a mark needs a key")
	}
	return t.bucket(bucketMarks).Put([]byte(key), idKey(uint64(max(at.UnixNano(), 0))))
}

// indexReferral keeps the referrer → friend index in step with a client's ReferredBy, which was old
// (0: none) as stored until now.
func (t *tx) indexReferral(old uint64, c *cardbot.Client) error {
	if old == c.ReferredBy {
		return nil
	}
	idx := t.bucket(idxClientReferred)
	if old != 0 {
		if err := idx.Delete(pairKey(old, c.ID)); err != nil {
			return err
		}
	}
	if c.ReferredBy != 0 {
		return idx.Put(pairKey(c.ReferredBy, c.ID), nil)
	}
	return nil
}

// ReferredClients lists the clients whose ReferredBy is referrerID, by ascending id.
func (t *tx) ReferredClients(referrerID uint64) ([]*cardbot.Client, error) {
	out := []*cardbot.Client{}
	c := t.bucket(idxClientReferred).Cursor()
	prefix := idKey(referrerID)
	for k, _ := c.Seek(prefix); k != nil; k, _ = c.Next() {
		id, ok := childOf(k, referrerID)
		if !ok {
			break
		}
		client, err := t.Client(id)
		if err != nil {
			return nil, err
		}
		out = append(out, client)
	}
	return out, nil
}

// Cards lists cards by ascending id after the given one.
func (t *tx) Cards(after uint64, limit int) ([]*cardbot.Card, error) {
	return listAfter(t, bucketCards, after, limit, t.Card)
}

// PruneIdempotency deletes up to limit idempotency records remembered before before.
func (t *tx) PruneIdempotency(before time.Time, limit int) (int, error) {
	return t.prune(bucketIdempotency, limit, func(v []byte) (bool, error) {
		var rec struct {
			At time.Time `json:"at"`
		}
		if err := json.Unmarshal(v, &rec); err != nil {
			return false, err
		}
		return rec.At.Before(before), nil
	})
}

// PruneSeenUpdates deletes up to limit remembered update ids seen before before.
func (t *tx) PruneSeenUpdates(before time.Time, limit int) (int, error) {
	cut := uint64(max(before.UnixNano(), 0))
	return t.prune(bucketUpdates, limit, func(v []byte) (bool, error) {
		return len(v) == 8 && keyID(v) < cut, nil
	})
}

// prune deletes up to limit entries of a bucket whose value old says are old. Keys are collected
// first: bolt cursors must not delete while they walk.
func (t *tx) prune(bucket string, limit int, old func(v []byte) (bool, error)) (int, error) {
	if err := t.mayWrite(); err != nil {
		return 0, err
	}
	var doomed [][]byte
	c := t.bucket(bucket).Cursor()
	for k, v := c.First(); k != nil && len(doomed) < page(limit); k, v = c.Next() {
		drop, err := old(v)
		if err != nil {
			return 0, err
		}
		if drop {
			doomed = append(doomed, append([]byte(nil), k...))
		}
	}
	if len(doomed) == 0 {
		return 0, nil
	}
	if err := t.writable(); err != nil {
		return 0, err
	}
	b := t.bucket(bucket)
	for _, k := range doomed {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(doomed), nil
}

// indexFills lists the builders of indexes added after the data they index (a function, like
// migrations, so no package-level state): createBuckets runs one when it creates its bucket in an
// existing database (a new bucket needs no schema version of its own).
func indexFills() map[string]func(*bolt.Tx) error {
	return map[string]func(*bolt.Tx) error{
		idxClientReferred: indexReferrals,
		idxClientEmail:    indexEmails,
	}
}

// indexReferrals indexes every client who was referred under their referrer, so ReferredClients
// knows the friends brought before the index existed.
func indexReferrals(btx *bolt.Tx) error {
	idx := btx.Bucket([]byte(idxClientReferred))
	return btx.Bucket([]byte(bucketClients)).ForEach(func(k, v []byte) error {
		var c struct {
			ReferredBy uint64 `json:"referred_by"`
		}
		if err := json.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("client %d: %w", keyID(k), err)
		}
		if c.ReferredBy == 0 {
			return nil
		}
		return idx.Put(pairKey(c.ReferredBy, keyID(k)), nil)
	})
}
