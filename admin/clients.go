package admin

import (
	"net/mail"
	"strings"
	"unicode/utf8"

	"cardbot"
	"cardbot/wallet"

	"github.com/gofiber/fiber/v2"
)

// clientInput is the body of POST and PATCH /clients. Pointers tell "not sent" from "sent empty", so
// PATCH changes only what it names.
type clientInput struct {
	Name     *string       `json:"name"`
	Phone    *string       `json:"phone"`
	Email    *string       `json:"email"`
	Birthday *string       `json:"birthday"` // 1990-03-15, or --03-15 without the year
	Tags     *[]string     `json:"tags"`
	Consent  *consentInput `json:"consent"`
	Program  *string       `json:"program"` // POST only: issue a card of this programme at once
}

type consentInput struct {
	PersonalData bool `json:"personal_data"`
	Marketing    bool `json:"marketing"`
}

// apply checks every field of in and copies it onto client. It changes client only when all are valid.
func (a *API) apply(in clientInput, client *cardbot.Client, source string) error {
	next := *client
	country := a.cfg.Business.Country
	for _, err := range []error{
		setField(&next.Name, in.Name, normalizeName),
		setField(&next.Phone, in.Phone, func(raw string) (string, error) { return normalizePhone(raw, country) }),
		setField(&next.Email, in.Email, normalizeEmail),
		setField(&next.Birthday, in.Birthday, a.birthday),
	} {
		if err != nil {
			return err
		}
	}
	if in.Tags != nil {
		tags, err := normalizeTags(*in.Tags)
		if err != nil {
			return err
		}
		next.Tags = tags
	}
	if in.Consent != nil {
		next.Consent = cardbot.Consent{
			PersonalData: in.Consent.PersonalData, Marketing: in.Consent.Marketing,
			Source: source, At: a.clock.Now(),
		}
	}
	if next.Name == "" && next.Phone == "" && next.Email == "" {
		return cardbot.Errorf(cardbot.Invalid, "a client needs at least a name, a phone or an email")
	}
	*client = next
	return nil
}

// setField parses a field that was sent into dst; a field not sent leaves dst as it is.
func setField[T any](dst *T, raw *string, parse func(string) (T, error)) error {
	if raw == nil {
		return nil
	}
	v, err := parse(*raw)
	if err != nil {
		return err
	}
	*dst = v
	return nil
}

func normalizeName(raw string) (string, error) {
	name := strings.TrimSpace(raw)
	if utf8.RuneCountInString(name) > 200 || !utf8.ValidString(name) {
		return "", cardbot.Errorf(cardbot.Invalid, "name must be at most 200 characters")
	}
	return name, nil
}

// normalizePhone stores phones in E.164; an empty phone clears it.
func normalizePhone(raw, country string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", nil
	}
	return wallet.NormalizePhone(raw, country)
}

func normalizeEmail(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	addr, err := mail.ParseAddress(raw)
	if err != nil || len(raw) > 254 || addr.Name != "" {
		return "", cardbot.Errorf(cardbot.Invalid, "%q is not an email address like anna@example.com", raw)
	}
	return strings.ToLower(addr.Address), nil
}

func (a *API) birthday(raw string) (*cardbot.Date, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	d, err := cardbot.ParseDate(strings.TrimSpace(raw))
	if err != nil {
		return nil, err
	}
	if err := cardbot.CheckBirthday(d, a.clock.Now().In(a.loc)); err != nil {
		return nil, cardbot.Errorf(cardbot.Invalid, "birthday %s is not a plausible date of birth: %s", d, cardbot.MessageOf(err))
	}
	return &d, nil
}

func normalizeTags(raw []string) ([]string, error) {
	if len(raw) > 20 {
		return nil, cardbot.Errorf(cardbot.Invalid, "at most 20 tags, got %d", len(raw))
	}
	tags := make([]string, 0, len(raw))
	seen := map[string]bool{}
	for _, t := range raw {
		t = strings.TrimSpace(t)
		if t == "" || utf8.RuneCountInString(t) > 50 {
			return nil, cardbot.Errorf(cardbot.Invalid, "tags must be 1 to 50 characters")
		}
		if !seen[t] {
			seen[t] = true
			tags = append(tags, t)
		}
	}
	return tags, nil
}

