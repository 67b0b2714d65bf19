package admin

import (
	"encoding/hex"
	"html/template"
	"net/url"
	"strconv"
	"strings"

	"cardbot"

	"github.com/gofiber/fiber/v2"
)

const (
	clientsPerPage  = 50
	messagesPerPage = 100
)

type clientRow struct {
	*cardbot.Client
	Cards []cardView
}

type clientsData struct {
	Q, Program, From, To string
	Programs             []cardbot.Program
	Rows                 []clientRow
	Next                 template.URL // the link to the next page, "" at the end
	Error                string
}

// clients is the client list and search: a full page, or with htmx only the results.
func (p *Page) clients(c *fiber.Ctx) error {
	d := clientsData{
		Q: strings.TrimSpace(c.Query("q")), Program: c.Query("program"), From: c.Query("from"), To: c.Query("to"),
		Programs: p.wallet().Programs(),
	}
	q, err := p.clientQuery(c, d)
	if err != nil {
		d.Error = cardbot.MessageOf(err)
	} else if err := p.search(c, q, &d); err != nil {
		return err
	}
	if c.Get("HX-Request") != "" && c.Get("HX-Target") == "results" {
		return p.fragment(c, "clients", "results", d)
	}
	return p.render(c, "clients", "Clients", d)
}

func (p *Page) clientQuery(c *fiber.Ctx, d clientsData) (cardbot.ClientQuery, error) {
	q := cardbot.ClientQuery{Text: d.Q, ProgramID: d.Program, Limit: clientsPerPage}
	if s := c.Query("before"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return q, cardbot.Errorf(cardbot.Invalid, "bad page")
		}
		q.Before = v
	}
	var err error
	if q.ActiveFrom, err = parseDay(d.From, p.loc()); err != nil {
		return q, err
	}
	to, err := parseDay(d.To, p.loc())
	if err != nil {
		return q, err
	}
	if !to.IsZero() {
		q.ActiveTo = to.AddDate(0, 0, 1) // the last day is included
	}
	return q, nil
}

func (p *Page) search(c *fiber.Ctx, q cardbot.ClientQuery, d *clientsData) error {
	return p.store().View(c.UserContext(), func(tx cardbot.Tx) error {
		page, err := tx.SearchClients(q)
		if err != nil {
			return err
		}
		for _, cl := range page.Clients {
			v, err := p.api.clientView(tx, cl)
			if err != nil {
				return err
			}
			d.Rows = append(d.Rows, clientRow{Client: cl, Cards: v.Cards})
		}
		if page.Next != 0 {
			next := url.Values{"q": {d.Q}, "program": {d.Program}, "from": {d.From}, "to": {d.To},
				"before": {strconv.FormatUint(page.Next, 10)}}
			d.Next = template.URL("/admin/clients?" + next.Encode()) // built here from encoded values
		}
		return nil
	})
}

// opForm is one operation a card of some type takes from the admin page.
type opForm struct {
	Type   cardbot.OpType
	Fields []string // amount, purchase, redeem, count
}

// cardOps are the operation forms per card type; cancel is on every ledger line.
var cardOps = map[cardbot.ProgramType][]opForm{
	cardbot.Bonus:        {{cardbot.OpPurchase, []string{"purchase", "redeem"}}, {cardbot.OpAccrue, []string{"amount"}}, {cardbot.OpRedeem, []string{"amount"}}},
	cardbot.Discount:     {{cardbot.OpPurchase, []string{"purchase"}}},
	cardbot.Stamp:        {{cardbot.OpStamp, []string{"count"}}, {cardbot.OpReward, nil}},
	cardbot.Certificate:  {{cardbot.OpSpend, []string{"amount"}}},
	cardbot.Subscription: {{cardbot.OpVisit, []string{"count"}}},
}

type cardBlock struct {
	cardView
	Ops     []opForm
	Ledger  []operationView
	Balance string
}

type clientData struct {
	Client   *cardbot.Client
	Cards    []cardBlock
	Messages []*cardbot.Message
	// MessagesBefore pages the history: the id to pass as ?messages_before= for older ones, 0 at the end.
	MessagesBefore uint64
	Friends        []*cardbot.Client
	Referrer       *cardbot.Client
	Ratings        []ratingRow // the client's visit ratings, newest first
	OpKey          string      // makes a form posted twice count once
	Error          string
}

func (p *Page) client(c *fiber.Ctx) error {
	id, ok := pathID(c)
	if !ok {
		return p.notFound(c)
	}
	d, err := p.clientData(c, id)
	if cardbot.CodeOf(err) == cardbot.NotFound {
		return p.notFound(c)
	}
	if err != nil {
		return err
	}
	v := p.newView(c, clientTitle(d.Client), d)
	switch c.Query("done") {
	case "op":
		v.Flash = "Done: the operation is recorded and the client is told."
	case "again":
		v.Flash = "This form was already sent: the operation is recorded once."
	}
	return p.renderView(c, "client", "layout", v)
}

// clientTitle names a client's page: the name, or the phone when there is none.
func clientTitle(cl *cardbot.Client) string {
	if cl.Name == "" {
		return cl.Phone
	}
	return cl.Name
}

