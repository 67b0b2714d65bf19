package wallet_test

import (
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"cardbot"
	"cardbot/store"
	"cardbot/wallet"
)

// AdvanceDays moves the clock by whole days.
// advanceDays moves the clock by whole days.
func advanceDays(c *cardbot.ManualClock, n int) { c.Advance(time.Duration(n) * 24 * time.Hour) }

var moscow = mustLocation("Europe/Moscow")

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// start is the moment every test begins at.
var start = time.Date(2025, time.March, 10, 12, 0, 0, 0, moscow)

// env is a wallet on a real store in a temporary directory.
type env struct {
	tb    testing.TB
	ctx   context.Context
	db    *store.DB
	w     *wallet.Wallet
	clock *cardbot.ManualClock
}

// rub reads a decimal amount such as "99.90".
func rub(s string) cardbot.Amount {
	a, err := cardbot.ParseAmount(s)
	if err != nil {
		panic(err)
	}
	return a
}

// testPrograms covers every programme type; tests pick them by id.
func testPrograms() []cardbot.Program {
	until := cardbot.Date{Year: 2025, Month: time.December, Day: 31}
	return []cardbot.Program{
		{ID: "bonus", Name: "Bonus", Type: cardbot.Bonus, Cashback: 500, WelcomeBonus: rub("100"), MaxRedeemPercent: 3000,
			Tiers: []cardbot.Tier{
				{Name: "gold", MinSpend: rub("50000"), Cashback: 1000},
				{Name: "silver", MinSpend: rub("10000"), Cashback: 700},
			}},
		{ID: "expiring", Name: "Expiring", Type: cardbot.Bonus, Cashback: 1000, WelcomeBonus: rub("50"), PointsExpireDays: 30},
		{ID: "plain", Name: "Plain bonus", Type: cardbot.Bonus, Cashback: 500},
		{ID: "discount", Name: "Discount", Type: cardbot.Discount, Discount: 300,
			Tiers: []cardbot.Tier{{Name: "vip", MinSpend: rub("20000"), Discount: 500}}},
		{ID: "coffee", Name: "Coffee", Type: cardbot.Stamp, Stamps: 6, Reward: "a free coffee", StampsPerVisit: 1},
		{ID: "bakery", Name: "Bakery", Type: cardbot.Stamp, Stamps: 10, Reward: "a cake", StampPerAmount: rub("300")},
		{ID: "gift", Name: "Gift", Type: cardbot.Certificate, Nominal: rub("3000"), ValidDays: 365},
		{ID: "newyear", Name: "New year", Type: cardbot.Certificate, Nominal: rub("5000"), ValidUntil: &until},
		{ID: "gym", Name: "Gym", Type: cardbot.Subscription, Visits: 8, ValidDays: 30},
		{ID: "old", Name: "Old", Type: cardbot.Bonus, Cashback: 300, Archived: true},
	}
}

func testConfig() cardbot.Config {
	cfg := cardbot.DefaultConfig()
	cfg.Programs = testPrograms()
	return cfg
}

func newEnv(tb testing.TB) *env { return newEnvWith(tb, testConfig()) }

// newEnvWith opens a store and a wallet; at the end of the test it checks the ledger invariant of every
// card in the store, then closes the store.
func newEnvWith(tb testing.TB, cfg cardbot.Config) *env {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "cardbot.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	clock := cardbot.NewManualClock(start)
	w, err := wallet.New(cfg, clock)
	if err != nil {
		tb.Fatal(err)
	}
	e := &env{tb: tb, ctx: context.Background(), db: db, w: w, clock: clock}
	tb.Cleanup(e.checkAllCards) // runs before the Close registered above
	return e
}

// client creates a client and returns its id.
func (e *env) client() uint64 {
	e.tb.Helper()
	var c *cardbot.Client
	e.update(func(tx cardbot.Tx) error {
		c = &cardbot.Client{Name: "Anna", CreatedAt: e.clock.Now()}
		return tx.CreateClient(c)
	})
	return c.ID
}

