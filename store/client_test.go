package store

import (
	"errors"
	"testing"

	"cardbot"
)

var tg = cardbot.Address{Channel: "telegram", ID: "1001"}
var wa = cardbot.Address{Channel: "whatsapp", ID: "79990001122"}

func TestCreatedClientIsFoundByIDPhoneAndAddress(t *testing.T) {
	db := openTestDB(t)
	created := createClient(t, db, "+79990001122", tg, wa)
	if created.ID != 1 {
		t.Fatalf("first client got id %d, want 1", created.ID)
	}
	mustView(t, db, func(tx cardbot.Tx) error {
		byID, err := tx.Client(created.ID)
		if err != nil || byID.Name != "Anna" || !byID.CreatedAt.Equal(testTime) || len(byID.Channels) != 2 {
			t.Fatalf("Client: %+v, %v", byID, err)
		}
		for _, lookup := range []func() (*cardbot.Client, error){
			func() (*cardbot.Client, error) { return tx.ClientByPhone("+79990001122") },
			func() (*cardbot.Client, error) { return tx.ClientByAddress(tg) },
			func() (*cardbot.Client, error) { return tx.ClientByAddress(wa) },
		} {
			if c, err := lookup(); err != nil || c.ID != created.ID {
				t.Fatalf("lookup: %+v, %v", c, err)
			}
		}
		return nil
	})
}

func TestMissingClientsAreNotFound(t *testing.T) {
	db := openTestDB(t)
	createClient(t, db, "+79990001122", tg)
	mustView(t, db, func(tx cardbot.Tx) error {
		_, err := tx.Client(12)
		wantCode(t, err, cardbot.NotFound, "client 12 not found")
		_, err = tx.ClientByPhone("+70000000000")
		wantCode(t, err, cardbot.NotFound, "client with phone +70000000000 not found")
		_, err = tx.ClientByPhone("")
		wantCode(t, err, cardbot.NotFound, "")
		_, err = tx.ClientByAddress(cardbot.Address{Channel: "telegram", ID: "2"})
		wantCode(t, err, cardbot.NotFound, "client with telegram:2 not found")
		return nil
	})
}

func TestSecondClientWithTakenPhoneOrAddressIsRefusedWithoutTrace(t *testing.T) {
	db := openTestDB(t)
	createClient(t, db, "+79990001122", tg)
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		err := tx.CreateClient(&cardbot.Client{Phone: "+79990001122"})
		wantCode(t, err, cardbot.Conflict, "phone +79990001122 already belongs to client 1")
		err = tx.CreateClient(&cardbot.Client{Phone: "+79990003344", Channels: []cardbot.Address{wa, tg}})
		wantCode(t, err, cardbot.Conflict, "telegram:1001 already belongs to client 1")
		return nil // commit what the refused creates left behind, which must be nothing
	})
	mustView(t, db, func(tx cardbot.Tx) error {
		if _, err := tx.ClientByPhone("+79990003344"); cardbot.CodeOf(err) != cardbot.NotFound {
			t.Fatalf("refused client's phone is indexed: %v", err)
		}
		if _, err := tx.ClientByAddress(wa); cardbot.CodeOf(err) != cardbot.NotFound {
			t.Fatalf("refused client's address is indexed: %v", err)
		}
		return nil
	})
	if next := createClient(t, db, "+79990003344"); next.ID != 2 {
		t.Fatalf("client after refusals got id %d, want 2: a refused create used an id", next.ID)
	}
}

func TestClientsWithoutPhoneDoNotClash(t *testing.T) {
	db := openTestDB(t)
	createClient(t, db, "")
	createClient(t, db, "")
	mustView(t, db, func(tx cardbot.Tx) error {
		all, err := tx.Clients(0, 0)
		if err != nil || len(all) != 2 {
			t.Fatalf("Clients: %d, %v", len(all), err)
		}
		return nil
	})
}

func TestAddressWithoutIDIsInvalid(t *testing.T) {
	db := openTestDB(t)
	err := db.Update(t.Context(), func(tx cardbot.Tx) error {
		return tx.CreateClient(&cardbot.Client{Channels: []cardbot.Address{{Channel: "telegram"}}})
	})
	wantCode(t, err, cardbot.Invalid, "")
}

func TestPutClientMovesPhoneAndAddresses(t *testing.T) {
	db := openTestDB(t)
	anna := createClient(t, db, "+79990001122", tg)
	anna.Phone = "+79995556677"
	anna.Channels = []cardbot.Address{wa}
	anna.Name = "Anna K."
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.PutClient(anna) })

	mustView(t, db, func(tx cardbot.Tx) error {
		if c, err := tx.ClientByPhone("+79995556677"); err != nil || c.Name != "Anna K." {
			t.Fatalf("new phone: %+v, %v", c, err)
		}
		if c, err := tx.ClientByAddress(wa); err != nil || c.ID != anna.ID {
			t.Fatalf("added address: %+v, %v", c, err)
		}
		_, err := tx.ClientByPhone("+79990001122")
		wantCode(t, err, cardbot.NotFound, "")
		_, err = tx.ClientByAddress(tg)
		wantCode(t, err, cardbot.NotFound, "")
		return nil
	})
	// What Anna gave up is free for someone else.
	createClient(t, db, "+79990001122", tg)
}

