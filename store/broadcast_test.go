package store

import (
	"context"
	"testing"

	"cardbot"
)

func TestBroadcastAudienceKeepsItsOrderAndOpenList(t *testing.T) {
	db := openTestDB(t)
	first := &cardbot.Broadcast{BroadcastSpec: cardbot.BroadcastSpec{Name: "spring", Text: "Hi"}, Status: cardbot.BroadcastDraft}
	second := &cardbot.Broadcast{BroadcastSpec: cardbot.BroadcastSpec{Name: "summer", Text: "Hi"}, Status: cardbot.BroadcastDraft}
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		if err := tx.CreateBroadcast(first); err != nil {
			return err
		}
		return tx.CreateBroadcast(second)
	})
	// Two audiences side by side: one broadcast's recipients never show up in the other's lists.
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		for _, b := range []uint64{first.ID, second.ID} {
			for seq := uint64(1); seq <= 5; seq++ {
				r := &cardbot.Recipient{Broadcast: b, Seq: seq, ClientID: 100 + seq, State: cardbot.RecipientPending}
				if seq%2 == 0 {
					r.State, r.MessageID = cardbot.RecipientEnqueued, 1000+seq
				}
				if err := tx.PutRecipient(r); err != nil {
					return err
				}
			}
		}
		return nil
	})
	seqs := func(rs []*cardbot.Recipient) []uint64 {
		var s []uint64
		for _, r := range rs {
			s = append(s, r.Seq)
		}
		return s
	}
	mustView(t, db, func(tx cardbot.Tx) error {
		page, err := tx.Recipients(first.ID, 2, 2)
		if err != nil || len(page) != 2 || page[0].Seq != 3 || page[1].Seq != 4 || page[0].Broadcast != first.ID {
			t.Errorf("page after 2: %v %v", seqs(page), err)
		}
		open, err := tx.OpenRecipients(second.ID, 0)
		if err != nil || len(open) != 2 || open[0].Seq != 2 || open[1].Seq != 4 || open[1].MessageID != 1004 {
			t.Errorf("open recipients: %v %v", seqs(open), err)
		}
		list, err := tx.Broadcasts(0, 0)
		if err != nil || len(list) != 2 || list[0].ID != second.ID {
			t.Errorf("broadcasts newest first: %v %v", list, err)
		}
		if older, _ := tx.Broadcasts(second.ID, 10); len(older) != 1 || older[0].ID != first.ID {
			t.Errorf("broadcasts below %d: %v", second.ID, older)
		}
		return nil
	})
	// A settled recipient leaves the open list; deleting one audience leaves the other whole.
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		return tx.PutRecipient(&cardbot.Recipient{Broadcast: second.ID, Seq: 2, State: cardbot.RecipientSent, MessageID: 1002})
	})
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.DeleteRecipients(first.ID) })
	mustView(t, db, func(tx cardbot.Tx) error {
		if open, _ := tx.OpenRecipients(second.ID, 0); len(open) != 1 || open[0].Seq != 4 {
			t.Errorf("open after settling 2: %v", seqs(open))
		}
		if gone, _ := tx.Recipients(first.ID, 0, 0); len(gone) != 0 {
			t.Errorf("deleted audience still lists %v", seqs(gone))
		}
		if gone, _ := tx.OpenRecipients(first.ID, 0); len(gone) != 0 {
			t.Errorf("deleted audience still open: %v", seqs(gone))
		}
		if kept, _ := tx.Recipients(second.ID, 0, 0); len(kept) != 5 {
			t.Errorf("the other audience has %d recipients, want 5", len(kept))
		}
		return nil
	})
}

func TestBroadcastImagesAndMissingBroadcasts(t *testing.T) {
	db := openTestDB(t)
	b := &cardbot.Broadcast{Status: cardbot.BroadcastDraft}
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.CreateBroadcast(b) })
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.PutBroadcastImage(b.ID, []byte("png")) })
	mustView(t, db, func(tx cardbot.Tx) error {
		if img, err := tx.BroadcastImage(b.ID); err != nil || string(img) != "png" {
			t.Errorf("image: %q %v", img, err)
		}
		_, err := tx.Broadcast(b.ID + 1)
		wantCode(t, err, cardbot.NotFound, "")
		return nil
	})
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.PutBroadcastImage(b.ID, nil) })
	err := db.View(context.Background(), func(tx cardbot.Tx) error { _, err := tx.BroadcastImage(b.ID); return err })
	wantCode(t, err, cardbot.NotFound, "")
	err = db.Update(context.Background(), func(tx cardbot.Tx) error { return tx.PutBroadcast(&cardbot.Broadcast{ID: 99}) })
	wantCode(t, err, cardbot.NotFound, "")
	err = db.View(context.Background(), func(tx cardbot.Tx) error { return tx.PutRecipient(&cardbot.Recipient{Broadcast: 1, Seq: 1}) })
	if err == nil {
		t.Error("a recipient was written in a read-only transaction")
	}
}
