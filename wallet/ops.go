package wallet

import (
	"strings"

	"cardbot"
)

// startPurchase checks the purchase sum and opens a purchase entry with the tier and rate before it.
// The rate is the one of the tier the card had before this purchase: the purchase that crosses a
// threshold earns at the old rate, the next one at the new.
func (c *change) startPurchase() (*cardbot.Operation, error) {
	purchase, err := positiveAmount("purchase", c.req.Purchase)
	if err != nil {
		return nil, err
	}
	if c.req.Redeem != 0 && c.card.Type != cardbot.Bonus {
		return nil, cardbot.Errorf(cardbot.Invalid, "a %s card has no points to pay with", c.card.Type)
	}
	op := c.newOp(cardbot.OpPurchase)
	op.Purchase = purchase
	op.TierBefore = c.currentTier()
	op.Rate = c.prog.Rate(op.TierBefore)
	return op, nil
}

// finishPurchase counts the purchase into the total spend, re-computes the tier and queues the entry.
func (c *change) finishPurchase(op *cardbot.Operation, gained cardbot.Amount) (*cardbot.Operation, error) {
	op.TierAfter = c.addSpend(op.Purchase)
	return op, c.post(op, gained)
}

// bonusPurchase pays part of a purchase with points and accrues cashback on the part paid in money.
func (c *change) bonusPurchase() (*cardbot.Operation, error) {
	op, err := c.startPurchase()
	if err != nil {
		return nil, err
	}
	redeem := c.req.Redeem
	if redeem < 0 {
		return nil, cardbot.Errorf(cardbot.Invalid, "redeem must not be negative, got %s", redeem)
	}
	if limit := c.maxRedeem(op.Purchase); redeem > limit {
		return nil, cardbot.Errorf(cardbot.Invalid, "at most %s points can pay for a purchase of %s, asked %s",
			limit, op.Purchase, redeem)
	}
	if int64(redeem) > c.card.Balance {
		return nil, c.notEnough(int64(redeem))
	}
	op.Redeemed = redeem
	op.Accrued = op.Rate.Of(op.Purchase - redeem)
	op.Lots = c.takeLots(redeem)
	op.Delta = int64(op.Accrued - redeem)
	return c.finishPurchase(op, op.Accrued)
}

// maxRedeem is the most points a purchase may be paid with. A programme without max_redeem_percent
// lets points pay the whole purchase.
func (c *change) maxRedeem(purchase cardbot.Amount) cardbot.Amount {
	if c.prog.MaxRedeemPercent <= 0 {
		return purchase
	}
	return min(purchase, c.prog.MaxRedeemPercent.Of(purchase))
}

// discountPurchase records the discount the card's tier gives; the card keeps no balance.
func (c *change) discountPurchase() (*cardbot.Operation, error) {
	op, err := c.startPurchase()
	if err != nil {
		return nil, err
	}
	op.Discount = op.Rate.Of(op.Purchase)
	return c.finishPurchase(op, 0)
}

// stampPurchase adds the stamps a purchase earns: a fixed number per visit, or one per stamp_per_amount
// spent (possibly none). A programme that sets neither gives one stamp per visit.
func (c *change) stampPurchase() (*cardbot.Operation, error) {
	op, err := c.startPurchase()
	if err != nil {
		return nil, err
	}
	op.Rate = 0 // a stamp programme has no percentage
	switch {
	case c.prog.StampsPerVisit > 0:
		op.Delta = int64(c.prog.StampsPerVisit)
	case c.prog.StampPerAmount > 0:
		op.Delta = int64(op.Purchase / c.prog.StampPerAmount)
	default:
		op.Delta = 1
	}
	return c.finishPurchase(op, 0)
}

// accrue adds points by hand.
func (c *change) accrue() (*cardbot.Operation, error) {
	amount, err := positiveAmount("amount", c.req.Amount)
	if err != nil {
		return nil, err
	}
	op := c.newOp(cardbot.OpAccrue)
	op.Accrued = amount
	op.Delta = int64(amount)
	return op, c.post(op, amount)
}

