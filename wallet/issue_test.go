package wallet_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"cardbot"
	"cardbot/wallet"
)

func TestIssueRefusals(t *testing.T) {
	e := newEnv(t)
	client := e.client()
	for _, c := range []struct {
		client  uint64
		program string
		code    cardbot.ErrorCode
		want    string
	}{
		{client, "nope", cardbot.NotFound, `no programme "nope"`},
		{client, "old", cardbot.Conflict, `programme "old" is archived`},
		{424242, "bonus", cardbot.NotFound, "no client 424242"},
	} {
		_, err := e.tryIssue(c.client, c.program)
		expectError(t, err, c.code, c.want)
	}
}

// A client holds one working card of a bonus, discount or stamp programme; certificates and
// subscriptions are bought, so any number is fine.
func TestOneCardPerProgramme(t *testing.T) {
	e := newEnv(t)
	client := e.client()
	first := e.issue("bonus", client).Card
	_, err := e.tryIssue(client, "bonus")
	expectError(t, err, cardbot.Conflict, "already has card "+first.Number+` of programme "bonus"`)

	e.issue("plain", client) // another bonus programme is another card
	e.issue("coffee", client)
	_, err = e.tryIssue(client, "coffee")
	expectError(t, err, cardbot.Conflict, "already has card")

	// A blocked card no longer counts: the client can get a replacement.
	e.update(func(tx cardbot.Tx) error {
		first.Status = cardbot.CardBlocked
		return tx.PutCard(first)
	})
	e.issue("bonus", client)

	for range 3 {
		e.issue("gift", client)
		e.issue("gym", client)
	}
}

func TestIssueCard(t *testing.T) {
	e := newEnv(t)
	client := e.client()
	advanceDays(e.clock, 1)
	iss := e.issue("gym", client)
	card := iss.Card
	if card.ClientID != client || card.ProgramID != "gym" || card.Type != cardbot.Subscription ||
		card.Status != cardbot.CardActive || !card.IssuedAt.Equal(e.clock.Now()) || !card.ExpiresAt.Equal(e.clock.Now().AddDate(0, 0, 30)) {
		t.Fatalf("issued card: %+v", card)
	}
	if op := iss.Opening; op.Delta != 8 || op.BalanceAfter != 8 || op.Actor != "admin:test" || op.CardID != card.ID {
		t.Fatalf("opening: %+v", op)
	}
	if !regexp.MustCompile(`^[a-z2-7]{26}$`).MatchString(card.Token) {
		t.Fatalf("token %q is not 26 lower-case base32 characters", card.Token)
	}
	e.view(func(tx cardbot.Tx) error {
		byToken, err := tx.CardByToken(card.Token)
		if err == nil && byToken.ID != card.ID {
			t.Errorf("token finds card %d", byToken.ID)
		}
		client, err := tx.Client(client)
		if err == nil && !client.LastActivityAt.Equal(e.clock.Now()) {
			t.Errorf("issuing did not mark the client active")
		}
		return err
	})
	if e.w.Program("gym").Visits != 8 || len(e.w.Programs()) != len(testPrograms()) {
		t.Fatal("programmes not kept")
	}
}

func withNumbers(rules cardbot.CardNumberRules) cardbot.Config {
	cfg := testConfig()
	cfg.CardNumbers = rules
	return cfg
}

// issueMany issues n gift certificates (any number per client) in batches and returns their numbers.
func (e *env) issueMany(n int) []string {
	e.tb.Helper()
	client := e.client()
	numbers := make([]string, 0, n)
	for len(numbers) < n {
		var batch []string
		e.update(func(tx cardbot.Tx) error {
			batch = batch[:0]
			for range min(500, n-len(numbers)) {
				iss, err := e.w.Issue(tx, client, "gift", "system")
				if err != nil {
					return err
				}
				batch = append(batch, iss.Card.Number)
			}
			return nil
		})
		numbers = append(numbers, batch...)
	}
	return numbers
}

