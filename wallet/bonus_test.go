package wallet_test

import (
	"slices"
	"testing"
	"time"

	"cardbot"
)

func TestBonusCardEndToEnd(t *testing.T) {
	e := newEnv(t)
	iss := e.issue("bonus")
	card := iss.Card
	if iss.Opening == nil || iss.Opening.Type != cardbot.OpIssue || iss.Opening.Delta != points("100") || iss.Opening.Accrued != rub("100") {
		t.Fatalf("opening entry: %+v", iss.Opening)
	}
	wantBalance(t, card, points("100"))
	if card.Status != cardbot.CardActive || card.Tier != "" || card.Type != cardbot.Bonus || !card.ExpiresAt.IsZero() {
		t.Fatalf("new card: %+v", card)
	}

	// 100 points pay for part of a 1000 purchase; cashback is 5 % of the 900 paid in money.
	e.clock.Advance(time.Hour)
	req := purchaseRedeem("1000", "100")
	req.Branch, req.Actor = "centre", "api:till-1"
	res := e.apply(card.ID, req)
	op := res.Operation
	if op.Redeemed != rub("100") || op.Accrued != rub("45") || op.Delta != points("-55") || op.Rate != 500 ||
		op.BalanceAfter != points("45") || op.Branch != "centre" || op.Actor != "api:till-1" || !op.At.Equal(e.clock.Now()) {
		t.Fatalf("purchase entry: %+v", op)
	}
	if res.Card.TotalSpend != rub("1000") || len(res.Expired) != 0 {
		t.Fatalf("card after purchase: %+v", res.Card)
	}

	e.apply(card.ID, withAmount(cardbot.OpAccrue, "20"))
	e.apply(card.ID, withAmount(cardbot.OpRedeem, "15"))
	adj := e.apply(card.ID, adjust("-10", "accrued twice by mistake")).Operation
	if adj.Reason != "accrued twice by mistake" || adj.Delta != points("-10") {
		t.Fatalf("adjust entry: %+v", adj)
	}
	// Cashback is rounded down to the kopeck: 5 % of 99.99 is 4.9995.
	if got := e.apply(card.ID, purchase("99.99")).Operation.Accrued; got != rub("4.99") {
		t.Fatalf("cashback on 99.99: %s, want 4.99", got)
	}

	wantBalance(t, e.card(card.ID), points("44.99"))
	want := []cardbot.OpType{cardbot.OpIssue, cardbot.OpPurchase, cardbot.OpAccrue, cardbot.OpRedeem, cardbot.OpAdjust, cardbot.OpPurchase}
	if got := types(e.ledger(card.ID)); !slices.Equal(got, want) {
		t.Fatalf("ledger %v, want %v", got, want)
	}
	e.view(func(tx cardbot.Tx) error {
		client, err := tx.Client(card.ClientID)
		if err == nil && !client.LastActivityAt.Equal(e.clock.Now()) {
			t.Errorf("client last activity %v, want %v", client.LastActivityAt, e.clock.Now())
		}
		return err
	})
}

func TestBonusRefusals(t *testing.T) {
	e := newEnv(t)
	card := e.issue("bonus").Card // 100 points, at most 30 % of a purchase

	e.refuse(card.ID, purchaseRedeem("1000", "150"), cardbot.Conflict, "not enough points: balance 100, asked 150")
	e.refuse(card.ID, purchaseRedeem("200", "80"), cardbot.Invalid, "at most 60 points can pay for a purchase of 200")
	e.refuse(card.ID, purchaseRedeem("1000", "-1"), cardbot.Invalid, "redeem must not be negative")
	e.refuse(card.ID, purchase("0"), cardbot.Invalid, "purchase must be above zero")
	e.refuse(card.ID, purchase("-5"), cardbot.Invalid, "purchase must be above zero")
	e.refuse(card.ID, cardbot.OperationRequest{Type: cardbot.OpPurchase, Purchase: cardbot.MaxAmount + 1}, cardbot.Invalid, "larger than the maximum")
	e.refuse(card.ID, withAmount(cardbot.OpRedeem, "100.01"), cardbot.Conflict, "not enough points: balance 100, asked 100.01")
	e.refuse(card.ID, withAmount(cardbot.OpRedeem, "0"), cardbot.Invalid, "amount must be above zero")
	e.refuse(card.ID, withAmount(cardbot.OpAccrue, "-5"), cardbot.Invalid, "amount must be above zero")
	e.refuse(card.ID, adjust("10", " "), cardbot.Invalid, "needs a reason")
	e.refuse(card.ID, adjust("0", "why not"), cardbot.Invalid, "amount other than 0")
	e.refuse(card.ID, adjust("-100.01", "write-off"), cardbot.Conflict, "below zero: balance 100, adjustment -100.01")
	e.refuse(card.ID, cardbot.OperationRequest{}, cardbot.Invalid, "operation type is missing")

	if _, err := e.tryApply(99999, purchase("10")); cardbot.CodeOf(err) != cardbot.NotFound {
		t.Fatalf("unknown card: %v", err)
	}
	// The whole balance may go: the limit is the balance, not a point less.
	if got := e.apply(card.ID, withAmount(cardbot.OpRedeem, "100")).Card.Balance; got != 0 {
		t.Fatalf("balance after redeeming all: %d", got)
	}
}

// The purchase that crosses a threshold earns at the old rate; the next one earns at the new. A cancel
// takes the spend back and can drop the tier.
func TestBonusTierChange(t *testing.T) {
	e := newEnv(t)
	card := e.issue("bonus").Card // 5 %; silver from 10 000 (7 %); gold from 50 000 (10 %)

	steps := []struct {
		purchase, accrued string
		rate              cardbot.Percent
		before, after     string
	}{
		{"6000", "300", 500, "", ""},
		{"5000", "250", 500, "", "silver"}, // crosses 10 000 at 5 %
		{"1000", "70", 700, "silver", "silver"},
		{"40000", "2800", 700, "silver", "gold"}, // crosses 50 000 at 7 %
		{"100", "10", 1000, "gold", "gold"},
	}
	var crossing *cardbot.Operation
	for _, s := range steps {
		res := e.apply(card.ID, purchase(s.purchase))
		op := res.Operation
		if op.Accrued != rub(s.accrued) || op.Rate != s.rate || op.TierBefore != s.before || op.TierAfter != s.after || res.Card.Tier != s.after {
			t.Fatalf("purchase %s: accrued %s at %s %%, tier %q→%q (card %q); want %s at %s %%, %q→%q",
				s.purchase, op.Accrued, op.Rate, op.TierBefore, op.TierAfter, res.Card.Tier, s.accrued, s.rate, s.before, s.after)
		}
		if s.purchase == "40000" {
			crossing = op
		}
	}

	res := e.apply(card.ID, cancelOf(crossing.ID))
	if op := res.Operation; op.TierBefore != "gold" || op.TierAfter != "silver" || op.Delta != points("-2800") {
		t.Fatalf("cancel of the gold purchase: %+v", op)
	}
	if res.Card.TotalSpend != rub("12100") || res.Card.Tier != "silver" {
		t.Fatalf("card after cancel: spend %s tier %q", res.Card.TotalSpend, res.Card.Tier)
	}
	if op := e.apply(card.ID, purchase("100")).Operation; op.Accrued != rub("7") {
		t.Fatalf("after dropping to silver 100 earns %s, want 7", op.Accrued)
	}
}
