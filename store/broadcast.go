package store

import (
	"errors"

	"cardbot"
)

// Broadcast buckets. Recipients are keyed (broadcast id, seq), so one audience is contiguous and in
// snapshot order; the open index lists the enqueued ones whose outcome is not read back yet.
const (
	bucketBroadcasts      = "broadcasts"
	bucketBroadcastImages = "broadcast_images"
	bucketRecipients      = "broadcast_recipients"
	idxOpenRecipients     = "idx_broadcast_open"
)

// broadcastRecord is a broadcast as stored.
type broadcastRecord struct {
	V int `json:"v"`
	*cardbot.Broadcast
}

// recipientRecord is a recipient as stored.
type recipientRecord struct {
	V int `json:"v"`
	*cardbot.Recipient
}

// CreateBroadcast assigns b.ID and stores b.
func (t *tx) CreateBroadcast(b *cardbot.Broadcast) error {
	if err := t.writable(); err != nil {
		return err
	}
	if b == nil {
		return errors.New("store: nil broadcast")
	}
	id, err := t.bucket(bucketBroadcasts).NextSequence()
	if err != nil {
		return err
	}
	b.ID = id
	return t.save(bucketBroadcasts, id, broadcastRecord{V: recordVersion, Broadcast: b})
}

// PutBroadcast replaces the broadcast with b.ID, which must exist.
func (t *tx) PutBroadcast(b *cardbot.Broadcast) error {
	if err := t.mayWrite(); err != nil {
		return err
	}
	if b == nil {
		return errors.New("store: nil broadcast")
	}
	if !t.exists(bucketBroadcasts, b.ID) {
		return cardbot.Errorf(cardbot.NotFound, "broadcast %d not found", b.ID)
	}
	if err := t.writable(); err != nil {
		return err
	}
	return t.save(bucketBroadcasts, b.ID, broadcastRecord{V: recordVersion, Broadcast: b})
}

// Broadcast returns the broadcast with the given id.
func (t *tx) Broadcast(id uint64) (*cardbot.Broadcast, error) {
	rec := broadcastRecord{Broadcast: new(cardbot.Broadcast)}
	found, err := t.load(bucketBroadcasts, id, &rec)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, cardbot.Errorf(cardbot.NotFound, "broadcast %d not found", id)
	}
	return rec.Broadcast, nil
}

// Broadcasts lists up to limit broadcasts (all when limit <= 0), newest first, with ids below before.
func (t *tx) Broadcasts(before uint64, limit int) ([]*cardbot.Broadcast, error) {
	return listBefore(t, bucketBroadcasts, before, limit, t.Broadcast)
}

// PutBroadcastImage stores (or, given nil, removes) the picture of a broadcast.
func (t *tx) PutBroadcastImage(id uint64, png []byte) error {
	if err := t.writable(); err != nil {
		return err
	}
	if png == nil {
		return t.bucket(bucketBroadcastImages).Delete(idKey(id))
	}
	return t.bucket(bucketBroadcastImages).Put(idKey(id), png)
}

// BroadcastImage returns a copy of the picture of a broadcast.
func (t *tx) BroadcastImage(id uint64) ([]byte, error) {
	raw := t.bucket(bucketBroadcastImages).Get(idKey(id))
	if raw == nil {
		return nil, cardbot.Errorf(cardbot.NotFound, "broadcast %d has no picture", id)
	}
	return append([]byte(nil), raw...), nil
}

// PutRecipient writes r under (r.Broadcast, r.Seq) and keeps the open index in step with its state.
func (t *tx) PutRecipient(r *cardbot.Recipient) error {
	if err := t.writable(); err != nil {
		return err
	}
	if r == nil || r.Broadcast == 0 || r.Seq == 0 {
		return errors.New("store: a recipient needs its broadcast and seq")
	}
	key := pairKey(r.Broadcast, r.Seq)
	open := t.bucket(idxOpenRecipients)
	var err error
	if r.State == cardbot.RecipientEnqueued {
		err = open.Put(key, nil)
	} else {
		err = open.Delete(key)
	}
	if err != nil {
		return err
	}
	return t.saveKey(bucketRecipients, key, recipientRecord{V: recordVersion, Recipient: r})
}

// Recipients lists up to limit recipients (all when limit <= 0) of a broadcast with Seq above after.
func (t *tx) Recipients(broadcastID, after uint64, limit int) ([]*cardbot.Recipient, error) {
	return t.recipients(bucketRecipients, broadcastID, after, limit)
}

// OpenRecipients lists up to limit enqueued recipients of a broadcast by ascending Seq.
func (t *tx) OpenRecipients(broadcastID uint64, limit int) ([]*cardbot.Recipient, error) {
	return t.recipients(idxOpenRecipients, broadcastID, 0, limit)
}

// recipients walks a (broadcast, seq) keyed bucket from seq after+1 and loads the recipients.
func (t *tx) recipients(bucket string, broadcastID, after uint64, limit int) ([]*cardbot.Recipient, error) {
	list := []*cardbot.Recipient{}
	c := t.bucket(bucket).Cursor()
	for k, _ := c.Seek(pairKey(broadcastID, after+1)); k != nil && len(list) < page(limit); k, _ = c.Next() {
		if _, ok := childOf(k, broadcastID); !ok {
			break
		}
		r, err := t.recipient(k)
		if err != nil {
			return nil, err
		}
		list = append(list, r)
	}
	return list, nil
}

func (t *tx) recipient(key []byte) (*cardbot.Recipient, error) {
	rec := recipientRecord{Recipient: new(cardbot.Recipient)}
	found, err := t.loadKey(bucketRecipients, key, &rec)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, cardbot.Errorf(cardbot.NotFound, "recipient %x not found", key)
	}
	return rec.Recipient, nil
}

// DeleteRecipients removes every recipient of a broadcast and its open index entries.
func (t *tx) DeleteRecipients(broadcastID uint64) error {
	if err := t.writable(); err != nil {
		return err
	}
	for _, name := range []string{bucketRecipients, idxOpenRecipients} {
		b := t.bucket(name)
		var keys [][]byte
		c := b.Cursor()
		for k, _ := c.Seek(idKey(broadcastID)); k != nil; k, _ = c.Next() {
			if _, ok := childOf(k, broadcastID); !ok {
				break
			}
			keys = append(keys, append([]byte(nil), k...))
		}
		for _, k := range keys {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
	}
	return nil
}
