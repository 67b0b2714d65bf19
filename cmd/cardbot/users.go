package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"cardbot"
	"cardbot/admin"
	"cardbot/store"

	"golang.org/x/term"
)

const userUsage = "usage: cardbot user add NAME [-role owner|staff] [-config FILE]  (password from the terminal or the first line of stdin)\n" +
	"       cardbot user hash  (prints a bcrypt hash for admin.users in config.yaml)"

type userRequest struct {
	Name     string       `json:"name"`
	Password string       `json:"password"`
	Role     cardbot.Role `json:"role"`
}

type userAnswer struct {
	Created bool `json:"created"`
}

// userCommand runs `cardbot user add` (a user of the admin page in the database, through the running
// service when there is one) and `cardbot user hash`.
func userCommand(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "hash") {
		return usageError(userUsage)
	}
	fs := flag.NewFlagSet("user", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	path := fs.String("config", "", "config file")
	role := fs.String("role", string(cardbot.RoleOwner), "owner or staff")
	positional, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return usageError(err.Error() + "\n" + userUsage)
	}
	if args[0] == "hash" {
		if len(positional) != 0 {
			return usageError(userUsage)
		}
		password, err := readPassword(stdin, stdout)
		if err != nil {
			return err
		}
		hash, err := admin.HashPassword(password)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, string(hash))
		return nil
	}
	if len(positional) != 1 {
		return usageError(userUsage)
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	password, err := readPassword(stdin, stdout)
	if err != nil {
		return err
	}
	req := userRequest{Name: positional[0], Password: password, Role: cardbot.Role(*role)}
	var answer userAnswer
	err = withService(ctx, cfg,
		func() error { return callControl(ctx, cfg.DataDir, "/users", req, &answer) },
		func(db *store.DB) error {
			var err error
			answer.Created, err = admin.CreateUser(ctx, db, cfg, req.Name, req.Password, req.Role, cardbot.SystemClock{}.Now())
			return err
		})
	if err != nil {
		return err
	}
	if answer.Created {
		fmt.Fprintf(stdout, "user %q (%s) added: log in at %s/admin\n", req.Name, req.Role, strings.TrimRight(cfg.HTTP.BaseURL, "/"))
	} else {
		fmt.Fprintf(stdout, "user %q now has the new password and the role %s\n", req.Name, req.Role)
	}
	return nil
}

// readPassword asks twice on a terminal (without echo), or reads the first line of a pipe.
func readPassword(stdin io.Reader, prompt io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(prompt, "Password: ")
		first, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(prompt)
		if err != nil {
			return "", err
		}
		fmt.Fprint(prompt, "Again: ")
		second, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(prompt)
		if err != nil {
			return "", err
		}
		if string(first) != string(second) {
			return "", errors.New("the passwords do not match")
		}
		return string(first), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password: type it, or pipe it on the first line of stdin")
	}
	return line, nil
}
