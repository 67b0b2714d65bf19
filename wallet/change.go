package wallet

import (
	"fmt"
	"time"

	"cardbot"
)

// Bounds on what one request may ask for, beyond cardbot.MaxAmount for sums.
const (
	maxCount      = 1000 // visits, adjustments of stamps or visits
	maxStampCount = 100  // stamps added by hand in one operation
)

// actorSystem signs the entries the rules make by themselves (expiry), whoever's request triggered them.
const actorSystem = "system"

// change is one Issue, Apply or ExpireDue in progress. The handlers work on a copy of the card in
// memory and queue ledger entries; nothing is written until commit, so a refusal at any step leaves the
// transaction as it was (Issue makes its checks before it creates the card). That also lets the store
// answer a refusal without re-running the other requests committed with it.
type change struct {
	w       *Wallet
	tx      cardbot.Tx
	prog    *cardbot.Program
	card    *cardbot.Card
	req     cardbot.OperationRequest
	now     time.Time
	entries []entry
}

// entry is a queued ledger entry and the points it starts a new expiring lot with. The lot is added
// when the entry is written, because it is named after the entry's id, which the store assigns.
type entry struct {
	op     *cardbot.Operation
	newLot cardbot.Amount
	// expiresAt is the new lot's own expiry (a gift's); zero: the programme's points_expire_days.
	expiresAt time.Time
}

// openCard loads a card and its programme for a change.
func (w *Wallet) openCard(tx cardbot.Tx, cardID uint64, req cardbot.OperationRequest) (*change, error) {
	card, err := tx.Card(cardID)
	if err != nil {
		return nil, notFoundAs(err, "no card %d", cardID)
	}
	prog := w.program(card.ProgramID)
	if prog == nil {
		return nil, cardbot.Errorf(cardbot.Conflict, "card %s belongs to programme %q, which is no longer configured",
			card.Number, card.ProgramID)
	}
	if prog.Type != card.Type {
		// The balance is kept in the unit of the card's type; other rules cannot count it.
		return nil, cardbot.Errorf(cardbot.Conflict, "card %s is a %s card but programme %q now issues %s cards",
			card.Number, card.Type, prog.ID, prog.Type)
	}
	return &change{w: w, tx: tx, prog: prog, card: card, req: req, now: w.clock.Now()}, nil
}

// usable refuses operations on a blocked or expired card.
func (c *change) usable() error {
	if c.card.Status == cardbot.CardBlocked {
		return cardbot.Errorf(cardbot.Conflict, "card %s is blocked", c.card.Number)
	}
	if c.card.Expired(c.now) {
		// ExpiresAt is the first instant the card no longer works; the minute before is the last it did.
		return cardbot.Errorf(cardbot.Conflict, "card %s has expired: it was valid until %s",
			c.card.Number, c.w.localTime(c.card.ExpiresAt.Add(-time.Minute)))
	}
	return nil
}

// newOp starts a ledger entry of the request's kind, signed by whoever made the request.
func (c *change) newOp(t cardbot.OpType) *cardbot.Operation {
	return &cardbot.Operation{
		Type: t, Actor: c.req.Actor, Branch: c.req.Branch, Reason: c.req.Reason,
		IdempotencyKey: c.req.IdempotencyKey,
	}
}

// post queues an entry: it moves the card balance by op.Delta and records the balance it leaves.
// gained is the points the entry adds; on a bonus card whose points expire they become a new lot.
func (c *change) post(op *cardbot.Operation, gained cardbot.Amount) error {
	balance := c.card.Balance + op.Delta
	if balance < 0 {
		// Every handler refuses this with a message of its own; reaching here is a bug.
		return fmt.Errorf("wallet: %s on card %d would leave balance %d", op.Type, c.card.ID, balance)
	}
	c.card.Balance = balance
	op.CardID, op.ClientID, op.At, op.BalanceAfter = c.card.ID, c.card.ClientID, c.now, balance
	if c.card.Type == cardbot.Stamp && c.prog.Stamps > 0 {
		op.Rewards = int(balance / int64(c.prog.Stamps))
	}
	if !c.pointsExpire() {
		gained = 0
	}
	c.entries = append(c.entries, entry{op: op, newLot: gained})
	return nil
}

// commit writes the queued entries, the lots they start and the card.
func (c *change) commit() error {
	for _, e := range c.entries {
		if err := c.tx.AppendOperation(e.op); err != nil {
			return err
		}
		if e.newLot > 0 {
			expires := e.expiresAt
			if expires.IsZero() {
				expires = c.w.addDays(c.now, c.prog.PointsExpireDays)
			}
			c.insertLot(cardbot.Lot{OpID: e.op.ID, Left: e.newLot, ExpiresAt: expires})
		}
	}
	return c.tx.PutCard(c.card)
}

// touchClient records that the client did something now.
func (c *change) touchClient() error {
	client, err := c.tx.Client(c.card.ClientID)
	if err != nil {
		return err
	}
	client.LastActivityAt = c.now
	return c.tx.PutClient(client)
}

// currentTier is the tier the card's total spend reaches under the programme's current tiers.
func (c *change) currentTier() string {
	return tierName(c.prog.TierFor(c.card.TotalSpend))
}

// addSpend moves the total spend (never below zero) and returns the tier it reaches.
func (c *change) addSpend(delta cardbot.Amount) string {
	c.card.TotalSpend = max(0, c.card.TotalSpend+delta)
	c.card.Tier = c.currentTier()
	return c.card.Tier
}

// unit is what the card balance counts.
func (c *change) unit() cardbot.Unit { return c.card.Type.Unit() }

// notEnough is the refusal of taking more than the balance holds.
func (c *change) notEnough(asked int64) error {
	u := c.unit()
	return cardbot.Errorf(cardbot.Conflict, "not enough %s: balance %s, asked %s",
		unitNoun(u), u.Number(c.card.Balance), u.Number(asked))
}

func unitNoun(u cardbot.Unit) string {
	if u == cardbot.UnitMoney {
		return "money on the card"
	}
	return string(u)
}

// positiveAmount checks a sum that must be above zero and within MaxAmount.
func positiveAmount(name string, a cardbot.Amount) (cardbot.Amount, error) {
	if a <= 0 {
		return 0, cardbot.Errorf(cardbot.Invalid, "%s must be above zero, got %s", name, a)
	}
	if a > cardbot.MaxAmount {
		return 0, cardbot.Errorf(cardbot.Invalid, "%s %s is larger than the maximum %s", name, a, cardbot.MaxAmount)
	}
	return a, nil
}

// wholeCount checks a count of stamps or visits: 0 means def (one, for a visit or a stamp).
func wholeCount(name string, n, def, limit int64) (int64, error) {
	if n == 0 {
		n = def
	}
	if n < 1 || n > limit {
		return 0, cardbot.Errorf(cardbot.Invalid, "%s must be from 1 to %d, got %d", name, limit, n)
	}
	return n, nil
}

// notFoundAs turns the store's NotFound into a message of our own; other errors pass through.
func notFoundAs(err error, format string, args ...any) error {
	if cardbot.CodeOf(err) == cardbot.NotFound {
		return cardbot.Errorf(cardbot.NotFound, format, args...)
	}
	return err
}
