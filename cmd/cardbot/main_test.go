package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"cardbot"
	"cardbot/store"
)

// writeConfig puts a config file with its data directory in a temporary folder.
func writeConfig(t testing.TB, body string) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	body = strings.ReplaceAll(body, "DATA", filepath.Join(dir, "data"))
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const smallConfig = `
data_dir: DATA
http:
  listen: 127.0.0.1:0
  base_url: http://127.0.0.1:8080
business:
  name: Кофейня
programs:
  - id: bonus
    name: Бонусы
    type: bonus
    cashback: 5
    welcome_bonus: 100
    max_redeem_percent: 30
settings:
  default_program: bonus
`

// runServer starts `cardbot serve` in this process on the config file; stop ends it (once, also at
// cleanup) and returns what Run returned.
func runServer(t testing.TB, configPath string) (*server, func() error) {
	t.Helper()
	return runServerLogging(t, configPath, io.Discard)
}

// runServerLogging is runServer with the service's log written to w.
func runServerLogging(t testing.TB, configPath string, w io.Writer) (*server, func() error) {
	t.Helper()
	cfg, err := loadConfig(configPath)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := newServer(cfg, cardbot.SystemClock{}, newLogger(w))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	var once sync.Once
	var runErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-done:
			case <-time.After(20 * time.Second):
				runErr = errors.New("did not shut down in 20 s")
			}
		})
		return runErr
	}
	t.Cleanup(func() { stop() })
	return srv, stop
}

// cli runs one cardbot command as a user would type it.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// The README's tour: start the service, make an API key while it runs, create a client with a card,
// record a purchase, back the database up while serving, stop cleanly.
func TestServeMakesKeysAndBacksUpWhileRunning(t *testing.T) {
	configPath := writeConfig(t, smallConfig)
	srv, stop := runServer(t, configPath)
	base := "http://" + srv.Addr()

	code, out, errOut := cli(t, "apikey", "create", "till", "-config", configPath)
	if code != 0 {
		t.Fatalf("apikey create while serving: %d %s", code, errOut)
	}
	key := strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:])
	if !strings.HasPrefix(key, "cb_") {
		t.Fatalf("no key printed: %q", out)
	}

	health := httpDo(t, "GET", base+"/healthz", "", "")
	if health.status != 200 {
		t.Fatalf("healthz %d", health.status)
	}
	created := httpDo(t, "POST", base+"/api/v1/clients", key, `{"name":"Анна","phone":"+79161234567","program":"bonus"}`)
	if created.status != 201 {
		t.Fatalf("create client: %d %s", created.status, created.body)
	}
	number := created.json["cards"].([]any)[0].(map[string]any)["number"].(string)
	bought := httpDo(t, "POST", base+"/api/v1/cards/"+number+"/operations", key, `{"type":"purchase","purchase":1000}`)
	if bought.status != 201 || bought.json["card"].(map[string]any)["balance"].(float64) != 150 {
		t.Fatalf("purchase: %d %s", bought.status, bought.body)
	}

	backup := filepath.Join(t.TempDir(), "copy.db")
	if code, _, errOut := cli(t, "backup", backup, "-config", configPath); code != 0 {
		t.Fatalf("backup while serving: %s", errOut)
	}

	if err := stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if _, err := os.Stat(socketPath(srv.cfg.DataDir)); !os.IsNotExist(err) {
		t.Fatal("the control socket outlived the service")
	}
	assertBackupHoldsCard(t, backup, number)
	for _, file := range []string{dbPath(srv.cfg), backup} {
		if raw, err := os.ReadFile(file); err != nil || bytes.Contains(raw, []byte(key)) {
			t.Fatalf("%s holds the API key itself (only its hash may be stored): %v", file, err)
		}
	}
}

func assertBackupHoldsCard(t *testing.T, path, number string) {
	t.Helper()
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(context.Background(), func(tx cardbot.Tx) error {
		card, err := tx.CardByNumber(number)
		if err == nil && card.Balance != 15000 {
			t.Errorf("backup has balance %d", card.Balance)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCommandsWorkWithoutARunningService(t *testing.T) {
	configPath := writeConfig(t, smallConfig)
	if code, out, errOut := cli(t, "apikey", "create", "crm", "-config", configPath); code != 0 || !strings.Contains(out, "cb_") {
		t.Fatalf("apikey on a stopped service: %d %s %s", code, out, errOut)
	}
	backup := filepath.Join(t.TempDir(), "copy.db")
	if code, _, errOut := cli(t, "backup", backup, "-config", configPath); code != 0 {
		t.Fatalf("backup on a stopped service: %s", errOut)
	}
}

func TestCheckConfigReportsEveryProblemWithItsLine(t *testing.T) {
	configPath := writeConfig(t, `data_dir: DATA
http:
  listen: nowhere
locale: fr
programs:
  - id: bonus
    type: bonus
    cashback: 500
settings:
  default_program: missing
`)
	code, _, errOut := cli(t, "check-config", "-config", configPath)
	if code == 0 {
		t.Fatal("a broken config passed")
	}
	for _, line := range []string{":3:", ":4:", ":8:", ":10:"} {
		if !strings.Contains(errOut, line) {
			t.Errorf("no problem reported at line %s in:\n%s", line, errOut)
		}
	}
	code, _, errOut = cli(t, "serve", "-config", configPath)
	if code == 0 || !strings.Contains(errOut, ":4:") {
		t.Fatalf("serve must refuse the same config before starting: %d %s", code, errOut)
	}
	if code, out, _ := cli(t, "check-config", "-config", "../../config.yaml"); code != 0 {
		t.Fatalf("the example config.yaml must be valid: %s", out)
	}
}

func TestUsageMistakesExitTwo(t *testing.T) {
	for _, args := range [][]string{{}, {"fly"}, {"apikey"}, {"apikey", "delete", "x"}, {"apikey", "revoke"}, {"apikey", "list", "x"}, {"backup"}, {"serve", "extra"}} {
		if code, _, _ := cli(t, args...); code != exitUsage {
			t.Errorf("%v exited %d, want %d", args, code, exitUsage)
		}
	}
}

type httpReply struct {
	status int
	body   string
	json   map[string]any
}

func httpDo(t testing.TB, method, url, key, body string) httpReply {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := httpReply{status: resp.StatusCode, body: string(raw)}
	json.Unmarshal(raw, &r.json)
	return r
}

func TestCheckConfigValidatesTheOwnersTexts(t *testing.T) {
	good := writeConfig(t, "texts:\n  ask_birthday: \"Когда вас поздравить, {{.Name}}?\"\n")
	if code, out, errOut := cli(t, "check-config", "-config", good); code != 0 {
		t.Fatalf("a valid text was refused: %s %s", out, errOut)
	}
	for body, want := range map[string]string{
		"texts:\n  ask_birthday: \"{{.Nope}}\"\n": `"ask_birthday"`,
		"texts:\n  no_such_text: x\n":             `"no_such_text"`,
	} {
		code, _, errOut := cli(t, "check-config", "-config", writeConfig(t, body))
		if code == 0 || !strings.Contains(errOut, want) {
			t.Errorf("%q: exit %d, %s", body, code, errOut)
		}
	}
}
