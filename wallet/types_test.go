package wallet_test

import (
	"slices"
	"testing"
	"time"

	"cardbot"
)

func TestDiscountCardEndToEnd(t *testing.T) {
	e := newEnv(t)
	iss := e.issue("discount") // 3 %; vip from 20 000 (5 %)
	if iss.Opening != nil {
		t.Fatalf("a discount card opens with an entry: %+v", iss.Opening)
	}
	card := iss.Card

	op := e.apply(card.ID, purchase("15000")).Operation
	if op.Discount != rub("450") || op.Rate != 300 || op.Delta != 0 {
		t.Fatalf("first purchase: %+v", op)
	}
	crossing := e.apply(card.ID, purchase("10000")).Operation
	if crossing.Discount != rub("300") || crossing.TierBefore != "" || crossing.TierAfter != "vip" {
		t.Fatalf("crossing purchase earns the old discount: %+v", crossing)
	}
	if op := e.apply(card.ID, purchase("1000")).Operation; op.Discount != rub("50") || op.Rate != 500 {
		t.Fatalf("purchase at vip: %+v", op)
	}
	e.refuse(card.ID, purchaseRedeem("1000", "10"), cardbot.Invalid, "a discount card has no points to pay with")

	res := e.apply(card.ID, cancelOf(crossing.ID))
	if res.Card.TotalSpend != rub("16000") || res.Card.Tier != "" || res.Operation.TierAfter != "" || res.Operation.TierBefore != "vip" {
		t.Fatalf("after cancel: %+v / %+v", res.Card, res.Operation)
	}
	wantBalance(t, res.Card, 0)
}

func TestStampCardEndToEnd(t *testing.T) {
	e := newEnv(t)
	iss := e.issue("coffee") // one stamp per visit, 6 for a free coffee
	if iss.Opening != nil {
		t.Fatalf("a stamp card opens with an entry: %+v", iss.Opening)
	}
	card := iss.Card

	if op := e.apply(card.ID, purchase("350")).Operation; op.Delta != 1 || op.Rewards != 0 {
		t.Fatalf("purchase: %+v", op)
	}
	if op := e.apply(card.ID, withCount(cardbot.OpStamp, 0)).Operation; op.Delta != 1 {
		t.Fatalf("a stamp without a count adds one: %+v", op)
	}
	if op := e.apply(card.ID, withCount(cardbot.OpStamp, 4)).Operation; op.BalanceAfter != 6 || op.Rewards != 1 {
		t.Fatalf("sixth stamp: %+v", op)
	}
	e.refuse(card.ID, withCount(cardbot.OpStamp, 101), cardbot.Invalid, "count must be from 1 to 100")
	e.refuse(card.ID, withCount(cardbot.OpStamp, -1), cardbot.Invalid, "count must be from 1 to 100")
	e.refuse(card.ID, withCount(cardbot.OpReward, 2), cardbot.Invalid, "one reward per operation")
	e.refuse(card.ID, purchaseRedeem("100", "1"), cardbot.Invalid, "a stamp card has no points to pay with")

	reward := e.apply(card.ID, withCount(cardbot.OpReward, 0)).Operation
	if reward.Delta != -6 || reward.BalanceAfter != 0 || reward.Rewards != 0 {
		t.Fatalf("reward: %+v", reward)
	}
	e.apply(card.ID, purchase("100"))
	e.refuse(card.ID, withCount(cardbot.OpReward, 0), cardbot.Conflict, "5 more stamps needed for the reward")

	adj := cardbot.OperationRequest{Type: cardbot.OpAdjust, Count: 3, Reason: "stamps from the paper card"}
	if op := e.apply(card.ID, adj).Operation; op.Delta != 3 || op.BalanceAfter != 4 {
		t.Fatalf("adjust: %+v", op)
	}
	e.refuse(card.ID, cardbot.OperationRequest{Type: cardbot.OpAdjust, Count: -5, Reason: "x"}, cardbot.Conflict, "below zero: balance 4, adjustment -5")
	e.refuse(card.ID, cardbot.OperationRequest{Type: cardbot.OpAdjust, Amount: rub("2"), Reason: "x"}, cardbot.Invalid, "needs a count")
	e.refuse(card.ID, cardbot.OperationRequest{Type: cardbot.OpAdjust, Count: 1001, Reason: "x"}, cardbot.Invalid, "needs a count")

	// Taking the reward back returns its stamps.
	if op := e.apply(card.ID, cancelOf(reward.ID)).Operation; op.Delta != 6 || op.BalanceAfter != 10 || op.Rewards != 1 {
		t.Fatalf("cancel of the reward: %+v", op)
	}
}

