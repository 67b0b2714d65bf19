package wallet_test

import (
	"testing"

	"cardbot"
)

func TestCancelPurchaseRedeemAccrual(t *testing.T) {
	e := newEnv(t)
	card := e.issue("bonus").Card // 100 points, 5 %

	bought := e.apply(card.ID, purchase("1000")).Operation // +50
	res := e.apply(card.ID, cancelOf(bought.ID))
	if op := res.Operation; op.Cancels != bought.ID || op.Delta != points("-50") || op.BalanceAfter != points("100") {
		t.Fatalf("cancel of a purchase: %+v", op)
	}
	if res.Card.TotalSpend != 0 {
		t.Fatalf("total spend after cancel: %s", res.Card.TotalSpend)
	}

	redeemed := e.apply(card.ID, withAmount(cardbot.OpRedeem, "30")).Operation
	if got := e.apply(card.ID, cancelOf(redeemed.ID)).Card.Balance; got != points("100") {
		t.Fatalf("balance after cancelling a redemption: %d", got)
	}
	accrued := e.apply(card.ID, withAmount(cardbot.OpAccrue, "25")).Operation
	if got := e.apply(card.ID, cancelOf(accrued.ID)).Card.Balance; got != points("100") {
		t.Fatalf("balance after cancelling an accrual: %d", got)
	}
	// Paid partly with points: the cancel returns the points and takes the cashback back.
	mixed := e.apply(card.ID, purchaseRedeem("1000", "100")).Operation // -100 +45
	if got := e.apply(card.ID, cancelOf(mixed.ID)).Card.Balance; got != points("100") {
		t.Fatalf("balance after cancelling a purchase paid with points: %d", got)
	}
}

func TestCancelRefusals(t *testing.T) {
	e := newEnv(t)
	iss := e.issue("bonus")
	card := iss.Card
	bought := e.apply(card.ID, purchase("1000")).Operation // 150 points
	e.apply(card.ID, withAmount(cardbot.OpRedeem, "150"))
	e.refuse(card.ID, cancelOf(bought.ID), cardbot.Conflict, "the points from this purchase were already spent: balance 0")

	e.apply(card.ID, withAmount(cardbot.OpAccrue, "50"))
	cancel := e.apply(card.ID, cancelOf(bought.ID)).Operation
	e.refuse(card.ID, cancelOf(bought.ID), cardbot.Conflict, "already cancelled by operation")
	e.refuse(card.ID, cancelOf(cancel.ID), cardbot.Invalid, "cancel entries cannot be cancelled")
	e.refuse(card.ID, cancelOf(iss.Opening.ID), cardbot.Invalid, "issue entries cannot be cancelled")
	e.refuse(card.ID, cancelOf(0), cardbot.Invalid, "say which operation to cancel")
	e.refuse(card.ID, cancelOf(999999), cardbot.NotFound, "has no operation 999999")

	other := e.issue("bonus").Card
	foreign := e.apply(other.ID, purchase("10")).Operation
	e.refuse(card.ID, cancelOf(foreign.ID), cardbot.NotFound, "has no operation")
}

// Cancels keep the lots honest: a cancelled redemption puts its points back into the lots they came
// from (re-creating used-up lots with their own expiry), a cancelled accrual takes its points from its
// own lot first and then from the oldest.
func TestCancelAndLots(t *testing.T) {
	e := newEnv(t)
	iss := e.issue("expiring") // 50 points until day 30
	card, welcome := iss.Card, iss.Opening

	advanceDays(e.clock, 5)
	accrued := e.apply(card.ID, withAmount(cardbot.OpAccrue, "40")).Operation // until day 35
	advanceDays(e.clock, 1)
	redeem := e.apply(card.ID, withAmount(cardbot.OpRedeem, "60")).Operation // all of welcome, 10 of accrued
	wantLots(t, e.card(card.ID), [][3]int64{{int64(accrued.ID), points("30"), 35}})

	advanceDays(e.clock, 1)
	res := e.apply(card.ID, cancelOf(redeem.ID))
	wantLots(t, res.Card, [][3]int64{{int64(welcome.ID), points("50"), 30}, {int64(accrued.ID), points("40"), 35}})

	// Spend the welcome lot and part of the accrual again, then add a younger lot.
	e.apply(card.ID, withAmount(cardbot.OpRedeem, "60"))
	younger := e.apply(card.ID, withAmount(cardbot.OpAccrue, "20")).Operation // until day 37
	wantLots(t, e.card(card.ID), [][3]int64{{int64(accrued.ID), points("30"), 35}, {int64(younger.ID), points("20"), 37}})

	// Cancelling the 40-point accrual takes the 30 left in its lot, then 10 from the oldest other lot.
	res = e.apply(card.ID, cancelOf(accrued.ID))
	want := []cardbot.LotUse{
		{OpID: accrued.ID, Amount: rub("30"), ExpiresAt: start.AddDate(0, 0, 35)},
		{OpID: younger.ID, Amount: rub("10"), ExpiresAt: start.AddDate(0, 0, 37)},
	}
	if !sameUses(res.Operation.Lots, want) {
		t.Fatalf("cancel of the accrual took %+v, want %+v", res.Operation.Lots, want)
	}
	wantLots(t, res.Card, [][3]int64{{int64(younger.ID), points("10"), 37}})
	wantBalance(t, res.Card, points("10"))

	// Points a cancel puts back into a lot already past its date expire at once.
	spent := e.apply(card.ID, withAmount(cardbot.OpRedeem, "10")).Operation
	advanceDays(e.clock, 40)
	res = e.apply(card.ID, cancelOf(spent.ID))
	if res.Operation.BalanceAfter != points("10") || len(res.Expired) != 1 || res.Expired[0].Delta != points("-10") {
		t.Fatalf("cancel into an expired lot: %+v, expired %+v", res.Operation, res.Expired)
	}
	wantBalance(t, res.Card, 0)
	wantLots(t, res.Card, [][3]int64{})
}
