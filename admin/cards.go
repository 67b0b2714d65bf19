package admin

import (
	"strings"

	"cardbot"
	"cardbot/wallet"

	"github.com/gofiber/fiber/v2"
)

type issueInput struct {
	Program string `json:"program"`
}

type issuedView struct {
	Card    cardView       `json:"card"`
	Opening *operationView `json:"opening,omitempty"` // the welcome bonus, nominal or visits it opened with
}

func (a *API) issueCard(c *fiber.Ctx) error {
	clientID, err := idParam(c, "id", "client id")
	if err != nil {
		return err
	}
	var in issueInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.Program == "" {
		return cardbot.Errorf(cardbot.Invalid, "name the programme: {\"program\": \"bonus\"}")
	}
	var view issuedView
	err = a.store.Update(c.UserContext(), func(tx cardbot.Tx) error {
		issued, err := a.issue(tx, clientID, in.Program, actor(c))
		if err != nil {
			return err
		}
		view = issuedView{Card: a.cardView(issued.Card)}
		if issued.Opening != nil {
			op := operationViewOf(issued.Opening, issued.Card.Type.Unit(), 0)
			view.Opening = &op
		}
		return nil
	})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(view)
}

// cardNumber reads the :number path parameter; numbers are digits, so anything else is refused early.
func cardNumber(c *fiber.Ctx) (string, error) {
	number := c.Params("number")
	if number == "" || len(number) > 32 || strings.Trim(number, "0123456789") != "" {
		return "", cardbot.Errorf(cardbot.Invalid, "card number must be digits, got %q", number)
	}
	return number, nil
}

func (a *API) getCard(c *fiber.Ctx) error {
	number, err := cardNumber(c)
	if err != nil {
		return err
	}
	var view cardView
	err = a.store.View(c.UserContext(), func(tx cardbot.Tx) error {
		card, err := a.wallet.CardByNumber(tx, number)
		if err != nil {
			return err
		}
		view = a.cardView(card)
		return nil
	})
	if err != nil {
		return err
	}
	return c.JSON(view)
}

func (a *API) blockCard(c *fiber.Ctx) error   { return a.setStatus(c, cardbot.CardBlocked) }
func (a *API) unblockCard(c *fiber.Ctx) error { return a.setStatus(c, cardbot.CardActive) }

// setStatus blocks or unblocks a card. Doing it twice is harmless: the answer is the card as it is.
func (a *API) setStatus(c *fiber.Ctx, status cardbot.CardStatus) error {
	number, err := cardNumber(c)
	if err != nil {
		return err
	}
	if len(c.Body()) > 0 {
		return cardbot.Errorf(cardbot.Invalid, "this endpoint takes no body")
	}
	var view cardView
	err = a.store.Update(c.UserContext(), func(tx cardbot.Tx) error {
		card, err := a.wallet.CardByNumber(tx, number)
		if err != nil {
			return err
		}
		if card.Status != status {
			card.Status = status
			if err := tx.PutCard(card); err != nil {
				return err
			}
		}
		view = a.cardView(card)
		return nil
	})
	if err != nil {
		return err
	}
	return c.JSON(view)
}

type operationPage struct {
	Operations []operationView `json:"operations"`
	NextBefore uint64          `json:"next_before,omitempty"` // pass as ?before= for older entries; absent on the last page
}

// listOperations pages through a card's ledger, newest first.
func (a *API) listOperations(c *fiber.Ctx) error {
	number, err := cardNumber(c)
	if err != nil {
		return err
	}
	before, limit, err := pageParams(c, "before")
	if err != nil {
		return err
	}
	page := operationPage{Operations: []operationView{}}
	err = a.store.View(c.UserContext(), func(tx cardbot.Tx) error {
		card, err := a.wallet.CardByNumber(tx, number)
		if err != nil {
			return err
		}
		views, next, err := ledgerViews(tx, card, before, limit)
		page.Operations, page.NextBefore = append(page.Operations, views...), next
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(page)
}

// issue gives the client a card and tells them in the same transaction, as every other way of
// issuing does (the card_issued notice, and what the automation hangs on it: the welcome message,
// a sign-up referral reward). A card that opens at zero has no opening entry to tell.
func (a *API) issue(tx cardbot.Tx, clientID uint64, program, actor string) (*wallet.Issued, error) {
	issued, err := a.wallet.Issue(tx, clientID, program, actor)
	if err != nil || issued.Opening == nil || a.notify == nil {
		return issued, err
	}
	return issued, a.notify.OperationNotice(tx, issued.Card, issued.Opening)
}
