package store

import (
	"time"

	"cardbot"
)

// A write transaction remembers, per client, card and outbox row it has read or written, what that
// record's index entries derive from as stored now. Replacing the record then needs no second decode
// of it: a bot turn reads its client and saves it at the end, a first contact creates the client and
// saves it again (and its card, for the opening balance), a purchase reads the card and saves it, and the dispatcher reads a row and puts its outcome in one transaction. The memory
// lives as long as the bolt transaction (a rolled-back group starts again with a new tx), and every
// write of a client or a row goes through CreateClient/PutClient or saveMessage, which update it, so
// it always agrees with the bucket.

// clientIndexed is what a stored client's index entries are made from.
type clientIndexed struct {
	keys       []uniqueKey  // unique indexes: phone, addresses, referral code
	referredBy uint64       // the referrer → friend index
	search     []indexEntry // the search indexes
}

// indexedClient computes what client c, as it is stored, owns in the indexes.
func indexedClient(c *cardbot.Client) (*clientIndexed, error) {
	search, err := clientSearchEntries(c)
	if err != nil {
		return nil, err
	}
	return &clientIndexed{keys: clientKeys(c), referredBy: c.ReferredBy, search: search}, nil
}

// rememberClient records what client id owns in the indexes now; only write transactions keep it.
func (t *tx) rememberClient(id uint64, ix *clientIndexed) {
	if !t.btx.Writable() {
		return
	}
	if t.clients == nil {
		t.clients = map[uint64]*clientIndexed{}
	}
	t.clients[id] = ix
}

// storedClientIndex is what the stored client id owns in the indexes, from memory or from the record.
func (t *tx) storedClientIndex(id uint64) (*clientIndexed, error) {
	if ix, ok := t.clients[id]; ok {
		return ix, nil
	}
	old, err := t.Client(id)
	if err != nil {
		return nil, err
	}
	if ix, ok := t.clients[id]; ok { // Client remembered it
		return ix, nil
	}
	return indexedClient(old)
}

// messageState is what a stored row's due index entry depends on.
type messageState struct {
	status cardbot.MessageStatus
	nextAt time.Time
}

func (t *tx) rememberMessage(m *cardbot.Message) {
	if !t.btx.Writable() {
		return
	}
	if t.messages == nil {
		t.messages = map[uint64]messageState{}
	}
	t.messages[m.ID] = messageState{status: m.Status, nextAt: m.NextAt}
}

// cardIndexed is what a stored card's index entries are made from.
type cardIndexed struct {
	keys     []uniqueKey  // number and token
	clientID uint64       // the client → cards index
	search   []indexEntry // the search indexes
}

func indexedCard(c *cardbot.Card) *cardIndexed {
	return &cardIndexed{keys: cardKeys(c), clientID: c.ClientID, search: cardSearchEntries(c)}
}

// rememberCard records what card id owns in the indexes now; only write transactions keep it.
func (t *tx) rememberCard(id uint64, ix *cardIndexed) {
	if !t.btx.Writable() {
		return
	}
	if t.cards == nil {
		t.cards = map[uint64]*cardIndexed{}
	}
	t.cards[id] = ix
}

// storedCardIndex is what the stored card id owns in the indexes, from memory or from the record.
func (t *tx) storedCardIndex(id uint64) (*cardIndexed, error) {
	if ix, ok := t.cards[id]; ok {
		return ix, nil
	}
	old, err := t.Card(id)
	if err != nil {
		return nil, err
	}
	if ix, ok := t.cards[id]; ok { // Card remembered it
		return ix, nil
	}
	return indexedCard(old), nil
}
