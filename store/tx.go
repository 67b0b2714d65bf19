package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"cardbot"

	bolt "go.etcd.io/bbolt"
)

// errReadOnly is what a write inside View returns; it is a caller's bug, so it carries no code.
var errReadOnly = errors.New("store: write in a read-only transaction (use Update, not View)")

// tx is one bolt transaction seen as a cardbot.Tx. The same type serves Update and View: bolt knows
// whether the transaction may write, and every writing method asks first so the error is clear.
type tx struct {
	btx *bolt.Tx
	// wrote is set by the first write since the writer last cleared it, so a fn that fails before
	// writing anything can be dropped from its group without rolling the others back.
	wrote bool
	// wroteAny stays set for the whole transaction: a group in which nobody wrote is not committed.
	wroteAny bool

	// What this write transaction knows of clients and outbox rows as stored now (see txcache.go).
	clients  map[uint64]*clientIndexed
	cards    map[uint64]*cardIndexed
	messages map[uint64]messageState
}

var _ cardbot.Tx = (*tx)(nil)

func (t *tx) bucket(name string) *bolt.Bucket {
	return t.btx.Bucket([]byte(name))
}

// writable refuses writes in a read-only transaction and records that this fn writes, so a failure
// from here on rolls back its group (see tryBatch).
func (t *tx) writable() error {
	if err := t.mayWrite(); err != nil {
		return err
	}
	t.wrote, t.wroteAny = true, true
	return nil
}

// mayWrite refuses writes in a read-only transaction without recording a write: methods that check
// before they write (uniqueness, existence) call it first and writable just before the first write,
// so their refusals cost the group nothing.
func (t *tx) mayWrite() error {
	if !t.btx.Writable() {
		return errReadOnly
	}
	return nil
}

// NextSequence returns the next value of a named counter, starting at 1.
func (t *tx) NextSequence(name string) (uint64, error) {
	if err := t.writable(); err != nil {
		return 0, err
	}
	if name == "" {
		return 0, errors.New("store: sequence name is empty")
	}
	seqs := t.bucket(bucketSequences)
	var next uint64 = 1
	if raw := seqs.Get([]byte(name)); raw != nil {
		next = keyID(raw) + 1
	}
	return next, seqs.Put([]byte(name), idKey(next))
}

// idKey is the 8-byte big-endian form of an id, so bolt's byte order is numeric order.
func idKey(id uint64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), id)
}

// pairKey is a composite index key, parent id then child id, so one parent's children are contiguous
// and ordered by child id.
func pairKey(parent, child uint64) []byte {
	return binary.BigEndian.AppendUint64(idKey(parent), child)
}

func keyID(k []byte) uint64 {
	return binary.BigEndian.Uint64(k)
}

// childOf returns the child id of a pairKey when it belongs to parent.
func childOf(k []byte, parent uint64) (uint64, bool) {
	if len(k) != 16 || !bytes.HasPrefix(k, idKey(parent)) {
		return 0, false
	}
	return keyID(k[8:]), true
}

// load decodes the record stored under id into rec and reports whether there was one.
func (t *tx) load(bucket string, id uint64, rec any) (bool, error) {
	return t.loadKey(bucket, idKey(id), rec)
}

func (t *tx) loadKey(bucket string, key []byte, rec any) (bool, error) {
	raw := t.bucket(bucket).Get(key)
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, rec); err != nil {
		return true, fmt.Errorf("store: decode %s %x: %w", bucket, key, err)
	}
	return true, nil
}

// save encodes rec under id.
func (t *tx) save(bucket string, id uint64, rec any) error {
	return t.saveKey(bucket, idKey(id), rec)
}

func (t *tx) saveKey(bucket string, key []byte, rec any) error {
	raw, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("store: encode %s %x: %w", bucket, key, err)
	}
	return t.bucket(bucket).Put(key, raw)
}

func (t *tx) exists(bucket string, id uint64) bool {
	return t.bucket(bucket).Get(idKey(id)) != nil
}

// uniqueKey is one entry a record owns in a unique index.
type uniqueKey struct {
	index string // the index bucket
	key   string
	label string // how a conflict message names it: "phone +79991234567", "card token"
}

// owner returns the id the index maps k to, or 0.
func (t *tx) owner(k uniqueKey) uint64 {
	raw := t.bucket(k.index).Get([]byte(k.key))
	if raw == nil {
		return 0
	}
	return keyID(raw)
}

