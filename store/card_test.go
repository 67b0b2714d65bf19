package store

import (
	"testing"

	"cardbot"
)

func TestCreatedCardIsFoundByIDNumberAndTokenWithItsToken(t *testing.T) {
	db := openTestDB(t)
	anna := createClient(t, db, "+79990001122")
	card := createCard(t, db, anna.ID, "0001234", "secret-token")
	mustView(t, db, func(tx cardbot.Tx) error {
		for _, lookup := range []func() (*cardbot.Card, error){
			func() (*cardbot.Card, error) { return tx.Card(card.ID) },
			func() (*cardbot.Card, error) { return tx.CardByNumber("0001234") },
			func() (*cardbot.Card, error) { return tx.CardByToken("secret-token") },
		} {
			got, err := lookup()
			if err != nil || got.ID != card.ID || got.Token != "secret-token" || !got.IssuedAt.Equal(testTime) {
				t.Fatalf("lookup: %+v, %v", got, err)
			}
		}
		return nil
	})
}

func TestMissingCardsAreNotFound(t *testing.T) {
	db := openTestDB(t)
	mustView(t, db, func(tx cardbot.Tx) error {
		_, err := tx.Card(5)
		wantCode(t, err, cardbot.NotFound, "card 5 not found")
		_, err = tx.CardByNumber("0001234")
		wantCode(t, err, cardbot.NotFound, "card number 0001234 not found")
		_, err = tx.CardByToken("guess")
		wantCode(t, err, cardbot.NotFound, "card not found")
		return nil
	})
}

func TestCardForUnknownClientIsRefused(t *testing.T) {
	db := openTestDB(t)
	err := db.Update(t.Context(), func(tx cardbot.Tx) error { return tx.CreateCard(&cardbot.Card{ClientID: 9}) })
	wantCode(t, err, cardbot.NotFound, "client 9 not found")
}

func TestDuplicateCardNumberOrTokenIsRefused(t *testing.T) {
	db := openTestDB(t)
	anna := createClient(t, db, "")
	createCard(t, db, anna.ID, "0001234", "tok-1")
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		err := tx.CreateCard(&cardbot.Card{ClientID: anna.ID, Number: "0001234", Token: "tok-2"})
		wantCode(t, err, cardbot.Conflict, "card number 0001234 already belongs to card 1")
		err = tx.CreateCard(&cardbot.Card{ClientID: anna.ID, Number: "0005678", Token: "tok-1"})
		wantCode(t, err, cardbot.Conflict, "card token already belongs to card 1")
		return nil
	})
	mustView(t, db, func(tx cardbot.Tx) error {
		if cards, _ := tx.ClientCards(anna.ID); len(cards) != 1 {
			t.Fatalf("refused cards are listed: %d cards", len(cards))
		}
		_, err := tx.CardByToken("tok-2")
		wantCode(t, err, cardbot.NotFound, "")
		return nil
	})
}

func TestCardsWithoutNumberOrTokenDoNotClash(t *testing.T) {
	db := openTestDB(t)
	anna := createClient(t, db, "")
	createCard(t, db, anna.ID, "", "")
	createCard(t, db, anna.ID, "", "")
	mustView(t, db, func(tx cardbot.Tx) error {
		_, err := tx.CardByNumber("")
		wantCode(t, err, cardbot.NotFound, "")
		_, err = tx.CardByToken("")
		wantCode(t, err, cardbot.NotFound, "")
		return nil
	})
}

func TestClientCardsListsOnlyThatClientsCards(t *testing.T) {
	db := openTestDB(t)
	anna, boris := createClient(t, db, ""), createClient(t, db, "")
	a1 := createCard(t, db, anna.ID, "A1", "")
	createCard(t, db, boris.ID, "B1", "")
	a2 := createCard(t, db, anna.ID, "A2", "")
	mustView(t, db, func(tx cardbot.Tx) error {
		cards, err := tx.ClientCards(anna.ID)
		if err != nil || len(cards) != 2 || cards[0].ID != a1.ID || cards[1].ID != a2.ID {
			t.Fatalf("Anna's cards: %+v, %v", cards, err)
		}
		none, err := tx.ClientCards(42)
		if err != nil || len(none) != 0 {
			t.Fatalf("unknown client's cards: %+v, %v", none, err)
		}
		return nil
	})
}

func TestPutCardMovesNumberTokenAndClient(t *testing.T) {
	db := openTestDB(t)
	anna, boris := createClient(t, db, ""), createClient(t, db, "")
	card := createCard(t, db, anna.ID, "0001", "tok-old")
	card.Number, card.Token, card.ClientID, card.Balance = "0002", "tok-new", boris.ID, 500
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.PutCard(card) })
	mustView(t, db, func(tx cardbot.Tx) error {
		if got, err := tx.CardByNumber("0002"); err != nil || got.Balance != 500 || got.Token != "tok-new" {
			t.Fatalf("by new number: %+v, %v", got, err)
		}
		if _, err := tx.CardByToken("tok-new"); err != nil {
			t.Fatalf("by new token: %v", err)
		}
		_, err := tx.CardByNumber("0001")
		wantCode(t, err, cardbot.NotFound, "")
		_, err = tx.CardByToken("tok-old")
		wantCode(t, err, cardbot.NotFound, "")
		if cards, _ := tx.ClientCards(anna.ID); len(cards) != 0 {
			t.Fatalf("card still listed under its old client")
		}
		if cards, _ := tx.ClientCards(boris.ID); len(cards) != 1 {
			t.Fatalf("card not listed under its new client")
		}
		return nil
	})
}

func TestPutCardRefusesAnotherCardsNumber(t *testing.T) {
	db := openTestDB(t)
	anna := createClient(t, db, "")
	createCard(t, db, anna.ID, "0001", "")
	second := createCard(t, db, anna.ID, "0002", "")
	second.Number = "0001"
	err := db.Update(t.Context(), func(tx cardbot.Tx) error { return tx.PutCard(second) })
	wantCode(t, err, cardbot.Conflict, "card number 0001 already belongs to card 1")
	err = db.Update(t.Context(), func(tx cardbot.Tx) error { return tx.PutCard(&cardbot.Card{ID: 99}) })
	wantCode(t, err, cardbot.NotFound, "card 99 not found")
}

func TestCardCopiesAreIndependent(t *testing.T) {
	db := openTestDB(t)
	anna := createClient(t, db, "")
	card := &cardbot.Card{ClientID: anna.ID, Number: "0001", Lots: []cardbot.Lot{{OpID: 1, Left: 100}}}
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.CreateCard(card) })
	card.Lots[0].Left = 1
	mustView(t, db, func(tx cardbot.Tx) error {
		got, _ := tx.Card(card.ID)
		got.Lots[0].Left = 2
		again, _ := tx.Card(card.ID)
		if again.Lots[0].Left != 100 {
			t.Fatalf("stored lot changed through a copy: %+v", again.Lots)
		}
		return nil
	})
}
