package wallet

import (
	"cardbot"
)

// cancel reverses an earlier entry of the card with a new entry of the opposite delta. The ledger stays
// append-only: the original entry is never changed, the store only marks it as cancelled.
func (c *change) cancel() (*cardbot.Operation, error) {
	orig, err := c.cancellable(c.req.Cancels)
	if err != nil {
		return nil, err
	}
	op := c.newOp(cardbot.OpCancel)
	op.Cancels = orig.ID
	op.Delta = -orig.Delta
	if c.card.Balance+op.Delta < 0 {
		u := c.unit()
		return nil, cardbot.Errorf(cardbot.Conflict,
			"the %s from this %s were already spent: balance %s, cancelling operation %d takes %s",
			u, orig.Type, u.Number(c.card.Balance), orig.ID, u.Number(-op.Delta))
	}
	if orig.Type == cardbot.OpPurchase {
		op.TierBefore = c.currentTier()
		op.TierAfter = c.addSpend(-orig.Purchase)
	}
	c.restoreLots(orig.Lots)
	op.Lots = c.takeAccrual(orig)
	return op, c.post(op, 0)
}

// cancellable loads the entry a cancel names and checks that it may be cancelled.
func (c *change) cancellable(id uint64) (*cardbot.Operation, error) {
	if id == 0 {
		return nil, cardbot.Errorf(cardbot.Invalid, "say which operation to cancel (operation_id)")
	}
	orig, err := c.tx.Operation(id)
	if err != nil {
		return nil, notFoundAs(err, "card %s has no operation %d", c.card.Number, id)
	}
	if orig.CardID != c.card.ID {
		// Answer as if it did not exist: a card's holder has no business learning about other cards.
		return nil, cardbot.Errorf(cardbot.NotFound, "card %s has no operation %d", c.card.Number, id)
	}
	switch orig.Type {
	case cardbot.OpIssue, cardbot.OpExpire, cardbot.OpCancel:
		return nil, cardbot.Errorf(cardbot.Invalid, "%s entries cannot be cancelled", orig.Type)
	}
	by, err := c.tx.CancelledBy(id)
	if err != nil {
		return nil, err
	}
	if by != 0 {
		return nil, cardbot.Errorf(cardbot.Conflict, "operation %d is already cancelled by operation %d", id, by)
	}
	return orig, nil
}
