package minisite

import (
	"hash/fnv"
	"strconv"
	"strings"
	"sync"
	"time"

	"cardbot"
	"cardbot/wallet/cardimage"

	"github.com/gofiber/fiber/v2"
)

// historyRows is how many ledger entries the card page lists.
const historyRows = 10

type cardPageData struct {
	layoutData
	Token   string
	Picture string // changes with what the card picture shows, so a browser never shows an old one
	Program string
	Number  string // in groups of four
	Balance string
	Stamps  string // "4 of 10" on stamp cards
	Reward  string
	Tier    string
	Rate    string
	Expires string
	Blocked bool
	Expired bool
	History []historyRow
	Invite  string // the client's invite link, when they have a code
}

type historyRow struct {
	At, What, Change string
	Minus, Cancelled bool
}

// validToken checks the shape of a card token (lowercase base32 from the wallet) before the lookup,
// so that junk never reaches the database.
func validToken(t string) bool {
	return len(t) >= 16 && len(t) <= 64 && lowerAlnum(t)
}

// lowerAlnum reports whether s is only lowercase Latin letters and digits, the alphabet of card
// tokens and invite codes.
func lowerAlnum(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// cardByToken finds the card of a token with one index lookup: the token is the index key, so no
// secret is compared byte by byte in Go, and a wrong token costs the same B-tree walk as a right one.
// nil when there is no such card.
func (s *Site) cardByToken(tx cardbot.Tx, token string) (*cardbot.Card, error) {
	if !validToken(token) {
		return nil, nil
	}
	card, err := tx.CardByToken(token)
	if cardbot.CodeOf(err) == cardbot.NotFound {
		return nil, nil
	}
	return card, err
}

// referralCodeOf is the invite code of the card's client, "" when the card has none (a client whose
// data was deleted, one made through the API who never asked for a link).
func referralCodeOf(tx cardbot.Tx, card *cardbot.Card) (string, error) {
	if card.ClientID == 0 {
		return "", nil
	}
	c, err := tx.Client(card.ClientID)
	if cardbot.CodeOf(err) == cardbot.NotFound {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return c.ReferralCode, nil
}

// cardPage shows a card to whoever holds its link: balance, QR code for the till, recent operations.
func (s *Site) cardPage(c *fiber.Ctx) error {
	// The page shows a balance that changes and its address is the key: never cache it anywhere, and
	// never send the address on as a referrer.
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("X-Robots-Tag", "noindex, nofollow")
	token := c.Params("token")
	now := s.clock.Now()
	var gen uint64
	if s.gen != nil {
		gen = s.gen() // loaded before reading: see store.DB.Generation
		if page, ok := s.fresh.get(token, gen, now); ok {
			if page, ok := s.cardPages.get(page); ok {
				return s.sendHTML(c, fiber.StatusOK, page)
			}
		}
	}
	var (
		card *cardbot.Card
		ops  []*cardbot.Operation
		undo = map[uint64]bool{}
		code string
	)
	err := s.store.View(c.UserContext(), func(tx cardbot.Tx) error {
		var err error
		card, err = s.cardByToken(tx, token)
		if err != nil || card == nil {
			return err
		}
		ops, err = tx.CardOperations(card.ID, 0, historyRows)
		if err != nil {
			return err
		}
		for _, op := range ops {
			if op.Cancels != 0 {
				undo[op.Cancels] = true
			}
		}
		code, err = referralCodeOf(tx, card)
		return err
	})
	if err != nil {
		return err
	}
	if card == nil {
		return s.notFound(c)
	}
	d := s.cardData(card, ops, undo)
	if code != "" {
		d.Invite = s.baseURL() + "/r/" + code
	}
	key := d.key()
	page, ok := s.cardPages.get(key)
	if !ok {
		if page, err = s.execute("card", d); err != nil {
			return err
		}
		s.cardPages.put(key, page)
	}
	if s.gen != nil {
		s.fresh.put(token, freshPage{gen: gen, key: key, expiresAt: card.ExpiresAt, expired: d.Expired})
	}
	return s.sendHTML(c, fiber.StatusOK, page)
}

// freshPages remember, per token, which rendered page was current at a store generation: while the
// generation stands and the card has not passed its expiry, that page is still the card's page.
type freshPages struct {
	mu  sync.Mutex
	max int
	m   map[string]freshPage
}

type freshPage struct {
	gen       uint64
	key       string // in the page cache
	expiresAt time.Time
	expired   bool
}

func newFreshPages(max int) *freshPages { return &freshPages{max: max, m: map[string]freshPage{}} }

// get returns the page key of a token if it is still current.
func (f *freshPages) get(token string, gen uint64, now time.Time) (string, bool) {
	f.mu.Lock()
	p, ok := f.m[token]
	f.mu.Unlock()
	expired := !p.expiresAt.IsZero() && !now.Before(p.expiresAt)
	return p.key, ok && p.gen == gen && expired == p.expired
}

func (f *freshPages) put(token string, p freshPage) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.m) >= f.max {
		clear(f.m)
	}
	f.m[token] = p
}