func TestSequentialNumbers(t *testing.T) {
	e := newEnvWith(t, withNumbers(cardbot.CardNumberRules{Prefix: "77", Length: 8, Mode: cardbot.NumbersSequential, Luhn: true}))
	for i, n := range e.issueMany(3) {
		if want := fmt.Sprintf("77%05d", i+1); !strings.HasPrefix(n, want) || len(n) != 8 || !wallet.ValidLuhn(n) {
			t.Fatalf("card %d number %q, want %s and a Luhn digit", i+1, n, want)
		}
	}
}

func TestSequentialNumbersRunOut(t *testing.T) {
	e := newEnvWith(t, withNumbers(cardbot.CardNumberRules{Prefix: "9", Length: 2, Mode: cardbot.NumbersSequential}))
	got := e.issueMany(9)
	if got[0] != "91" || got[8] != "99" {
		t.Fatalf("numbers %v", got)
	}
	_, err := e.tryIssue(e.client(), "gift")
	expectError(t, err, cardbot.Conflict, "sequential card numbers have run out")
}

// 10,000 random numbers from a million: every one unique, well-formed and Luhn-valid. About fifty
// draws hit a taken number on the way, so the collision check is exercised too.
func TestRandomNumbersUnique(t *testing.T) {
	e := newEnvWith(t, withNumbers(cardbot.CardNumberRules{Prefix: "2", Length: 8, Mode: cardbot.NumbersRandom, Luhn: true}))
	seen := make(map[string]bool)
	for _, n := range e.issueMany(10_000) {
		if seen[n] || len(n) != 8 || n[0] != '2' || !wallet.ValidLuhn(n) {
			t.Fatalf("number %q: duplicate %v, or malformed", n, seen[n])
		}
		seen[n] = true
	}
}

func TestRandomNumbersExhausted(t *testing.T) {
	e := newEnvWith(t, withNumbers(cardbot.CardNumberRules{Prefix: "5", Length: 3, Mode: cardbot.NumbersRandom, Luhn: true}))
	client := e.client()
	// Take all ten numbers "5d?" the rules allow, so no draw can succeed.
	e.update(func(tx cardbot.Tx) error {
		for d := range 10 {
			number := fmt.Sprintf("5%d", d)
			for c := '0'; c <= '9'; c++ {
				if wallet.ValidLuhn(number + string(c)) {
					number += string(c)
					break
				}
			}
			if err := tx.CreateCard(&cardbot.Card{Number: number, ClientID: client, ProgramID: "gift", Type: cardbot.Certificate}); err != nil {
				return err
			}
		}
		return nil
	})
	_, err := e.tryIssue(client, "gift")
	expectError(t, err, cardbot.Conflict, "no free card number")
}

func TestNewRefusesBadSettings(t *testing.T) {
	for name, change := range map[string]func(*cardbot.Config){
		"mode":     func(c *cardbot.Config) { c.CardNumbers.Mode = "odd" },
		"prefix":   func(c *cardbot.Config) { c.CardNumbers.Prefix = "A1" },
		"length":   func(c *cardbot.Config) { c.CardNumbers = cardbot.CardNumberRules{Prefix: "12", Length: 3, Luhn: true} },
		"timezone": func(c *cardbot.Config) { c.Business.Timezone = "Mars/Olympus" },
	} {
		cfg := testConfig()
		change(&cfg)
		if _, err := wallet.New(cfg, cardbot.SystemClock{}); cardbot.CodeOf(err) != cardbot.Invalid {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestValidLuhn(t *testing.T) {
	for n, want := range map[string]bool{
		"79927398713": true, "79927398710": false, "4111111111111111": true, "0": false, "00": true, "12a4": false, "": false,
	} {
		if got := wallet.ValidLuhn(n); got != want {
			t.Errorf("ValidLuhn(%q) = %v", n, got)
		}
	}
}
