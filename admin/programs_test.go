package admin_test

import (
	"testing"
	"time"
)

func TestBonusCardAccruesRedeemsAndRefusesOverdraft(t *testing.T) {
	s := newServer(t)
	r := s.call("POST", "/api/v1/clients", map[string]any{
		"name": "Анна", "phone": "8 916 123-45-67", "program": "bonus",
		"consent": map[string]any{"personal_data": true, "marketing": true},
	}).must(t, 201)
	if got := r.str(t, "phone"); got != "+79161234567" {
		t.Fatalf("phone stored as %q", got)
	}
	if got := r.str(t, "consent.source"); got != "api:till-1" {
		t.Fatalf("consent source %q", got)
	}
	number := r.str(t, "cards.0.number")
	if r.num(t, "cards.0.balance") != 100 {
		t.Fatalf("welcome bonus missing: %s", r.Raw)
	}

	buy := s.operate(number, map[string]any{"type": "purchase", "purchase": 1000, "branch": "Тверская"}).must(t, 201)
	if buy.num(t, "operation.accrued") != 50 || buy.num(t, "card.balance") != 150 {
		t.Fatalf("5%% of 1000 should accrue 50: %s", buy.Raw)
	}

	withPoints := s.operate(number, map[string]any{"type": "purchase", "purchase": 1000, "redeem": 150}).must(t, 201)
	if withPoints.num(t, "operation.to_pay") != 850 || withPoints.num(t, "operation.accrued") != 42.5 {
		t.Fatalf("pay 850 in money and accrue 5%% of it: %s", withPoints.Raw)
	}
	if withPoints.num(t, "card.balance") != 42.5 {
		t.Fatalf("balance after redeeming 150 and accruing 42.5: %s", withPoints.Raw)
	}

	s.operate(number, map[string]any{"type": "purchase", "purchase": 100, "redeem": 40}).must(t, 400)
	s.operate(number, map[string]any{"type": "redeem", "amount": 100}).must(t, 409)
	s.operate(number, map[string]any{"type": "accrue", "amount": 7.5}).must(t, 201)
	s.operate(number, map[string]any{"type": "redeem", "amount": 50}).must(t, 201)

	if got := len(s.ledger(number)); got != 5 {
		t.Fatalf("ledger has %d entries, want issue + 2 purchases + accrue + redeem", got)
	}
	if s.checkLedger(number) != 0 {
		t.Fatal("42.5 + 7.5 − 50 should leave 0")
	}
}

func TestTierChangesAfterTheCrossingPurchase(t *testing.T) {
	s := newServer(t)
	number := s.newClientWithCard("Борис", "bonus")

	crossing := s.operate(number, map[string]any{"type": "purchase", "purchase": 10000}).must(t, 201)
	if crossing.num(t, "operation.accrued") != 500 {
		t.Fatalf("the crossing purchase earns the old 5%%: %s", crossing.Raw)
	}
	if crossing.str(t, "operation.tier_after") != "Silver" || crossing.str(t, "card.tier") != "Silver" {
		t.Fatalf("10 000 spent reaches Silver: %s", crossing.Raw)
	}
	next := s.operate(number, map[string]any{"type": "purchase", "purchase": 100}).must(t, 201)
	if next.num(t, "operation.accrued") != 7 || next.num(t, "card.rate") != 7 {
		t.Fatalf("the next purchase earns Silver's 7%%: %s", next.Raw)
	}
	s.checkLedger(number)
}

func TestPointsExpireOldestFirst(t *testing.T) {
	s := newServer(t)
	number := s.newClientWithCard("Вера", "bonus") // 100 welcome points, expire in 30 days
	day := 24 * time.Hour

	s.clock.Advance(10 * day)
	s.operate(number, map[string]any{"type": "accrue", "amount": 50}).must(t, 201) // expires on day 40
	s.clock.Advance(5 * day)
	s.operate(number, map[string]any{"type": "redeem", "amount": 30}).must(t, 201) // taken from the oldest: 70 left of 100

	s.clock.Advance(16 * day) // day 31: the welcome lot is due
	r := s.operate(number, map[string]any{"type": "accrue", "amount": 1}).must(t, 201)
	if r.num(t, "expired.0.delta") != -70 || r.num(t, "card.balance") != 51 {
		t.Fatalf("the 70 points left of the welcome bonus expire first: %s", r.Raw)
	}
	s.clock.Advance(10 * day) // day 41: the accrual of day 10 is due
	r = s.operate(number, map[string]any{"type": "accrue", "amount": 1}).must(t, 201)
	if r.num(t, "expired.0.delta") != -50 || r.num(t, "card.balance") != 2 {
		t.Fatalf("then the 50 points of day 10: %s", r.Raw)
	}
	s.checkLedger(number)
}

