// Package wallet holds the loyalty rules: programmes (card templates), issuing cards and their
// numbers, purchases with accrual and redemption, tiers, stamps, certificates, subscriptions and
// points that expire oldest first.
//
// The wallet never opens a transaction. Callers run it inside Store.Update, so the ledger entries,
// the card and whatever the caller writes next to them (an idempotency record, an outbox message)
// commit together or not at all. Update may run its function more than once, so everything here that
// takes a Tx is a pure function of the transaction's state and its arguments, apart from the clock and
// crypto/rand for card numbers and tokens. A refused request returns a *cardbot.Error before writing
// anything.
package wallet

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"cardbot"
)

// Wallet applies the loyalty rules. It is safe for concurrent use.
type Wallet struct {
	clock   cardbot.Clock
	loc     *time.Location // the business timezone: certificate end-of-day and day arithmetic
	numbers numberRules

	mu       sync.RWMutex
	programs []cardbot.Program // in the owner's order; replaced as a whole, never changed in place
	byID     map[string]*cardbot.Program
}

// New builds a wallet from the configuration: the business timezone, the card number rules and the
// programmes (DefaultPrograms when the configuration names none).
func New(cfg cardbot.Config, clock cardbot.Clock) (*Wallet, error) {
	if clock == nil {
		clock = cardbot.SystemClock{}
	}
	loc, err := time.LoadLocation(cfg.Business.Timezone)
	if err != nil {
		return nil, cardbot.Errorf(cardbot.Invalid, "business timezone %q is not known: %v", cfg.Business.Timezone, err)
	}
	numbers, err := parseNumberRules(cfg.CardNumbers)
	if err != nil {
		return nil, err
	}
	w := &Wallet{clock: clock, loc: loc, numbers: numbers}
	programs := cfg.Programs
	if len(programs) == 0 {
		programs = cardbot.DefaultPrograms()
	}
	w.SetPrograms(programs)
	return w, nil
}

// SetPrograms replaces the programmes (the admin page edits them while the service runs). Cards keep
// working under the new rules of their programme; a removed programme's cards refuse operations.
// When two programmes share an id the first one wins, as in Config.Program.
func (w *Wallet) SetPrograms(p []cardbot.Program) {
	programs := make([]cardbot.Program, len(p))
	byID := make(map[string]*cardbot.Program, len(p))
	for i := range p {
		programs[i] = cloneProgram(p[i])
		// TierFor picks the last tier reached, so it needs tiers in ascending order of spend.
		slices.SortStableFunc(programs[i].Tiers, func(a, b cardbot.Tier) int {
			return cmp.Compare(a.MinSpend, b.MinSpend)
		})
		if _, dup := byID[programs[i].ID]; !dup {
			byID[programs[i].ID] = &programs[i]
		}
	}
	w.mu.Lock()
	w.programs, w.byID = programs, byID
	w.mu.Unlock()
}

// Program returns a copy of the programme with the given id, or nil.
func (w *Wallet) Program(id string) *cardbot.Program {
	p := w.program(id)
	if p == nil {
		return nil
	}
	c := cloneProgram(*p)
	return &c
}

// Programs returns a copy of every programme, in the owner's order.
func (w *Wallet) Programs() []cardbot.Program {
	w.mu.RLock()
	programs := w.programs
	w.mu.RUnlock()
	out := make([]cardbot.Program, len(programs))
	for i := range programs {
		out[i] = cloneProgram(programs[i])
	}
	return out
}

// program returns the stored programme without copying it. That is safe because SetPrograms builds a
// new slice instead of changing the old one, and nothing in the package writes to a programme.
func (w *Wallet) program(id string) *cardbot.Program {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.byID[id]
}

// cloneProgram copies the parts of a programme that are shared through pointers and slices.
func cloneProgram(p cardbot.Program) cardbot.Program {
	p.Tiers = slices.Clone(p.Tiers)
	if p.ValidUntil != nil {
		d := *p.ValidUntil
		p.ValidUntil = &d
	}
	return p
}

// addDays moves t by whole calendar days in the business timezone, so "30 days" keeps the wall-clock
// time even across a daylight-saving change.
func (w *Wallet) addDays(t time.Time, days int) time.Time {
	return t.In(w.loc).AddDate(0, 0, days)
}

// endOfDay is the first instant after the given date in the business timezone: a certificate valid
// until 31 January can be used until midnight at the business.
func (w *Wallet) endOfDay(d cardbot.Date) time.Time {
	return time.Date(d.Year, d.Month, d.Day+1, 0, 0, 0, 0, w.loc)
}

// localTime renders an instant for messages, in the business timezone.
func (w *Wallet) localTime(t time.Time) string {
	return t.In(w.loc).Format("2006-01-02 15:04")
}

func tierName(t *cardbot.Tier) string {
	if t == nil {
		return ""
	}
	return t.Name
}