func TestPutClientRefusesAnotherClientsPhoneOrAddressAndChangesNothing(t *testing.T) {
	db := openTestDB(t)
	anna := createClient(t, db, "+79990001122", tg)
	boris := createClient(t, db, "+79993334455", wa)

	taken := *boris
	taken.Phone = anna.Phone
	err := db.Update(t.Context(), func(tx cardbot.Tx) error { return tx.PutClient(&taken) })
	wantCode(t, err, cardbot.Conflict, "phone +79990001122 already belongs to client 1")

	taken = *boris
	taken.Channels = []cardbot.Address{wa, tg}
	taken.Name = "changed"
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		wantCode(t, tx.PutClient(&taken), cardbot.Conflict, "telegram:1001 already belongs to client 1")
		return nil
	})
	mustView(t, db, func(tx cardbot.Tx) error {
		c, err := tx.Client(boris.ID)
		if err != nil || c.Name != "Anna" || len(c.Channels) != 1 {
			t.Fatalf("refused put changed the client: %+v, %v", c, err)
		}
		if c, _ := tx.ClientByAddress(tg); c.ID != anna.ID {
			t.Fatalf("refused put moved the address to client %d", c.ID)
		}
		return nil
	})
}

func TestPutUnknownClientIsNotFound(t *testing.T) {
	db := openTestDB(t)
	err := db.Update(t.Context(), func(tx cardbot.Tx) error { return tx.PutClient(&cardbot.Client{ID: 7}) })
	wantCode(t, err, cardbot.NotFound, "client 7 not found")
}

func TestClientsArePagedByAscendingID(t *testing.T) {
	db := openTestDB(t)
	for range 5 {
		createClient(t, db, "")
	}
	mustView(t, db, func(tx cardbot.Tx) error {
		var got []uint64
		for after := uint64(0); ; {
			page, err := tx.Clients(after, 2)
			if err != nil {
				return err
			}
			if len(page) == 0 {
				break
			}
			for _, c := range page {
				got = append(got, c.ID)
			}
			after = page[len(page)-1].ID
		}
		if len(got) != 5 || got[0] != 1 || got[4] != 5 {
			t.Fatalf("paged ids %v, want 1..5", got)
		}
		return nil
	})
}

func TestClientCopiesAreIndependent(t *testing.T) {
	db := openTestDB(t)
	c := &cardbot.Client{Name: "Anna", Tags: []string{"vip"}, Channels: []cardbot.Address{tg},
		Birthday: &cardbot.Date{Month: 3, Day: 15}}
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.CreateClient(c) })
	// Changing what was passed in, or what a getter returned, must not reach the database.
	c.Tags[0], c.Birthday.Day, c.Name = "changed", 1, "changed"
	mustView(t, db, func(tx cardbot.Tx) error {
		got, err := tx.Client(c.ID)
		if err != nil {
			return err
		}
		got.Tags[0], got.Channels[0].ID, got.Birthday.Day = "mine", "mine", 2
		again, err := tx.Client(c.ID)
		if err != nil {
			return err
		}
		if again.Name != "Anna" || again.Tags[0] != "vip" || again.Channels[0] != tg || again.Birthday.Day != 15 {
			t.Fatalf("stored client changed through a copy: %+v", again)
		}
		return nil
	})
}

func TestWritesInViewAreRefused(t *testing.T) {
	db := openTestDB(t)
	client := createClient(t, db, "+79990001122")
	card := createCard(t, db, client.ID, "0001", "tok")
	writes := map[string]func(cardbot.Tx) error{
		"NextSequence":    func(tx cardbot.Tx) error { _, err := tx.NextSequence("n"); return err },
		"CreateClient":    func(tx cardbot.Tx) error { return tx.CreateClient(&cardbot.Client{}) },
		"PutClient":       func(tx cardbot.Tx) error { return tx.PutClient(client) },
		"CreateCard":      func(tx cardbot.Tx) error { return tx.CreateCard(&cardbot.Card{ClientID: client.ID}) },
		"PutCard":         func(tx cardbot.Tx) error { return tx.PutCard(card) },
		"AppendOperation": func(tx cardbot.Tx) error { return tx.AppendOperation(&cardbot.Operation{CardID: card.ID}) },
		"CreateAPIKey":    func(tx cardbot.Tx) error { return tx.CreateAPIKey(&cardbot.APIKey{Hash: []byte{1}}) },
		"PutIdempotent":   func(tx cardbot.Tx) error { return tx.PutIdempotent(&cardbot.Idempotent{Key: "k"}) },
	}
	for name, write := range writes {
		if err := db.View(t.Context(), write); !errors.Is(err, errReadOnly) {
			t.Errorf("%s in View: %v, want the read-only error", name, err)
		}
	}
}
