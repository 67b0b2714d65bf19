package main

import (
	"context"
	"crypto/rand"
	"fmt"

	"cardbot"
)

// unsubscribeSecretKey names the store setting that holds the secret signing the unsubscribe links of
// emails. It lives in the database, not in a file beside it: a backup carries it, so links in mails
// already sent keep working after a restore or a move to another machine.
const unsubscribeSecretKey = "email_unsubscribe_secret"

// unsubscribeTokens returns the tokens of the unsubscribe links, signed with the stored secret; the
// first start makes the secret and stores it. It is never replaced: links in old mails must keep
// working.
func unsubscribeTokens(ctx context.Context, db cardbot.Store) (*cardbot.UnsubscribeTokens, error) {
	var secret []byte
	err := db.View(ctx, func(tx cardbot.Tx) error {
		var err error
		secret, err = tx.Setting(unsubscribeSecretKey)
		return err
	})
	if err == nil && secret == nil {
		fresh := make([]byte, cardbot.UnsubscribeSecretSize)
		rand.Read(fresh)
		err = db.Update(ctx, func(tx cardbot.Tx) error {
			stored, err := tx.Setting(unsubscribeSecretKey)
			if err != nil || stored != nil {
				secret = stored // another start got there first
				return err
			}
			secret = fresh
			return tx.PutSetting(unsubscribeSecretKey, fresh)
		})
	}
	if err != nil {
		return nil, fmt.Errorf("the secret of the unsubscribe links: %w", err)
	}
	return cardbot.NewUnsubscribeTokens(secret)
}
