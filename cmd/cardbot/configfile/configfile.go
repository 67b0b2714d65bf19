// Package configfile reads config.yaml into a cardbot.Config: it decodes the YAML over
// cardbot.DefaultConfig, expands ${VAR} references from the environment, and validates the result,
// reporting every problem at once with the line it is on.
//
// The root package stays standard-library-only; reading YAML is wiring, so it lives here under
// cmd/cardbot.
package configfile

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"cardbot"

	_ "time/tzdata" // business.timezone must load on machines without a zoneinfo database
)

// maxFileSize bounds the config file; a real one is a few kilobytes.
const maxFileSize = 1 << 20

// Problem is one thing wrong with the configuration.
type Problem struct {
	File    string // the name given to Parse, e.g. "config.yaml"; empty for Validate
	Line    int    // 1-based line in the file; 0 when the problem has no place (a default, the whole file)
	Path    string // the key, e.g. "programs[1].cashback" (list indexes count from 0); empty for the whole file
	Message string
}

// Error renders the problem as "config.yaml:12: programs[1].cashback: must be between 0 and 100".
func (p Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		if p.File == "" {
			b.WriteString("line ")
		} else {
			b.WriteByte(':')
		}
		b.WriteString(strconv.Itoa(p.Line))
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is every problem found in one configuration, sorted by line (those without a line last).
type Problems []Problem

// Error renders one problem a line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps.sorted() {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

func (ps Problems) sorted() Problems {
	out := append(Problems(nil), ps...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Line, out[j].Line
		if a == 0 || b == 0 {
			return a != 0 && b == 0
		}
		return a < b
	})
	return out
}

// Load reads the file at path and parses it with the process environment (see Parse).
func Load(path string) (cardbot.Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return cardbot.Config{}, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, data, os.LookupEnv)
}

// Parse reads a configuration from data; name is what problems call the file. It starts from
// cardbot.DefaultConfig, so missing keys keep their defaults (a null value counts as missing), and
// uses cardbot.DefaultPrograms when the file names no programme. In every scalar value ${VAR} is
// replaced by the variable's value from env, ${VAR:-default} by the default when VAR is unset or
// empty, and $$ by a single $; a $ not followed by { or $ stays as it is. Expansion happens before
// the value is typed, so a number or a switch can come from the environment. env may be nil: no
// variable is set then.
//
// Parse also normalises: http.base_url loses a trailing slash, business.phone becomes E.164.
//
// On any problem it returns the zero Config and a Problems error listing them all.
func Parse(name string, data []byte, env func(string) (string, bool)) (cardbot.Config, error) {
	if env == nil {
		env = func(string) (string, bool) { return "", false }
	}
	if len(data) > maxFileSize {
		return cardbot.Config{}, Problems{{File: name, Message: fmt.Sprintf("the file is larger than %d bytes; this is not a config file", maxFileSize)}}
	}
	cfg, d := decode(name, data, env)
	ps := d.problems
	if !d.fatal { // after a syntax error nothing was decoded, so there is nothing to validate
		normalise(&cfg)
		v := &validator{file: name, lineOf: d.lineOf, skip: d.failed}
		v.config(&cfg)
		ps = append(ps, v.problems...)
	}
	if len(ps) > 0 {
		return cardbot.Config{}, ps.sorted()
	}
	return cfg, nil
}

// Validate checks a configuration built in code, by the same rules Parse applies after reading a
// file. It does not normalise: a base URL ending in / or a phone not in E.164 is a problem here.
// The problems it returns carry no line; it returns nil when there are none.
func Validate(cfg cardbot.Config) error {
	v := &validator{lineOf: func(string) int { return 0 }, skip: map[string]bool{}}
	v.config(&cfg)
	if len(v.problems) > 0 {
		return v.problems
	}
	return nil
}
