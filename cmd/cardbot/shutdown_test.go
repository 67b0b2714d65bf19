package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"cardbot"
	"cardbot/store"
)

// SIGTERM while tills are busy: the process stops taking requests, lets the running ones finish, closes
// the database and exits 0. Every purchase a till got a 201 for is in the ledger afterwards, no till got
// a 5xx, and the ledger still adds up to the balance.
func TestSIGTERMWhileServingStopsCleanlyAndKeepsEveryAnsweredPurchase(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and signals a real process")
	}
	configPath := writeConfig(t, smallConfig)
	cfg, err := loadConfig(configPath)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	proc := exec.Command(cardbotBinary(t), "serve", "-config", configPath)
	proc.Stdout, proc.Stderr = logs, logs
	if err := proc.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- proc.Wait() }()
	t.Cleanup(func() {
		if proc.ProcessState == nil {
			proc.Process.Kill()
			<-exited
		}
	})
	serving := regexp.MustCompile(`msg="cardbot is serving" url=(http://\S+)`)
	waitFor(t, "the service to serve", func() bool { return serving.MatchString(logs.String()) })
	base := serving.FindStringSubmatch(logs.String())[1]

	code, out, errOut := cli(t, "apikey", "create", "till", "-config", configPath)
	if code != 0 {
		t.Fatalf("apikey create: %s", errOut)
	}
	key := regexp.MustCompile(`cb_[a-z0-9]+`).FindString(out)
	created := httpDo(t, "POST", base+"/api/v1/clients", key, `{"name":"Анна","program":"bonus"}`)
	if created.status != 201 {
		t.Fatalf("create client: %d %s", created.status, created.body)
	}
	number := created.json["cards"].([]any)[0].(map[string]any)["number"].(string)

	// Eight tills buy in a loop until the service stops answering.
	var mu sync.Mutex
	var answered []float64 // ids of the operations that got a 201
	var bad []string
	var tills sync.WaitGroup
	for range 8 {
		tills.Go(func() {
			for {
				r, err := tryPurchase(base, key, number)
				if err != nil {
					return // refused or cut off: the till was never told it went through
				}
				mu.Lock()
				if r.status == 201 {
					answered = append(answered, r.json["operation"].(map[string]any)["id"].(float64))
				} else {
					bad = append(bad, fmt.Sprintf("%d %s", r.status, r.body))
				}
				mu.Unlock()
			}
		})
	}
	waitFor(t, "some purchases", func() bool { mu.Lock(); defer mu.Unlock(); return len(answered) >= 20 })
	if err := proc.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, logs)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no exit 30 s after SIGTERM\n%s", logs)
	}
	tills.Wait()
	if len(bad) > 0 {
		t.Fatalf("tills got answers other than 201 during the shutdown: %v", bad)
	}
	if !regexp.MustCompile(`msg="shutting down"(.|\n)*msg="stopped cleanly"`).MatchString(logs.String()) {
		t.Fatalf("the log does not tell the shutdown:\n%s", logs)
	}
	if _, err := os.Stat(socketPath(cfg.DataDir)); !os.IsNotExist(err) {
		t.Fatal("the control socket outlived the service")
	}

	db, err := store.Open(dbPath(cfg)) // the lock is released
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(context.Background(), func(tx cardbot.Tx) error {
		card, err := tx.CardByNumber(number)
		if err != nil {
			return err
		}
		ops, err := tx.CardOperations(card.ID, 0, 100000)
		if err != nil {
			return err
		}
		inLedger := map[uint64]bool{}
		var sum int64
		for _, op := range ops {
			inLedger[op.ID] = true
			sum += op.Delta
		}
		for _, id := range answered {
			if !inLedger[uint64(id)] {
				t.Errorf("purchase %v was answered 201 but is not in the ledger", id)
			}
		}
		if sum != card.Balance {
			t.Errorf("balance %d, ledger sum %d", card.Balance, sum)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d purchases answered before the service stopped", len(answered))
}

// tryPurchase posts one purchase and returns a transport error instead of failing the test: once the
// service stops, connections are refused.
func tryPurchase(base, key, number string) (httpReply, error) {
	req, err := http.NewRequest("POST", base+"/api/v1/cards/"+number+"/operations",
		strings.NewReader(`{"type":"purchase","purchase":100}`))
	if err != nil {
		return httpReply{}, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return httpReply{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return httpReply{}, err
	}
	r := httpReply{status: resp.StatusCode, body: string(raw)}
	json.Unmarshal(raw, &r.json)
	return r, nil
}
