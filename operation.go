package cardbot

import "time"

// OpType is the kind of a ledger operation.
type OpType string

// Operation types. The programme type decides which ones a card accepts (see wallet).
const (
	OpIssue    OpType = "issue"    // opening balance: welcome bonus, certificate nominal, subscription visits
	OpPurchase OpType = "purchase" // a purchase: accrual/redemption (bonus), discount, stamps
	OpAccrue   OpType = "accrue"   // points added by hand
	OpRedeem   OpType = "redeem"   // points spent outside a purchase
	OpStamp    OpType = "stamp"    // stamps added by hand
	OpReward   OpType = "reward"   // a stamp reward handed out
	OpSpend    OpType = "spend"    // certificate money spent
	OpVisit    OpType = "visit"    // one subscription visit used
	OpAdjust   OpType = "adjust"   // a correction with a reason
	OpCancel   OpType = "cancel"   // reverses an earlier operation
	OpExpire   OpType = "expire"   // points that reached their expiry date
)

// Operation is one entry of the append-only ledger. Entries are never changed; a cancellation is a new
// entry that points at the one it reverses.
type Operation struct {
	ID       uint64 `json:"id"`
	CardID   uint64 `json:"card_id"`
	ClientID uint64 `json:"client_id"`
	Type     OpType `json:"type"`
	// Delta is the change of the card balance, in the card's unit; BalanceAfter is the balance it left.
	Delta        int64     `json:"delta"`
	BalanceAfter int64     `json:"balance_after"`
	Purchase     Amount    `json:"purchase,omitempty"` // the purchase sum
	Accrued      Amount    `json:"accrued,omitempty"`  // points accrued by a purchase
	Redeemed     Amount    `json:"redeemed,omitempty"` // points (or certificate money) paid
	Discount     Amount    `json:"discount,omitempty"` // discount given on a purchase
	Rate         Percent   `json:"rate,omitempty"`     // cashback or discount % applied
	Rewards      int       `json:"rewards,omitempty"`  // stamp rewards now available after this operation
	TierBefore   string    `json:"tier_before,omitempty"`
	TierAfter    string    `json:"tier_after,omitempty"`
	Lots         []LotUse  `json:"lots,omitempty"`    // expiring lots this operation took points from
	Cancels      uint64    `json:"cancels,omitempty"` // the operation a cancel reverses
	Branch       string    `json:"branch,omitempty"`
	Actor        string    `json:"actor,omitempty"` // who did it: api:<key name>, admin:<user>, staff:<id>, system
	Reason       string    `json:"reason,omitempty"`
	At           time.Time `json:"at"`

	// IdempotencyKey is the Idempotency-Key the caller sent with the request, as sent, so a till or CRM
	// can match its receipts to the ledger; empty when none was sent.
	IdempotencyKey string `json:"idempotency_key,omitempty"`
}

// LotUse records how many points an operation took from one lot, so a cancel can put them back.
type LotUse struct {
	OpID   uint64 `json:"op_id"`
	Amount Amount `json:"amount"`
	// ExpiresAt is the lot's expiry, so a cancel can restore a lot that was used up and removed.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// OperationRequest is what a caller asks the wallet to do to a card.
type OperationRequest struct {
	Type     OpType `json:"type"`
	Amount   Amount `json:"amount"`   // points (accrue, redeem), money (spend), signed for adjust
	Purchase Amount `json:"purchase"` // purchase sum (purchase)
	Redeem   Amount `json:"redeem"`   // points to pay with inside a purchase
	Count    int64  `json:"count"`    // stamps (stamp), visits (visit), signed for adjust of stamp/subscription cards
	Cancels  uint64 `json:"operation_id"`
	Branch   string `json:"branch"`
	Reason   string `json:"reason"`
	Actor    string `json:"-"`

	IdempotencyKey string `json:"-"` // the caller's Idempotency-Key, recorded in the ledger entry
}