// payFromBalance spends points (redeem, bonus card) or money (spend, certificate) outside a purchase.
func (c *change) payFromBalance() (*cardbot.Operation, error) {
	amount, err := positiveAmount("amount", c.req.Amount)
	if err != nil {
		return nil, err
	}
	if int64(amount) > c.card.Balance {
		return nil, c.notEnough(int64(amount))
	}
	op := c.newOp(c.req.Type)
	op.Redeemed = amount
	op.Lots = c.takeLots(amount)
	op.Delta = -int64(amount)
	return op, c.post(op, 0)
}

// visit uses subscription visits.
func (c *change) visit() (*cardbot.Operation, error) {
	n, err := wholeCount("count", c.req.Count, 1, maxCount)
	if err != nil {
		return nil, err
	}
	if n > c.card.Balance {
		return nil, c.notEnough(n)
	}
	op := c.newOp(cardbot.OpVisit)
	op.Delta = -n
	return op, c.post(op, 0)
}

// stamp adds stamps by hand.
func (c *change) stamp() (*cardbot.Operation, error) {
	n, err := wholeCount("count", c.req.Count, 1, maxStampCount)
	if err != nil {
		return nil, err
	}
	op := c.newOp(cardbot.OpStamp)
	op.Delta = n
	return op, c.post(op, 0)
}

// reward hands out one reward for a full set of stamps.
func (c *change) reward() (*cardbot.Operation, error) {
	if c.req.Count > 1 {
		return nil, cardbot.Errorf(cardbot.Invalid, "one reward per operation, asked %d", c.req.Count)
	}
	need := int64(c.prog.Stamps)
	if need <= 0 {
		return nil, cardbot.Errorf(cardbot.Conflict, "programme %q sets no number of stamps for its reward", c.prog.ID)
	}
	if c.card.Balance < need {
		return nil, cardbot.Errorf(cardbot.Conflict, "%d more stamps needed for the reward: the card has %d of %d",
			need-c.card.Balance, c.card.Balance, need)
	}
	op := c.newOp(cardbot.OpReward)
	op.Delta = -need
	return op, c.post(op, 0)
}

// adjust corrects the balance by a signed amount (points, money) or count (stamps, visits). A reason is
// required: a correction nobody can explain later is a hole in the books.
func (c *change) adjust() (*cardbot.Operation, error) {
	if strings.TrimSpace(c.req.Reason) == "" {
		return nil, cardbot.Errorf(cardbot.Invalid, "an adjustment needs a reason")
	}
	delta, err := c.adjustment()
	if err != nil {
		return nil, err
	}
	if c.card.Balance+delta < 0 {
		u := c.unit()
		return nil, cardbot.Errorf(cardbot.Conflict, "the adjustment would take the balance below zero: balance %s, adjustment %s",
			u.Number(c.card.Balance), u.Number(delta))
	}
	op := c.newOp(cardbot.OpAdjust)
	op.Delta = delta
	if delta < 0 {
		op.Lots = c.takeLots(cardbot.Amount(-delta))
	}
	return op, c.post(op, cardbot.Amount(max(delta, 0)))
}

// adjustment reads the signed size of an adjustment in the card's unit.
func (c *change) adjustment() (int64, error) {
	if u := c.unit(); u == cardbot.UnitStamps || u == cardbot.UnitVisits {
		n := c.req.Count
		if n == 0 || n < -maxCount || n > maxCount {
			return 0, cardbot.Errorf(cardbot.Invalid, "an adjustment of %s needs a count from -%d to %d other than 0, got %d",
				u, maxCount, maxCount, n)
		}
		return n, nil
	}
	a := c.req.Amount
	if a == 0 || a < -cardbot.MaxAmount || a > cardbot.MaxAmount {
		return 0, cardbot.Errorf(cardbot.Invalid, "an adjustment needs an amount other than 0 within ±%s, got %s",
			cardbot.MaxAmount, a)
	}
	return int64(a), nil
}
