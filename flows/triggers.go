package flows

import (
	"context"
	"time"

	"cardbot"
)

// Triggers: messages that follow from what a customer did or did not do. The ones caused by an
// operation run in its transaction (welcomeCard, certificateLow, the tier change in notice); the
// daily ones (inactivity, points about to expire) and birthdays run from the scheduler.

// welcomeCard writes, once per client, the welcome that follows a new card after triggers.welcome.delay
// (an outbox row due later: the dispatcher sends it then, also after a restart).
func (e *Engine) welcomeCard(tx cardbot.Tx, card *cardbot.Card, now time.Time) error {
	wt := e.cfg.Triggers.Welcome
	if !wt.Enabled {
		return nil
	}
	key := markKey("welcome", card.ClientID)
	if last, err := tx.Mark(key); err != nil || !last.IsZero() {
		return err
	}
	return e.aboutCard(tx, card, key, out{kind: cardbot.KindNotice, text: "welcome_card", at: now.Add(time.Duration(wt.Delay))}, now)
}

// aboutCard tells a card's client a text about the card (m.data, when set, adds to the card's data)
// and records the mark key that caps it.
func (e *Engine) aboutCard(tx cardbot.Tx, card *cardbot.Card, key string, m out, now time.Time) error {
	client, err := tx.Client(card.ClientID)
	if err != nil {
		return err
	}
	d := e.clientData(client)
	if m.data != nil {
		d.Bonus, d.Expires = m.data.Bonus, m.data.Expires
	}
	if d.Card, err = e.texts.cardData(card, e.wallet.Program(card.ProgramID)); err != nil {
		return err
	}
	if err := tx.PutMark(key, now); err != nil {
		return err
	}
	m.client, m.data = client, d
	return e.tell(tx, now, m)
}

// certificateLow warns a certificate holder whose balance fell below triggers.certificate_low.below.
func (e *Engine) certificateLow(tx cardbot.Tx, card *cardbot.Card, now time.Time) error {
	lt := e.cfg.Triggers.CertificateLow
	if !lt.Enabled || card.Type != cardbot.Certificate || card.Balance <= 0 || cardbot.Amount(card.Balance) >= lt.Below {
		return nil
	}
	key := markKey("certificate_low", card.ID)
	if recent, err := capped(tx, key, lt.EveryDays, now); err != nil || recent {
		return err
	}
	return e.aboutCard(tx, card, key, out{kind: cardbot.KindNotice, text: "certificate_low"}, now)
}

// tierCongratulation reports whether an operation's tier change gets its own congratulation, and
// records it: triggers.tier_changed caps them per card (a purchase and its cancel the same day
// do not congratulate twice).
func (e *Engine) tierCongratulation(tx cardbot.Tx, card *cardbot.Card, now time.Time) (bool, error) {
	tc := e.cfg.Triggers.TierChanged
	if !tc.Enabled {
		return false, nil
	}
	key := markKey("tier_changed", card.ID)
	if recent, err := capped(tx, key, tc.EveryDays, now); err != nil || recent {
		return false, err
	}
	return true, tx.PutMark(key, now)
}

// pageSize is how many clients or cards a job reads in one transaction.
const pageSize = 500

// eachClient calls fn for every client, reading them page by page in read transactions.
func (e *Engine) eachClient(ctx context.Context, fn func(c *cardbot.Client) error) error {
	return eachPage(ctx, e.store, cardbot.Tx.Clients, func(c *cardbot.Client) uint64 { return c.ID }, fn)
}

// eachCard calls fn for every card, page by page.
func (e *Engine) eachCard(ctx context.Context, fn func(c *cardbot.Card) error) error {
	return eachPage(ctx, e.store, cardbot.Tx.Cards, func(c *cardbot.Card) uint64 { return c.ID }, fn)
}

// eachPage walks records listed by ascending id, pageSize at a time, each page in its own read
// transaction, so a long walk never holds one snapshot (nor blocks the writer) for long.
func eachPage[T any](ctx context.Context, store cardbot.Store, list func(cardbot.Tx, uint64, int) ([]T, error),
	id func(T) uint64, fn func(T) error) error {
	var after uint64
	for {
		var page []T
		if err := store.View(ctx, func(tx cardbot.Tx) error {
			var err error
			page, err = list(tx, after, pageSize)
			return err
		}); err != nil {
			return err
		}
		for _, rec := range page {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(rec); err != nil {
				return err
			}
		}
		if len(page) < pageSize {
			return nil
		}
		after = id(page[len(page)-1])
	}
}

