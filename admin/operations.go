package admin

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"cardbot"
	"cardbot/wallet"

	"github.com/gofiber/fiber/v2"
)

// operationInput is the body of POST /cards/:number/operations. Pointers tell which fields were sent,
// so a field that does not belong to the operation type is refused instead of silently ignored.
type operationInput struct {
	Type        cardbot.OpType  `json:"type"`
	Amount      *cardbot.Amount `json:"amount"`
	Purchase    *cardbot.Amount `json:"purchase"`
	Redeem      *cardbot.Amount `json:"redeem"`
	Count       *int64          `json:"count"`
	OperationID *uint64         `json:"operation_id"`
	Branch      string          `json:"branch"`
	Reason      string          `json:"reason"`
}

// operationFields lists, per type a caller may post, the fields it takes beyond branch and reason.
var operationFields = map[cardbot.OpType][]string{
	cardbot.OpPurchase: {"purchase", "redeem"},
	cardbot.OpAccrue:   {"amount"},
	cardbot.OpRedeem:   {"amount"},
	cardbot.OpStamp:    {"count"},
	cardbot.OpReward:   {},
	cardbot.OpSpend:    {"amount"},
	cardbot.OpVisit:    {"count"},
	cardbot.OpAdjust:   {"amount", "count"},
	cardbot.OpCancel:   {"operation_id"},
}

// request checks the input's shape and turns it into a wallet request; the wallet checks the rules.
func (in operationInput) request(actor string) (cardbot.OperationRequest, error) {
	allowed, ok := operationFields[in.Type]
	if !ok {
		return cardbot.OperationRequest{}, cardbot.Errorf(cardbot.Invalid,
			"type must be one of purchase, accrue, redeem, stamp, reward, spend, visit, adjust, cancel; got %q", in.Type)
	}
	sent := []struct {
		field   string
		present bool
	}{
		{"amount", in.Amount != nil}, {"purchase", in.Purchase != nil}, {"redeem", in.Redeem != nil},
		{"count", in.Count != nil}, {"operation_id", in.OperationID != nil},
	}
	for _, f := range sent { // in a fixed order, so the same request always gets the same message
		if f.present && !slices.Contains(allowed, f.field) {
			return cardbot.OperationRequest{}, cardbot.Errorf(cardbot.Invalid,
				"%s does not take %q (it takes: %s)", in.Type, f.field, strings.Join(allowed, ", "))
		}
	}
	if utf8.RuneCountInString(in.Branch) > 100 || utf8.RuneCountInString(in.Reason) > 500 {
		return cardbot.OperationRequest{}, cardbot.Errorf(cardbot.Invalid, "branch is limited to 100 characters and reason to 500")
	}
	req := cardbot.OperationRequest{
		Type: in.Type, Branch: strings.TrimSpace(in.Branch), Reason: strings.TrimSpace(in.Reason), Actor: actor,
	}
	if in.Amount != nil {
		req.Amount = *in.Amount
	}
	if in.Purchase != nil {
		req.Purchase = *in.Purchase
	}
	if in.Redeem != nil {
		req.Redeem = *in.Redeem
	}
	if in.Count != nil {
		req.Count = *in.Count
	}
	if in.OperationID != nil {
		req.Cancels = *in.OperationID
	}
	return req, nil
}

type operationResult struct {
	Operation operationView   `json:"operation"`
	Card      cardView        `json:"card"`
	Expired   []operationView `json:"expired,omitempty"` // points that expired before this operation
}

// postOperation applies an operation to a card. With an Idempotency-Key header, the outcome is kept
// in the same transaction as the operation: a retry with the same key and body gets the first answer
// again, a different body under the same key is refused. Refused operations change nothing and are not
// remembered, so a till may fix the request and send it again under the same key.
func (a *API) postOperation(c *fiber.Ctx) error {
	number, err := cardNumber(c)
	if err != nil {
		return err
	}
	key, err := idempotencyKey(c)
	if err != nil {
		return err
	}
	var in operationInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	req, err := in.request(actor(c))
	if err != nil {
		return err
	}
	req.IdempotencyKey = c.Get("Idempotency-Key") // as the till sent it; key is scoped to the API key
	hash := requestHash(c)
	var status int
	var body []byte
	err = a.store.Update(c.UserContext(), func(tx cardbot.Tx) error {
		if key != "" {
			prev, err := tx.Idempotent(key)
			if err != nil {
				return err
			}
			if prev != nil {
				if !bytes.Equal(prev.RequestHash, hash) {
					return cardbot.Errorf(cardbot.Conflict, "this Idempotency-Key was already used for a different request")
				}
				status, body = prev.Status, prev.Body
				return nil
			}
		}
		var err error
		status, body, err = a.applyOperation(tx, number, req)
		if err != nil || key == "" {
			return err
		}
		return tx.PutIdempotent(&cardbot.Idempotent{
			Key: key, RequestHash: hash, Status: status, Body: body, At: a.clock.Now(),
		})
	})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Status(status).Send(body)
}

func (a *API) applyOperation(tx cardbot.Tx, number string, req cardbot.OperationRequest) (int, []byte, error) {
	card, err := a.wallet.CardByNumber(tx, number)
	if err != nil {
		return 0, nil, err
	}
	res, err := a.operate(tx, card.ID, req)
	if err != nil {
		return 0, nil, err
	}
	unit := res.Card.Type.Unit()
	out := operationResult{Operation: operationViewOf(res.Operation, unit, 0), Card: a.cardView(res.Card)}
	for _, op := range res.Expired {
		out.Expired = append(out.Expired, operationViewOf(op, unit, 0))
	}
	body, err := json.Marshal(out)
	return fiber.StatusCreated, body, err
}

// operate applies an operation through the wallet and tells the client, in tx: the one way the API
// and the admin page record operations.
func (a *API) operate(tx cardbot.Tx, cardID uint64, req cardbot.OperationRequest) (*wallet.Result, error) {
	res, err := a.wallet.Apply(tx, cardID, req)
	if err != nil {
		return nil, err
	}
	if a.notify != nil {
		if err := a.notify.OperationNotice(tx, res.Card, res.Operation); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// idempotencyKey reads the Idempotency-Key header and scopes it to the API key, so two tills that
// happen to pick the same key do not see each other's answers.
func idempotencyKey(c *fiber.Ctx) (string, error) {
	raw := c.Get("Idempotency-Key")
	if raw == "" {
		return "", nil
	}
	if len(raw) > 200 {
		return "", cardbot.Errorf(cardbot.Invalid, "Idempotency-Key is limited to 200 characters")
	}
	scope := "anonymous"
	if k := caller(c); k != nil {
		scope = strconv.FormatUint(k.ID, 10)
	}
	return "op:" + scope + ":" + raw, nil
}

// requestHash identifies what was asked: the path (so the same key on another card differs) and body.
func requestHash(c *fiber.Ctx) []byte {
	h := sha256.New()
	h.Write([]byte(c.Path()))
	h.Write([]byte{0})
	h.Write(c.Body())
	return h.Sum(nil)
}
