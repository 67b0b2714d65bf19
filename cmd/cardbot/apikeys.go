package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"cardbot"
	"cardbot/admin"
	"cardbot/store"
)

// `cardbot apikey list` and `cardbot apikey revoke`: like create, they work through the running
// service's control socket, or on the database when the service is stopped.

type apikeyListAnswer struct {
	Keys []*cardbot.APIKey `json:"keys"`
}

type apikeyRevokeRequest struct {
	Which string `json:"which"`
}

type apikeyRevokeAnswer struct {
	Key *cardbot.APIKey `json:"key"`
}

func apikeyList(ctx context.Context, cfg cardbot.Config, stdout io.Writer) error {
	var answer apikeyListAnswer
	err := withService(ctx, cfg,
		func() error { return callControl(ctx, cfg.DataDir, "/apikeys/list", struct{}{}, &answer) },
		func(db *store.DB) error {
			var err error
			answer.Keys, err = admin.APIKeys(ctx, db)
			return err
		})
	if err != nil {
		return err
	}
	if len(answer.Keys) == 0 {
		fmt.Fprintln(stdout, "no API keys yet: make one with cardbot apikey create NAME")
		return nil
	}
	loc := businessLocation(cfg)
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tPREFIX\tCREATED\tSTATUS")
	for _, k := range answer.Keys {
		status := "active"
		if k.Revoked {
			status = "revoked"
			if !k.RevokedAt.IsZero() {
				status += " " + k.RevokedAt.In(loc).Format("2006-01-02 15:04 MST")
			}
		}
		fmt.Fprintf(w, "%s\t%s…\t%s\t%s\n", k.Name, k.Prefix, k.CreatedAt.In(loc).Format("2006-01-02 15:04 MST"), status)
	}
	return w.Flush()
}

func apikeyRevoke(ctx context.Context, cfg cardbot.Config, which string, stdout io.Writer) error {
	var answer apikeyRevokeAnswer
	err := withService(ctx, cfg,
		func() error {
			return callControl(ctx, cfg.DataDir, "/apikeys/revoke", apikeyRevokeRequest{Which: which}, &answer)
		},
		func(db *store.DB) error {
			var err error
			answer.Key, err = admin.RevokeAPIKey(ctx, db, which, cardbot.SystemClock{}.Now())
			return err
		})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "API key %q (%s…) is revoked: requests with it now get 401\n", answer.Key.Name, answer.Key.Prefix)
	return nil
}

// businessLocation is the business timezone for printing times, UTC when it does not load.
func businessLocation(cfg cardbot.Config) *time.Location {
	if loc, err := time.LoadLocation(cfg.Business.Timezone); err == nil {
		return loc
	}
	return time.UTC
}