// greetBirthdays greets the clients whose birthday is today (or birthdays.days_before days from
// today) once the set hour has come, in the business timezone, once per year each, with the
// optional bonus. A birthday that passed while the service was down is not greeted late: only
// today's date is looked at.
func (e *Engine) greetBirthdays(ctx context.Context, now time.Time) (int, error) {
	bc := e.cfg.Birthdays
	if !bc.Enabled || !e.reached(now, bc.At) {
		return 0, nil
	}
	local := now.In(e.loc)
	target := time.Date(local.Year(), local.Month(), local.Day()+bc.DaysBefore, 12, 0, 0, 0, e.loc)
	greeted := 0
	err := e.eachClient(ctx, func(c *cardbot.Client) error {
		if c.Birthday == nil || !birthdayOn(*c.Birthday, target) {
			return nil
		}
		key := markKey("birthday", c.ID, target.Year())
		return e.counted(ctx, &greeted, func(tx cardbot.Tx) (bool, error) {
			if last, err := tx.Mark(key); err != nil || !last.IsZero() {
				return false, err
			}
			client, err := tx.Client(c.ID)
			if err != nil {
				return false, err
			}
			d := e.clientData(client)
			d.Days = bc.DaysBefore
			if err := e.gift(tx, client, bc.Bonus, bc.BonusExpireDays, "birthday", now, d); err != nil {
				return false, err
			}
			if err := tx.PutMark(key, now); err != nil {
				return false, err
			}
			return true, e.tell(tx, now, out{client: client, kind: cardbot.KindMarketing, text: "birthday_greeting", data: d})
		})
	})
	return greeted, err
}