func (e *env) update(fn func(tx cardbot.Tx) error) {
	e.tb.Helper()
	if err := e.db.Update(e.ctx, fn); err != nil {
		e.tb.Fatal(err)
	}
}

func (e *env) view(fn func(tx cardbot.Tx) error) {
	e.tb.Helper()
	if err := e.db.View(e.ctx, fn); err != nil {
		e.tb.Fatal(err)
	}
}

func (e *env) tryIssue(clientID uint64, programID string) (*wallet.Issued, error) {
	var res *wallet.Issued
	err := e.db.Update(e.ctx, func(tx cardbot.Tx) (err error) {
		res, err = e.w.Issue(tx, clientID, programID, "admin:test")
		return err
	})
	return res, err
}

// issue gives a new client (or the given one) a card of the programme.
func (e *env) issue(programID string, clientID ...uint64) *wallet.Issued {
	e.tb.Helper()
	id := uint64(0)
	if len(clientID) > 0 {
		id = clientID[0]
	} else {
		id = e.client()
	}
	res, err := e.tryIssue(id, programID)
	if err != nil {
		e.tb.Fatalf("issue %s: %v", programID, err)
	}
	return res
}

func (e *env) tryApply(cardID uint64, req cardbot.OperationRequest) (*wallet.Result, error) {
	var res *wallet.Result
	if req.Actor == "" {
		req.Actor = "staff:1"
	}
	err := e.db.Update(e.ctx, func(tx cardbot.Tx) (err error) {
		res, err = e.w.Apply(tx, cardID, req)
		return err
	})
	return res, err
}

func (e *env) apply(cardID uint64, req cardbot.OperationRequest) *wallet.Result {
	e.tb.Helper()
	res, err := e.tryApply(cardID, req)
	if err != nil {
		e.tb.Fatalf("%s on card %d: %v", req.Type, cardID, err)
	}
	return res
}

// refuse applies a request that must fail with the code and a message containing want, and checks that
// neither the card nor its ledger changed.
func (e *env) refuse(cardID uint64, req cardbot.OperationRequest, code cardbot.ErrorCode, want string) {
	e.tb.Helper()
	cardBefore, ledgerBefore := e.card(cardID), e.ledger(cardID)
	_, err := e.tryApply(cardID, req)
	expectError(e.tb, err, code, want)
	if card := e.card(cardID); !reflect.DeepEqual(card, cardBefore) {
		e.tb.Errorf("refused %s changed the card:\n%+v\n%+v", req.Type, cardBefore, card)
	}
	if ledger := e.ledger(cardID); len(ledger) != len(ledgerBefore) {
		e.tb.Errorf("refused %s wrote %d ledger entries", req.Type, len(ledger)-len(ledgerBefore))
	}
}

// expectError checks an error's code and that its safe message contains want.
func expectError(tb testing.TB, err error, code cardbot.ErrorCode, want string) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("no error, want %s %q", code, want)
	}
	if got := cardbot.CodeOf(err); got != code {
		tb.Fatalf("error %v: code %s, want %s", err, got, code)
	}
	if msg := cardbot.MessageOf(err); !strings.Contains(msg, want) {
		tb.Fatalf("message %q does not contain %q", msg, want)
	}
}

func (e *env) card(id uint64) *cardbot.Card {
	e.tb.Helper()
	var card *cardbot.Card
	e.view(func(tx cardbot.Tx) (err error) {
		card, err = tx.Card(id)
		return err
	})
	return card
}

// ledger returns a card's entries oldest first.
func (e *env) ledger(cardID uint64) []*cardbot.Operation {
	e.tb.Helper()
	var ops []*cardbot.Operation
	e.view(func(tx cardbot.Tx) (err error) {
		ops, err = tx.CardOperations(cardID, 0, 0)
		return err
	})
	slices.Reverse(ops)
	return ops
}

