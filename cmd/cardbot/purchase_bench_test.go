package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cardbot"
	"cardbot/admin"
)

// BenchmarkPurchaseThroughTheService is admin's BenchmarkPurchaseAPI on the whole wired service: the
// same 64 tills, each on its own customer's card, but each purchase also writes the notice to the
// customer in its transaction, and the dispatcher handles those rows while the tills buy. Compare with
// BenchmarkRawBoltCommit in ./store, run in the same command (see BENCHMARKS.md).
func BenchmarkPurchaseThroughTheService(b *testing.B) {
	srv, _ := runServer(b, writeConfig(b, smallConfig))
	base := "http://" + srv.Addr()
	key, err := admin.CreateAPIKey(b.Context(), srv.db, "till", time.Now())
	if err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128}, Timeout: 30 * time.Second}
	post := func(path, body string) (int, []byte) {
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			b.Error(err)
			return 0, nil
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, raw
	}
	const tills = 64
	cards := make([]string, tills)
	for i := range cards {
		status, raw := post("/api/v1/clients", fmt.Sprintf(`{"name":"Покупатель %d","program":"bonus"}`, i))
		_, after, _ := bytes.Cut(raw, []byte(`"number":"`))
		number, _, _ := bytes.Cut(after, []byte(`"`))
		if status != 201 || len(number) == 0 {
			b.Fatalf("create client: %d %s", status, raw)
		}
		cards[i] = string(number)
	}
	var next atomic.Int64
	b.SetParallelism(tills / 2)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		number := cards[next.Add(1)%tills]
		for pb.Next() {
			if status, raw := post("/api/v1/cards/"+number+"/operations", `{"type":"purchase","purchase":1000}`); status != 201 {
				b.Errorf("status %d: %s", status, raw)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "purchases/s")
	b.StopTimer()
	// Every purchase wrote its notice in the same transaction.
	var notices int
	srv.db.View(b.Context(), func(tx cardbot.Tx) error {
		for id := uint64(1); id <= tills; id++ {
			msgs, err := tx.ClientMessages(id, 0, 1)
			if err != nil {
				return err
			}
			notices += len(msgs)
		}
		return nil
	})
	if notices == 0 {
		b.Fatal("no notice was written: the benchmark does not measure the service's path")
	}
}
