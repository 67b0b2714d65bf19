package store

import (
	"testing"
	"time"

	"cardbot"
)

func TestConversationIsKeptPerAddress(t *testing.T) {
	db := openTestDB(t)
	addr := cardbot.Address{Channel: "telegram", ID: "42"}
	mustView(t, db, func(tx cardbot.Tx) error {
		_, err := tx.Conversation(addr)
		wantCode(t, err, cardbot.NotFound, "")
		return nil
	})
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		return tx.PutConversation(&cardbot.Conversation{Address: addr, ClientID: 7, State: "awaiting_birthday", Tries: 1})
	})
	mustView(t, db, func(tx cardbot.Tx) error {
		c, err := tx.Conversation(addr)
		if err == nil && (c.ClientID != 7 || c.State != "awaiting_birthday" || c.Tries != 1) {
			t.Fatalf("conversation came back as %+v", c)
		}
		return err
	})
}

func TestAnUpdateIsSeenOnce(t *testing.T) {
	db := openTestDB(t)
	now := time.Now()
	for i, want := range []bool{false, true, true} {
		mustUpdate(t, db, func(tx cardbot.Tx) error {
			seen, err := tx.SeenUpdate("telegram", "1001", now)
			if seen != want {
				t.Fatalf("delivery %d: seen %v, want %v", i+1, seen, want)
			}
			return err
		})
	}
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		seen, err := tx.SeenUpdate("whatsapp", "1001", now)
		if seen {
			t.Fatal("the same id on another channel is another update")
		}
		return err
	})
}

func TestDueMessagesComeInTimeOrderAndLeaveWhenSent(t *testing.T) {
	db := openTestDB(t)
	client := createClient(t, db, "+70000000001")
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	var late, early, other cardbot.Message
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		late = cardbot.Message{ClientID: client.ID, Kind: cardbot.KindNotice, Text: "late", NextAt: t0.Add(time.Hour)}
		early = cardbot.Message{ClientID: client.ID, Kind: cardbot.KindReply, Text: "early", NextAt: t0}
		other = cardbot.Message{Kind: cardbot.KindMarketing, Text: "tomorrow", NextAt: t0.Add(24 * time.Hour)}
		for _, m := range []*cardbot.Message{&late, &early, &other} {
			if err := tx.EnqueueMessage(m); err != nil {
				return err
			}
		}
		return nil
	})
	due := func(until time.Time) []string {
		var texts []string
		mustView(t, db, func(tx cardbot.Tx) error {
			msgs, err := tx.DueMessages(until, 10)
			for _, m := range msgs {
				texts = append(texts, m.Text)
			}
			return err
		})
		return texts
	}
	if got := due(t0.Add(2 * time.Hour)); len(got) != 2 || got[0] != "early" || got[1] != "late" {
		t.Fatalf("due by 11:00: %v", got)
	}
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		m, err := tx.Message(early.ID)
		if err != nil {
			return err
		}
		m.Status, m.SentAt = cardbot.MessageSent, t0
		m.Attempts = append(m.Attempts, cardbot.Attempt{Channel: "telegram", At: t0, Result: cardbot.AttemptSent})
		return tx.PutMessage(m)
	})
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		m, err := tx.Message(late.ID)
		if err != nil {
			return err
		}
		m.NextAt = t0.Add(3 * time.Hour) // a retry later
		return tx.PutMessage(m)
	})
	if got := due(t0.Add(2 * time.Hour)); len(got) != 0 {
		t.Fatalf("sent and postponed messages are not due: %v", got)
	}
	mustView(t, db, func(tx cardbot.Tx) error {
		history, err := tx.ClientMessages(client.ID, 0, 10)
		if len(history) != 2 || history[0].Text != "early" || history[1].Text != "late" {
			t.Fatalf("client history newest first: %+v", history)
		}
		if history[0].Status != cardbot.MessageSent || len(history[0].Attempts) != 1 {
			t.Fatalf("the attempt is kept: %+v", history[0])
		}
		return err
	})
}
