package store

import (
	"testing"

	"cardbot"
)

// The dispatcher's narrow reads: whom a row is for, and whether its client is still there.
func TestARowsRecipientAndItsClientsExistenceAreReadAlone(t *testing.T) {
	db := openTestDB(t)
	c := createClient(t, db, "+79990001122", tg)
	reply := &cardbot.Message{ClientID: c.ID, To: &tg, Kind: cardbot.KindReply, Text: "hello", NextAt: testTime,
		Buttons: [][]cardbot.Button{{{Text: "Balance", Data: "balance"}}}}
	notice := &cardbot.Message{ClientID: c.ID, Kind: cardbot.KindNotice, Text: "bonus", NextAt: testTime}
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		if err := tx.EnqueueMessage(reply); err != nil {
			return err
		}
		return tx.EnqueueMessage(notice)
	})
	mustView(t, db, func(tx cardbot.Tx) error {
		got, err := tx.MessageRecipient(reply.ID)
		if err != nil || got.ID != reply.ID || got.ClientID != c.ID || got.To == nil || *got.To != tg || got.Text != "" {
			t.Fatalf("recipient of the reply: %+v, %v", got, err)
		}
		got, err = tx.MessageRecipient(notice.ID)
		if err != nil || got.ID != notice.ID || got.ClientID != c.ID || got.To != nil {
			t.Fatalf("recipient of the notice: %+v, %v", got, err)
		}
		_, err = tx.MessageRecipient(99)
		wantCode(t, err, cardbot.NotFound, "message 99 not found")
		if !tx.ClientExists(c.ID) || tx.ClientExists(c.ID+1) {
			t.Fatalf("ClientExists: %d %v, %d %v", c.ID, tx.ClientExists(c.ID), c.ID+1, tx.ClientExists(c.ID+1))
		}
		return nil
	})
}
