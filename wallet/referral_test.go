package wallet_test

import (
	"context"
	"path/filepath"
	"regexp"
	"testing"

	"cardbot"
	"cardbot/store"
	"cardbot/wallet"
)

var codeShape = regexp.MustCompile(`^[a-z2-7]{8}$`)

func TestReferralCodesAreShortUniqueAndLowerCase(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "cardbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	seen := map[string]bool{}
	for i := range 200 {
		c := &cardbot.Client{Name: "client"}
		err := db.Update(context.Background(), func(tx cardbot.Tx) error {
			if err := wallet.AssignReferralCode(tx, c); err != nil {
				return err
			}
			return tx.CreateClient(c)
		})
		if err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
		if !codeShape.MatchString(c.ReferralCode) || seen[c.ReferralCode] {
			t.Fatalf("client %d: code %q (seen before: %v)", i, c.ReferralCode, seen[c.ReferralCode])
		}
		seen[c.ReferralCode] = true
	}
}
