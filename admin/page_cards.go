package admin

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"cardbot"

	"github.com/gofiber/fiber/v2"
)

var programIDPattern = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)

// cardCounts are the cards of one programme: issued (all of them) and installed (held by a client
// reachable in a messenger, so the card lives in a chat).
type cardCounts struct{ Issued, Installed int }

// countCache keeps the per-programme counts for a short while: counting reads every client, which
// is fine for a page view now and then but not for every click on a large base. A small base, counted
// in a blink, is counted afresh each time, so a card just issued shows at once.
type countCache struct {
	mu     sync.Mutex
	at     time.Time
	took   time.Duration // how long the last count took
	counts map[string]cardCounts
	optOut int // clients who receive no marketing
	total  int
}

const (
	countTTL  = 30 * time.Second
	countSlow = 50 * time.Millisecond // a count that took longer is kept for countTTL
)

func (p *Page) cardCounts(ctx context.Context) (map[string]cardCounts, error) {
	p.counts.mu.Lock()
	defer p.counts.mu.Unlock()
	now := p.now()
	if p.counts.counts != nil && p.counts.took >= countSlow && now.Sub(p.counts.at) < countTTL {
		return p.counts.counts, nil
	}
	counts, optOut, total := map[string]cardCounts{}, 0, 0
	err := p.store().View(ctx, func(tx cardbot.Tx) error {
		var after uint64
		for {
			clients, err := tx.Clients(after, 1000)
			if err != nil {
				return err
			}
			for _, cl := range clients {
				total++
				if !cl.Consent.Marketing {
					optOut++
				}
				cards, err := tx.ClientCards(cl.ID)
				if err != nil {
					return err
				}
				for _, card := range cards {
					n := counts[card.ProgramID]
					n.Issued++
					if len(cl.Channels) > 0 {
						n.Installed++
					}
					counts[card.ProgramID] = n
				}
				after = cl.ID
			}
			if len(clients) < 1000 {
				return nil
			}
		}
	})
	if err != nil {
		return nil, err
	}
	p.counts.at, p.counts.took, p.counts.counts, p.counts.optOut, p.counts.total = now, p.now().Sub(now), counts, optOut, total
	return counts, nil
}

type programRow struct {
	cardbot.Program
	Counts cardCounts
	Source string // config, admin (created here), changed (config.yaml's, edited here)
}

func (p *Page) programs(c *fiber.Ctx) error {
	o, err := p.loadOverrides(c.UserContext())
	if err != nil {
		return err
	}
	counts, err := p.cardCounts(c.UserContext())
	if err != nil {
		return err
	}
	var rows []programRow
	for _, prog := range p.effective(o).Programs {
		rows = append(rows, programRow{Program: prog, Counts: counts[prog.ID], Source: p.programSource(o, prog.ID)})
	}
	return p.renderSaved(c, "cards", "Cards", rows)
}

func (p *Page) programSource(o overrides, id string) string {
	inConfig := slices.ContainsFunc(p.configPrograms(), func(x cardbot.Program) bool { return x.ID == id })
	stored := slices.ContainsFunc(o.Programs, func(x storedProgram) bool { return x.ID == id })
	switch {
	case stored && inConfig:
		return "changed"
	case stored:
		return "admin"
	}
	return "config"
}

// programForm is the edit form: values as typed, so a refused form comes back as the owner left it.
type programForm struct {
	New   bool
	Error string
	Types []cardbot.ProgramType
	F     map[string]string
	Cards cardCounts
}

func (p *Page) newProgram(c *fiber.Ctx) error {
	return p.render(c, "card", "New card", programForm{New: true, Types: cardbot.ProgramTypes,
		F: map[string]string{"type": string(cardbot.Bonus), "max_redeem_percent": "100"}})
}

func (p *Page) editProgram(c *fiber.Ctx) error {
	prog := p.wallet().Program(c.Params("id"))
	if prog == nil {
		return p.notFound(c)
	}
	counts, err := p.cardCounts(c.UserContext())
	if err != nil {
		return err
	}
	return p.render(c, "card", prog.Name, programForm{Types: cardbot.ProgramTypes, F: programFields(prog), Cards: counts[prog.ID]})
}

func (p *Page) createProgram(c *fiber.Ctx) error { return p.storeProgram(c, "") }
func (p *Page) saveProgram(c *fiber.Ctx) error   { return p.storeProgram(c, c.Params("id")) }

