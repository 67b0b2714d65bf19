package flows

import (
	"fmt"
	"strconv"
	"time"

	"cardbot"
)

// automation.go holds what the scheduled jobs (scheduler.go) and the operation hooks (ratings,
// referrals, triggers) share: writing a templated message to a client, giving bonus points that
// expire, frequency caps, quiet hours and days in the business timezone.

// actorAutomation signs the ledger entries the automation makes (gifts).
const actorAutomation = "system:automation"

// out is one templated message for a client, written to the outbox through the cascade.
type out struct {
	client  *cardbot.Client
	kind    cardbot.MessageKind
	text    string // template name; also the Event unless event is set
	event   string
	data    *textData
	buttons [][]cardbot.Button
	at      time.Time // not before; zero: now
}

// tell renders a message and enqueues it in tx.
func (e *Engine) tell(tx cardbot.Tx, now time.Time, m out) error {
	text, err := e.texts.render(m.text, m.data)
	if err != nil {
		return err
	}
	if m.event == "" {
		m.event = m.text
	}
	at := m.at
	if at.IsZero() {
		at = now
	}
	return tx.EnqueueMessage(&cardbot.Message{
		ClientID: m.client.ID, Kind: m.kind, Text: text, Event: m.event, Buttons: m.buttons,
		NextAt: at, CreatedAt: now,
	})
}

// clientData is the base data of a message to a client: the business, their name, and whether the
// channel the cascade will most likely use shows buttons.
func (e *Engine) clientData(c *cardbot.Client) *textData {
	return &textData{Business: e.cfg.Business.Name, Name: c.Name, Buttons: hasButtons(e.firstChannel(c))}
}

// firstChannel is the first messenger of the cascade in force (the owner may reorder it while the
// service runs) the client has an account on, "" when none.
func (e *Engine) firstChannel(c *cardbot.Client) string {
	for _, ch := range e.settings().Cascade {
		for _, a := range c.Channels {
			if a.Channel == ch {
				return ch
			}
		}
	}
	return ""
}

// bonusCard is the client's bonus card that can take points (active, not expired), or nil.
func (e *Engine) bonusCard(tx cardbot.Tx, clientID uint64, now time.Time) (*cardbot.Card, error) {
	cards, err := tx.ClientCards(clientID)
	if err != nil {
		return nil, err
	}
	for _, c := range cards {
		if c.Type == cardbot.Bonus && c.Status == cardbot.CardActive && !c.Expired(now) && e.wallet.Program(c.ProgramID) != nil {
			return c, nil
		}
	}
	return nil, nil
}

// gift accrues amount bonus points to the client's bonus card, expiring after expireDays (0: as the
// programme's points do), and fills d.Bonus and d.Expires for the message that tells it. A client
// whose cards all keep something else (stamps, a discount) is given a card of the business's bonus
// programme to hold the points: the owner promised points, and the message shows that card. Only
// when no programme keeps points (check-config refuses that while a gift is on) are none given.
func (e *Engine) gift(tx cardbot.Tx, client *cardbot.Client, amount cardbot.Amount, expireDays int, reason string, now time.Time, d *textData) error {
	if amount <= 0 {
		return nil
	}
	card, err := e.bonusCard(tx, client.ID, now)
	if err != nil {
		return err
	}
	if card == nil {
		if card, err = e.issueBonusCard(tx, client.ID, reason); err != nil || card == nil {
			return err
		}
	}
	res, err := e.wallet.Gift(tx, card.ID, cardbot.OperationRequest{Amount: amount, Reason: reason, Actor: actorAutomation}, expireDays)
	if refused(err) {
		e.log.Warn("gift refused", "client", client.ID, "card", card.Number, "reason", reason, "err", err)
		return nil
	}
	if err != nil {
		return err
	}
	d.Bonus = res.Operation.Accrued
	if lot := lotOf(res.Card, res.Operation.ID); lot != nil {
		d.Expires = e.day(lot.ExpiresAt)
	}
	if d.Card, err = e.texts.cardData(res.Card, e.wallet.Program(res.Card.ProgramID)); err != nil {
		return err
	}
	return nil
}

