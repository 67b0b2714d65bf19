package wallet_test

import (
	"testing"

	"cardbot"
	"cardbot/wallet"
)

// A cashier types a card number with one digit wrong: the check digit tells it is mistyped. A number
// that passes the check but belongs to nobody is just not found, and a card issued before the check
// digit was switched on is still found by its number.
func TestMistypedCardNumberIsCaughtByItsCheckDigit(t *testing.T) {
	e := newEnvWith(t, withNumbers(cardbot.CardNumberRules{Prefix: "77", Length: 10, Mode: cardbot.NumbersRandom, Luhn: true}))
	card := e.issue("bonus", e.client()).Card
	mistyped := card.Number[:5] + string('0'+(card.Number[5]-'0'+1)%10) + card.Number[6:]
	e.view(func(tx cardbot.Tx) error {
		found, err := e.w.CardByNumber(tx, card.Number)
		if err != nil || found.ID != card.ID {
			t.Fatalf("the right number: %+v, %v", found, err)
		}
		_, err = e.w.CardByNumber(tx, mistyped)
		expectError(t, err, cardbot.NotFound, "probably mistyped")
		unknown := "7700000000"
		for !wallet.ValidLuhn(unknown) {
			unknown = unknown[:9] + string(unknown[9]+1)
		}
		_, err = e.w.CardByNumber(tx, unknown)
		expectError(t, err, cardbot.NotFound, "card number "+unknown+" not found")
		return nil
	})

	old := &cardbot.Card{Number: "1234567", ClientID: card.ClientID, ProgramID: "gift", Type: cardbot.Certificate}
	e.update(func(tx cardbot.Tx) error { return tx.CreateCard(old) })
	e.view(func(tx cardbot.Tx) error {
		if wallet.ValidLuhn(old.Number) {
			t.Fatal("the old number must fail the check for this test")
		}
		found, err := e.w.CardByNumber(tx, old.Number)
		if err != nil || found.ID != old.ID {
			t.Fatalf("a card from before the check digit: %+v, %v", found, err)
		}
		return nil
	})
}
