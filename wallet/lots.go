package wallet

import (
	"cmp"
	"slices"

	"cardbot"
)

// Points of a bonus programme with points_expire_days are kept in lots: one per accrual, with what is
// left of it and when it expires, oldest first. Spending takes from the oldest lots, so the points
// closest to expiry are used first. Points not in any lot (accrued while expiry was off) never expire
// and are spent after the lots.

// pointsExpire reports whether new points on this card start a lot.
func (c *change) pointsExpire() bool {
	return c.card.Type == cardbot.Bonus && c.prog.PointsExpireDays > 0
}

// takeLots takes up to amount points from the oldest lots, removes the lots it empties and returns
// what it took from each.
func (c *change) takeLots(amount cardbot.Amount) []cardbot.LotUse {
	var uses []cardbot.LotUse
	for amount > 0 && len(c.card.Lots) > 0 {
		use := c.takeFromLot(0, amount)
		amount -= use.Amount
		uses = append(uses, use)
	}
	return uses
}

// takeFromLot takes up to amount points from the lot at index i, removing it once empty.
func (c *change) takeFromLot(i int, amount cardbot.Amount) cardbot.LotUse {
	lot := &c.card.Lots[i]
	use := cardbot.LotUse{OpID: lot.OpID, Amount: min(amount, lot.Left), ExpiresAt: lot.ExpiresAt}
	lot.Left -= use.Amount
	if lot.Left <= 0 {
		c.card.Lots = slices.Delete(c.card.Lots, i, i+1)
	}
	return use
}

// takeAccrual removes the points an entry added: first from its own lot, then from the oldest, as if
// the cancelled points had been the first ones spent.
func (c *change) takeAccrual(orig *cardbot.Operation) []cardbot.LotUse {
	gained := orig.Accrued
	if orig.Type != cardbot.OpPurchase {
		gained = cardbot.Amount(max(orig.Delta, 0))
	}
	var uses []cardbot.LotUse
	if i := slices.IndexFunc(c.card.Lots, func(l cardbot.Lot) bool { return l.OpID == orig.ID }); i >= 0 && gained > 0 {
		use := c.takeFromLot(i, gained)
		gained -= use.Amount
		uses = append(uses, use)
	}
	return append(uses, c.takeLots(gained)...)
}

// restoreLots puts back the points an entry took from lots, re-creating lots it used up. A use without
// an expiry date (none are written so) stays out of the lots: such points no longer expire.
func (c *change) restoreLots(uses []cardbot.LotUse) {
	for _, use := range uses {
		if i := slices.IndexFunc(c.card.Lots, func(l cardbot.Lot) bool { return l.OpID == use.OpID }); i >= 0 {
			c.card.Lots[i].Left += use.Amount
		} else if !use.ExpiresAt.IsZero() {
			c.insertLot(cardbot.Lot{OpID: use.OpID, Left: use.Amount, ExpiresAt: use.ExpiresAt})
		}
	}
}

// insertLot adds a lot in expiry order (then by entry), which keeps "oldest first" true even when the
// programme's expiry days change or a cancel brings back an old lot.
func (c *change) insertLot(lot cardbot.Lot) {
	i, _ := slices.BinarySearchFunc(c.card.Lots, lot, func(a, b cardbot.Lot) int {
		if d := a.ExpiresAt.Compare(b.ExpiresAt); d != 0 {
			return d
		}
		return cmp.Compare(a.OpID, b.OpID)
	})
	c.card.Lots = slices.Insert(c.card.Lots, i, lot)
}

// expireDue turns every lot due now into an expiry entry, oldest first.
func (c *change) expireDue() ([]*cardbot.Operation, error) {
	var expired []*cardbot.Operation
	for len(c.card.Lots) > 0 && !c.card.Lots[0].ExpiresAt.After(c.now) {
		lot := c.card.Lots[0]
		c.card.Lots = c.card.Lots[1:]
		op := &cardbot.Operation{
			Type: cardbot.OpExpire, Actor: actorSystem, Reason: "points expired",
			// The balance bound only matters if lots and balance ever disagree; the balance must not go negative.
			Delta: -min(int64(lot.Left), c.card.Balance),
			Lots:  []cardbot.LotUse{{OpID: lot.OpID, Amount: lot.Left, ExpiresAt: lot.ExpiresAt}},
		}
		if err := c.post(op, 0); err != nil {
			return nil, err
		}
		expired = append(expired, op)
	}
	return expired, nil
}
