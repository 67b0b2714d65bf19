package store

import (
	"bytes"
	"encoding/json"
	"fmt"

	"cardbot"

	bolt "go.etcd.io/bbolt"
)

// idxClientEmail finds clients by email address (the unsubscribe page opts out every client with the
// address of a link). It is not unique: two clients may share a family mailbox. Each key is
// cardbot.EmailKey(email) \x00 client id, with no value; it is filled for existing databases when the
// bucket is created (indexFills), so it needs no schema version.
const idxClientEmail = "idx_client_email"

// maxIndexedEmail bounds the address part of a key: bolt keys are bounded, and no address is longer
// than 254 bytes (RFC 5321), so a longer value is not one and is left out of the index.
const maxIndexedEmail = 512

// emailIndexKey is the index key of a client's email, nil for none.
func emailIndexKey(email string, clientID uint64) []byte {
	key := cardbot.EmailKey(email)
	if key == "" || len(key) > maxIndexedEmail {
		return nil
	}
	return append([]byte(key+"\x00"), idKey(clientID)...)
}

// reindexClientEmail moves client c's email index entry from the old record's address (nil: a new
// client) to its current one.
func (t *tx) reindexClientEmail(old, c *cardbot.Client) error {
	now := emailIndexKey(c.Email, c.ID)
	var before []byte
	if old != nil {
		before = emailIndexKey(old.Email, old.ID)
	}
	if bytes.Equal(before, now) {
		return nil
	}
	if err := t.writable(); err != nil {
		return err
	}
	idx := t.bucket(idxClientEmail)
	if before != nil {
		if err := idx.Delete(before); err != nil {
			return err
		}
	}
	if now == nil {
		return nil
	}
	return idx.Put(now, nil)
}

// ClientsByEmail lists the clients whose email is address, compared as cardbot.EmailKey does, by
// ascending id; none is an empty list, not an error.
func (t *tx) ClientsByEmail(address string) ([]*cardbot.Client, error) {
	out := []*cardbot.Client{}
	prefix := emailIndexKey(address, 0)
	if prefix == nil {
		return out, nil
	}
	prefix = prefix[:len(prefix)-8] // the address and its \x00
	c := t.bucket(idxClientEmail).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) != len(prefix)+8 {
			continue
		}
		client, err := t.Client(keyID(k[len(prefix):]))
		if err != nil {
			return nil, err
		}
		out = append(out, client)
	}
	return out, nil
}

// indexEmails indexes the email of every client, for databases made before the index existed.
func indexEmails(btx *bolt.Tx) error {
	idx := btx.Bucket([]byte(idxClientEmail))
	return btx.Bucket([]byte(bucketClients)).ForEach(func(k, v []byte) error {
		var c struct {
			Email string `json:"email"`
		}
		if err := json.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("client %d: %w", keyID(k), err)
		}
		if key := emailIndexKey(c.Email, keyID(k)); key != nil {
			return idx.Put(key, nil)
		}
		return nil
	})
}
