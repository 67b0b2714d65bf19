package wallet

import (
	"crypto/rand"
	"encoding/base32"
	"errors"
	"strings"

	"cardbot"
)

// maxCodeTries bounds the search for an unused referral code. With 40 random bits a clash is
// already unlikely among millions of clients; several in a row mean something else is wrong.
const maxCodeTries = 8

// AssignReferralCode gives the client an unused referral code, the key of their invite links; the
// caller saves the client in the same transaction. The bot gives one to every client it creates
// (and to others when they first ask for an invite link), the mini-site form to every new client.
func AssignReferralCode(tx cardbot.Tx, c *cardbot.Client) error {
	for range maxCodeTries {
		// Random rather than derived from the transaction: a re-run of the transaction just draws
		// another code, which nobody outside has seen yet.
		code := newReferralCode()
		_, err := tx.ClientByReferralCode(code)
		switch {
		case cardbot.CodeOf(err) == cardbot.NotFound:
			c.ReferralCode = code
			return nil
		case err != nil:
			return err
		}
	}
	return errors.New("wallet: no unused referral code found")
}

var referralEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newReferralCode is 8 characters of lower-case base32: short enough to dictate, 40 random bits.
func newReferralCode() string {
	b := make([]byte, 5)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return strings.ToLower(referralEncoding.EncodeToString(b))
}
