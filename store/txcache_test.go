package store

import (
	"slices"
	"testing"
	"time"

	"cardbot"

	bolt "go.etcd.io/bbolt"
)

var (
	clientIndexes = []string{idxClientPhone, idxClientAddress, idxClientReferral, idxClientReferred,
		idxClientWords, idxClientActivity, idxClientNational, idxClientEmail}
	cardIndexes = []string{idxCardNumber, idxCardToken, idxClientCards, idxCardDigits, idxProgramClients}
)

// indexKeys lists every key of the named indexes, bucket by bucket.
func indexKeys(t *testing.T, db *DB, names []string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := db.bolt.View(func(btx *bolt.Tx) error {
		for _, name := range names {
			b := btx.Bucket([]byte(name))
			if b == nil {
				continue
			}
			err := b.ForEach(func(k, v []byte) error {
				out[name] = append(out[name], string(k)+"="+string(v))
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A client saved several times in one transaction (created, then changed twice), and then read and
// saved in another, leaves exactly the index entries of a client created as it ended up.
func TestAClientSavedSeveralTimesInOneTransactionKeepsItsIndexesExact(t *testing.T) {
	db := openTestDB(t)
	createClient(t, db, "+79990000001", cardbot.Address{Channel: "telegram", ID: "1"}) // referrer 1
	createClient(t, db, "+79990000002", cardbot.Address{Channel: "telegram", ID: "2"}) // referrer 2
	c := &cardbot.Client{Name: "Anna Ivanova", Phone: "+79991112233", Channels: []cardbot.Address{tg},
		ReferralCode: "abc12345", ReferredBy: 1, CreatedAt: testTime, LastActivityAt: testTime}
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		if err := tx.CreateClient(c); err != nil {
			return err
		}
		c.Name, c.Phone, c.Channels, c.ReferredBy = "Boris", "+79994445566", []cardbot.Address{wa}, 2
		c.LastActivityAt = testTime.Add(time.Minute)
		if err := tx.PutClient(c); err != nil {
			return err
		}
		c.Name, c.ReferralCode, c.Email = "Vera Petrova", "xyz98765", "vera@example.com"
		c.LastActivityAt = testTime.Add(2 * time.Minute)
		return tx.PutClient(c)
	})
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		got, err := tx.Client(c.ID)
		if err != nil {
			return err
		}
		got.Name, got.Phone, got.ReferredBy = "Galina", "+79997778899", 0
		got.Channels = append(got.Channels, tg)
		got.LastActivityAt = testTime.Add(3 * time.Minute)
		if err := tx.PutClient(got); err != nil {
			return err
		}
		*c = *got
		return nil
	})

	fresh := openTestDB(t)
	createClient(t, fresh, "+79990000001", cardbot.Address{Channel: "telegram", ID: "1"})
	createClient(t, fresh, "+79990000002", cardbot.Address{Channel: "telegram", ID: "2"})
	want := *c
	want.ID = 0
	mustUpdate(t, fresh, func(tx cardbot.Tx) error { return tx.CreateClient(&want) })
	if want.ID != c.ID {
		t.Fatalf("the fresh client got id %d, want %d", want.ID, c.ID)
	}
	sameIndexes(t, indexKeys(t, db, clientIndexes), indexKeys(t, fresh, clientIndexes))
}

func sameIndexes(t *testing.T, got, exp map[string][]string) {
	t.Helper()
	for name, keys := range exp {
		if !slices.Equal(got[name], keys) {
			t.Errorf("%s: %q, want %q", name, got[name], keys)
		}
	}
	for name, keys := range got {
		if _, ok := exp[name]; !ok {
			t.Errorf("%s: %q, want none", name, keys)
		}
	}
}

// The same for a card: created, changed twice (number, token, client, programme) in one transaction,
// then read and changed in another.
func TestACardSavedSeveralTimesInOneTransactionKeepsItsIndexesExact(t *testing.T) {
	setup := func(db *DB) {
		createClient(t, db, "+79990000001", cardbot.Address{Channel: "telegram", ID: "1"})
		createClient(t, db, "+79990000002", cardbot.Address{Channel: "telegram", ID: "2"})
	}
	db := openTestDB(t)
	setup(db)
	c := &cardbot.Card{Number: "1000-0001", Token: "tok1", ClientID: 1, ProgramID: "coffee", Status: cardbot.CardActive}
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		if err := tx.CreateCard(c); err != nil {
			return err
		}
		c.Balance, c.Number, c.ClientID = 500, "1000-0002", 2
		if err := tx.PutCard(c); err != nil {
			return err
		}
		c.Token, c.ProgramID = "tok2", "tea"
		return tx.PutCard(c)
	})
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		got, err := tx.Card(c.ID)
		if err != nil {
			return err
		}
		got.Number, got.ClientID, got.Balance = "1000-0003", 1, 700
		if err := tx.PutCard(got); err != nil {
			return err
		}
		*c = *got
		return nil
	})

	fresh := openTestDB(t)
	setup(fresh)
	want := *c
	want.ID = 0
	mustUpdate(t, fresh, func(tx cardbot.Tx) error { return tx.CreateCard(&want) })
	if want.ID != c.ID {
		t.Fatalf("the fresh card got id %d, want %d", want.ID, c.ID)
	}
	sameIndexes(t, indexKeys(t, db, cardIndexes), indexKeys(t, fresh, cardIndexes))
}

// A row read and put twice in one transaction leaves the due index with its last state only.
func TestAMessagePutTwiceInOneTransactionLeavesOneDueEntry(t *testing.T) {
	db := openTestDB(t)
	m := &cardbot.Message{Text: "hi", To: &tg, NextAt: testTime}
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.EnqueueMessage(m) })
	later := testTime.Add(time.Hour)
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		got, err := tx.Message(m.ID)
		if err != nil {
			return err
		}
		got.NextAt = later
		if err := tx.PutMessage(got); err != nil {
			return err
		}
		got.NextAt = testTime.Add(2 * time.Hour)
		got.Status = cardbot.MessageSent
		if err := tx.PutMessage(got); err != nil {
			return err
		}
		got.Status, got.NextAt = cardbot.MessagePending, later
		return tx.PutMessage(got)
	})
	mustView(t, db, func(tx cardbot.Tx) error {
		if ids, err := tx.DueMessageIDs(later.Add(-time.Second), 10); err != nil || len(ids) != 0 {
			t.Fatalf("due before its time: %v, %v", ids, err)
		}
		if ids, err := tx.DueMessageIDs(later, 10); err != nil || !slices.Equal(ids, []uint64{m.ID}) {
			t.Fatalf("due at its time: %v, %v; want [%d]", ids, err, m.ID)
		}
		return nil
	})
	var n int
	if err := db.bolt.View(func(btx *bolt.Tx) error { n = btx.Bucket([]byte(idxMessagesDue)).Stats().KeyN; return nil }); err != nil || n != 1 {
		t.Fatalf("due index holds %d entries (%v), want 1", n, err)
	}
}