// birthdayOn reports whether a birthday falls on day's date; 29 February is celebrated on
// 28 February in other years.
func birthdayOn(b cardbot.Date, day time.Time) bool {
	if b.Month == time.February && b.Day == 29 && !isLeap(day.Year()) {
		return day.Month() == time.February && day.Day() == 28
	}
	return b.Month == day.Month() && b.Day == day.Day()
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// dailyTriggers run once a day after triggers.at: inactivity and points about to expire. The day's
// run is marked, so the scheduler may call this as often as it likes and a restart later the same
// day still does the day's work.
func (e *Engine) dailyTriggers(ctx context.Context, now time.Time) (int, error) {
	tc := e.cfg.Triggers
	if (!tc.Inactive.Enabled && !tc.PointsExpiring.Enabled) || !e.reached(now, tc.At) {
		return 0, nil
	}
	dayKey := markKey("daily_triggers", e.localDate(now))
	var done time.Time
	if err := e.store.View(ctx, func(tx cardbot.Tx) error {
		var err error
		done, err = tx.Mark(dayKey)
		return err
	}); err != nil || !done.IsZero() {
		return 0, err
	}
	sent := 0
	if tc.Inactive.Enabled {
		err := e.eachClient(ctx, func(c *cardbot.Client) error {
			if now.Sub(lastSeen(c)) < days(tc.Inactive.Days) {
				return nil
			}
			return e.counted(ctx, &sent, func(tx cardbot.Tx) (bool, error) { return e.remindInactive(tx, c.ID, now) })
		})
		if err != nil {
			return sent, err
		}
	}
	if tc.PointsExpiring.Enabled {
		horizon := now.Add(days(tc.PointsExpiring.Days))
		err := e.eachCard(ctx, func(c *cardbot.Card) error {
			if len(c.Lots) == 0 || c.Lots[0].ExpiresAt.After(horizon) {
				return nil
			}
			return e.counted(ctx, &sent, func(tx cardbot.Tx) (bool, error) { return e.warnExpiring(tx, c.ID, horizon, now) })
		})
		if err != nil {
			return sent, err
		}
	}
	return sent, e.store.Update(ctx, func(tx cardbot.Tx) error { return tx.PutMark(dayKey, now) })
}

// counted runs fn in one update and counts one more in *n when fn says it did something.
func (e *Engine) counted(ctx context.Context, n *int, fn func(tx cardbot.Tx) (bool, error)) error {
	ok := false
	err := e.store.Update(ctx, func(tx cardbot.Tx) error {
		var err error
		ok, err = fn(tx) // the store may run this more than once: only the last run's answer counts
		return err
	})
	if ok && err == nil {
		*n++
	}
	return err
}

// lastSeen is when the client last did something: their last activity, or when they were created.
func lastSeen(c *cardbot.Client) time.Time {
	if c.LastActivityAt.After(c.CreatedAt) {
		return c.LastActivityAt
	}
	return c.CreatedAt
}

func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// remindInactive writes to a client who has not come for triggers.inactive.days: once per stretch
// of absence, and not more often than every_days.
func (e *Engine) remindInactive(tx cardbot.Tx, clientID uint64, now time.Time) (bool, error) {
	it := e.cfg.Triggers.Inactive
	client, err := tx.Client(clientID)
	if err != nil || now.Sub(lastSeen(client)) < days(it.Days) || !client.Consent.Marketing {
		return false, err
	}
	if len(client.Channels) == 0 && client.Phone == "" && client.Email == "" {
		return false, nil // nowhere to write; the gift would go unnoticed
	}
	key := markKey("inactive", client.ID)
	last, err := tx.Mark(key)
	if err != nil || (!last.IsZero() && (last.After(lastSeen(client)) || now.Sub(last) < days(it.EveryDays))) {
		return false, err
	}
	d := e.clientData(client)
	d.Days = int(now.Sub(lastSeen(client)) / (24 * time.Hour))
	if err := e.gift(tx, client, it.Bonus, it.BonusExpireDays, "we miss you", now, d); err != nil {
		return false, err
	}
	if err := tx.PutMark(key, now); err != nil {
		return false, err
	}
	// The gift itself touched nothing the customer did: LastActivityAt stays as it was.
	return true, e.tell(tx, now, out{client: client, kind: cardbot.KindMarketing, text: "inactive", data: d})
}

// warnExpiring tells a card's client how many points expire by horizon and when the first of them
// do, at most every triggers.points_expiring.every_days.
func (e *Engine) warnExpiring(tx cardbot.Tx, cardID uint64, horizon, now time.Time) (bool, error) {
	card, err := tx.Card(cardID)
	if err != nil {
		return false, err
	}
	var amount cardbot.Amount
	var first time.Time
	for _, l := range card.Lots {
		if l.ExpiresAt.After(horizon) || !l.ExpiresAt.After(now) {
			continue
		}
		amount += l.Left
		if first.IsZero() || l.ExpiresAt.Before(first) {
			first = l.ExpiresAt
		}
	}
	if amount <= 0 {
		return false, nil
	}
	key := markKey("points_expiring", card.ID)
	if recent, err := capped(tx, key, e.cfg.Triggers.PointsExpiring.EveryDays, now); err != nil || recent {
		return false, err
	}
	d := &textData{Bonus: amount, Expires: e.day(first)}
	return true, e.aboutCard(tx, card, key, out{kind: cardbot.KindNotice, text: "points_expiring", data: d}, now)
}

// expirePoints writes the expiry entries of every card with points past their date.
func (e *Engine) expirePoints(ctx context.Context, now time.Time) (int, error) {
	expired := 0
	err := e.eachCard(ctx, func(c *cardbot.Card) error {
		if len(c.Lots) == 0 || c.Lots[0].ExpiresAt.After(now) {
			return nil
		}
		n := 0
		err := e.store.Update(ctx, func(tx cardbot.Tx) error {
			ops, err := e.wallet.ExpireDue(tx, c.ID)
			n = len(ops)
			return err
		})
		expired += n
		return err
	})
	return expired, err
}

// prune deletes the idempotency records and seen update ids older than maintenance says to keep.
func (e *Engine) prune(ctx context.Context, now time.Time) (int, error) {
	mc := e.cfg.Maintenance
	total := 0
	for _, p := range []struct {
		keep int
		fn   func(cardbot.Tx, time.Time, int) (int, error)
	}{
		{mc.KeepIdempotencyDays, cardbot.Tx.PruneIdempotency},
		{mc.KeepUpdatesDays, cardbot.Tx.PruneSeenUpdates},
	} {
		if p.keep <= 0 {
			continue
		}
		n, err := e.pruneBatches(ctx, p.fn, now.Add(-days(p.keep)), unlimitedBatches)
		total += n
		if err != nil {
			return total, err
		}
	}
	// An expired admin session is refused when presented, so it is kept no longer than the next run;
	// a run deletes a bounded number, and a pile (a script logging in in a loop) goes over several nights.
	n, err := e.pruneBatches(ctx, cardbot.Tx.PruneSessions, now, sessionPruneBatches)
	return total + n, err
}

// pruneBatch is how many records one transaction of the cleanup deletes; sessionPruneBatches bounds
// the transactions a run spends on expired sessions (unlimitedBatches: no bound).
const (
	pruneBatch          = 1000
	sessionPruneBatches = 5
	unlimitedBatches    = -1
)

// pruneBatches deletes what fn says is older than before, pruneBatch records a transaction, until
// fn finds fewer or batches transactions ran.
func (e *Engine) pruneBatches(ctx context.Context, fn func(cardbot.Tx, time.Time, int) (int, error),
	before time.Time, batches int) (int, error) {
	total := 0
	for ; batches != 0; batches-- {
		n := 0
		err := e.store.Update(ctx, func(tx cardbot.Tx) error {
			var err error
			n, err = fn(tx, before, pruneBatch)
			return err
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < pruneBatch {
			break
		}
	}
	return total, nil
}