func TestDiscountCardGivesTierDiscount(t *testing.T) {
	s := newServer(t)
	number := s.newClientWithCard("Глеб", "discount")
	r := s.operate(number, map[string]any{"type": "purchase", "purchase": 1000}).must(t, 201)
	if r.num(t, "operation.discount") != 30 || r.num(t, "operation.to_pay") != 970 || r.num(t, "card.balance") != 0 {
		t.Fatalf("3%% off 1000: %s", r.Raw)
	}
	s.operate(number, map[string]any{"type": "purchase", "purchase": 19000}).must(t, 201)
	r = s.operate(number, map[string]any{"type": "purchase", "purchase": 1000}).must(t, 201)
	if r.num(t, "operation.discount") != 100 || r.str(t, "card.tier") != "VIP" {
		t.Fatalf("VIP from 20 000 spent gives 10%%: %s", r.Raw)
	}
	s.operate(number, map[string]any{"type": "accrue", "amount": 5}).must(t, 400)
}

func TestStampCardEarnsAndHandsOutTheReward(t *testing.T) {
	s := newServer(t)
	number := s.newClientWithCard("Дина", "coffee")
	for i := 0; i < 5; i++ {
		s.operate(number, map[string]any{"type": "purchase", "purchase": 250}).must(t, 201)
	}
	s.operate(number, map[string]any{"type": "reward"}).must(t, 409)
	r := s.operate(number, map[string]any{"type": "stamp"}).must(t, 201)
	if r.num(t, "card.balance") != 6 || r.num(t, "card.rewards_ready") != 1 {
		t.Fatalf("six stamps make one reward: %s", r.Raw)
	}
	r = s.operate(number, map[string]any{"type": "reward"}).must(t, 201)
	if r.num(t, "card.balance") != 0 || r.num(t, "operation.delta") != -6 {
		t.Fatalf("the reward takes six stamps: %s", r.Raw)
	}
	s.checkLedger(number)
}

func TestCertificateIsSpentDownUntilItExpires(t *testing.T) {
	s := newServer(t)
	number := s.newClientWithCard("Егор", "gift")
	r := s.operate(number, map[string]any{"type": "spend", "amount": 1200}).must(t, 201)
	if r.num(t, "card.balance") != 1800 {
		t.Fatalf("3000 − 1200: %s", r.Raw)
	}
	s.operate(number, map[string]any{"type": "spend", "amount": 2000}).must(t, 409)
	s.clock.Advance(366 * 24 * time.Hour)
	s.operate(number, map[string]any{"type": "spend", "amount": 100}).must(t, 409)
	s.checkLedger(number)
}

func TestSubscriptionCountsVisits(t *testing.T) {
	s := newServer(t)
	number := s.newClientWithCard("Жанна", "visits")
	s.operate(number, map[string]any{"type": "visit"}).must(t, 201)
	r := s.operate(number, map[string]any{"type": "visit", "count": 2}).must(t, 201)
	if r.num(t, "card.balance") != 7 {
		t.Fatalf("10 − 3 visits: %s", r.Raw)
	}
	s.operate(number, map[string]any{"type": "adjust", "count": -7, "reason": "возврат"}).must(t, 201)
	s.operate(number, map[string]any{"type": "visit"}).must(t, 409)
	s.checkLedger(number)
}

func TestCancelReversesAnOperationOnce(t *testing.T) {
	s := newServer(t)
	number := s.newClientWithCard("Зоя", "bonus")
	buy := s.operate(number, map[string]any{"type": "purchase", "purchase": 2000}).must(t, 201)
	purchaseID := buy.num(t, "operation.id")

	r := s.operate(number, map[string]any{"type": "cancel", "operation_id": purchaseID}).must(t, 201)
	if r.num(t, "card.balance") != 100 || r.num(t, "card.total_spend") != 0 {
		t.Fatalf("cancel takes back the 100 points and the spend: %s", r.Raw)
	}
	s.operate(number, map[string]any{"type": "cancel", "operation_id": purchaseID}).must(t, 409)

	redeem := s.operate(number, map[string]any{"type": "redeem", "amount": 60}).must(t, 201)
	s.operate(number, map[string]any{"type": "cancel", "operation_id": redeem.num(t, "operation.id")}).must(t, 201)

	spent := s.operate(number, map[string]any{"type": "accrue", "amount": 10}).must(t, 201)
	s.operate(number, map[string]any{"type": "redeem", "amount": 105}).must(t, 201)
	s.operate(number, map[string]any{"type": "cancel", "operation_id": spent.num(t, "operation.id")}).must(t, 409)

	history := s.ledger(number)
	var cancelled int
	for _, op := range history {
		if op["cancelled_by"] != nil {
			cancelled++
		}
	}
	if cancelled != 2 {
		t.Fatalf("two entries should show who cancelled them, got %d", cancelled)
	}
	s.checkLedger(number)
}

