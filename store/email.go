package store

import (
	"bytes"

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

// clientEmailEntries is client c's entry in the email index (see clientSearchEntries), none without
// an address.
func clientEmailEntries(c *cardbot.Client) []indexEntry {
	key := emailIndexKey(asStored(c.Email), c.ID)
	if key == nil {
		return nil
	}
	return []indexEntry{{index: idxClientEmail, key: string(key)}}
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
func indexEmails(btx *bolt.Tx) error { return buildIndexes(btx, idxClientEmail) }
