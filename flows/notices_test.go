package flows_test

import (
	"testing"

	"cardbot"
)

// apiOperation does what POST /api/v1/cards/{number}/operations does with a Notifier: the wallet
// operation and the client's notice in one transaction.
func (e *env) apiOperation(number string, req cardbot.OperationRequest) *cardbot.Operation {
	e.t.Helper()
	var op *cardbot.Operation
	e.update(func(tx cardbot.Tx) error {
		card, err := tx.CardByNumber(number)
		if err != nil {
			return err
		}
		req.Actor = "api:till-1"
		res, err := e.w.Apply(tx, card.ID, req)
		if err != nil {
			return err
		}
		op = res.Operation
		return e.eng.OperationNotice(tx, res.Card, res.Operation)
	})
	return op
}

func TestOperationNoticeForAnAPIPurchase(t *testing.T) {
	e := newEnv(t)
	customer, card := e.welcomed("1")

	// 10 000 ₽: 500 points and the Gold tier.
	op := e.apiOperation(card.Number, cardbot.OperationRequest{Type: cardbot.OpPurchase, Purchase: 1_000_000})
	n := one(t, e.outbox())
	if n.Kind != cardbot.KindNotice || n.ClientID != customer.ID || n.To != nil || n.Event != "tier_changed" {
		t.Fatalf("notice %+v", n)
	}
	mustContain(t, n.Text, "покупка на 10\u00a0000 ₽", "начислено 500 баллов", "На карте: 600 баллов",
		"Ваш уровень теперь — Gold: кешбэк 10\u00a0%")

	e.apiOperation(card.Number, cardbot.OperationRequest{Type: cardbot.OpCancel, Cancels: op.ID})
	n = one(t, e.outbox())
	if n.Event != "tier_changed" {
		t.Errorf("event %s: the cancel took the tier back", n.Event)
	}
	mustContain(t, n.Text, "отменена операция", "−500 баллов", "На карте: 100 баллов", "базовый")

	e.apiOperation(card.Number, cardbot.OperationRequest{Type: cardbot.OpRedeem, Amount: 4000})
	n = one(t, e.outbox())
	if n.Event != "redemption" {
		t.Errorf("event %s", n.Event)
	}
	mustContain(t, n.Text, "списано 40 баллов", "На карте: 60 баллов")
}

func TestOperationNoticeSkipsExpiry(t *testing.T) {
	e := newEnv(t)
	_, card := e.welcomed("1")
	e.update(func(tx cardbot.Tx) error {
		return e.eng.OperationNotice(tx, card, &cardbot.Operation{Type: cardbot.OpExpire, Delta: -100})
	})
	if msgs := e.outbox(); len(msgs) != 0 {
		t.Errorf("expiry notice %v", events(msgs))
	}
}