// checkUnique refuses keys that another record (not id) already owns; id 0 is a record not yet created.
func (t *tx) checkUnique(kind string, id uint64, keys []uniqueKey) error {
	for _, k := range keys {
		if owner := t.owner(k); owner != 0 && owner != id {
			return cardbot.Errorf(cardbot.Conflict, "%s already belongs to %s %d", k.label, kind, owner)
		}
	}
	return nil
}

// reindex moves record id's unique keys from old to now: it deletes what the record no longer has and
// writes what it gained. A key owned by another record is refused before anything is written.
func (t *tx) reindex(kind string, id uint64, old, now []uniqueKey) error {
	if err := t.checkUnique(kind, id, now); err != nil {
		return err
	}
	if err := t.writable(); err != nil {
		return err
	}
	for _, k := range old {
		if !hasKey(now, k) {
			if err := t.bucket(k.index).Delete([]byte(k.key)); err != nil {
				return err
			}
		}
	}
	for _, k := range now {
		if !hasKey(old, k) {
			if err := t.bucket(k.index).Put([]byte(k.key), idKey(id)); err != nil {
				return err
			}
		}
	}
	return nil
}

func hasKey(keys []uniqueKey, k uniqueKey) bool {
	for _, have := range keys {
		if have.index == k.index && have.key == k.key {
			return true
		}
	}
	return false
}

// page returns limit when it is positive and "no limit" otherwise.
func page(limit int) int {
	if limit <= 0 {
		return int(^uint(0) >> 1)
	}
	return limit
}

// listAfter loads up to limit records of an id-keyed bucket (all when limit <= 0) by ascending id,
// starting after the given id, with load.
func listAfter[T any](t *tx, bucket string, after uint64, limit int, load func(uint64) (T, error)) ([]T, error) {
	out := []T{}
	if after == ^uint64(0) {
		return out, nil
	}
	c := t.bucket(bucket).Cursor()
	for k, _ := c.Seek(idKey(after + 1)); k != nil && len(out) < page(limit); k, _ = c.Next() {
		v, err := load(keyID(k))
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// listBefore loads up to limit records of an id-keyed bucket (all when limit <= 0) by descending id,
// starting below the given id (0: from the newest), with load.
func listBefore[T any](t *tx, bucket string, before uint64, limit int, load func(uint64) (T, error)) ([]T, error) {
	out := []T{}
	c := t.bucket(bucket).Cursor()
	for k := newestBelow(c, before); k != nil && len(out) < page(limit); k, _ = c.Prev() {
		v, err := load(keyID(k))
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// dueKey orders records by the time they are due (before 1970: as 1970), then by id.
func dueKey(at time.Time, id uint64) []byte {
	return binary.BigEndian.AppendUint64(idKey(uint64(max(at.UnixNano(), 0))), id)
}

// dueIDs lists from a due index (keyed by dueKey) the ids due by until, the longest-waiting first, at
// most limit of them (all when limit <= 0).
func (t *tx) dueIDs(index string, until time.Time, limit int) []uint64 {
	ids := []uint64{}
	end := uint64(max(until.UnixNano(), 0))
	c := t.bucket(index).Cursor()
	for k, _ := c.First(); k != nil && len(ids) < page(limit); k, _ = c.Next() {
		if keyID(k[:8]) > end {
			break
		}
		ids = append(ids, keyID(k[8:]))
	}
	return ids
}

// newestBelow places c on the highest id key of its bucket below before (0: the highest of all) and
// returns it, nil when there is none; c.Prev then walks on towards older ids.
func newestBelow(c *bolt.Cursor, before uint64) []byte {
	if before == 0 {
		k, _ := c.Last()
		return k
	}
	if k, _ := c.Seek(idKey(before)); k == nil {
		k, _ = c.Last()
		return k
	}
	k, _ := c.Prev()
	return k
}

// childrenNewestFirst lists the child ids under parent in a pairKey index, highest (newest) first,
// starting below before (0: from the newest), at most limit of them.
func (t *tx) childrenNewestFirst(index string, parent, before uint64, limit int) []uint64 {
	ids := []uint64{}
	if before == 0 {
		before = ^uint64(0)
	}
	c := t.bucket(index).Cursor()
	// Seek lands on the first key at or after (parent, before); the one before it is the newest child
	// below before, and when nothing is at or after, the index's last key is.
	k, _ := c.Seek(pairKey(parent, before))
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	for ; k != nil && len(ids) < page(limit); k, _ = c.Prev() {
		id, ok := childOf(k, parent)
		if !ok {
			break
		}
		ids = append(ids, id)
	}
	return ids
}
