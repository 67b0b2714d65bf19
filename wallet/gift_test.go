package wallet_test

import (
	"testing"

	"cardbot"
	"cardbot/wallet"
)

func gift(amount string) cardbot.OperationRequest {
	return cardbot.OperationRequest{Amount: rub(amount), Reason: "birthday", Actor: "system:automation"}
}

func TestGiftExpiresOnItsOwnDateEvenOnAProgrammeWithoutExpiry(t *testing.T) {
	e := newEnv(t)
	card := e.issue("plain").Card
	var res *wallet.Result
	e.update(func(tx cardbot.Tx) error {
		r, err := e.w.Gift(tx, card.ID, gift("300"), 7)
		res = r
		return err
	})
	op := res.Operation
	if op.Type != cardbot.OpAccrue || op.Accrued != rub("300") || op.Reason != "birthday" || op.Actor != "system:automation" {
		t.Fatalf("gift entry %+v", op)
	}
	lots := res.Card.Lots
	if len(lots) != 1 || lots[0].OpID != op.ID || !lots[0].ExpiresAt.Equal(e.clock.Now().AddDate(0, 0, 7)) {
		t.Fatalf("lots %+v", lots)
	}
	advanceDays(e.clock, 7)
	var expired []*cardbot.Operation
	e.update(func(tx cardbot.Tx) error {
		var err error
		expired, err = e.w.ExpireDue(tx, card.ID)
		return err
	})
	if len(expired) != 1 || expired[0].Delta != -points("300") {
		t.Fatalf("expired %+v", expired)
	}
	wantBalance(t, e.card(card.ID), 0)
}

func TestGiftWithoutDaysFollowsTheProgramme(t *testing.T) {
	e := newEnv(t)
	card := e.issue("expiring").Card // points expire after 30 days
	var res *wallet.Result
	e.update(func(tx cardbot.Tx) error {
		r, err := e.w.Gift(tx, card.ID, gift("20"), 0)
		res = r
		return err
	})
	lot := res.Card.Lots[len(res.Card.Lots)-1]
	if lot.OpID != res.Operation.ID || !lot.ExpiresAt.Equal(e.clock.Now().AddDate(0, 0, 30)) {
		t.Fatalf("lot %+v", lot)
	}
}

func TestGiftOnlyToAnUsableBonusCard(t *testing.T) {
	e := newEnv(t)
	stamps := e.issue("coffee").Card
	bonus := e.issue("plain").Card
	e.update(func(tx cardbot.Tx) error {
		_, err := e.w.Gift(tx, stamps.ID, gift("10"), 0)
		expectError(t, err, cardbot.Invalid, "")
		_, err = e.w.Gift(tx, bonus.ID, gift("0"), 0)
		expectError(t, err, cardbot.Invalid, "")
		return nil
	})
}
