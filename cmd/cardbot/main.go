// Command cardbot runs a loyalty programme inside messengers. See README.md for the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // the business timezone must load on machines without a zoneinfo database

	"cardbot"
	"cardbot/cmd/cardbot/configfile"
)

const usage = `cardbot — a loyalty programme inside messengers

Usage:
  cardbot serve [-config FILE]                 run the service (default config: ./config.yaml)
  cardbot check-config [-config FILE]          report every problem in the config and exit
  cardbot apikey create NAME [-config FILE]    make an API key for a till or CRM (shown once)
  cardbot apikey list [-config FILE]           list the API keys (name, prefix, created, revoked)
  cardbot apikey revoke NAME|PREFIX [-config FILE]
                                               stop a key at once (by its name or the prefix list shows)
  cardbot user add NAME [-role owner|staff] [-config FILE]
                                               add an admin page user (asks the password), also while serving
  cardbot user hash                            print a bcrypt hash of a password for admin.users in config.yaml
  cardbot backup FILE [-config FILE]           write a consistent copy of the database, also while serving
  cardbot whatsapp pair [-config FILE] [-phone +79161234567]
                                               link the business's WhatsApp (QR in the terminal, or a code)
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// exit codes
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// run is main without the process: tests call it with their own arguments and writers.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	command, rest := args[0], args[1:]
	var err error
	switch command {
	case "serve":
		err = serveCommand(ctx, rest, stderr)
	case "check-config":
		err = checkConfigCommand(rest, stdout)
	case "apikey":
		err = apikeyCommand(ctx, rest, stdout)
	case "backup":
		err = backupCommand(ctx, rest, stdout)
	case "user":
		err = userCommand(ctx, rest, os.Stdin, stdout)
	case "whatsapp":
		err = whatsappCommand(ctx, rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "unknown command %q\n\n%s", command, usage)
		return exitUsage
	}
	var usageErr usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &usageErr):
		fmt.Fprintf(stderr, "%s\n\n%s", err, usage)
		return exitUsage
	default:
		fmt.Fprintln(stderr, "cardbot:", err)
		return exitFailed
	}
}

// usageError is a mistake in the command line rather than a failure of the work.
type usageError string

func (e usageError) Error() string { return string(e) }

// parseFlags reads -config among args (before or after positional arguments) and returns the rest.
func parseFlags(name string, args []string) (string, []string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	path := fs.String("config", "", "config file")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return "", nil, usageError(err.Error())
	}
	return *path, positional, nil
}

// parseInterspersed parses the flags of fs found before, between and after the positional arguments,
// and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional, args = append(positional, args[0]), args[1:]
	}
}

// loadConfig reads the named file, or ./config.yaml when there is one, or the built-in defaults.
func loadConfig(path string) (cardbot.Config, error) {
	if path == "" {
		if _, err := os.Stat("config.yaml"); err != nil {
			cfg := cardbot.DefaultConfig()
			cfg.Programs = cardbot.DefaultPrograms()
			return cfg, nil
		}
		path = "config.yaml"
	}
	return configfile.Load(path)
}

func checkConfigCommand(args []string, stdout io.Writer) error {
	path, rest, err := parseFlags("check-config", args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError("check-config takes no arguments")
	}
	cfg, err := loadConfig(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "config is valid: %d programmes, default %q, data in %s, serving on %s\n",
		len(cfg.Programs), cfg.Settings.DefaultProgram, cfg.DataDir, cfg.HTTP.Listen)
	return nil
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}
