package wallet_test

import (
	"reflect"
	"testing"
	"time"

	"cardbot"
)

// lotsOf lists a card's lots as (entry, points left, day of expiry counted from the start).
func lotsOf(card *cardbot.Card) [][3]int64 {
	out := [][3]int64{}
	for _, l := range card.Lots {
		out = append(out, [3]int64{int64(l.OpID), int64(l.Left), int64(l.ExpiresAt.Sub(start) / (24 * time.Hour))})
	}
	return out
}

func wantLots(t *testing.T, card *cardbot.Card, want [][3]int64) {
	t.Helper()
	if got := lotsOf(card); !reflect.DeepEqual(got, want) {
		t.Fatalf("lots (entry, left, expiry day) %v, want %v", got, want)
	}
}

// Points expire 30 days after their accrual; spending takes the oldest first, and what is left expires
// lot by lot as the clock moves.
func TestExpiryOldestFirst(t *testing.T) {
	e := newEnv(t)
	iss := e.issue("expiring") // 50 welcome points, 10 % cashback, 30 days
	card, welcome := iss.Card, iss.Opening
	wantLots(t, card, [][3]int64{{int64(welcome.ID), points("50"), 30}})

	advanceDays(e.clock, 10)
	bought := e.apply(card.ID, purchase("1000")).Operation // +100, expires on day 40
	advanceDays(e.clock, 10)
	accrued := e.apply(card.ID, withAmount(cardbot.OpAccrue, "30")).Operation // expires on day 50

	advanceDays(e.clock, 5) // day 25: the welcome lot goes first, then part of the purchase's
	redeem := e.apply(card.ID, withAmount(cardbot.OpRedeem, "70")).Operation
	wantUses := []cardbot.LotUse{
		{OpID: welcome.ID, Amount: rub("50"), ExpiresAt: start.AddDate(0, 0, 30)},
		{OpID: bought.ID, Amount: rub("20"), ExpiresAt: start.AddDate(0, 0, 40)},
	}
	if !sameUses(redeem.Lots, wantUses) {
		t.Fatalf("redeem took %+v, want %+v", redeem.Lots, wantUses)
	}
	wantLots(t, e.card(card.ID), [][3]int64{{int64(bought.ID), points("80"), 40}, {int64(accrued.ID), points("30"), 50}})

	advanceDays(e.clock, 5) // day 30: the welcome lot is used up, nothing expires
	if expired := e.expireDue(card.ID); len(expired) != 0 {
		t.Fatalf("day 30 expired %+v", expired)
	}
	if n := len(e.ledger(card.ID)); n != 4 {
		t.Fatalf("an ExpireDue with nothing due wrote entries: %d", n)
	}

	advanceDays(e.clock, 10) // day 40: the rest of the purchase's points expire, exactly on time
	expired := e.expireDue(card.ID)
	if len(expired) != 1 || expired[0].Delta != points("-80") || expired[0].Lots[0].OpID != bought.ID ||
		expired[0].Actor != "system" || expired[0].BalanceAfter != points("30") {
		t.Fatalf("day 40 expired %+v", expired)
	}

	advanceDays(e.clock, 5) // day 45: 10 of the last 30 points pay, 9 points accrue until day 75
	paid := e.apply(card.ID, purchaseRedeem("100", "10")).Operation
	advanceDays(e.clock, 5) // day 50: an Apply expires what is due before doing its work
	res := e.apply(card.ID, withAmount(cardbot.OpAccrue, "5"))
	if len(res.Expired) != 1 || res.Expired[0].Delta != points("-20") || res.Expired[0].Lots[0].OpID != accrued.ID {
		t.Fatalf("day 50 expired %+v", res.Expired)
	}
	if res.Operation.BalanceAfter != points("14") || res.Expired[0].ID > res.Operation.ID {
		t.Fatalf("the accrual must come after the expiry: %+v", res.Operation)
	}

	advanceDays(e.clock, 30) // day 80: two lots are due at once and expire oldest first
	last := e.apply(card.ID, withAmount(cardbot.OpAccrue, "1"))
	if len(last.Expired) != 2 || last.Expired[0].Lots[0].OpID != paid.ID || last.Expired[1].Lots[0].OpID != res.Operation.ID ||
		last.Expired[0].Delta != points("-9") || last.Expired[1].Delta != points("-5") {
		t.Fatalf("day 80 expired %+v", last.Expired)
	}
	wantBalance(t, last.Card, points("1"))
	wantLots(t, last.Card, [][3]int64{{int64(last.Operation.ID), points("1"), 110}})
}

// Expiry entries can neither be cancelled nor touch a card whose points do not expire.
func TestExpiryEntriesAreFinal(t *testing.T) {
	e := newEnv(t)
	card := e.issue("expiring").Card
	advanceDays(e.clock, 31)
	expired := e.expireDue(card.ID)
	if len(expired) != 1 {
		t.Fatalf("expired %+v", expired)
	}
	e.refuse(card.ID, cancelOf(expired[0].ID), cardbot.Invalid, "expire entries cannot be cancelled")

	plain := e.issue("bonus").Card
	advanceDays(e.clock, 1000)
	if got := e.expireDue(plain.ID); len(got) != 0 {
		t.Fatalf("points of a programme without expiry expired: %+v", got)
	}
	wantBalance(t, e.card(plain.ID), points("100"))
}

func (e *env) expireDue(cardID uint64) []*cardbot.Operation {
	e.tb.Helper()
	var ops []*cardbot.Operation
	e.update(func(tx cardbot.Tx) (err error) {
		ops, err = e.w.ExpireDue(tx, cardID)
		return err
	})
	return ops
}

// sameUses compares lot uses, times by instant.
func sameUses(got, want []cardbot.LotUse) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i].OpID != want[i].OpID || got[i].Amount != want[i].Amount || !got[i].ExpiresAt.Equal(want[i].ExpiresAt) {
			return false
		}
	}
	return true
}
