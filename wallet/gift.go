package wallet

import (
	"cardbot"
)

// Gift accrues points the business gives (a birthday, an apology, a referral reward) to a bonus
// card. With expireDays > 0 the points expire that many days from now, whatever the programme's own
// expiry; with 0 they follow points_expire_days like a purchase's. req carries the amount, the reason
// and the actor; its type is always accrue.
func (w *Wallet) Gift(tx cardbot.Tx, cardID uint64, req cardbot.OperationRequest, expireDays int) (*Result, error) {
	req.Type = cardbot.OpAccrue
	c, err := w.openCard(tx, cardID, req)
	if err != nil {
		return nil, err
	}
	if err := c.usable(); err != nil {
		return nil, err
	}
	if c.card.Type != cardbot.Bonus {
		return nil, cardbot.Errorf(cardbot.Invalid, "card %s is a %s card: gifts are points on a bonus card",
			c.card.Number, c.card.Type)
	}
	expired, err := c.expireDue()
	if err != nil {
		return nil, err
	}
	op, err := c.accrue()
	if err != nil {
		return nil, err
	}
	if expireDays > 0 {
		last := &c.entries[len(c.entries)-1]
		last.newLot, last.expiresAt = op.Accrued, w.addDays(c.now, expireDays)
	}
	if err := c.commit(); err != nil {
		return nil, err
	}
	return &Result{Card: c.card, Operation: op, Expired: expired}, nil
}
