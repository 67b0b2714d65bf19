package store

import (
	"testing"

	"cardbot"
)

func appendOp(t *testing.T, db *DB, op *cardbot.Operation) *cardbot.Operation {
	t.Helper()
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.AppendOperation(op) })
	return op
}

func opIDs(ops []*cardbot.Operation) []uint64 {
	ids := make([]uint64, len(ops))
	for i, op := range ops {
		ids[i] = op.ID
	}
	return ids
}

func TestCardOperationsArePagedNewestFirstAndStayOnTheirCard(t *testing.T) {
	db := openTestDB(t)
	anna := createClient(t, db, "")
	first, second := createCard(t, db, anna.ID, "1", ""), createCard(t, db, anna.ID, "2", "")
	// Interleave the two cards' entries so a page that strays off its card would show it.
	for i := range 6 {
		card := first
		if i%2 == 1 {
			card = second
		}
		appendOp(t, db, &cardbot.Operation{CardID: card.ID, Type: cardbot.OpAccrue, Delta: int64(i), At: testTime})
	}
	mustView(t, db, func(tx cardbot.Tx) error {
		pages := [][]uint64{}
		for before := uint64(0); ; {
			ops, err := tx.CardOperations(first.ID, before, 2)
			if err != nil {
				return err
			}
			if len(ops) == 0 {
				break
			}
			pages = append(pages, opIDs(ops))
			before = ops[len(ops)-1].ID
		}
		if len(pages) != 2 || pages[0][0] != 5 || pages[0][1] != 3 || len(pages[1]) != 1 || pages[1][0] != 1 {
			t.Fatalf("first card's pages %v, want [[5 3] [1]]", pages)
		}
		all, _ := tx.CardOperations(second.ID, 0, 0)
		if ids := opIDs(all); len(ids) != 3 || ids[0] != 6 || ids[2] != 2 {
			t.Fatalf("second card's entries %v, want [6 4 2]", ids)
		}
		below, _ := tx.CardOperations(second.ID, 4, 10)
		if ids := opIDs(below); len(ids) != 1 || ids[0] != 2 {
			t.Fatalf("entries below 4: %v, want [2]", ids)
		}
		none, _ := tx.CardOperations(99, 0, 10)
		if len(none) != 0 {
			t.Fatalf("unknown card has entries %v", opIDs(none))
		}
		return nil
	})
}

func TestCancelMarksTheEntryAndASecondCancelConflicts(t *testing.T) {
	db := openTestDB(t)
	card := createCard(t, db, createClient(t, db, "").ID, "1", "")
	accrual := appendOp(t, db, &cardbot.Operation{CardID: card.ID, Type: cardbot.OpAccrue, Delta: 100})
	cancel := appendOp(t, db, &cardbot.Operation{CardID: card.ID, Type: cardbot.OpCancel, Delta: -100, Cancels: accrual.ID})

	mustView(t, db, func(tx cardbot.Tx) error {
		if by, err := tx.CancelledBy(accrual.ID); err != nil || by != cancel.ID {
			t.Fatalf("CancelledBy: %d, %v; want %d", by, err, cancel.ID)
		}
		if by, err := tx.CancelledBy(cancel.ID); err != nil || by != 0 {
			t.Fatalf("CancelledBy of the cancel: %d, %v; want 0", by, err)
		}
		got, err := tx.Operation(cancel.ID)
		if err != nil || got.Cancels != accrual.ID || got.Delta != -100 {
			t.Fatalf("Operation: %+v, %v", got, err)
		}
		return nil
	})
	err := db.Update(t.Context(), func(tx cardbot.Tx) error {
		return tx.AppendOperation(&cardbot.Operation{CardID: card.ID, Type: cardbot.OpCancel, Cancels: accrual.ID})
	})
	wantCode(t, err, cardbot.Conflict, "operation 1 is already cancelled by operation 2")
}

func TestBadOperationsAreRefused(t *testing.T) {
	db := openTestDB(t)
	anna := createClient(t, db, "")
	card, other := createCard(t, db, anna.ID, "1", ""), createCard(t, db, anna.ID, "2", "")
	elsewhere := appendOp(t, db, &cardbot.Operation{CardID: other.ID, Type: cardbot.OpAccrue})
	cases := []struct {
		op   cardbot.Operation
		code cardbot.ErrorCode
		msg  string
	}{
		{cardbot.Operation{CardID: 42, Type: cardbot.OpAccrue}, cardbot.NotFound, "card 42 not found"},
		{cardbot.Operation{CardID: card.ID, Type: cardbot.OpCancel}, cardbot.Invalid, "a cancel must name the operation it reverses"},
		{cardbot.Operation{CardID: card.ID, Type: cardbot.OpCancel, Cancels: 77}, cardbot.NotFound, "operation 77 not found"},
		{cardbot.Operation{CardID: card.ID, Type: cardbot.OpCancel, Cancels: elsewhere.ID}, cardbot.Invalid, "operation 1 is not on card 1"},
	}
	for _, c := range cases {
		err := db.Update(t.Context(), func(tx cardbot.Tx) error { return tx.AppendOperation(&c.op) })
		wantCode(t, err, c.code, c.msg)
	}
}
