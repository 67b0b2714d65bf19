package flows

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"cardbot"
)

// Staff command names.
const (
	staffFind   = "find"
	staffBuy    = "buy"
	staffAdd    = "add"
	staffStamp  = "stamp"
	staffCancel = "cancel"
)

var staffCommandNames = []string{staffFind, staffBuy, staffAdd, staffStamp, staffCancel}

func isStaffCommand(name string) bool { return slices.Contains(staffCommandNames, name) }

// Bounds on staff command arguments, beyond cardbot.MaxAmount for sums.
const (
	maxQueryRunes = 64  // a phone or card number, however it is spaced
	maxCardDigits = 32  // card numbers are far shorter; the bound keeps junk out of lookups
	maxStamps     = 100 // as many as the wallet takes in one operation
)

// StaffCommand is a staff command read from a message:
//
//	/find <phone or card number>
//	/buy <card> <sum> [redeem <points>]
//	/add <card> <points>
//	/stamp <card> [count]
//	/cancel <operation id>
type StaffCommand struct {
	Name   string         // find, buy, add, stamp, cancel
	Query  string         // find: what was typed, spaces collapsed
	Card   string         // buy, add, stamp: the card number
	Sum    cardbot.Amount // buy: the purchase sum
	Redeem cardbot.Amount // buy: points paid with; 0 for none
	Points cardbot.Amount // add
	Count  int64          // stamp; 1 when not given
	OpID   uint64         // cancel
}

// redeemWords introduce the points paid with in /buy.
var redeemWords = []string{"redeem", "списать"}

// ParseStaffCommand reads a staff command. It refuses, with a cardbot.Invalid error, anything that is
// not one of the commands with well-formed arguments: sums must be positive (a comma works as the
// decimal mark), card numbers digits, counts and operation ids positive whole numbers. Whether the
// card exists and the operation is allowed is the wallet's to say.
func ParseStaffCommand(text string) (StaffCommand, error) {
	c, ok := parseCommand(text)
	if !ok || !isStaffCommand(c.name) {
		return StaffCommand{}, cardbot.Errorf(cardbot.Invalid, "not a staff command")
	}
	args := strings.Fields(c.args)
	sc := StaffCommand{Name: c.name}
	var err error
	switch c.name {
	case staffFind:
		err = sc.parseFind(args)
	case staffBuy:
		err = sc.parseBuy(args)
	case staffAdd:
		err = sc.parseAdd(args)
	case staffStamp:
		err = sc.parseStamp(args)
	case staffCancel:
		err = sc.parseCancel(args)
	}
	if err != nil {
		return StaffCommand{}, err
	}
	return sc, nil
}

func (sc *StaffCommand) parseFind(args []string) error {
	sc.Query = strings.Join(args, " ")
	if sc.Query == "" || utf8.RuneCountInString(sc.Query) > maxQueryRunes {
		return usage("/find <phone or card number>")
	}
	return nil
}

func (sc *StaffCommand) parseAdd(args []string) error {
	if len(args) != 2 {
		return usage("/add <card> <points>")
	}
	var err error
	if sc.Card, err = cardArg(args[0]); err != nil {
		return err
	}
	sc.Points, err = amountArg(args[1])
	return err
}

func (sc *StaffCommand) parseCancel(args []string) error {
	var err error
	if len(args) == 1 {
		sc.OpID, err = strconv.ParseUint(args[0], 10, 64)
	}
	if len(args) != 1 || err != nil || sc.OpID == 0 {
		return usage("/cancel <operation id>")
	}
	return nil
}

func (sc *StaffCommand) parseBuy(args []string) error {
	if len(args) != 2 && (len(args) != 4 || !slices.Contains(redeemWords, strings.ToLower(args[2]))) {
		return usage("/buy <card> <sum> [redeem <points>]")
	}
	var err error
	if sc.Card, err = cardArg(args[0]); err != nil {
		return err
	}
	if sc.Sum, err = amountArg(args[1]); err != nil {
		return err
	}
	if len(args) == 4 {
		sc.Redeem, err = amountArg(args[3])
	}
	return err
}

func (sc *StaffCommand) parseStamp(args []string) error {
	if len(args) != 1 && len(args) != 2 {
		return usage("/stamp <card> [count]")
	}
	var err error
	if sc.Card, err = cardArg(args[0]); err != nil {
		return err
	}
	sc.Count = 1
	if len(args) == 2 {
		sc.Count, err = strconv.ParseInt(args[1], 10, 64)
		if err != nil || sc.Count < 1 || sc.Count > maxStamps {
			return cardbot.Errorf(cardbot.Invalid, "the number of stamps must be from 1 to %d", maxStamps)
		}
	}
	return nil
}

func usage(form string) error {
	return cardbot.Errorf(cardbot.Invalid, "usage: %s", form)
}

// cardArg checks a card number: digits only.
func cardArg(s string) (string, error) {
	if s == "" || len(s) > maxCardDigits || strings.Trim(s, "0123456789") != "" {
		return "", cardbot.Errorf(cardbot.Invalid, "%q is not a card number", s)
	}
	return s, nil
}

// amountArg reads a positive sum; staff type "99,90" as often as "99.90".
func amountArg(s string) (cardbot.Amount, error) {
	a, err := cardbot.ParseAmount(strings.Replace(s, ",", ".", 1))
	if err != nil {
		return 0, err
	}
	if a <= 0 {
		return 0, cardbot.Errorf(cardbot.Invalid, "%q must be above zero", s)
	}
	return a, nil
}

// String writes the command in its canonical form, which ParseStaffCommand reads back as the same.
func (sc StaffCommand) String() string {
	parts := []string{"/" + sc.Name}
	switch sc.Name {
	case staffFind:
		parts = append(parts, sc.Query)
	case staffBuy:
		parts = append(parts, sc.Card, sc.Sum.String())
		if sc.Redeem != 0 {
			parts = append(parts, "redeem", sc.Redeem.String())
		}
	case staffAdd:
		parts = append(parts, sc.Card, sc.Points.String())
	case staffStamp:
		parts = append(parts, sc.Card)
		if sc.Count != 1 {
			parts = append(parts, strconv.FormatInt(sc.Count, 10))
		}
	case staffCancel:
		parts = append(parts, strconv.FormatUint(sc.OpID, 10))
	}
	return strings.Join(parts, " ")
}

// Request is the wallet request the command asks for (find asks for none), signed by actor.
func (sc StaffCommand) Request(actor string) cardbot.OperationRequest {
	req := cardbot.OperationRequest{Actor: actor}
	switch sc.Name {
	case staffBuy:
		req.Type, req.Purchase, req.Redeem = cardbot.OpPurchase, sc.Sum, sc.Redeem
	case staffAdd:
		req.Type, req.Amount = cardbot.OpAccrue, sc.Points
	case staffStamp:
		req.Type, req.Count = cardbot.OpStamp, sc.Count
	case staffCancel:
		req.Type, req.Cancels = cardbot.OpCancel, sc.OpID
	}
	return req
}