func (p *Page) clientData(c *fiber.Ctx, id uint64) (clientData, error) {
	d := clientData{OpKey: randomToken()}
	err := p.store().View(c.UserContext(), func(tx cardbot.Tx) error {
		cl, err := tx.Client(id)
		if err != nil {
			return err
		}
		d.Client = cl
		cards, err := tx.ClientCards(id)
		if err != nil {
			return err
		}
		for _, card := range cards {
			b := cardBlock{cardView: p.api.cardView(card), Ops: cardOps[card.Type],
				Balance: card.Type.Unit().Number(card.Balance)}
			if b.Ledger, _, err = ledgerViews(tx, card, 0, 30); err != nil {
				return err
			}
			d.Cards = append(d.Cards, b)
		}
		before, _ := strconv.ParseUint(c.Query("messages_before"), 10, 64)
		if d.Messages, err = tx.ClientMessages(id, before, messagesPerPage); err != nil {
			return err
		}
		if len(d.Messages) == messagesPerPage {
			d.MessagesBefore = d.Messages[len(d.Messages)-1].ID
		}
		if cl.ReferredBy != 0 {
			if d.Referrer, err = tx.Client(cl.ReferredBy); cardbot.CodeOf(err) == cardbot.NotFound {
				err = nil
			}
			if err != nil {
				return err
			}
		}
		if d.Ratings, err = p.clientRatings(tx, id); err != nil {
			return err
		}
		d.Friends, err = tx.ReferredClients(id) // the store's referral index, not a scan
		return err
	})
	return d, err
}

// operation records an operation on one of the client's cards through the same wallet call and
// notifier as the API. The form's one-time key is kept with the operation, so a double click or a
// resent form records it once.
func (p *Page) operation(c *fiber.Ctx) error {
	id, ok := pathID(c)
	if !ok {
		return p.notFound(c)
	}
	w := whoOf(c)
	req, err := operationForm(c, "admin:"+w.name)
	number := c.FormValue("card")
	key := "admin:" + hex.EncodeToString(w.session.ID[:8]) + ":" + c.FormValue("op_key")
	again := false
	if err == nil {
		hash := requestHash(c)
		err = p.store().Update(c.UserContext(), func(tx cardbot.Tx) error {
			again = false
			if c.FormValue("op_key") != "" {
				prev, err := tx.Idempotent(key)
				if err != nil {
					return err
				}
				if prev != nil {
					again = true
					return nil
				}
			}
			card, err := tx.CardByNumber(number)
			if cardbot.CodeOf(err) == cardbot.NotFound || (err == nil && card.ClientID != id) {
				return cardbot.Errorf(cardbot.NotFound, "this client has no card %s", number)
			}
			if err != nil {
				return err
			}
			if _, err := p.api.operate(tx, card.ID, req); err != nil {
				return err
			}
			if c.FormValue("op_key") == "" {
				return nil
			}
			return tx.PutIdempotent(&cardbot.Idempotent{Key: key, RequestHash: hash, Status: fiber.StatusCreated, At: p.now()})
		})
	}
	if msg, err := refused(err); err != nil || msg != "" {
		if err != nil {
			return err
		}
		d, err := p.clientData(c, id)
		if err != nil {
			return err
		}
		d.Error = msg
		c.Status(fiber.StatusBadRequest)
		return p.render(c, "client", clientTitle(d.Client), d)
	}
	if !again {
		p.log().Info("admin: operation", "client", id, "card", number, "type", req.Type, "user", w.name)
	}
	done := "op"
	if again {
		done = "again"
	}
	return c.Redirect("/admin/clients/"+strconv.FormatUint(id, 10)+"?done="+done+"#card-"+url.PathEscape(number), fiber.StatusSeeOther)
}

// operationForm reads an operation form into the API's operation input and checks it the API's way.
func operationForm(c *fiber.Ctx, actor string) (cardbot.OperationRequest, error) {
	in := operationInput{Type: cardbot.OpType(c.FormValue("type")), Branch: c.FormValue("branch"), Reason: c.FormValue("reason")}
	amount := func(name string) (*cardbot.Amount, error) {
		s := strings.TrimSpace(c.FormValue(name))
		if s == "" {
			return nil, nil
		}
		a, err := parseAmount(s)
		return &a, err
	}
	var err error
	fields := []struct {
		name string
		dst  **cardbot.Amount
	}{{"amount", &in.Amount}, {"purchase", &in.Purchase}, {"redeem", &in.Redeem}}
	for _, f := range fields {
		if *f.dst, err = amount(f.name); err != nil {
			return cardbot.OperationRequest{}, err
		}
	}
	if s := strings.TrimSpace(c.FormValue("count")); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return cardbot.OperationRequest{}, cardbot.Errorf(cardbot.Invalid, "%q is not a whole number", s)
		}
		in.Count = &n
	}
	if s := c.FormValue("operation_id"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return cardbot.OperationRequest{}, cardbot.Errorf(cardbot.Invalid, "bad operation id")
		}
		in.OperationID = &n
	}
	if in.Type == cardbot.OpPurchase && in.Redeem != nil && *in.Redeem == 0 {
		in.Redeem = nil
	}
	return in.request(actor)
}

// parseAmount reads an amount as typed in a form: surrounding spaces and a decimal comma (99,90)
// are fine.
func parseAmount(s string) (cardbot.Amount, error) {
	return cardbot.ParseAmount(strings.ReplaceAll(strings.TrimSpace(s), ",", "."))
}
