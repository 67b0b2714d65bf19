package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"cardbot"
	"cardbot/admin"
	"cardbot/store"
)

// withService does work through the running service when there is one, or on the database directly.
func withService(ctx context.Context, cfg cardbot.Config, viaSocket func() error, direct func(*store.DB) error) error {
	err := viaSocket()
	if !errors.Is(err, errNoServer) {
		return err
	}
	db, err := store.Open(dbPath(cfg))
	if err != nil {
		return err
	}
	return errors.Join(direct(db), db.Close())
}

func apikeyCommand(ctx context.Context, args []string, stdout io.Writer) error {
	const use = "usage: cardbot apikey create NAME | apikey list | apikey revoke NAME|PREFIX"
	path, rest, err := parseFlags("apikey", args)
	if err != nil {
		return err
	}
	switch {
	case len(rest) == 2 && (rest[0] == "create" || rest[0] == "revoke"):
	case len(rest) == 1 && rest[0] == "list":
	default:
		return usageError(use)
	}
	cfg, err := loadConfig(path)
	if err != nil {
		return err
	}
	switch rest[0] {
	case "list":
		return apikeyList(ctx, cfg, stdout)
	case "revoke":
		return apikeyRevoke(ctx, cfg, rest[1], stdout)
	}
	name := rest[1]
	var answer apikeyAnswer
	err = withService(ctx, cfg,
		func() error { return callControl(ctx, cfg.DataDir, "/apikeys", apikeyRequest{Name: name}, &answer) },
		func(db *store.DB) error {
			var err error
			answer.Key, err = admin.CreateAPIKey(ctx, db, name, cardbot.SystemClock{}.Now())
			return err
		})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "API key %q (shown once, keep it safe):\n%s\n", name, answer.Key)
	return nil
}

func backupCommand(ctx context.Context, args []string, stdout io.Writer) error {
	path, rest, err := parseFlags("backup", args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageError("usage: cardbot backup FILE")
	}
	cfg, err := loadConfig(path)
	if err != nil {
		return err
	}
	target, err := filepath.Abs(rest[0])
	if err != nil {
		return err
	}
	err = withService(ctx, cfg,
		func() error {
			return callControl(ctx, cfg.DataDir, "/backup", backupRequest{Path: target}, &struct{}{})
		},
		func(db *store.DB) error { return db.BackupFile(target) })
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written to %s\n", target)
	return nil
}