func TestStampsPerAmount(t *testing.T) {
	e := newEnv(t)
	card := e.issue("bakery").Card // one stamp per 300 spent
	if op := e.apply(card.ID, purchase("1000")).Operation; op.Delta != 3 {
		t.Fatalf("1000 earns %d stamps, want 3", op.Delta)
	}
	// Too small for a stamp, but the purchase is still on record.
	if op := e.apply(card.ID, purchase("299.99")).Operation; op.Delta != 0 || op.Purchase != rub("299.99") {
		t.Fatalf("299.99: %+v", op)
	}
	if c := e.card(card.ID); c.TotalSpend != rub("1299.99") {
		t.Fatalf("total spend %s", c.TotalSpend)
	}
	wantBalance(t, e.card(card.ID), 3)
}

func TestCertificateEndToEnd(t *testing.T) {
	e := newEnv(t)
	client := e.client()
	iss := e.issue("gift", client) // 3000, valid for 365 days
	card := iss.Card
	if iss.Opening == nil || iss.Opening.Delta != points("3000") || iss.Opening.Accrued != 0 {
		t.Fatalf("opening: %+v", iss.Opening)
	}
	if want := time.Date(2026, time.March, 10, 12, 0, 0, 0, moscow); !card.ExpiresAt.Equal(want) {
		t.Fatalf("expires %v, want %v", card.ExpiresAt, want)
	}

	spend := e.apply(card.ID, withAmount(cardbot.OpSpend, "1200")).Operation
	if spend.Redeemed != rub("1200") || spend.Delta != points("-1200") {
		t.Fatalf("spend: %+v", spend)
	}
	e.refuse(card.ID, withAmount(cardbot.OpSpend, "2000"), cardbot.Conflict, "not enough money on the card: balance 1800, asked 2000")
	e.refuse(card.ID, withAmount(cardbot.OpSpend, "-1"), cardbot.Invalid, "amount must be above zero")
	e.apply(card.ID, adjust("200", "goodwill after a complaint"))
	e.apply(card.ID, cancelOf(spend.ID))
	wantBalance(t, e.card(card.ID), points("3200"))

	// Certificates are bought: one client may hold any number.
	e.issue("gift", client)
	e.issue("newyear", client)
}

func TestCertificateValidUntilEndOfDay(t *testing.T) {
	e := newEnv(t)
	card := e.issue("newyear").Card // valid until 31 December 2025
	if want := time.Date(2026, time.January, 1, 0, 0, 0, 0, moscow); !card.ExpiresAt.Equal(want) {
		t.Fatalf("expires %v, want the end of 31 December in Moscow, %v", card.ExpiresAt, want)
	}
	e.clock.Set(time.Date(2025, time.December, 31, 23, 59, 0, 0, moscow))
	e.apply(card.ID, withAmount(cardbot.OpSpend, "100"))
	e.clock.Set(time.Date(2026, time.January, 1, 0, 0, 0, 0, moscow))
	e.refuse(card.ID, withAmount(cardbot.OpSpend, "100"), cardbot.Conflict, "has expired: it was valid until 2025-12-31 23:59")
	if _, err := e.tryIssue(e.client(), "newyear"); cardbot.CodeOf(err) != cardbot.Conflict {
		t.Fatalf("issuing a certificate past its last day: %v", err)
	}
}

