package store

import (
	"errors"

	"cardbot"
)

// operationRecord is a ledger entry as stored.
type operationRecord struct {
	V int `json:"v"`
	*cardbot.Operation
}

// AppendOperation assigns op.ID, stores the entry and lists it under its card, which must exist. A
// cancel also marks the entry it reverses, which must be on the same card and not cancelled already.
func (t *tx) AppendOperation(op *cardbot.Operation) error {
	if err := t.mayWrite(); err != nil {
		return err
	}
	if op == nil {
		return errors.New("store: nil operation")
	}
	if !t.exists(bucketCards, op.CardID) {
		return cardbot.Errorf(cardbot.NotFound, "card %d not found", op.CardID)
	}
	if err := t.checkCancel(op); err != nil {
		return err
	}
	if err := t.writable(); err != nil {
		return err
	}
	id, err := t.bucket(bucketOps).NextSequence()
	if err != nil {
		return err
	}
	op.ID = id
	if err := t.save(bucketOps, id, operationRecord{V: recordVersion, Operation: op}); err != nil {
		return err
	}
	if err := t.bucket(idxCardOps).Put(pairKey(op.CardID, id), nil); err != nil {
		return err
	}
	if op.Type != cardbot.OpCancel {
		return nil
	}
	return t.bucket(idxOpCancelledBy).Put(idKey(op.Cancels), idKey(id))
}

// checkCancel validates what a cancel entry reverses; other entries pass.
func (t *tx) checkCancel(op *cardbot.Operation) error {
	if op.Type != cardbot.OpCancel {
		return nil
	}
	if op.Cancels == 0 {
		return cardbot.Errorf(cardbot.Invalid, "a cancel must name the operation it reverses")
	}
	target, err := t.Operation(op.Cancels)
	if err != nil {
		return err
	}
	if target.CardID != op.CardID {
		return cardbot.Errorf(cardbot.Invalid, "operation %d is not on card %d", op.Cancels, op.CardID)
	}
	by, err := t.CancelledBy(op.Cancels)
	if err != nil {
		return err
	}
	if by != 0 {
		return cardbot.Errorf(cardbot.Conflict, "operation %d is already cancelled by operation %d", op.Cancels, by)
	}
	return nil
}

// Operation returns the ledger entry with the given id.
func (t *tx) Operation(id uint64) (*cardbot.Operation, error) {
	rec := operationRecord{Operation: new(cardbot.Operation)}
	found, err := t.load(bucketOps, id, &rec)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, cardbot.Errorf(cardbot.NotFound, "operation %d not found", id)
	}
	return rec.Operation, nil
}

// CardOperations lists up to limit entries of a card (all when limit <= 0), newest first, with ids
// below before (0: from the newest). It seeks straight to the position in the card→ops index, so a
// page costs the same however long the card's history is.
func (t *tx) CardOperations(cardID uint64, before uint64, limit int) ([]*cardbot.Operation, error) {
	ops := []*cardbot.Operation{}
	for _, id := range t.childrenNewestFirst(idxCardOps, cardID, before, limit) {
		op, err := t.Operation(id)
		if err != nil {
			return nil, err
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// CancelledBy returns the id of the cancel entry that reversed opID, or 0.
func (t *tx) CancelledBy(opID uint64) (uint64, error) {
	raw := t.bucket(idxOpCancelledBy).Get(idKey(opID))
	if raw == nil {
		return 0, nil
	}
	return keyID(raw), nil
}
