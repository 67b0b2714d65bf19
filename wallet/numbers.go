package wallet

import (
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"

	"cardbot"
)

// numberAttempts bounds the search for a free card number. With a random number the chance that all
// attempts hit taken numbers is (taken share)^numberAttempts: negligible until the space is nearly full,
// and then the owner should lengthen the numbers rather than have issuing slow down.
const numberAttempts = 100

// numberRules are the card_numbers settings, checked once.
type numberRules struct {
	prefix     string
	sequential bool
	luhn       bool
	body       int // digits between the prefix and the check digit
}

func parseNumberRules(r cardbot.CardNumberRules) (numberRules, error) {
	rules := numberRules{prefix: r.Prefix, luhn: r.Luhn}
	switch r.Mode {
	case cardbot.NumbersRandom, "":
	case cardbot.NumbersSequential:
		rules.sequential = true
	default:
		return rules, cardbot.Errorf(cardbot.Invalid, "card_numbers: mode %q is neither %s nor %s",
			r.Mode, cardbot.NumbersRandom, cardbot.NumbersSequential)
	}
	if !isDigits(r.Prefix) {
		return rules, cardbot.Errorf(cardbot.Invalid, "card_numbers: prefix %q must be digits only", r.Prefix)
	}
	rules.body = r.Length - len(r.Prefix)
	if r.Luhn {
		rules.body--
	}
	if rules.body < 1 {
		return rules, cardbot.Errorf(cardbot.Invalid,
			"card_numbers: length %d leaves no digits after the prefix %q and the check digit", r.Length, r.Prefix)
	}
	return rules, nil
}

// newNumber returns a card number no card has yet.
func (w *Wallet) newNumber(tx cardbot.Tx) (string, error) {
	for range numberAttempts {
		body, err := w.numberBody(tx)
		if err != nil {
			return "", err
		}
		number := w.numbers.prefix + body
		if w.numbers.luhn {
			number += string(luhnDigit(number))
		}
		_, err = tx.CardByNumber(number)
		if cardbot.CodeOf(err) == cardbot.NotFound {
			return number, nil
		}
		if err != nil {
			return "", err
		}
		// Taken: by chance (random), or by a card imported or issued before the mode changed (sequential).
	}
	return "", cardbot.Errorf(cardbot.Conflict,
		"no free card number found in %d attempts: make card numbers longer", numberAttempts)
}

// numberBody returns the digits between the prefix and the check digit: random, or the next value of the
// card_number sequence padded with zeros.
func (w *Wallet) numberBody(tx cardbot.Tx) (string, error) {
	if !w.numbers.sequential {
		return randomDigits(w.numbers.body)
	}
	n, err := tx.NextSequence("card_number")
	if err != nil {
		return "", err
	}
	s := strconv.FormatUint(n, 10)
	if len(s) > w.numbers.body {
		return "", cardbot.Errorf(cardbot.Conflict,
			"sequential card numbers have run out: card %d needs more than %d digits after the prefix", n, w.numbers.body)
	}
	return strings.Repeat("0", w.numbers.body-len(s)) + s, nil
}

// randomDigits returns n uniformly random decimal digits. Bytes of 250 and above are skipped, so every
// digit is equally likely.
func randomDigits(n int) (string, error) {
	digits := make([]byte, 0, n)
	var buf [32]byte
	for len(digits) < n {
		if _, err := rand.Read(buf[:]); err != nil {
			return "", fmt.Errorf("card number: %w", err)
		}
		for _, b := range buf {
			if b < 250 && len(digits) < n {
				digits = append(digits, '0'+b%10)
			}
		}
	}
	return string(digits), nil
}

// newToken returns 128 random bits as lower-case base32 without padding (26 characters): safe in a URL
// and easy to read aloud if it ever has to be.
func newToken() string {
	return strings.ToLower(rand.Text())
}

// luhnDigit returns the check digit to append to a string of digits.
func luhnDigit(digits string) byte {
	sum := 0
	// Counting from the right, the check digit will be position 1, so the last payload digit is doubled.
	double := true
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return byte('0' + (10-sum%10)%10)
}

// ValidLuhn reports whether a number of at least two digits ends in a correct Luhn check digit. The
// admin page and the till API can use it to catch a mistyped card number before looking it up.
func ValidLuhn(number string) bool {
	if len(number) < 2 || !isDigits(number) {
		return false
	}
	return luhnDigit(number[:len(number)-1]) == number[len(number)-1]
}

func isDigits(s string) bool {
	return strings.Trim(s, "0123456789") == ""
}

// CardByNumber finds a card by its number as a till or a cashier typed it. When no card has the number
// and the rules add a check digit that this number fails, the answer says it is probably mistyped
// (cards issued before the check digit was switched on are still found: the lookup comes first).
func (w *Wallet) CardByNumber(tx cardbot.Tx, number string) (*cardbot.Card, error) {
	card, err := tx.CardByNumber(number)
	if cardbot.CodeOf(err) == cardbot.NotFound && w.numbers.luhn && isDigits(number) && len(number) >= 2 && !ValidLuhn(number) {
		return nil, cardbot.Errorf(cardbot.NotFound,
			"card number %s not found: its last digit does not check out, so it is probably mistyped", number)
	}
	return card, err
}
