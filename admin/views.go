package admin

import (
	"encoding/json"
	"time"

	"cardbot"
)

// The JSON shapes the API answers with. They are built from domain records so that the API can add
// derived fields (programme name, public link, rewards ready) without the store knowing about them.

type clientView struct {
	*cardbot.Client
	Cards []cardView `json:"cards"`
}

type cardView struct {
	ID          uint64              `json:"id"`
	Number      string              `json:"number"`
	ClientID    uint64              `json:"client_id"`
	ProgramID   string              `json:"program_id"`
	ProgramName string              `json:"program_name"`
	Type        cardbot.ProgramType `json:"type"`
	Status      cardbot.CardStatus  `json:"status"`
	Unit        cardbot.Unit        `json:"unit"`
	Balance     json.RawMessage     `json:"balance"`
	TotalSpend  cardbot.Amount      `json:"total_spend"`
	Tier        string              `json:"tier,omitempty"`
	Rate        *cardbot.Percent    `json:"rate,omitempty"`          // current cashback or discount %
	StampsGoal  int                 `json:"stamps_goal,omitempty"`   // stamps that earn the reward
	Rewards     *int64              `json:"rewards_ready,omitempty"` // stamp rewards ready to hand out
	Reward      string              `json:"reward,omitempty"`        // what the reward is
	IssuedAt    time.Time           `json:"issued_at"`
	ExpiresAt   time.Time           `json:"expires_at,omitzero"`
	PublicURL   string              `json:"public_url"`
}

type operationView struct {
	ID           uint64          `json:"id"`
	CardID       uint64          `json:"card_id"`
	Type         cardbot.OpType  `json:"type"`
	Delta        json.RawMessage `json:"delta"`
	BalanceAfter json.RawMessage `json:"balance_after"`
	Purchase     cardbot.Amount  `json:"purchase,omitempty"`
	Accrued      cardbot.Amount  `json:"accrued,omitempty"`
	Redeemed     cardbot.Amount  `json:"redeemed,omitempty"`
	Discount     cardbot.Amount  `json:"discount,omitempty"`
	ToPay        *cardbot.Amount `json:"to_pay,omitempty"` // what the customer pays in money for a purchase
	Rate         cardbot.Percent `json:"rate,omitempty"`
	TierBefore   string          `json:"tier_before,omitempty"`
	TierAfter    string          `json:"tier_after,omitempty"`
	Cancels      uint64          `json:"cancels,omitempty"`
	CancelledBy  uint64          `json:"cancelled_by,omitempty"`
	Branch       string          `json:"branch,omitempty"`
	Actor        string          `json:"actor,omitempty"`
	Reason       string          `json:"reason,omitempty"`
	At           time.Time       `json:"at"`

	IdempotencyKey string `json:"idempotency_key,omitempty"` // the till's Idempotency-Key, as sent
}

func (a *API) cardView(card *cardbot.Card) cardView {
	unit := card.Type.Unit()
	v := cardView{
		ID: card.ID, Number: card.Number, ClientID: card.ClientID, ProgramID: card.ProgramID,
		Type: card.Type, Status: card.Status, Unit: unit, Balance: number(unit, card.Balance),
		TotalSpend: card.TotalSpend, Tier: card.Tier, IssuedAt: card.IssuedAt, ExpiresAt: card.ExpiresAt,
		PublicURL: a.cfg.HTTP.BaseURL + "/c/" + card.Token,
	}
	if p := a.wallet.Program(card.ProgramID); p != nil {
		v.ProgramName = p.Name
		switch p.Type {
		case cardbot.Bonus, cardbot.Discount:
			rate := p.Rate(card.Tier)
			v.Rate = &rate
		case cardbot.Stamp:
			v.StampsGoal, v.Reward = p.Stamps, p.Reward
			if p.Stamps > 0 {
				ready := card.Balance / int64(p.Stamps)
				v.Rewards = &ready
			}
		}
	}
	return v
}

// ledgerViews reads a card's ledger entries older than before (0: from the newest), newest first, at
// most limit, each with the operation that cancelled it; next is the id to page on from when the page
// is full (0 when there is no more).
func ledgerViews(tx cardbot.Tx, card *cardbot.Card, before uint64, limit int) (views []operationView, next uint64, err error) {
	ops, err := tx.CardOperations(card.ID, before, limit+1) // one more tells whether there are older ones
	if err != nil {
		return nil, 0, err
	}
	more := len(ops) > limit
	ops = ops[:min(len(ops), limit)]
	for _, op := range ops {
		cancelledBy, err := tx.CancelledBy(op.ID)
		if err != nil {
			return nil, 0, err
		}
		views = append(views, operationViewOf(op, card.Type.Unit(), cancelledBy))
	}
	if more {
		next = ops[len(ops)-1].ID
	}
	return views, next, nil
}

func operationViewOf(op *cardbot.Operation, unit cardbot.Unit, cancelledBy uint64) operationView {
	v := operationView{
		ID: op.ID, CardID: op.CardID, Type: op.Type, Delta: number(unit, op.Delta),
		BalanceAfter: number(unit, op.BalanceAfter), Purchase: op.Purchase, Accrued: op.Accrued,
		Redeemed: op.Redeemed, Discount: op.Discount, Rate: op.Rate, TierBefore: op.TierBefore,
		TierAfter: op.TierAfter, Cancels: op.Cancels, CancelledBy: cancelledBy, Branch: op.Branch,
		Actor: op.Actor, Reason: op.Reason, At: op.At, IdempotencyKey: op.IdempotencyKey,
	}
	if op.Type == cardbot.OpPurchase {
		toPay := op.Purchase - op.Redeemed - op.Discount
		v.ToPay = &toPay
	}
	return v
}

// number renders a balance in its unit as a JSON number.
func number(unit cardbot.Unit, v int64) json.RawMessage {
	return json.RawMessage(unit.Number(v))
}

// clientView loads the client's cards inside tx.
func (a *API) clientView(tx cardbot.Tx, client *cardbot.Client) (clientView, error) {
	cards, err := tx.ClientCards(client.ID)
	if err != nil {
		return clientView{}, err
	}
	v := clientView{Client: client, Cards: make([]cardView, 0, len(cards))}
	for _, card := range cards {
		v.Cards = append(v.Cards, a.cardView(card))
	}
	return v, nil
}
