package store

import (
	"bytes"
	"math"
	"math/bits"
	"slices"

	"cardbot"
)

// SearchClients answers a ClientQuery from the search indexes (searchindex.go) with exactly the
// results of the plain scan (scanClients), and stays fast on a million clients.
//
// Each part of the query an index can answer is a condition: a name word (idx_client_words), the
// digits (idx_client_phone, idx_client_national and idx_card_digits), the programme (idx_program_clients) and the activity
// range (idx_client_activity). A condition is read from its index range into a set of client ids, up
// to a cap of keys. The sets of the conditions that fit under the cap are intersected, and their ids
// are checked newest first with the scan's own predicate (clientMatches) until the page is full: the
// indexes only choose whom to check, never who matches.
//
// A condition over the cap lets many clients through, so when every condition is over it the newest
// matches are near: clients are walked newest first (a programme's clients, from its index, when the
// query names one), checked the same way. Should that walk run long
// (the many matches are all old ones), the conditions are read in full and the walk goes on over the
// intersection of their sets. The cap balances the two costs: reading an index key is about
// checkCost times cheaper than checking a client (decoding the record and its cards).
func (t *tx) SearchClients(q cardbot.ClientQuery) (cardbot.ClientPage, error) {
	return t.searchClients(q, defaultTuning)
}

// tuning sets the two thresholds of the search: conditions with more index keys than keyCap are not
// read in full at first, and a walk of clients newest first checks at most walkBudget of them before
// the conditions are read in full after all. Tests set them small to take every path on little data.
type tuning func(top uint64, limit int) (keyCap, walkBudget int)

func (t *tx) searchClients(q cardbot.ClientQuery, tune tuning) (cardbot.ClientPage, error) {
	p := &pager{t: t, q: q, match: newClientMatcher(q.Text), limit: pageSize(q.Limit),
		page: cardbot.ClientPage{Clients: []*cardbot.Client{}}}
	top := t.bucket(bucketClients).Sequence() // the newest client's id: ids come from this sequence
	if q.Before != 0 && q.Before-1 < top {
		top = q.Before - 1
	}
	if top == 0 {
		return p.page, nil
	}
	conds := searchConditions(q, p.match)
	if len(conds) == 0 {
		_, err := p.walk(clientsFrom(t, top), unlimited)
		return p.page, err
	}
	keyCap, walkBudget := tune(top, p.limit)
	var sets []idSet
	for _, read := range conds {
		set, budget := newIDSet(top), keyCap
		if read(t, set, top, &budget) {
			sets = append(sets, set)
		}
	}
	if len(sets) == 0 {
		// A programme's clients come newest first from its index, so only they are checked.
		candidates := clientsFrom(t, top)
		if q.ProgramID != "" {
			candidates = programClientsFrom(t, q.ProgramID, top)
		}
		rest, err := p.walk(candidates, walkBudget)
		if err != nil || rest == 0 {
			return p.page, err
		}
		for _, read := range conds {
			set, budget := newIDSet(rest), unlimited
			read(t, set, rest, &budget)
			sets = append(sets, set)
		}
		top = rest
	}
	for _, s := range sets[1:] {
		sets[0].and(s)
	}
	return p.page, p.walkSet(sets[0], top)
}

// checkCost is how many index keys can be read in the time one client is checked (its record and its
// cards decoded): measured on the 1M-client benchmark store, 25 – 40 µs per check and 35 – 50 ns per key.
const checkCost = 600

// unlimited is a budget that never runs out.
const unlimited = -1

// defaultTuning balances the two costs. A condition with more than keyCap keys lets at least keyCap of
// the top clients through, so a walk newest first expects about (limit+1)·top/keyCap checks; reading
// keyCap keys costs the same when keyCap = √(checkCost·(limit+1)·top). The walk may check four times
// what it expects before the conditions are read in full after all (the matches may all be old).
func defaultTuning(top uint64, limit int) (keyCap, walkBudget int) {
	page, n := float64(limit)+1, float64(top)
	keyCap = max(1000, int(min(math.Sqrt(checkCost*page*n), 1<<40)))
	return keyCap, int(min(4*page*n/float64(keyCap)+page, 1<<50))
}

