package minisite

import (
	"context"
	"html/template"
	"strings"

	"cardbot"
	"cardbot/wallet/cardimage"

	"github.com/gofiber/fiber/v2"
)

// historyRows is how many ledger entries the card page lists.
const historyRows = 10

type cardPageData struct {
	layoutData
	Token   string
	Program string
	Number  string // in groups of four
	QR      template.HTML
	Balance string
	Stamps  string // "4 of 10" on stamp cards
	Reward  string
	Tier    string
	Rate    string
	Expires string
	Blocked bool
	Expired bool
	History []historyRow
}

type historyRow struct {
	At, What, Change string
	Minus, Cancelled bool
}

// validToken checks the shape of a card token (lowercase base32 from the wallet) before the lookup,
// so that junk never reaches the database.
func validToken(t string) bool {
	if len(t) < 16 || len(t) > 64 {
		return false
	}
	for _, r := range t {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// cardByToken finds the card of a token with one index lookup: the token is the index key, so no
// secret is compared byte by byte in Go, and a wrong token costs the same B-tree walk as a right one.
// nil when there is no such card.
func (s *Site) cardByToken(ctx context.Context, tx cardbot.Tx, token string) (*cardbot.Card, error) {
	if !validToken(token) {
		return nil, nil
	}
	card, err := tx.CardByToken(token)
	if cardbot.CodeOf(err) == cardbot.NotFound {
		return nil, nil
	}
	return card, err
}

// cardPage shows a card to whoever holds its link: balance, QR code for the till, recent operations.
func (s *Site) cardPage(c *fiber.Ctx) error {
	// The page shows a balance that changes and its address is the key: never cache it anywhere, and
	// never send the address on as a referrer.
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("X-Robots-Tag", "noindex, nofollow")
	var (
		card *cardbot.Card
		ops  []*cardbot.Operation
		undo = map[uint64]bool{}
	)
	err := s.store.View(c.UserContext(), func(tx cardbot.Tx) error {
		var err error
		card, err = s.cardByToken(c.UserContext(), tx, c.Params("token"))
		if err != nil || card == nil {
			return err
		}
		ops, err = tx.CardOperations(card.ID, 0, historyRows)
		for _, op := range ops {
			if op.Cancels != 0 {
				undo[op.Cancels] = true
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	if card == nil {
		return s.notFound(c)
	}
	return s.render(c, fiber.StatusOK, "card", s.cardData(card, ops, undo))
}

func (s *Site) cardData(card *cardbot.Card, ops []*cardbot.Operation, undo map[uint64]bool) cardPageData {
	w := s.words
	now := s.clock.Now()
	d := cardPageData{
		layoutData: s.layout(w.get("card_title")), Token: card.Token, Program: card.ProgramID,
		Number: groupDigits(card.Number), Tier: card.Tier,
		Blocked: card.Status == cardbot.CardBlocked, Expired: card.Expired(now),
	}
	if svg, err := cardimage.QRSVG(card.Number); err == nil {
		// The encoder writes only numbers into fixed markup; drop the XML declaration to inline it.
		d.QR = template.HTML(svg[strings.Index(string(svg), "<svg"):]) //nolint:gosec // our own markup
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

// cardPicture serves the card's picture, drawn as the chat shows it.
func (s *Site) cardPicture(c *fiber.Ctx) error {
	var card *cardbot.Card
	err := s.store.View(c.UserContext(), func(tx cardbot.Tx) error {
		var err error
		card, err = s.cardByToken(c.UserContext(), tx, c.Params("token"))
		return err
	})
	if err != nil {
		return err
	}
	if card == nil || s.pictures == nil {
		return c.SendStatus(fiber.StatusNotFound)
	}
	png, err := s.pictures.CardPicture(c.UserContext(), card.ID)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "image/png")
	c.Set(fiber.HeaderCacheControl, "private, max-age=60")
	c.Set("Referrer-Policy", "no-referrer")
	return c.Send(png)
}

// groupDigits writes a card number in groups of four, as on the picture.
func groupDigits(n string) string {
	var b strings.Builder
	for i, r := range n {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
