package flows

import (
	"cardbot"
)

// cardData describes a card for texts, its balance in words included. prog may be nil when the
// card's programme is no longer configured: the card still shows, under its programme id.
func (c *catalog) cardData(card *cardbot.Card, prog *cardbot.Program) (cardData, error) {
	d := cardData{
		Program: card.ProgramID, Type: string(card.Type), Number: card.Number, Tier: card.Tier,
		Blocked: card.Status == cardbot.CardBlocked,
	}
	if prog != nil {
		d.Program, d.Rate, d.Goal, d.Reward = prog.Name, prog.Rate(card.Tier), prog.Stamps, prog.Reward
	}
	switch card.Type.Unit() {
	case cardbot.UnitPoints:
		d.Points = cardbot.Amount(card.Balance)
	case cardbot.UnitMoney:
		d.Money = cardbot.Amount(card.Balance)
	case cardbot.UnitStamps, cardbot.UnitVisits:
		d.Count = card.Balance
	}
	if card.Type == cardbot.Stamp && d.Goal > 0 {
		d.Rewards = card.Balance / int64(d.Goal)
	}
	balance, err := c.render("balance_"+string(card.Type), &textData{Card: d})
	d.Balance = balance
	return d, err
}

// opData describes a ledger entry for texts, the entry in words included; card is the card as it
// is after the entry.
func (c *catalog) opData(op *cardbot.Operation, card cardData) (opData, error) {
	d := opData{
		ID: op.ID, Type: string(op.Type), At: c.when(op.At), Purchase: op.Purchase, Accrued: op.Accrued,
		Redeemed: op.Redeemed, Discount: op.Discount, Minus: op.Delta < 0, Cancels: op.Cancels,
		Reason: op.Reason, TierChanged: op.TierBefore != op.TierAfter, TierAfter: op.TierAfter,
	}
	unit := cardbot.ProgramType(card.Type).Unit()
	if unit == cardbot.UnitStamps && op.Type == cardbot.OpPurchase {
		d.Count = op.Delta
	}
	if card.Goal > 0 && unit == cardbot.UnitStamps {
		before := (op.BalanceAfter - op.Delta) / int64(card.Goal)
		d.RewardReady = int64(op.Rewards) > before
	}
	change, err := c.quantity(unit, abs(op.Delta))
	if err != nil {
		return d, err
	}
	d.Change = change
	d.Text, err = c.render("op_"+string(op.Type), &textData{Card: card, Op: d})
	return d, err
}

// quantity writes an amount of a card's unit in words: "75 баллов", "1 500 ₽", "2 штампа".
func (c *catalog) quantity(unit cardbot.Unit, v int64) (string, error) {
	switch unit {
	case cardbot.UnitPoints:
		return c.count(cardbot.Amount(v), "point")
	case cardbot.UnitMoney:
		return c.amount(cardbot.Amount(v)) + " " + c.currency, nil
	case cardbot.UnitStamps:
		return c.count(v, "stamp")
	case cardbot.UnitVisits:
		return c.count(v, "visit")
	}
	return "", nil
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// describeCard is the card of the turn's client for texts, with its programme from the wallet.
func (t *turn) describeCard(card *cardbot.Card) (cardData, error) {
	return t.e.texts.cardData(card, t.e.wallet.Program(card.ProgramID))
}