// condition adds to set the ids (not above top) of the clients one part of the query lets through,
// reading at most *budget index keys (unlimited: all of them). It reports false when the budget ran out
// before the index range did; set is then incomplete.
type condition func(t *tx, set idSet, top uint64, budget *int) bool

func searchConditions(q cardbot.ClientQuery, m clientMatcher) []condition {
	var conds []condition
	for _, w := range m.words {
		conds = append(conds, wordCondition(w))
	}
	if m.digits != "" {
		conds = append(conds, digitsCondition(m.digits))
	}
	if q.ProgramID != "" {
		conds = append(conds, programCondition(q.ProgramID))
	}
	if !q.ActiveFrom.IsZero() || !q.ActiveTo.IsZero() {
		conds = append(conds, activityCondition(q))
	}
	return conds
}

// wordCondition: clients with a name word that starts with w.
func wordCondition(w string) condition {
	prefix := []byte(indexedWord(w))
	return func(t *tx, set idSet, top uint64, budget *int) bool {
		return t.readIndex(idxClientWords, prefix, prefixed(prefix), lastID, set, top, budget)
	}
}

// digitsCondition: clients whose phone matches the digits as people type it (phoneMatches: from the
// country code with or without its +, with a trunk 8 for the +7, or from the national number), or one
// of whose card numbers (digits only) starts with them.
func digitsCondition(digits string) condition {
	phones := [][]byte{[]byte("+" + digits), []byte(digits)}
	if plan, ok := trunkAsCountry(digits); ok {
		phones = append(phones, []byte("+"+plan), []byte(plan))
	}
	bare := []byte(digits)
	return func(t *tx, set idSet, top uint64, budget *int) bool {
		for _, p := range phones {
			if !t.readIndex(idxClientPhone, p, prefixed(p), valueID, set, top, budget) {
				return false
			}
		}
		return t.readIndex(idxClientNational, bare, prefixed(bare), lastID, set, top, budget) &&
			t.readIndex(idxCardDigits, bare, prefixed(bare), cardOwner, set, top, budget)
	}
}

// programCondition: clients holding a card of the programme.
func programCondition(programID string) condition {
	prefix := []byte(programID + "\x00")
	owner := func(k, _ []byte) uint64 {
		if len(k) != len(prefix)+16 { // a longer programme id that starts with this one and a zero byte
			return 0
		}
		return cardOwner(k, nil)
	}
	return func(t *tx, set idSet, top uint64, budget *int) bool {
		return t.readIndex(idxProgramClients, prefix, prefixed(prefix), owner, set, top, budget)
	}
}

// activityCondition: clients last active in [ActiveFrom, ActiveTo).
func activityCondition(q cardbot.ClientQuery) condition {
	var from []byte
	if !q.ActiveFrom.IsZero() {
		from = timeKey(q.ActiveFrom)
	}
	in := func([]byte) bool { return true }
	if !q.ActiveTo.IsZero() {
		to := timeKey(q.ActiveTo)
		in = func(k []byte) bool { return bytes.Compare(k[:len(to)], to) < 0 }
	}
	return func(t *tx, set idSet, top uint64, budget *int) bool {
		return t.readIndex(idxClientActivity, from, in, lastID, set, top, budget)
	}
}

func prefixed(prefix []byte) func([]byte) bool {
	return func(k []byte) bool { return bytes.HasPrefix(k, prefix) }
}

// lastID reads the client id that ends a key; valueID the one that is the value; cardOwner the client id
// of a key that ends in client id and card id. 0 means the key is not the condition's.
func lastID(k, _ []byte) uint64    { return keyID(k[len(k)-8:]) }
func valueID(_, v []byte) uint64   { return keyID(v) }
func cardOwner(k, _ []byte) uint64 { return keyID(k[len(k)-16:]) }

