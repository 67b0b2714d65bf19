package wallet

import (
	"cardbot"
)

// Result is what an Apply changed.
type Result struct {
	Card      *cardbot.Card
	Operation *cardbot.Operation   // the entry of the request
	Expired   []*cardbot.Operation // points that expired on the way, oldest first
}

// handler applies one kind of request to a card and returns its (queued) entry.
type handler func(c *change) (*cardbot.Operation, error)

// Apply performs an operation on a card: it refuses blocked and expired cards, expires the points
// that are due, then applies the request by the rules of the card's programme type.
func (w *Wallet) Apply(tx cardbot.Tx, cardID uint64, req cardbot.OperationRequest) (*Result, error) {
	c, err := w.openCard(tx, cardID, req)
	if err != nil {
		return nil, err
	}
	if err := c.usable(); err != nil {
		return nil, err
	}
	apply := handlerFor(c.card.Type, req.Type)
	if apply == nil {
		if req.Type == "" {
			return nil, cardbot.Errorf(cardbot.Invalid, "the operation type is missing")
		}
		return nil, cardbot.Errorf(cardbot.Invalid, "a %s card does not take %s operations", c.card.Type, req.Type)
	}
	// Points due before the request are gone before it: a redemption cannot spend them.
	expired, err := c.expireDue()
	if err != nil {
		return nil, err
	}
	op, err := apply(c)
	if err != nil {
		return nil, err
	}
	// A cancelled redemption may put back points whose lot is already past its date.
	late, err := c.expireDue()
	if err != nil {
		return nil, err
	}
	if err := c.commit(); err != nil {
		return nil, err
	}
	if err := c.touchClient(); err != nil {
		return nil, err
	}
	return &Result{Card: c.card, Operation: op, Expired: append(expired, late...)}, nil
}

// ExpireDue writes expiry entries for a card's points that are due, for the scheduler. It works on
// blocked and expired cards too: their points still run out. Nothing is written when nothing is due.
func (w *Wallet) ExpireDue(tx cardbot.Tx, cardID uint64) ([]*cardbot.Operation, error) {
	c, err := w.openCard(tx, cardID, cardbot.OperationRequest{Actor: actorSystem})
	if err != nil {
		return nil, err
	}
	expired, err := c.expireDue()
	if err != nil || len(expired) == 0 {
		return nil, err
	}
	return expired, c.commit()
}

// handlerFor returns what a card of the given type does with a kind of request, or nil when it does
// not take it.
func handlerFor(t cardbot.ProgramType, op cardbot.OpType) handler {
	if op == cardbot.OpCancel {
		return (*change).cancel
	}
	switch t {
	case cardbot.Bonus:
		switch op {
		case cardbot.OpPurchase:
			return (*change).bonusPurchase
		case cardbot.OpAccrue:
			return (*change).accrue
		case cardbot.OpRedeem:
			return (*change).payFromBalance
		case cardbot.OpAdjust:
			return (*change).adjust
		}
	case cardbot.Discount:
		if op == cardbot.OpPurchase {
			return (*change).discountPurchase
		}
	case cardbot.Stamp:
		switch op {
		case cardbot.OpPurchase:
			return (*change).stampPurchase
		case cardbot.OpStamp:
			return (*change).stamp
		case cardbot.OpReward:
			return (*change).reward
		case cardbot.OpAdjust:
			return (*change).adjust
		}
	case cardbot.Certificate:
		switch op {
		case cardbot.OpSpend:
			return (*change).payFromBalance
		case cardbot.OpAdjust:
			return (*change).adjust
		}
	case cardbot.Subscription:
		switch op {
		case cardbot.OpVisit:
			return (*change).visit
		case cardbot.OpAdjust:
			return (*change).adjust
		}
	}
	return nil
}