func TestSubscriptionEndToEnd(t *testing.T) {
	e := newEnv(t)
	client := e.client()
	card := e.issue("gym", client).Card // 8 visits in 30 days
	wantBalance(t, card, 8)

	e.apply(card.ID, withCount(cardbot.OpVisit, 0))
	many := e.apply(card.ID, withCount(cardbot.OpVisit, 3)).Operation
	if many.Delta != -3 || many.BalanceAfter != 4 {
		t.Fatalf("three visits: %+v", many)
	}
	e.refuse(card.ID, withCount(cardbot.OpVisit, 5), cardbot.Conflict, "not enough visits: balance 4, asked 5")
	e.refuse(card.ID, withCount(cardbot.OpVisit, 1001), cardbot.Invalid, "count must be from 1 to 1000")
	e.apply(card.ID, cardbot.OperationRequest{Type: cardbot.OpAdjust, Count: -1, Reason: "visit noted on paper"})
	e.apply(card.ID, cancelOf(many.ID))
	wantBalance(t, e.card(card.ID), 6)

	want := []cardbot.OpType{cardbot.OpIssue, cardbot.OpVisit, cardbot.OpVisit, cardbot.OpAdjust, cardbot.OpCancel}
	if got := types(e.ledger(card.ID)); !slices.Equal(got, want) {
		t.Fatalf("ledger %v, want %v", got, want)
	}
	e.issue("gym", client) // a second subscription for the same client is fine

	advanceDays(e.clock, 30)
	e.refuse(card.ID, withCount(cardbot.OpVisit, 1), cardbot.Conflict, "has expired: it was valid until 2025-04-09 11:59")
}

func TestWrongOperationForType(t *testing.T) {
	e := newEnv(t)
	refused := map[string][]cardbot.OpType{
		"bonus":    {cardbot.OpStamp, cardbot.OpReward, cardbot.OpSpend, cardbot.OpVisit, cardbot.OpIssue, cardbot.OpExpire},
		"discount": {cardbot.OpAccrue, cardbot.OpRedeem, cardbot.OpAdjust, cardbot.OpStamp, cardbot.OpSpend, cardbot.OpIssue},
		"coffee":   {cardbot.OpAccrue, cardbot.OpRedeem, cardbot.OpSpend, cardbot.OpVisit, cardbot.OpExpire},
		"gift":     {cardbot.OpPurchase, cardbot.OpAccrue, cardbot.OpRedeem, cardbot.OpStamp, cardbot.OpReward, cardbot.OpVisit},
		"gym":      {cardbot.OpPurchase, cardbot.OpAccrue, cardbot.OpRedeem, cardbot.OpSpend, cardbot.OpStamp, cardbot.OpReward},
	}
	for programID, ops := range refused {
		card := e.issue(programID).Card
		for _, op := range ops {
			req := cardbot.OperationRequest{Type: op, Amount: rub("1"), Purchase: rub("1"), Count: 1, Reason: "r"}
			e.refuse(card.ID, req, cardbot.Invalid, "a "+string(card.Type)+" card does not take "+string(op)+" operations")
		}
	}
}

func TestBlockedCard(t *testing.T) {
	e := newEnv(t)
	card := e.issue("bonus").Card
	first := e.apply(card.ID, purchase("100")).Operation
	e.update(func(tx cardbot.Tx) error {
		c, err := tx.Card(card.ID)
		if err != nil {
			return err
		}
		c.Status = cardbot.CardBlocked
		return tx.PutCard(c)
	})
	e.refuse(card.ID, purchase("100"), cardbot.Conflict, "card "+card.Number+" is blocked")
	e.refuse(card.ID, cancelOf(first.ID), cardbot.Conflict, "is blocked")

	// A blocked card takes no operations, but its points still run out on schedule.
	expiring := e.issue("expiring").Card
	e.update(func(tx cardbot.Tx) error {
		expiring.Status = cardbot.CardBlocked
		return tx.PutCard(expiring)
	})
	advanceDays(e.clock, 30)
	if got := e.expireDue(expiring.ID); len(got) != 1 || got[0].Delta != points("-50") {
		t.Fatalf("expiry on a blocked card: %+v", got)
	}
}
