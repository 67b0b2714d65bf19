package store

import (
	"bytes"
	"encoding/binary"
	"slices"
	"time"
	"unicode/utf8"

	"cardbot"

	bolt "go.etcd.io/bbolt"
)

// The search indexes (see search.go) hold keys only. Each entry says "this client passes this part of
// a query" and ends in the client id (and, for card entries, the card id), so one record's entries are
// found again from the record alone and are moved in the same transaction as the record.
//
//	idx_client_words     name word \x00 client id         every word of the name, as nameWords splits it
//	idx_client_activity  last activity (sec, nsec) client id
//	idx_client_national  phone's national number \x00 client id   from schema version 3 (nationalNumber)
//	idx_card_digits      number digits \x00 client id card id
//	idx_program_clients  programme id \x00 client id card id
//	idx_client_email     email key \x00 client id          see email.go; filled by indexFills, not a migration

// maxIndexedWord caps a name word in the word index (bytes, cut at a rune boundary): bolt keys are
// bounded, and a query word longer than this is looked up by its first maxIndexedWord bytes and then
// checked in full, so the cut never loses a match.
const maxIndexedWord = 64

// indexEntry is one key in one search index.
type indexEntry struct {
	index string
	key   string
}

// clientSearchEntries lists the search-index keys client c owns, computed from the values as the
// record stores them, so they agree with what a later read of the record sees.
func clientSearchEntries(c *cardbot.Client) ([]indexEntry, error) {
	var entries []indexEntry
	for _, w := range nameWords(asStored(c.Name)) {
		e := indexEntry{index: idxClientWords, key: wordKey(w, c.ID)}
		if !slices.Contains(entries, e) {
			entries = append(entries, e)
		}
	}
	at, err := storedTime(c.LastActivityAt)
	if err != nil {
		return nil, err
	}
	entries = append(entries, indexEntry{index: idxClientActivity, key: string(append(timeKey(at), idKey(c.ID)...))})
	if n := nationalNumber(c.Phone); n != "" {
		entries = append(entries, indexEntry{index: idxClientNational, key: n + "\x00" + string(idKey(c.ID))})
	}
	return append(entries, clientEmailEntries(c)...), nil
}

// cardSearchEntries lists the search-index keys card c owns: its number's digits and its programme, both
// under the card's client.
func cardSearchEntries(c *cardbot.Card) []indexEntry {
	owner := string(pairKey(c.ClientID, c.ID))
	return []indexEntry{
		{index: idxCardDigits, key: onlyDigits(c.Number) + "\x00" + owner},
		{index: idxProgramClients, key: asStored(c.ProgramID) + "\x00" + owner},
	}
}

func wordKey(word string, clientID uint64) string {
	return indexedWord(word) + "\x00" + string(idKey(clientID))
}

// indexedWord is the part of a word the index keeps: at most maxIndexedWord bytes, whole runes.
func indexedWord(w string) string {
	if len(w) <= maxIndexedWord {
		return w
	}
	cut := maxIndexedWord
	for cut > 0 && !utf8.RuneStart(w[cut]) {
		cut--
	}
	return w[:cut]
}

// timeKey orders instants: seconds since the epoch with the sign bit flipped (so times before 1970 come
// first), then nanoseconds.
func timeKey(at time.Time) []byte {
	k := binary.BigEndian.AppendUint64(make([]byte, 0, 20), uint64(at.Unix())^(1<<63))
	return binary.BigEndian.AppendUint32(k, uint32(at.Nanosecond()))
}

// storedTime is at as a record reads it back: JSON keeps the instant but writes the zone offset in
// whole minutes, which moves the instant of a time in a zone with a seconds offset (old local mean times).
func storedTime(at time.Time) (time.Time, error) {
	text, err := at.MarshalText()
	if err != nil {
		return time.Time{}, err
	}
	var back time.Time
	err = back.UnmarshalText(text)
	return back, err
}

// asStored is s as a JSON record reads it back: every byte that is not valid UTF-8 becomes U+FFFD.
func asStored(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return string([]rune(s))
}

// moveEntries deletes the entries a record no longer has and writes those it gained.
func (t *tx) moveEntries(old, now []indexEntry) error {
	if err := t.writable(); err != nil {
		return err
	}
	for _, e := range old {
		if !slices.Contains(now, e) {
			if err := t.bucket(e.index).Delete([]byte(e.key)); err != nil {
				return err
			}
		}
	}
	for _, e := range now {
		if !slices.Contains(old, e) {
			if err := t.bucket(e.index).Put([]byte(e.key), nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// buildSearchIndexes is the migration to schema version 2: it writes the search indexes of every client
// and card already stored.
func buildSearchIndexes(btx *bolt.Tx) error {
	return buildIndexes(btx, idxClientWords, idxClientActivity, idxCardDigits, idxProgramClients)
}

// buildNationalIndex is the migration to schema version 3: it writes the national-number index of every
// client already stored, so a phone typed without its country code finds them.
func buildNationalIndex(btx *bolt.Tx) error {
	return buildIndexes(btx, idxClientNational)
}

// buildIndexes creates the named search indexes and writes their entries for every client and card
// already stored (cards are read only when a card index is named). Keys are sorted before they are
// written: bolt splits pages only at commit, so one transaction inserting a million keys out of order
// would move memory quadratically.
func buildIndexes(btx *bolt.Tx, indexes ...string) error {
	t := &tx{btx: btx}
	keys := map[string][][]byte{}
	for _, name := range indexes {
		if _, err := btx.CreateBucketIfNotExists([]byte(name)); err != nil {
			return err
		}
		keys[name] = nil
	}
	add := func(entries []indexEntry) {
		for _, e := range entries {
			if ks, ok := keys[e.index]; ok {
				keys[e.index] = append(ks, []byte(e.key))
			}
		}
	}
	err := btx.Bucket([]byte(bucketClients)).ForEach(func(k, _ []byte) error {
		c, err := t.Client(keyID(k))
		if err != nil {
			return err
		}
		entries, err := clientSearchEntries(c)
		add(entries)
		return err
	})
	if err != nil {
		return err
	}
	if slices.Contains(indexes, idxCardDigits) || slices.Contains(indexes, idxProgramClients) {
		err = btx.Bucket([]byte(bucketCards)).ForEach(func(k, _ []byte) error {
			c, err := t.Card(keyID(k))
			if err == nil {
				add(cardSearchEntries(c))
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	for index, ks := range keys {
		slices.SortFunc(ks, bytes.Compare)
		b := btx.Bucket([]byte(index))
		b.FillPercent = 0.9 // written in order: fuller pages, later inserts split them as usual
		for _, k := range ks {
			if err := b.Put(k, nil); err != nil {
				return err
			}
		}
	}
	return nil
}