// key is everything the card page shows, so that two views with the same key are the same page.
func (d *cardPageData) key() string {
	var b strings.Builder
	for _, f := range []string{d.Token, d.Picture, d.Program, d.Number, d.Balance, d.Stamps, d.Reward, d.Tier, d.Rate, d.Expires} {
		b.WriteString(f)
		b.WriteByte(0)
	}
	b.WriteString(strconv.FormatBool(d.Blocked))
	b.WriteString(strconv.FormatBool(d.Expired))
	b.WriteString(d.Invite)
	b.WriteByte(0)
	for _, h := range d.History {
		b.WriteByte(1)
		b.WriteString(h.At)
		b.WriteByte(0)
		b.WriteString(h.What)
		b.WriteByte(0)
		b.WriteString(h.Change)
		b.WriteString(strconv.FormatBool(h.Minus))
		b.WriteString(strconv.FormatBool(h.Cancelled))
	}
	return b.String()
}

// pageCache keeps rendered card pages by what they show: a page is rendered again only when its card
// changed. Bounded: when full it starts over, which costs one render per card.
type pageCache struct {
	mu  sync.Mutex
	max int
	m   map[string][]byte
}

func newPageCache(max int) *pageCache { return &pageCache{max: max, m: map[string][]byte{}} }

func (p *pageCache) get(key string) ([]byte, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	page, ok := p.m[key]
	return page, ok
}

func (p *pageCache) put(key string, page []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.m) >= p.max {
		clear(p.m)
	}
	p.m[key] = page
}

func (s *Site) cardData(card *cardbot.Card, ops []*cardbot.Operation, undo map[uint64]bool) cardPageData {
	w := s.words
	now := s.clock.Now()
	d := cardPageData{
		layoutData: s.layout(w.get("card_title")), Token: card.Token, Picture: s.pictureVersion(card), Program: card.ProgramID,
		Number: cardbot.GroupNumber(card.Number), Tier: card.Tier,
		Blocked: card.Status == cardbot.CardBlocked, Expired: card.Expired(now),
	}
	unit := card.Type.Unit()
	d.Balance = w.quantity(unit, card.Balance)
	prog := s.wallet.Program(card.ProgramID)
	if prog != nil {
		d.Program = prog.Name
		if rate := prog.Rate(card.Tier); rate > 0 {
			d.Rate = w.number(rate.String()) + " %"
		}
		if card.Type == cardbot.Stamp && prog.Stamps > 0 {
			d.Stamps = w.number(unit.Number(card.Balance%int64(prog.Stamps))) + " " + w.get("of") + " " + unit.Number(int64(prog.Stamps))
			d.Reward = prog.Reward
		}
	}
	if !card.ExpiresAt.IsZero() {
		d.Expires = card.ExpiresAt.In(s.loc).Format("02.01.2006")
	}
	for _, op := range ops {
		row := historyRow{
			At: op.At.In(s.loc).Format("02.01.2006 15:04"), What: w.get("op_" + string(op.Type)),
			Minus: op.Delta < 0, Cancelled: undo[op.ID],
		}
		if op.Delta != 0 && unit != cardbot.UnitNone {
			sign := "+"
			if op.Delta < 0 {
				sign = "−"
			}
			row.Change = sign + w.quantity(unit, abs(op.Delta))
		} else if op.Purchase > 0 {
			row.Change = w.money(op.Purchase)
		}
		d.History = append(d.History, row)
	}
	return d
}

// cardQR serves the QR code of the card number, for the till's scanner. The number never changes, so
// the browser keeps it for a day; the page itself is never cached.
func (s *Site) cardQR(c *fiber.Ctx) error {
	return s.cardImage(c, "image/svg+xml", "private, max-age=86400", func(card *cardbot.Card) ([]byte, error) {
		return cardimage.QRSVG(card.Number)
	})
}

// cardPicture serves the card's picture, drawn as the chat shows it. Drawing one takes tens of
// milliseconds, so pictures are kept by what they show (number, programme, balance, tier).
func (s *Site) cardPicture(c *fiber.Ctx) error {
	if s.pictures == nil {
		return c.SendStatus(fiber.StatusNotFound)
	}
	return s.cardImage(c, "image/png", "private, max-age=60", func(card *cardbot.Card) ([]byte, error) {
		key := s.pictureKey(card)
		if png, ok := s.pictureCache.get(key); ok {
			return png, nil
		}
		png, err := s.pictures.CardPicture(c.UserContext(), card.ID)
		if err == nil {
			s.pictureCache.put(key, png)
		}
		return png, err
	})
}

// pictureKey is what the card's picture shows: two cards with the same key have the same picture.
func (s *Site) pictureKey(card *cardbot.Card) string {
	key := strings.Join([]string{card.Number, card.ProgramID, strconv.FormatInt(card.Balance, 10), card.Tier}, "\x00")
	if prog := s.wallet.Program(card.ProgramID); prog != nil {
		key += "\x00" + prog.Name
	}
	return key
}

// pictureVersion names a version of the card's picture for its address on the card page.
func (s *Site) pictureVersion(card *cardbot.Card) string {
	h := fnv.New64a()
	h.Write([]byte(s.pictureKey(card)))
	return strconv.FormatUint(h.Sum64(), 36)
}

// cardImage serves an image of the card a token names, or 404.
func (s *Site) cardImage(c *fiber.Ctx, typ, cache string, draw func(*cardbot.Card) ([]byte, error)) error {
	var card *cardbot.Card
	err := s.store.View(c.UserContext(), func(tx cardbot.Tx) error {
		var err error
		card, err = s.cardByToken(tx, c.Params("token"))
		return err
	})
	if err != nil {
		return err
	}
	if card == nil {
		return c.SendStatus(fiber.StatusNotFound)
	}
	img, err := draw(card)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, typ)
	c.Set(fiber.HeaderCacheControl, cache)
	c.Set("Referrer-Policy", "no-referrer")
	return c.Send(img)
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