// storeProgram creates (id "") or replaces a programme from the form.
func (p *Page) storeProgram(c *fiber.Ctx, id string) error {
	f := formValues(c, programFieldNames)
	if id != "" {
		old := p.wallet().Program(id)
		if old == nil {
			return p.notFound(c)
		}
		f["id"], f["type"] = id, string(old.Type) // a programme keeps its id and type: its cards depend on them
	}
	prog, err := parseProgram(f)
	if err == nil {
		err = p.changeOverrides(c.UserContext(), func(_ cardbot.Tx, o *overrides) error {
			exists := p.effectiveHas(*o, prog.ID)
			if id == "" && exists {
				return cardbot.Errorf(cardbot.Conflict, "there is already a card with the id %q", prog.ID)
			}
			putStoredProgram(o, storedProgram{Program: prog})
			return nil
		})
	}
	if msg, err := refused(err); err != nil || msg != "" {
		if err != nil {
			return err
		}
		c.Status(fiber.StatusBadRequest)
		return p.render(c, "card", "Card", programForm{New: id == "", Error: msg, Types: cardbot.ProgramTypes, F: f})
	}
	p.log().Info("admin: programme saved", "program", prog.ID, "user", whoOf(c).name)
	return c.Redirect("/admin/cards?done=1", fiber.StatusSeeOther)
}

func (p *Page) effectiveHas(o overrides, id string) bool {
	return slices.ContainsFunc(p.effective(o).Programs, func(x cardbot.Program) bool { return x.ID == id })
}

func putStoredProgram(o *overrides, sp storedProgram) {
	i := slices.IndexFunc(o.Programs, func(x storedProgram) bool { return x.ID == sp.ID })
	if i >= 0 {
		o.Programs[i] = sp
		return
	}
	o.Programs = append(o.Programs, sp)
}

// archiveProgram stops (or, archived=0, resumes) issuing new cards of a programme; its cards work on.
func (p *Page) archiveProgram(c *fiber.Ctx) error {
	id, archived := c.Params("id"), c.FormValue("archived") != "0"
	err := p.changeOverrides(c.UserContext(), func(_ cardbot.Tx, o *overrides) error {
		programs := p.effective(*o).Programs
		i := slices.IndexFunc(programs, func(x cardbot.Program) bool { return x.ID == id })
		if i < 0 {
			return cardbot.Errorf(cardbot.NotFound, "there is no card %q", id)
		}
		prog := programs[i]
		prog.Archived = archived
		putStoredProgram(o, storedProgram{Program: prog})
		return nil
	})
	return p.backToPrograms(c, err)
}

// deleteProgram removes a programme that has no cards and no mini-site; one with cards can only be
// archived.
func (p *Page) deleteProgram(c *fiber.Ctx) error {
	id := c.Params("id")
	err := p.changeOverrides(c.UserContext(), func(tx cardbot.Tx, o *overrides) error {
		if !p.effectiveHas(*o, id) {
			return cardbot.Errorf(cardbot.NotFound, "there is no card %q", id)
		}
		// Counted in the transaction that deletes, so a card issued meanwhile cannot be orphaned.
		if n, err := issuedCards(tx, id); err != nil || n > 0 {
			if err != nil {
				return err
			}
			return cardbot.Errorf(cardbot.Conflict,
				"this card has been issued %d times, so it cannot be deleted: archive it to stop issuing it", n)
		}
		sites, err := tx.MiniSites()
		if err != nil {
			return err
		}
		for _, s := range sites {
			if s.ProgramID == id {
				return cardbot.Errorf(cardbot.Conflict, "the mini-site /s/%s issues this card: change or delete the site first", s.Slug)
			}
		}
		o.Programs = slices.DeleteFunc(o.Programs, func(x storedProgram) bool { return x.ID == id })
		if slices.ContainsFunc(p.configPrograms(), func(x cardbot.Program) bool { return x.ID == id }) {
			o.Programs = append(o.Programs, storedProgram{Program: cardbot.Program{ID: id}, Deleted: true})
		}
		return nil
	})
	return p.backToPrograms(c, err)
}

// issuedCards counts the cards of a programme.
func issuedCards(tx cardbot.Tx, programID string) (int, error) {
	n := 0
	for after := uint64(0); ; {
		cards, err := tx.Cards(after, 1000)
		if err != nil {
			return 0, err
		}
		for _, card := range cards {
			if card.ProgramID == programID {
				n++
			}
			after = card.ID
		}
		if len(cards) < 1000 {
			return n, nil
		}
	}
}

func (p *Page) backToPrograms(c *fiber.Ctx, err error) error {
	msg, rerr := refused(err)
	if rerr != nil {
		return rerr
	}
	if msg != "" {
		return p.fail(c, statusOf(cardbot.CodeOf(err)), msg)
	}
	return c.Redirect("/admin/cards?done=1", fiber.StatusSeeOther)
}

var programFieldNames = []string{
	"id", "name", "type", "description", "cashback", "welcome_bonus", "max_redeem_percent",
	"points_expire_days", "discount", "tiers", "stamps", "reward", "stamps_per_visit", "stamp_per_amount",
	"nominal", "valid_until", "valid_days", "visits", "archived",
}

func formValues(c *fiber.Ctx, names []string) map[string]string {
	f := map[string]string{}
	for _, n := range names {
		f[n] = strings.TrimSpace(c.FormValue(n))
	}
	return f
}