func TestIdempotentRetryReturnsTheFirstAnswer(t *testing.T) {
	s := newServer(t)
	number := s.newClientWithCard("Ира", "bonus")
	body := map[string]any{"type": "purchase", "purchase": 500}
	first := s.operate(number, body, "Idempotency-Key", "receipt-0001").must(t, 201)
	again := s.operate(number, body, "Idempotency-Key", "receipt-0001").must(t, 201)
	if string(first.Raw) != string(again.Raw) {
		t.Fatalf("a retry must get the same answer:\n%s\n%s", first.Raw, again.Raw)
	}
	s.operate(number, map[string]any{"type": "purchase", "purchase": 501}, "Idempotency-Key", "receipt-0001").must(t, 409)
	ledger := s.ledger(number)
	if got := len(ledger); got != 2 {
		t.Fatalf("one purchase recorded once, ledger has %d entries", got)
	}
	if ledger[0]["idempotency_key"] != "receipt-0001" || ledger[1]["idempotency_key"] != nil {
		t.Fatalf("the purchase's ledger entry carries the till's key as sent, the issue none: %v", ledger)
	}
	if s.checkLedger(number) != 125 {
		t.Fatal("100 welcome + 25 accrued once")
	}
}

func TestClientsAreFoundByPhoneAndCardAndPaged(t *testing.T) {
	s := newServer(t)
	number := s.newClientWithCard("Катя", "bonus")
	s.call("POST", "/api/v1/clients", map[string]any{"name": "Лев", "phone": "+7 916 000-00-01"}).must(t, 201)
	s.call("POST", "/api/v1/clients", map[string]any{"name": "Лев-2", "phone": "89160000001"}).must(t, 409)

	byPhone := s.call("GET", "/api/v1/clients?phone=8(916)000-00-01", nil).must(t, 200)
	if byPhone.str(t, "clients.0.name") != "Лев" {
		t.Fatalf("find by phone typed another way: %s", byPhone.Raw)
	}
	byCard := s.call("GET", "/api/v1/clients?card="+number, nil).must(t, 200)
	if byCard.str(t, "clients.0.name") != "Катя" {
		t.Fatalf("find by card: %s", byCard.Raw)
	}
	missing := s.call("GET", "/api/v1/clients?phone=+79990000000", nil).must(t, 200)
	if len(missing.Body["clients"].([]any)) != 0 {
		t.Fatalf("an unknown phone is an empty list: %s", missing.Raw)
	}
	first := s.call("GET", "/api/v1/clients?limit=1", nil).must(t, 200)
	second := s.call("GET", "/api/v1/clients?limit=1&after="+jsonNum(first.num(t, "next_after")), nil).must(t, 200)
	if second.str(t, "clients.0.name") != "Лев" {
		t.Fatalf("the second page holds the second client: %s", second.Raw)
	}
	patched := s.call("PATCH", "/api/v1/clients/"+jsonNum(first.num(t, "clients.0.id")),
		map[string]any{"birthday": "1990-03-15", "tags": []string{"vip"}}).must(t, 200)
	if patched.str(t, "birthday") != "1990-03-15" || patched.str(t, "name") != "Катя" {
		t.Fatalf("PATCH changes only what it names: %s", patched.Raw)
	}
}

func TestBlockedCardRefusesOperations(t *testing.T) {
	s := newServer(t)
	number := s.newClientWithCard("Маша", "bonus")
	s.call("POST", "/api/v1/cards/"+number+"/block", nil).must(t, 200)
	s.operate(number, map[string]any{"type": "accrue", "amount": 10}).must(t, 409)
	s.call("POST", "/api/v1/cards/"+number+"/unblock", nil).must(t, 200)
	s.operate(number, map[string]any{"type": "accrue", "amount": 10}).must(t, 201)
}
