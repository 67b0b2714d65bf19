package store

import (
	"errors"

	"cardbot"
)

// cardRecord is a card as stored. Token is kept beside the domain struct because cardbot.Card hides
// it from JSON (so it never leaks through the API), yet the database must keep it.
type cardRecord struct {
	V int `json:"v"`
	*cardbot.Card
	Token string `json:"token,omitempty"`
}

func newCardRecord(c *cardbot.Card) cardRecord {
	return cardRecord{V: recordVersion, Card: c, Token: c.Token}
}

// cardKeys lists the unique index entries a card owns; an empty number or token owns none.
func cardKeys(c *cardbot.Card) []uniqueKey {
	var keys []uniqueKey
	if c.Number != "" {
		keys = append(keys, uniqueKey{index: idxCardNumber, key: c.Number, label: "card number " + c.Number})
	}
	if c.Token != "" {
		keys = append(keys, uniqueKey{index: idxCardToken, key: c.Token, label: "card token"})
	}
	return keys
}

// CreateCard assigns c.ID, stores c, indexes its number and token (refusing ones another card has) and
// lists it under its client, which must exist.
func (t *tx) CreateCard(c *cardbot.Card) error {
	if err := t.mayWrite(); err != nil {
		return err
	}
	if c == nil {
		return errors.New("store: nil card")
	}
	if !t.exists(bucketClients, c.ClientID) {
		return cardbot.Errorf(cardbot.NotFound, "client %d not found", c.ClientID)
	}
	keys := cardKeys(c)
	if err := t.checkUnique("card", 0, keys); err != nil {
		return err
	}
	if err := t.writable(); err != nil {
		return err
	}
	id, err := t.bucket(bucketCards).NextSequence()
	if err != nil {
		return err
	}
	c.ID = id
	if err := t.reindex("card", id, nil, keys); err != nil {
		return err
	}
	if err := t.bucket(idxClientCards).Put(pairKey(c.ClientID, id), nil); err != nil {
		return err
	}
	ix := indexedCard(c)
	if err := t.moveEntries(nil, ix.search); err != nil {
		return err
	}
	return t.saveCard(c, ix)
}

// PutCard replaces the card with c.ID, moving its number, token and client entries when they changed.
func (t *tx) PutCard(c *cardbot.Card) error {
	if err := t.mayWrite(); err != nil {
		return err
	}
	if c == nil {
		return errors.New("store: nil card")
	}
	old, err := storedIndex(&t.cards, c.ID, t.Card, indexedCardOK)
	if err != nil {
		return err
	}
	if c.ClientID != old.clientID && !t.exists(bucketClients, c.ClientID) {
		return cardbot.Errorf(cardbot.NotFound, "client %d not found", c.ClientID)
	}
	ix := indexedCard(c)
	if err := t.reindex("card", c.ID, old.keys, ix.keys); err != nil {
		return err
	}
	if err := t.moveClientCard(c.ID, old.clientID, c.ClientID); err != nil {
		return err
	}
	if err := t.moveEntries(old.search, ix.search); err != nil {
		return err
	}
	return t.saveCard(c, ix)
}

// saveCard writes the card's record and remembers what it owns in the indexes (see txcache.go).
func (t *tx) saveCard(c *cardbot.Card, ix *cardIndexed) error {
	if err := t.save(bucketCards, c.ID, newCardRecord(c)); err != nil {
		return err
	}
	remember(t, &t.cards, c.ID, ix)
	return nil
}

func (t *tx) moveClientCard(cardID, from, to uint64) error {
	if from == to {
		return nil
	}
	idx := t.bucket(idxClientCards)
	if err := idx.Delete(pairKey(from, cardID)); err != nil {
		return err
	}
	return idx.Put(pairKey(to, cardID), nil)
}

// Card returns the card with the given id.
func (t *tx) Card(id uint64) (*cardbot.Card, error) {
	rec := cardRecord{Card: new(cardbot.Card)}
	found, err := t.load(bucketCards, id, &rec)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, cardbot.Errorf(cardbot.NotFound, "card %d not found", id)
	}
	rec.Card.Token = rec.Token
	if _, known := t.cards[id]; !known && t.btx.Writable() {
		remember(t, &t.cards, id, indexedCard(rec.Card))
	}
	return rec.Card, nil
}

// CardByNumber returns the card with the given number.
func (t *tx) CardByNumber(number string) (*cardbot.Card, error) {
	id := t.owner(uniqueKey{index: idxCardNumber, key: number})
	if number == "" || id == 0 {
		return nil, cardbot.Errorf(cardbot.NotFound, "card number %s not found", number)
	}
	return t.Card(id)
}

// CardByToken returns the card with the given public-page token. The message does not repeat the
// token: it is a secret of the card's owner.
func (t *tx) CardByToken(token string) (*cardbot.Card, error) {
	id := t.owner(uniqueKey{index: idxCardToken, key: token})
	if token == "" || id == 0 {
		return nil, cardbot.Errorf(cardbot.NotFound, "card not found")
	}
	return t.Card(id)
}

// ClientCards lists a client's cards by ascending id; a client without cards (or unknown) has none.
func (t *tx) ClientCards(clientID uint64) ([]*cardbot.Card, error) {
	cards := []*cardbot.Card{}
	c := t.bucket(idxClientCards).Cursor()
	for k, _ := c.Seek(idKey(clientID)); k != nil; k, _ = c.Next() {
		cardID, ok := childOf(k, clientID)
		if !ok {
			break
		}
		card, err := t.Card(cardID)
		if err != nil {
			return nil, err
		}
		cards = append(cards, card)
	}
	return cards, nil
}