// programFields writes a programme into form values.
func programFields(p *cardbot.Program) map[string]string {
	num := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	amt := func(a cardbot.Amount) string {
		if a == 0 {
			return ""
		}
		return a.String()
	}
	f := map[string]string{
		"id": p.ID, "name": p.Name, "type": string(p.Type), "description": p.Description,
		"cashback": amt(cardbot.Amount(p.Cashback)), "welcome_bonus": amt(p.WelcomeBonus),
		"max_redeem_percent": amt(cardbot.Amount(p.MaxRedeemPercent)), "points_expire_days": num(p.PointsExpireDays),
		"discount": amt(cardbot.Amount(p.Discount)), "stamps": num(p.Stamps), "reward": p.Reward,
		"stamps_per_visit": num(p.StampsPerVisit), "stamp_per_amount": amt(p.StampPerAmount),
		"nominal": amt(p.Nominal), "valid_days": num(p.ValidDays), "visits": num(p.Visits),
	}
	if p.ValidUntil != nil {
		f["valid_until"] = p.ValidUntil.String()
	}
	if p.Archived {
		f["archived"] = "on"
	}
	var tiers []string
	for _, t := range p.Tiers {
		rate := t.Cashback
		if p.Type == cardbot.Discount {
			rate = t.Discount
		}
		tiers = append(tiers, fmt.Sprintf("%s; %s; %s", t.Name, t.MinSpend, cardbot.Amount(rate)))
	}
	f["tiers"] = strings.Join(tiers, "\n")
	return f
}

// parseProgram reads the form into a programme, taking only the fields of its type; the rules
// (ranges, required fields) are config.yaml's, checked by changeOverrides.
func parseProgram(f map[string]string) (cardbot.Program, error) {
	p := cardbot.Program{ID: f["id"], Name: f["name"], Type: cardbot.ProgramType(f["type"]),
		Description: f["description"], Archived: f["archived"] == "on"}
	if !programIDPattern.MatchString(p.ID) {
		return p, cardbot.Errorf(cardbot.Invalid, "the id is 1 to 32 of a-z, 0-9, _ and -, like coffee")
	}
	if p.Name == "" {
		return p, cardbot.Errorf(cardbot.Invalid, "the name customers see must be set")
	}
	if !slices.Contains(cardbot.ProgramTypes, p.Type) {
		return p, cardbot.Errorf(cardbot.Invalid, "%q is not a card type", p.Type)
	}
	var errs []error
	amount := func(name string) cardbot.Amount {
		if f[name] == "" {
			return 0
		}
		a, err := parseAmount(f[name])
		if err != nil {
			errs = append(errs, cardbot.Errorf(cardbot.Invalid, "%s: %q is not a number", name, f[name]))
		}
		return a
	}
	whole := func(name string) int {
		if f[name] == "" {
			return 0
		}
		n, err := strconv.Atoi(f[name])
		if err != nil {
			errs = append(errs, cardbot.Errorf(cardbot.Invalid, "%s: %q is not a whole number", name, f[name]))
		}
		return n
	}
	switch p.Type {
	case cardbot.Bonus:
		p.Cashback, p.WelcomeBonus = cardbot.Percent(amount("cashback")), amount("welcome_bonus")
		p.MaxRedeemPercent, p.PointsExpireDays = cardbot.Percent(amount("max_redeem_percent")), whole("points_expire_days")
	case cardbot.Discount:
		p.Discount = cardbot.Percent(amount("discount"))
	case cardbot.Stamp:
		p.Stamps, p.Reward = whole("stamps"), f["reward"]
		p.StampsPerVisit, p.StampPerAmount = whole("stamps_per_visit"), amount("stamp_per_amount")
	case cardbot.Certificate:
		p.Nominal, p.ValidDays = amount("nominal"), whole("valid_days")
		if f["valid_until"] != "" {
			d, err := cardbot.ParseDate(f["valid_until"])
			if err != nil {
				errs = append(errs, err)
			}
			p.ValidUntil = &d
		}
	case cardbot.Subscription:
		p.Visits, p.ValidDays = whole("visits"), whole("valid_days")
	}
	if p.Type == cardbot.Bonus || p.Type == cardbot.Discount {
		for i, line := range strings.Split(f["tiers"], "\n") {
			if strings.TrimSpace(line) == "" {
				continue
			}
			parts := strings.Split(line, ";")
			if len(parts) != 3 {
				errs = append(errs, cardbot.Errorf(cardbot.Invalid, "tier line %d: write it as name; min spend; %%", i+1))
				continue
			}
			t := cardbot.Tier{Name: strings.TrimSpace(parts[0])}
			spend, err1 := parseAmount(parts[1])
			rate, err2 := parseAmount(parts[2])
			if err1 != nil || err2 != nil || t.Name == "" {
				errs = append(errs, cardbot.Errorf(cardbot.Invalid, "tier line %d: write it as name; min spend; %%", i+1))
				continue
			}
			t.MinSpend = spend
			if p.Type == cardbot.Discount {
				t.Discount = cardbot.Percent(rate)
			} else {
				t.Cashback = cardbot.Percent(rate)
			}
			p.Tiers = append(p.Tiers, t)
		}
	}
	if len(errs) > 0 {
		return p, errs[0]
	}
	return p, nil
}
