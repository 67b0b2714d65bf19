package store

import (
	"errors"

	"cardbot"
)

// apiKeyRecord is an API key as stored.
type apiKeyRecord struct {
	V int `json:"v"`
	*cardbot.APIKey
}

func apiKeyKeys(k *cardbot.APIKey) []uniqueKey {
	return []uniqueKey{{index: idxAPIKeyHash, key: string(k.Hash), label: "this key"}}
}

// CreateAPIKey assigns k.ID, stores k and indexes its hash, refusing a hash another key has.
func (t *tx) CreateAPIKey(k *cardbot.APIKey) error {
	if err := t.mayWriteAPIKey(k); err != nil {
		return err
	}
	keys := apiKeyKeys(k)
	if err := t.checkUnique("API key", 0, keys); err != nil {
		return err
	}
	if err := t.writable(); err != nil {
		return err
	}
	id, err := t.bucket(bucketAPIKeys).NextSequence()
	if err != nil {
		return err
	}
	k.ID = id
	if err := t.reindex("API key", id, nil, keys); err != nil {
		return err
	}
	return t.save(bucketAPIKeys, id, apiKeyRecord{V: recordVersion, APIKey: k})
}

// APIKeyByHash returns the key whose secret has the given SHA-256. Revoked keys are returned too: the
// caller decides what Revoked means.
func (t *tx) APIKeyByHash(hash []byte) (*cardbot.APIKey, error) {
	id := t.owner(uniqueKey{index: idxAPIKeyHash, key: string(hash)})
	if len(hash) == 0 || id == 0 {
		return nil, cardbot.Errorf(cardbot.NotFound, "API key not found")
	}
	return t.apiKey(id)
}

func (t *tx) apiKey(id uint64) (*cardbot.APIKey, error) {
	rec := apiKeyRecord{APIKey: new(cardbot.APIKey)}
	found, err := t.load(bucketAPIKeys, id, &rec)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, cardbot.Errorf(cardbot.NotFound, "API key %d not found", id)
	}
	return rec.APIKey, nil
}

// APIKeys lists every key, revoked ones included, by ascending id.
func (t *tx) APIKeys() ([]*cardbot.APIKey, error) {
	keys := []*cardbot.APIKey{}
	c := t.bucket(bucketAPIKeys).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		key, err := t.apiKey(keyID(k))
		if err != nil {
			return nil, err
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// PutAPIKey saves a changed key (say, revoked), keeping the hash index in step.
func (t *tx) PutAPIKey(k *cardbot.APIKey) error {
	if err := t.mayWriteAPIKey(k); err != nil {
		return err
	}
	old, err := t.apiKey(k.ID)
	if err != nil {
		return err
	}
	if err := t.reindex("API key", k.ID, apiKeyKeys(old), apiKeyKeys(k)); err != nil {
		return err
	}
	return t.save(bucketAPIKeys, k.ID, apiKeyRecord{V: recordVersion, APIKey: k})
}

// mayWriteAPIKey refuses a write outside an update and a key without the hash of its secret.
func (t *tx) mayWriteAPIKey(k *cardbot.APIKey) error {
	if err := t.mayWrite(); err != nil {
		return err
	}
	if k == nil {
		return errors.New("store: nil API key")
	}
	if len(k.Hash) == 0 {
		return cardbot.Errorf(cardbot.Invalid, "an API key needs the hash of its secret")
	}
	return nil
}
