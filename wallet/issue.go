package wallet

import (
	"time"

	"cardbot"
)

// Issued is a new card and the ledger entry of its opening balance.
type Issued struct {
	Card    *cardbot.Card
	Opening *cardbot.Operation // nil when the card opens at 0
}

// Issue gives a client a new card of a programme: a fresh number and token, the expiry the programme
// sets and the opening balance (welcome bonus, certificate nominal, subscription visits) as an issue
// entry. actor signs the entry: api:<key>, admin:<user>, staff:<id>, system.
func (w *Wallet) Issue(tx cardbot.Tx, clientID uint64, programID, actor string) (*Issued, error) {
	if _, err := w.issuing(programID); err != nil {
		return nil, err
	}
	client, err := tx.Client(clientID)
	if err != nil {
		return nil, notFoundAs(err, "no client %d", clientID)
	}
	got, err := w.IssueTo(tx, client, programID, actor)
	if err != nil {
		return nil, err
	}
	if err := tx.PutClient(client); err != nil {
		return nil, err
	}
	return got, nil
}

// IssueTo is Issue for a client the caller has loaded in tx and saves itself before the transaction
// ends (a bot turn saves its client once, at the end): the client's last activity is set on client and
// nothing of it is read or written here, so one turn does not decode and encode the same client three
// times.
func (w *Wallet) IssueTo(tx cardbot.Tx, client *cardbot.Client, programID, actor string) (*Issued, error) {
	prog, err := w.issuing(programID)
	if err != nil {
		return nil, err
	}
	now := w.clock.Now()
	clientID := client.ID
	if err := w.checkOneCard(tx, clientID, prog, now); err != nil {
		return nil, err
	}
	expiresAt, err := w.cardExpiry(prog, now)
	if err != nil {
		return nil, err
	}
	number, err := w.newNumber(tx)
	if err != nil {
		return nil, err
	}
	card := &cardbot.Card{
		Number: number, ClientID: clientID, ProgramID: prog.ID, Type: prog.Type,
		Status: cardbot.CardActive, Tier: tierName(prog.TierFor(0)), Token: newToken(),
		IssuedAt: now, ExpiresAt: expiresAt,
	}
	if err := tx.CreateCard(card); err != nil {
		return nil, err
	}
	c := &change{w: w, tx: tx, prog: prog, card: card, req: cardbot.OperationRequest{Actor: actor}, now: now}
	opening, err := c.writeOpening()
	if err != nil {
		return nil, err
	}
	client.LastActivityAt = now
	return &Issued{Card: card, Opening: opening}, nil
}

// issuing is the programme a new card would be of, unless it issues none.
func (w *Wallet) issuing(programID string) (*cardbot.Program, error) {
	prog := w.program(programID)
	if prog == nil {
		return nil, cardbot.Errorf(cardbot.NotFound, "no programme %q", programID)
	}
	if prog.Archived {
		return nil, cardbot.Errorf(cardbot.Conflict, "programme %q is archived and issues no new cards", programID)
	}
	return prog, nil
}

// writeOpening writes the opening balance of a new card, if the programme gives one.
func (c *change) writeOpening() (*cardbot.Operation, error) {
	var balance int64
	switch c.prog.Type {
	case cardbot.Bonus:
		balance = int64(c.prog.WelcomeBonus)
	case cardbot.Certificate:
		balance = int64(c.prog.Nominal)
	case cardbot.Subscription:
		balance = int64(c.prog.Visits)
	}
	if balance <= 0 {
		return nil, nil
	}
	op := c.newOp(cardbot.OpIssue)
	op.Delta = balance
	if c.prog.Type == cardbot.Bonus {
		op.Accrued = cardbot.Amount(balance)
	}
	if err := c.post(op, cardbot.Amount(balance)); err != nil {
		return nil, err
	}
	return op, c.commit()
}

// checkOneCard keeps a client to one working card of a bonus, discount or stamp programme: two would
// split their points, spend or stamps. Certificates and subscriptions are bought, so any number is fine.
func (w *Wallet) checkOneCard(tx cardbot.Tx, clientID uint64, prog *cardbot.Program, now time.Time) error {
	switch prog.Type {
	case cardbot.Certificate, cardbot.Subscription:
		return nil
	}
	cards, err := tx.ClientCards(clientID)
	if err != nil {
		return err
	}
	for _, card := range cards {
		if card.ProgramID == prog.ID && card.Status == cardbot.CardActive && !card.Expired(now) {
			return cardbot.Errorf(cardbot.Conflict, "client %d already has card %s of programme %q",
				clientID, card.Number, prog.ID)
		}
	}
	return nil
}

// cardExpiry is when a new card stops working: the end of the programme's last day, or the issue time
// plus its days; zero when it does not expire.
func (w *Wallet) cardExpiry(prog *cardbot.Program, now time.Time) (time.Time, error) {
	switch {
	case prog.Type == cardbot.Certificate && prog.ValidUntil != nil:
		if prog.ValidUntil.Year == 0 {
			return time.Time{}, cardbot.Errorf(cardbot.Invalid, "programme %q: valid_until %s needs a year",
				prog.ID, prog.ValidUntil)
		}
		end := w.endOfDay(*prog.ValidUntil)
		if !now.Before(end) {
			return time.Time{}, cardbot.Errorf(cardbot.Conflict, "programme %q issued certificates valid until %s only",
				prog.ID, prog.ValidUntil)
		}
		return end, nil
	case (prog.Type == cardbot.Certificate || prog.Type == cardbot.Subscription) && prog.ValidDays > 0:
		return w.addDays(now, prog.ValidDays), nil
	}
	return time.Time{}, nil
}
