package store

import (
	"time"

	"cardbot"
)

// A write transaction remembers, per client, card and outbox row it has read or written, what that
// record's index entries derive from as stored now. Replacing the record then needs no second decode
// of it: a bot turn reads its client and saves it at the end, a first contact creates the client and
// saves it again (and its card, for the opening balance), a purchase reads the card and saves it, and
// the dispatcher reads a row and puts its outcome in one transaction. The memory lives as long as the
// bolt transaction (a rolled-back group starts again with a new tx), and every write of a client, a
// card or a row goes through CreateClient/PutClient, CreateCard/PutCard or saveMessage, which update
// it, so it always agrees with the bucket.

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

// remember records v for record id in *known; only write transactions keep it.
func remember[V any](t *tx, known *map[uint64]V, id uint64, v V) {
	if !t.btx.Writable() {
		return
	}
	if *known == nil {
		*known = map[uint64]V{}
	}
	(*known)[id] = v
}

// storedIndex is what the stored record id owns in the indexes: from *known, or from the record as
// load decodes it (load may remember it itself).
func storedIndex[R, V any](known *map[uint64]V, id uint64, load func(uint64) (R, error), index func(R) (V, error)) (V, error) {
	if v, ok := (*known)[id]; ok {
		return v, nil
	}
	rec, err := load(id)
	if err != nil {
		var none V
		return none, err
	}
	if v, ok := (*known)[id]; ok {
		return v, nil
	}
	return index(rec)
}

// messageState is what a stored row's due index entry depends on.
type messageState struct {
	status cardbot.MessageStatus
	nextAt time.Time
}

func (t *tx) rememberMessage(m *cardbot.Message) {
	remember(t, &t.messages, m.ID, messageState{status: m.Status, nextAt: m.NextAt})
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

func indexedCardOK(c *cardbot.Card) (*cardIndexed, error) { return indexedCard(c), nil }
