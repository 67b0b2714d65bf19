package wallet

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"cardbot"

	"github.com/nyaruka/phonenumbers"
)

// maxPhoneInput bounds what NormalizePhone reads: no phone number, however it is spaced, needs more,
// and longer input is refused before the parser spends time on it.
const maxPhoneInput = 40

// fallbackPhoneExample is shown when the region has no example number of its own.
const fallbackPhoneExample = "+7 916 123-45-67"

// NormalizePhone turns a phone number as people type it into E.164 ("+79161234567"). region is an ISO
// 3166 code such as "RU": it says which country a number typed without "+" belongs to, so "8 916
// 123 45 67", "89161234567" and "9161234567" all become +79161234567 with region RU. Spaces, dashes,
// dots, slashes and brackets are ignored. Empty input, letters, other symbols, input over 40
// characters and numbers of impossible length are refused with a cardbot.Invalid error whose message
// shows an example of a good number.
//
// The check is IsPossibleNumber (the length fits the country's numbering plan), not IsValidNumber
// (the number lies in a range the library's metadata knows to be allocated). Validity would refuse
// numbers from ranges allocated after the metadata was built, virtual operators' numbers and the
// test ranges staff type when trying things out; a customer who mistypes a possible number just never
// gets the code or message, which the flows notice anyway. Numbers only possible without an area code
// ("local only") are refused too: messages need the full number.
func NormalizePhone(raw, region string) (string, error) {
	region = strings.ToUpper(strings.TrimSpace(region))
	refuse := func(msg string) (string, error) {
		return "", cardbot.Errorf(cardbot.Invalid, "%s, like %s", msg, PhoneExample(region))
	}
	s := strings.TrimSpace(raw)
	if s == "" {
		return refuse("enter a phone number")
	}
	if len(raw) > maxPhoneInput {
		return refuse("that is too long for a phone number; write it")
	}
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0:
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '/':
		case unicode.IsSpace(r) || unicode.Is(unicode.Pd, r): // no-break spaces, typographic dashes
		case unicode.IsLetter(r):
			return refuse("a phone number has digits only, no letters; write it")
		default:
			return refuse(fmt.Sprintf("%q does not belong in a phone number; write it", r))
		}
	}
	if digits == 0 {
		return refuse("a phone number needs digits; write it")
	}

	num, err := phonenumbers.Parse(s, region)
	if err != nil {
		switch {
		case errors.Is(err, phonenumbers.ErrInvalidCountryCode) && !strings.HasPrefix(s, "+"):
			return refuse("start the number with + and the country code")
		case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
			return refuse("there is no such country code; write the number")
		case errors.Is(err, phonenumbers.ErrNumTooLong):
			return refuse("that is too long for a phone number; write it")
		default: // too short, not a number
			return refuse("that is too short for a phone number; write it")
		}
	}
	switch phonenumbers.IsPossibleNumberWithReason(num) {
	case phonenumbers.IS_POSSIBLE:
	case phonenumbers.TOO_SHORT, phonenumbers.IS_POSSIBLE_LOCAL_ONLY:
		return refuse("that is too short for a phone number; write it in full")
	case phonenumbers.TOO_LONG:
		return refuse("that is too long for a phone number; write it")
	case phonenumbers.INVALID_COUNTRY_CODE:
		return refuse("there is no such country code; write the number")
	default:
		return refuse("a number of that length does not exist in that country; write it")
	}
	e164 := phonenumbers.Format(num, phonenumbers.E164)
	if len(e164) > 16 { // E.164 allows 15 digits with the country code; some plans list longer ones
		return refuse("that is too long for a phone number; write it")
	}
	// The result must read back as itself. It does not when the digits after the country code begin
	// with the national prefix (0 or 8): the parser would strip it the next time, so the number is
	// ambiguous and the customer is better asked again.
	if again, err := phonenumbers.Parse(e164, ""); err != nil || phonenumbers.Format(again, phonenumbers.E164) != e164 {
		return refuse("that does not look like a phone number; write it")
	}
	return e164, nil
}

// PhoneExample is a mobile number of the region (an ISO 3166 code, any case) in international format,
// to show in error messages and re-asks; a fixed Russian number when the region has none.
func PhoneExample(region string) string {
	region = strings.ToUpper(strings.TrimSpace(region))
	if region == "" {
		return fallbackPhoneExample
	}
	ex := phonenumbers.GetExampleNumberForType(region, phonenumbers.MOBILE)
	if ex == nil {
		return fallbackPhoneExample
	}
	return phonenumbers.Format(ex, phonenumbers.INTERNATIONAL)
}

// KnownPhoneRegion reports whether region is an ISO 3166 code the phone numbering data knows, so
// that numbers typed without + can be read as belonging to it.
func KnownPhoneRegion(region string) bool {
	return phonenumbers.GetCountryCodeForRegion(region) != 0
}