// createClient makes a client and, when the body names a programme, issues their card in the same
// transaction, so a till never sees a client without the card it asked for.
func (a *API) createClient(c *fiber.Ctx) error {
	var in clientInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	now := a.clock.Now()
	client := cardbot.Client{Source: "api", CreatedAt: now, LastActivityAt: now}
	if err := a.apply(in, &client, actor(c)); err != nil {
		return err
	}
	var view clientView
	err := a.store.Update(c.UserContext(), func(tx cardbot.Tx) error {
		created := client
		if err := tx.CreateClient(&created); err != nil {
			return err
		}
		if in.Program != nil {
			if _, err := a.issue(tx, created.ID, *in.Program, actor(c)); err != nil {
				return err
			}
		}
		var err error
		view, err = a.clientView(tx, &created)
		return err
	})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(view)
}

func (a *API) getClient(c *fiber.Ctx) error {
	id, err := idParam(c, "id", "client id")
	if err != nil {
		return err
	}
	var view clientView
	err = a.store.View(c.UserContext(), func(tx cardbot.Tx) error {
		client, err := tx.Client(id)
		if err != nil {
			return err
		}
		view, err = a.clientView(tx, client)
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(view)
}

func (a *API) updateClient(c *fiber.Ctx) error {
	id, err := idParam(c, "id", "client id")
	if err != nil {
		return err
	}
	var in clientInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.Program != nil {
		return cardbot.Errorf(cardbot.Invalid, "issue cards with POST /api/v1/clients/%d/cards, not PATCH", id)
	}
	var view clientView
	err = a.store.Update(c.UserContext(), func(tx cardbot.Tx) error {
		client, err := tx.Client(id)
		if err != nil {
			return err
		}
		if err := a.apply(in, client, actor(c)); err != nil {
			return err
		}
		if err := tx.PutClient(client); err != nil {
			return err
		}
		view, err = a.clientView(tx, client)
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(view)
}

type clientPage struct {
	Clients   []clientView `json:"clients"`
	NextAfter uint64       `json:"next_after,omitempty"` // pass as ?after= for the next page; absent on the last
}

// listClients pages through all clients, or finds one by ?phone= or ?card=.
func (a *API) listClients(c *fiber.Ctx) error {
	after, limit, err := pageParams(c, "after")
	if err != nil {
		return err
	}
	find, err := a.finder(c)
	if err != nil {
		return err
	}
	page := clientPage{Clients: []clientView{}}
	err = a.store.View(c.UserContext(), func(tx cardbot.Tx) error {
		clients, err := find(tx, after, limit+1) // one more tells whether there is a next page
		if err != nil {
			return err
		}
		more := len(clients) > limit
		clients = clients[:min(len(clients), limit)]
		for _, client := range clients {
			view, err := a.clientView(tx, client)
			if err != nil {
				return err
			}
			page.Clients = append(page.Clients, view)
		}
		if more {
			page.NextAfter = clients[len(clients)-1].ID
		}
		return nil
	})
	if err != nil {
		return err
	}
	return c.JSON(page)
}

type clientFinder func(tx cardbot.Tx, after uint64, limit int) ([]*cardbot.Client, error)

// finder picks how listClients looks clients up from the query string.
func (a *API) finder(c *fiber.Ctx) (clientFinder, error) {
	phone, number := c.Query("phone"), c.Query("card")
	switch {
	case phone != "" && number != "":
		return nil, cardbot.Errorf(cardbot.Invalid, "find by phone or by card, not both")
	case phone != "":
		normalized, err := wallet.NormalizePhone(phone, a.cfg.Business.Country)
		if err != nil {
			return nil, err
		}
		return one(func(tx cardbot.Tx) (*cardbot.Client, error) { return tx.ClientByPhone(normalized) }), nil
	case number != "":
		return one(func(tx cardbot.Tx) (*cardbot.Client, error) {
			card, err := a.wallet.CardByNumber(tx, number)
			if err != nil {
				return nil, err
			}
			return tx.Client(card.ClientID)
		}), nil
	}
	return func(tx cardbot.Tx, after uint64, limit int) ([]*cardbot.Client, error) {
		return tx.Clients(after, limit)
	}, nil
}

// one turns a single lookup into a finder whose miss is an empty list, not an error.
func one(lookup func(cardbot.Tx) (*cardbot.Client, error)) clientFinder {
	return func(tx cardbot.Tx, _ uint64, _ int) ([]*cardbot.Client, error) {
		client, err := lookup(tx)
		if cardbot.CodeOf(err) == cardbot.NotFound {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return []*cardbot.Client{client}, nil
	}
}
