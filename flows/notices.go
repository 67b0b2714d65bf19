package flows

import (
	"cardbot"
)

// noticeEvents name the Event of an operation notice by the entry's type.
var noticeEvents = map[cardbot.OpType]string{
	cardbot.OpIssue: "card_issued", cardbot.OpPurchase: "purchase", cardbot.OpAccrue: "accrual",
	cardbot.OpRedeem: "redemption", cardbot.OpStamp: "stamp", cardbot.OpReward: "reward",
	cardbot.OpSpend: "spend", cardbot.OpVisit: "visit", cardbot.OpAdjust: "adjustment",
	cardbot.OpCancel: "cancel",
}

// OperationNotice tells the card's client about an operation: one notice row in the caller's
// transaction, with what happened, the new balance, and a tier change or a completed set of stamps
// when the operation brought one. Expiry entries are not told (yet): the scheduler writes them in
// bulk, and a digest suits them better than one message each.
func (e *Engine) OperationNotice(tx cardbot.Tx, card *cardbot.Card, op *cardbot.Operation) error {
	if card == nil || op == nil || op.Type == cardbot.OpExpire {
		return nil
	}
	_, _, err := e.notice(tx, card, op)
	return err
}

// notice writes the notice row, runs the automation the operation starts, and returns the card and
// entry as its text showed them, so that a caller answering about the same operation need not
// describe them again.
func (e *Engine) notice(tx cardbot.Tx, card *cardbot.Card, op *cardbot.Operation) (cardData, opData, error) {
	cd, od, err := e.tellOperation(tx, card, op)
	if err != nil {
		return cd, od, err
	}
	return cd, od, e.afterOperation(tx, card, op, e.clock.Now())
}

// tellOperation writes an operation's notice row without running the automation the operation
// starts (notice runs both), and returns the card and entry as its text showed them.
func (e *Engine) tellOperation(tx cardbot.Tx, card *cardbot.Card, op *cardbot.Operation) (cardData, opData, error) {
	cd, err := e.texts.cardData(card, e.wallet.Program(card.ProgramID))
	if err != nil {
		return cd, opData{}, err
	}
	od, err := e.texts.opData(op, cd)
	if err != nil {
		return cd, od, err
	}
	now := e.clock.Now()
	event := noticeEvent(op, od)
	// One text per event (notice_accrual, notice_tier_changed…); events without their own text use
	// the shared "notice". A tier change is congratulated at most as often as triggers.tier_changed
	// allows; otherwise the plain notice (which still names the new tier) goes.
	name := "notice_" + event
	if event == "tier_changed" {
		congratulate, err := e.tierCongratulation(tx, card, now)
		if err != nil {
			return cd, od, err
		}
		if !congratulate {
			name = "notice"
		}
	}
	if !e.texts.has(name) {
		name = "notice"
	}
	text, err := e.texts.render(name, &textData{Business: e.cfg.Business.Name, Card: cd, Op: od})
	if err != nil {
		return cd, od, err
	}
	return cd, od, tx.EnqueueMessage(&cardbot.Message{
		ClientID: card.ClientID, Kind: cardbot.KindNotice, Text: text, Event: event,
		NextAt: now, CreatedAt: now,
	})
}

// noticeEvent names the notice by the most notable thing it tells.
func noticeEvent(op *cardbot.Operation, od opData) string {
	switch {
	case od.RewardReady:
		return "reward_ready"
	case od.TierChanged:
		return "tier_changed"
	}
	if ev, ok := noticeEvents[op.Type]; ok {
		return ev
	}
	return string(op.Type)
}
