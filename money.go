package cardbot

import (
	"strconv"
	"strings"
)

// Amount is money or bonus points in hundredths (kopecks, cents; one point is one rouble), so every
// sum is exact. In JSON and YAML it is a decimal number with at most two fractional digits: 12.5, "12.50".
type Amount int64

// MaxAmount bounds every amount read from outside (a billion roubles); larger input is refused rather
// than risking overflow in sums.
const MaxAmount Amount = 100_000_000_000

// ParseAmount reads a decimal such as "150", "99.9", "-3.25" into an Amount. It refuses exponents,
// more than two fractional digits and anything beyond MaxAmount.
func ParseAmount(s string) (Amount, error) {
	s = strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || !digitsOnly(whole) || (hasDot && (frac == "" || !digitsOnly(frac))) {
		return 0, Errorf(Invalid, "%q is not a number like 150 or 99.90", s)
	}
	if len(frac) > 2 {
		return 0, Errorf(Invalid, "%q has more than two decimal places", s)
	}
	if len(whole) > 12 {
		return 0, Errorf(Invalid, "%q is too large", s)
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt((frac + "00")[:2], 10, 64)
	a := Amount(w*100 + f)
	if a > MaxAmount {
		return 0, Errorf(Invalid, "%q is too large", s)
	}
	if neg {
		a = -a
	}
	return a, nil
}

func digitsOnly(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// String renders the amount as a decimal: 150, 99.9, 0.05.
func (a Amount) String() string {
	sign := ""
	if a < 0 {
		sign, a = "-", -a
	}
	whole, frac := int64(a)/100, int64(a)%100
	if frac == 0 {
		return sign + strconv.FormatInt(whole, 10)
	}
	f := strconv.FormatInt(frac+100, 10)[1:]
	return sign + strconv.FormatInt(whole, 10) + "." + strings.TrimRight(f, "0")
}

// MarshalJSON writes the amount as a JSON number.
func (a Amount) MarshalJSON() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalJSON accepts a JSON number or a string holding one.
func (a *Amount) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	if s == "null" {
		return Errorf(Invalid, "amount must be a number, not null")
	}
	v, err := ParseAmount(s)
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// MarshalText writes the decimal form (used by YAML).
func (a Amount) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText reads the decimal form (used by YAML).
func (a *Amount) UnmarshalText(b []byte) error {
	v, err := ParseAmount(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// Percent is a percentage in hundredths of a percent (basis points): 5 % is 500, 7.5 % is 750.
type Percent int64

// Of returns the percentage of an amount, rounded down to the kopeck.
func (p Percent) Of(a Amount) Amount { return Amount(int64(a) * int64(p) / 10000) }

// String renders the percentage as a decimal without the sign: 5, 7.5.
func (p Percent) String() string { return Amount(p).String() }

// MarshalJSON writes the percentage as a JSON number.
func (p Percent) MarshalJSON() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalJSON reads a JSON number such as 7.5.
func (p *Percent) UnmarshalJSON(b []byte) error { return (*Amount)(p).UnmarshalJSON(b) }

// MarshalText writes the decimal form.
func (p Percent) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText reads the decimal form (used by YAML).
func (p *Percent) UnmarshalText(b []byte) error { return (*Amount)(p).UnmarshalText(b) }
