package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cardbot"

	"github.com/gofiber/fiber/v2"
)

// benchServer is `cardbot serve` with one card issued through a mini-site and a fiber hello-world
// route added to the same app, so both are served by the same binary in the same run.
type benchServer struct {
	srv            *server
	base, cardPath string
	token          string
}

func startBenchServer(b *testing.B) benchServer {
	b.Helper()
	addr := freeAddr(b)
	cfg, err := loadConfig(writeConfig(b, fmt.Sprintf(browserConfig, addr)))
	if err != nil {
		b.Fatal(err)
	}
	srv, err := newServer(cfg, cardbot.SystemClock{}, newLogger(io.Discard))
	if err != nil {
		b.Fatal(err)
	}
	srv.app.Get("/bench/hello", func(c *fiber.Ctx) error { return c.SendString("Hello, World!") })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	b.Cleanup(func() { cancel(); <-done })
	err = srv.db.Update(ctx, func(tx cardbot.Tx) error {
		return tx.CreateMiniSite(&cardbot.MiniSite{Slug: "bench", Title: "Bench"})
	})
	if err != nil {
		b.Fatal(err)
	}
	base := "http://" + addr
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.PostForm(base+"/s/bench", url.Values{"name": {"Анна"}, "phone": {"+79161234567"}, "consent": {"1"}})
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/c/") {
		b.Fatalf("issuing the card: %d %q", resp.StatusCode, loc)
	}
	return benchServer{srv: srv, base: base, cardPath: loc, token: strings.TrimPrefix(loc, "/c/")}
}

// load sends GETs to path from workers keep-alive connections for d and returns requests per second.
func load(b *testing.B, base, path string, workers int, d time.Duration, wantStatus int) float64 {
	b.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var n, bad atomic.Int64
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for time.Now().Before(stop) {
				resp, err := client.Get(base + path)
				if err != nil {
					bad.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != wantStatus {
					bad.Add(1)
					continue
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	if bad.Load() > 0 {
		b.Fatalf("%s: %d bad answers", path, bad.Load())
	}
	return float64(n.Load()) / time.Since(start).Seconds()
}

// BenchmarkCardPageVsHelloWorld measures the card page's requests per second beside a fiber
// hello-world in the same process. The machine is shared and its load drifts, so the two alternate in
// short phases and each card phase is compared with the hello phase next to it; the figure is the
// median of those ratios (the mean rates are reported too). "idle" has no other commits, so the page
// is served from memory after the first view; "busy" commits 200 times a second meanwhile (a busy
// shop: purchases, messages sent), so most views read the card and its ledger from the store.
func BenchmarkCardPageVsHelloWorld(b *testing.B) {
	for _, c := range []struct {
		name    string
		commits int
	}{{"idle", 0}, {"busy", 200}} {
		b.Run(c.name, func(b *testing.B) {
			s := startBenchServer(b)
			if c.commits > 0 {
				stop := s.commitEvery(b, time.Second/time.Duration(c.commits))
				defer stop()
			}
			const workers, phase, rounds = 16, time.Second, 8
			load(b, s.base, s.cardPath, workers, 300*time.Millisecond, 200) // warm up
			var hello, card float64
			ratios := make([]float64, 0, rounds)
			for range rounds {
				h := load(b, s.base, "/bench/hello", workers, phase, 200)
				c := load(b, s.base, s.cardPath, workers, phase, 200)
				hello, card = hello+h, card+c
				ratios = append(ratios, c/h)
			}
			slices.Sort(ratios)
			b.ReportMetric(hello/rounds, "hello_req/s")
			b.ReportMetric(card/rounds, "card_req/s")
			b.ReportMetric(100*(ratios[rounds/2-1]+ratios[rounds/2])/2, "card_%_of_hello")
		})
	}
}

// commitEvery commits a small change every d until stopped.
func (s benchServer) commitEvery(b *testing.B, d time.Duration) func() {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				err := s.srv.db.Update(context.Background(), func(tx cardbot.Tx) error {
					_, err := tx.NextSequence("bench")
					return err
				})
				if err != nil {
					b.Error(err)
					return
				}
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// BenchmarkCardPageWrongToken compares answers for a right token, a wrong token that shares all but
// its last character with the right one, and an unrelated wrong token: the lookup is an index seek,
// so the two wrong ones should not be told apart by time.
func BenchmarkCardPageWrongToken(b *testing.B) {
	s := startBenchServer(b)
	near := s.token[:len(s.token)-1] + string("abcdefghijklmnopqrstuvwxyz"[(strings.IndexByte("abcdefghijklmnopqrstuvwxyz", s.token[len(s.token)-1])+1)%26])
	far := strings.Repeat("a", len(s.token))
	client := &http.Client{}
	for _, c := range []struct {
		name, token string
		status      int
	}{{"right", s.token, 200}, {"wrong_near", near, 404}, {"wrong_far", far, 404}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				resp, err := client.Get(s.base + "/c/" + c.token)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != c.status {
					b.Fatalf("status %d, want %d", resp.StatusCode, c.status)
				}
			}
		})
	}
}