// issueBonusCard issues the client a card of giftProgram to hold a gift. Nil when there is none.
func (e *Engine) issueBonusCard(tx cardbot.Tx, clientID uint64, reason string) (*cardbot.Card, error) {
	program := e.giftProgram()
	if program == "" {
		e.log.Info("no bonus programme for a gift", "client", clientID, "reason", reason)
		return nil, nil
	}
	got, err := e.wallet.Issue(tx, clientID, program, actorAutomation)
	if refused(err) {
		e.log.Warn("no bonus card for a gift", "client", clientID, "reason", reason, "err", err)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	// The customer is told of the new card (its number, its opening balance) before the gift's own
	// message. Its automation (welcome, the referral reward on sign-up) is not run: the customer is
	// not new, and a referral reward that issued the card would be given again from inside itself.
	if got.Opening != nil {
		if _, _, err := e.tellOperation(tx, got.Card, got.Opening); err != nil {
			return nil, err
		}
	}
	return got.Card, nil
}

// giftProgram is the programme whose card holds a gift for a client without a bonus card: the
// default programme when it keeps points and still issues, else the first bonus programme that
// still issues; "" when there is none.
func (e *Engine) giftProgram() string {
	def := e.settings().DefaultProgram
	first := ""
	for _, p := range e.wallet.Programs() {
		if p.Type != cardbot.Bonus || p.Archived {
			continue
		}
		if p.ID == def {
			return p.ID
		}
		if first == "" {
			first = p.ID
		}
	}
	return first
}

// lotOf is the card's lot started by an entry, or nil.
func lotOf(card *cardbot.Card, opID uint64) *cardbot.Lot {
	for i := range card.Lots {
		if card.Lots[i].OpID == opID {
			return &card.Lots[i]
		}
	}
	return nil
}

// day writes an instant's date in the business timezone, as the language says dates: "15 марта".
func (e *Engine) day(t time.Time) string {
	l := t.In(e.loc)
	return e.texts.date(cardbot.Date{Month: l.Month(), Day: l.Day()})
}

// capped reports whether what key names happened less than every days before now.
func capped(tx cardbot.Tx, key string, every int, now time.Time) (bool, error) {
	last, err := tx.Mark(key)
	if err != nil || last.IsZero() {
		return false, err
	}
	return now.Sub(last) < days(every), nil
}

// markKey names a mark: a kind and the ids or dates it is about.
func markKey(kind string, parts ...any) string {
	k := kind
	for _, p := range parts {
		k += ":" + fmt.Sprint(p)
	}
	return k
}

// quiet reports whether now is inside settings.quiet_hours, when marketing waits.
func (e *Engine) quiet(now time.Time) bool {
	q := e.cfg.Settings.QuietHours
	if !q.Enabled {
		return false
	}
	from, err1 := cardbot.ParseTimeOfDay(q.From)
	to, err2 := cardbot.ParseTimeOfDay(q.To)
	if err1 != nil || err2 != nil {
		return false // validated at start
	}
	l := now.In(e.loc)
	return cardbot.InDailyWindow(from, to, l.Hour()*60+l.Minute()) // as the dispatcher holds marketing
}

// reached reports whether the local time of day of now has reached hhmm ("10:00").
func (e *Engine) reached(now time.Time, hhmm string) bool {
	at, err := cardbot.ParseTimeOfDay(hhmm)
	if err != nil {
		return false // validated at start
	}
	l := now.In(e.loc)
	return l.Hour()*60+l.Minute() >= at
}

// localDate is now's calendar date in the business timezone, as "2026-06-10".
func (e *Engine) localDate(now time.Time) string {
	return now.In(e.loc).Format(time.DateOnly)
}

// clientLabel names a client for staff: their name, or their number.
func clientLabel(c *cardbot.Client) string {
	if c.Name != "" {
		return c.Name
	}
	return "#" + strconv.FormatUint(c.ID, 10)
}

// afterOperation runs the automation an operation starts, in the operation's transaction: a rating
// request after a purchase, a referral reward, the welcome after a new card, the low-certificate
// warning. The notice of the operation itself is written by notice.
func (e *Engine) afterOperation(tx cardbot.Tx, card *cardbot.Card, op *cardbot.Operation, now time.Time) error {
	if card == nil || op == nil {
		return nil
	}
	switch op.Type {
	case cardbot.OpPurchase:
		if err := e.scheduleRating(tx, card, op, now); err != nil {
			return err
		}
		return e.rewardReferral(tx, card.ClientID, cardbot.RewardOnFirstPurchase, now)
	case cardbot.OpIssue:
		return e.cardIssued(tx, card, now)
	case cardbot.OpSpend:
		return e.certificateLow(tx, card, now)
	}
	return nil
}

// cardIssued is the automation of a new card: the welcome message later on and the referral reward
// on sign-up. The bot calls it for the cards it issues (they have no opening entry when they open
// at zero), notices for the others.
func (e *Engine) cardIssued(tx cardbot.Tx, card *cardbot.Card, now time.Time) error {
	if err := e.welcomeCard(tx, card, now); err != nil {
		return err
	}
	return e.rewardReferral(tx, card.ClientID, cardbot.RewardOnSignup, now)
}