// checkAllCards checks the ledger invariant of every card in the store, in one snapshot.
func (e *env) checkAllCards() {
	e.tb.Helper()
	e.view(func(tx cardbot.Tx) error {
		for after := uint64(0); ; {
			clients, err := tx.Clients(after, 1000)
			if err != nil || len(clients) == 0 {
				return err
			}
			for _, c := range clients {
				cards, err := tx.ClientCards(c.ID)
				if err != nil {
					return err
				}
				for _, card := range cards {
					ledger, err := tx.CardOperations(card.ID, 0, 0)
					if err != nil {
						return err
					}
					slices.Reverse(ledger)
					checkLedger(e.tb, card, ledger)
				}
			}
			after = clients[len(clients)-1].ID
		}
	})
}

// checkLedger is the invariant every card keeps: its balance is the sum of its entries' deltas, each
// entry's BalanceAfter is the running sum, no balance is ever below zero, and the lots are positive,
// in expiry order and hold no more points than the balance.
func checkLedger(tb testing.TB, card *cardbot.Card, ledger []*cardbot.Operation) {
	tb.Helper()
	var sum int64
	for _, op := range ledger {
		sum += op.Delta
		if op.BalanceAfter != sum || sum < 0 {
			tb.Errorf("card %s: entry %d (%s) has balance_after %d, running sum %d", card.Number, op.ID, op.Type, op.BalanceAfter, sum)
		}
		if op.CardID != card.ID || op.ClientID != card.ClientID || op.At.IsZero() || op.Actor == "" {
			tb.Errorf("card %s: entry %d lacks card, client, time or actor: %+v", card.Number, op.ID, op)
		}
	}
	if card.Balance != sum || card.Balance < 0 {
		tb.Errorf("card %s: balance %d, ledger sum %d", card.Number, card.Balance, sum)
	}
	var inLots cardbot.Amount
	for i, lot := range card.Lots {
		inLots += lot.Left
		if lot.Left <= 0 || (i > 0 && lot.ExpiresAt.Before(card.Lots[i-1].ExpiresAt)) {
			tb.Errorf("card %s: lots out of order or empty: %+v", card.Number, card.Lots)
		}
	}
	if int64(inLots) > card.Balance {
		tb.Errorf("card %s: lots hold %s, balance is %d", card.Number, inLots, card.Balance)
	}
}

// types lists the entry types of a ledger.
func types(ledger []*cardbot.Operation) []cardbot.OpType {
	out := make([]cardbot.OpType, len(ledger))
	for i, op := range ledger {
		out[i] = op.Type
	}
	return out
}

func purchase(sum string) cardbot.OperationRequest {
	return cardbot.OperationRequest{Type: cardbot.OpPurchase, Purchase: rub(sum)}
}

func purchaseRedeem(sum, redeem string) cardbot.OperationRequest {
	return cardbot.OperationRequest{Type: cardbot.OpPurchase, Purchase: rub(sum), Redeem: rub(redeem)}
}

func withAmount(t cardbot.OpType, amount string) cardbot.OperationRequest {
	return cardbot.OperationRequest{Type: t, Amount: rub(amount)}
}

func withCount(t cardbot.OpType, n int64) cardbot.OperationRequest {
	return cardbot.OperationRequest{Type: t, Count: n}
}

func cancelOf(opID uint64) cardbot.OperationRequest {
	return cardbot.OperationRequest{Type: cardbot.OpCancel, Cancels: opID}
}

func adjust(amount string, reason string) cardbot.OperationRequest {
	return cardbot.OperationRequest{Type: cardbot.OpAdjust, Amount: rub(amount), Reason: reason}
}

func wantBalance(tb testing.TB, card *cardbot.Card, want int64) {
	tb.Helper()
	if card.Balance != want {
		tb.Fatalf("card %s balance %s, want %s", card.Number, card.Type.Unit().Number(card.Balance), card.Type.Unit().Number(want))
	}
}

func points(s string) int64 { return int64(rub(s)) }