// readIndex adds to set the client id of every key from the first at or after from while in holds.
func (t *tx) readIndex(index string, from []byte, in func([]byte) bool, clientID func(k, v []byte) uint64,
	set idSet, top uint64, budget *int) bool {
	c := t.bucket(index).Cursor()
	for k, v := c.Seek(from); k != nil && in(k); k, v = c.Next() {
		if *budget == 0 {
			return false
		}
		if *budget > 0 {
			*budget--
		}
		if id := clientID(k, v); id != 0 && id <= top {
			set.add(id)
		}
	}
	return true
}

// idSet is a set of client ids up to a top id, one bit each.
type idSet []uint64

func newIDSet(top uint64) idSet { return make(idSet, top/64+1) }

func (s idSet) add(id uint64) { s[id/64] |= 1 << (id % 64) }

func (s idSet) and(o idSet) {
	for i := range s {
		s[i] &= o[i]
	}
}

// highest returns the highest id in s not above top, and false when there is none.
func (s idSet) highest(top uint64) (uint64, bool) {
	i := top / 64
	w := s[i] & (^uint64(0) >> (63 - top%64))
	for w == 0 {
		if i == 0 {
			return 0, false
		}
		i--
		w = s[i]
	}
	return i*64 + uint64(bits.Len64(w)) - 1, true
}

// pager fills one page of a search with the clients it is offered, newest first, checking each against
// the whole query.
type pager struct {
	t     *tx
	q     cardbot.ClientQuery
	match clientMatcher
	limit int
	page  cardbot.ClientPage
}

// offer checks the client with the given id and adds it when it matches; it reports true when the page
// is complete, that is when a match beyond the page showed there is a next one.
func (p *pager) offer(id uint64) (bool, error) {
	c, err := p.t.Client(id)
	if cardbot.CodeOf(err) == cardbot.NotFound {
		return false, nil // an index entry without its client is no match, not a failed search
	}
	if err != nil {
		return false, err
	}
	ok, err := p.t.clientMatches(c, p.q, p.match)
	if err != nil || !ok {
		return false, err
	}
	if len(p.page.Clients) == p.limit {
		p.page.Next = p.page.Clients[p.limit-1].ID
		return true, nil
	}
	p.page.Clients = append(p.page.Clients, c)
	return false, nil
}

// walkSet offers the ids in set, from top down.
func (p *pager) walkSet(set idSet, top uint64) error {
	for id, ok := set.highest(top); ok; id, ok = set.highest(id - 1) {
		if full, err := p.offer(id); full || err != nil {
			return err
		}
	}
	return nil
}

// walk offers the ids next gives, checking at most budget of them (unlimited: all). It returns the id to
// go on from when the budget ran out, and 0 when the walk is over.
func (p *pager) walk(next func() uint64, budget int) (uint64, error) {
	for id := next(); id != 0; id = next() {
		if budget == 0 {
			return id, nil
		}
		budget--
		if full, err := p.offer(id); full || err != nil {
			return 0, err
		}
	}
	return 0, nil
}

// clientsFrom gives every client id from top down, then 0.
func clientsFrom(t *tx, top uint64) func() uint64 {
	c := t.bucket(bucketClients).Cursor()
	k, _ := c.Seek(idKey(top))
	if k == nil {
		k, _ = c.Last()
	} else if keyID(k) > top {
		k, _ = c.Prev()
	}
	return func() uint64 {
		if k == nil {
			return 0
		}
		id := keyID(k)
		k, _ = c.Prev()
		return id
	}
}

// programClientsFrom gives the ids of the clients holding a card of the programme, from top down, each
// once, then 0.
func programClientsFrom(t *tx, programID string, top uint64) func() uint64 {
	prefix := []byte(programID + "\x00")
	c := t.bucket(idxProgramClients).Cursor()
	k, _ := c.Seek(append(slices.Clip(prefix), idKey(top+1)...))
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	var last uint64
	return func() uint64 {
		for ; k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Prev() {
			if len(k) != len(prefix)+16 { // a longer programme id that starts with this one and a zero byte
				continue
			}
			if id := cardOwner(k, nil); id != last && id <= top {
				last = id
				k, _ = c.Prev()
				return id
			}
		}
		return 0
	}
}
