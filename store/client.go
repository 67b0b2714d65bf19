package store

import (
	"errors"

	"cardbot"
)

// clientRecord is a client as stored: the domain struct plus the record version.
type clientRecord struct {
	V int `json:"v"`
	*cardbot.Client
}

// clientKeys lists the unique index entries a client owns; an empty phone owns none.
func clientKeys(c *cardbot.Client) []uniqueKey {
	var keys []uniqueKey
	if c.Phone != "" {
		keys = append(keys, uniqueKey{index: idxClientPhone, key: c.Phone, label: "phone " + c.Phone})
	}
	for _, a := range c.Channels {
		keys = append(keys, uniqueKey{index: idxClientAddress, key: a.Key(), label: a.Key()})
	}
	if c.ReferralCode != "" {
		keys = append(keys, uniqueKey{index: idxClientReferral, key: c.ReferralCode, label: "referral code " + c.ReferralCode})
	}
	return keys
}

func validateClient(c *cardbot.Client) error {
	if c == nil {
		return errors.New("store: nil client")
	}
	for _, a := range c.Channels {
		if a.Channel == "" || a.ID == "" {
			return cardbot.Errorf(cardbot.Invalid, "channel address %q needs both a channel and an id", a.Key())
		}
	}
	return nil
}

// CreateClient assigns c.ID, stores c and indexes its phone and channel addresses, refusing ones that
// belong to another client.
func (t *tx) CreateClient(c *cardbot.Client) error {
	if err := t.mayWrite(); err != nil {
		return err
	}
	if err := validateClient(c); err != nil {
		return err
	}
	if err := t.checkUnique("client", 0, clientKeys(c)); err != nil {
		return err // before taking an id, so a refused create leaves no trace
	}
	if err := t.writable(); err != nil {
		return err
	}
	id, err := t.bucket(bucketClients).NextSequence()
	if err != nil {
		return err
	}
	c.ID = id
	ix, err := indexedClient(c) // now: the search entries end in the id
	if err != nil {
		return err
	}
	return t.saveClient(c, &clientIndexed{}, ix)
}

// PutClient replaces the client with c.ID and moves its index entries to the new phone and addresses.
func (t *tx) PutClient(c *cardbot.Client) error {
	if err := t.mayWrite(); err != nil {
		return err
	}
	if err := validateClient(c); err != nil {
		return err
	}
	old, err := storedIndex(&t.clients, c.ID, t.Client, indexedClient)
	if err != nil {
		return err
	}
	ix, err := indexedClient(c)
	if err != nil {
		return err
	}
	return t.saveClient(c, old, ix)
}

// saveClient moves the client's index entries from old to ix (both as indexedClient computes them)
// and writes the record.
func (t *tx) saveClient(c *cardbot.Client, old, ix *clientIndexed) error {
	if err := t.reindex("client", c.ID, old.keys, ix.keys); err != nil {
		return err
	}
	if err := t.indexReferral(old.referredBy, c); err != nil {
		return err
	}
	if err := t.moveEntries(old.search, ix.search); err != nil {
		return err
	}
	if err := t.save(bucketClients, c.ID, clientRecord{V: recordVersion, Client: c}); err != nil {
		return err
	}
	remember(t, &t.clients, c.ID, ix)
	return nil
}

// Client returns the client with the given id.
func (t *tx) Client(id uint64) (*cardbot.Client, error) {
	rec := clientRecord{Client: new(cardbot.Client)}
	found, err := t.load(bucketClients, id, &rec)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, cardbot.Errorf(cardbot.NotFound, "client %d not found", id)
	}
	if t.btx.Writable() {
		if _, known := t.clients[id]; !known {
			ix, err := indexedClient(rec.Client)
			if err != nil {
				return nil, err
			}
			remember(t, &t.clients, id, ix)
		}
	}
	return rec.Client, nil
}

// ClientExists reports whether the client with the given id is stored.
func (t *tx) ClientExists(id uint64) bool {
	return t.exists(bucketClients, id)
}

// ClientByPhone returns the client with the given E.164 phone.
func (t *tx) ClientByPhone(phone string) (*cardbot.Client, error) {
	id := t.owner(uniqueKey{index: idxClientPhone, key: phone})
	if phone == "" || id == 0 {
		return nil, cardbot.Errorf(cardbot.NotFound, "client with phone %s not found", phone)
	}
	return t.Client(id)
}

// ClientByAddress returns the client that owns the messenger account a.
func (t *tx) ClientByAddress(a cardbot.Address) (*cardbot.Client, error) {
	id := t.owner(uniqueKey{index: idxClientAddress, key: a.Key()})
	if id == 0 {
		return nil, cardbot.Errorf(cardbot.NotFound, "client with %s not found", a.Key())
	}
	return t.Client(id)
}

// ClientByReferralCode returns the client whose invite links carry code.
func (t *tx) ClientByReferralCode(code string) (*cardbot.Client, error) {
	id := t.owner(uniqueKey{index: idxClientReferral, key: code})
	if code == "" || id == 0 {
		return nil, cardbot.Errorf(cardbot.NotFound, "no client with referral code %q", code)
	}
	return t.Client(id)
}

// Clients lists up to limit clients (all when limit <= 0) by ascending id, starting after the given id.
func (t *tx) Clients(after uint64, limit int) ([]*cardbot.Client, error) {
	return listAfter(t, bucketClients, after, limit, t.Client)
}
