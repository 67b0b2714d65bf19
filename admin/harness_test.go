package admin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"cardbot"
	"cardbot/admin"
	"cardbot/store"
	"cardbot/wallet"
)

// testPrograms has one programme of every type, with round numbers that make sums easy to check.
func testPrograms() []cardbot.Program {
	return []cardbot.Program{
		{ID: "bonus", Name: "Бонусы", Type: cardbot.Bonus, Cashback: 500, WelcomeBonus: 10000,
			MaxRedeemPercent: 3000, PointsExpireDays: 30, Tiers: []cardbot.Tier{
				{Name: "Silver", MinSpend: 1_000_000, Cashback: 700},
				{Name: "Gold", MinSpend: 5_000_000, Cashback: 1000},
			}},
		{ID: "discount", Name: "Скидка", Type: cardbot.Discount, Discount: 300,
			Tiers: []cardbot.Tier{{Name: "VIP", MinSpend: 2_000_000, Discount: 1000}}},
		{ID: "coffee", Name: "Кофейная карта", Type: cardbot.Stamp, Stamps: 6, Reward: "Бесплатный кофе", StampsPerVisit: 1},
		{ID: "gift", Name: "Сертификат", Type: cardbot.Certificate, Nominal: 300_000, ValidDays: 365},
		{ID: "visits", Name: "Абонемент", Type: cardbot.Subscription, Visits: 10, ValidDays: 30},
		{ID: "plain", Name: "Кешбэк", Type: cardbot.Bonus, Cashback: 500, MaxRedeemPercent: 5000},
	}
}

// server is the REST API on a real store and a real HTTP listener, with one API key.
type server struct {
	t     testing.TB
	url   string
	key   string
	db    *store.DB
	clock *cardbot.ManualClock
	http  *http.Client
}

func newServer(t testing.TB) *server {
	t.Helper()
	cfg := cardbot.DefaultConfig()
	cfg.Programs = testPrograms()
	cfg.HTTP.BaseURL = "https://cards.example"
	clock := cardbot.NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	db, err := store.Open(filepath.Join(t.TempDir(), "cardbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w, err := wallet.New(cfg, clock)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	app := admin.NewApp(log, nil)
	admin.NewAPI(admin.Deps{Store: db, Wallet: w, Clock: clock, Config: cfg, Log: log}).Mount(app)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { app.ShutdownWithTimeout(5 * time.Second) })
	key, err := admin.CreateAPIKey(context.Background(), db, "till-1", clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	transport := &http.Transport{MaxIdleConnsPerHost: 200}
	return &server{t: t, url: "http://" + ln.Addr().String(), key: key, db: db, clock: clock,
		http: &http.Client{Transport: transport, Timeout: 30 * time.Second}}
}

// reply is an API answer: its status and its JSON body, decoded loosely for assertions.
type reply struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    []byte
}

// call sends one request with the server's API key; headers come in name, value pairs.
func (s *server) call(method, path string, body any, headers ...string) reply {
	s.t.Helper()
	var payload io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		payload = strings.NewReader(b)
	case []byte:
		payload = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			s.t.Fatal(err)
		}
		payload = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, s.url+path, payload)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	resp, err := s.http.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	json.Unmarshal(raw, &r.Body)
	return r
}

// must fails the test unless the reply has the wanted status.
func (r reply) must(t testing.TB, status int) reply {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Raw)
	}
	return r
}

// num reads a number at a dotted path such as "card.balance".
func (r reply) num(t testing.TB, path string) float64 {
	t.Helper()
	v, ok := r.get(path).(float64)
	if !ok {
		t.Fatalf("%s is not a number in %s", path, r.Raw)
	}
	return v
}

func (r reply) str(t testing.TB, path string) string {
	t.Helper()
	v, ok := r.get(path).(string)
	if !ok {
		t.Fatalf("%s is not a string in %s", path, r.Raw)
	}
	return v
}

func (r reply) get(path string) any {
	var cur any = r.Body
	for _, part := range strings.Split(path, ".") {
		switch node := cur.(type) {
		case map[string]any:
			cur = node[part]
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(node) {
				return nil
			}
			cur = node[i]
		default:
			return nil
		}
	}
	return cur
}

// newClientWithCard makes a client holding a card of the programme and returns the card number.
func (s *server) newClientWithCard(name, program string) string {
	s.t.Helper()
	r := s.call("POST", "/api/v1/clients", map[string]any{"name": name, "program": program}).must(s.t, 201)
	return r.str(s.t, "cards.0.number")
}

// operate posts an operation to a card.
func (s *server) operate(number string, op map[string]any, headers ...string) reply {
	s.t.Helper()
	return s.call("POST", "/api/v1/cards/"+number+"/operations", op, headers...)
}

// ledger returns every entry of the card, newest first, following the pages.
func (s *server) ledger(number string) []map[string]any {
	s.t.Helper()
	var all []map[string]any
	path := "/api/v1/cards/" + number + "/operations?limit=500"
	for {
		r := s.call("GET", path, nil).must(s.t, 200)
		for _, op := range r.Body["operations"].([]any) {
			all = append(all, op.(map[string]any))
		}
		next, ok := r.Body["next_before"].(float64)
		if !ok {
			return all
		}
		path = "/api/v1/cards/" + number + "/operations?limit=500&before=" + jsonNum(next)
	}
}

// checkLedger asserts the promise: the balance equals the sum of the ledger and is never negative.
func (s *server) checkLedger(number string) float64 {
	s.t.Helper()
	card := s.call("GET", "/api/v1/cards/"+number, nil).must(s.t, 200)
	balance := card.num(s.t, "balance")
	var sum float64
	for _, op := range s.ledger(number) {
		sum += op["delta"].(float64)
		if op["balance_after"].(float64) < 0 {
			s.t.Fatalf("entry %v left a negative balance", op)
		}
	}
	if diff := balance - sum; diff > 0.001 || diff < -0.001 || balance < 0 {
		s.t.Fatalf("card %s balance %v, ledger sum %v", number, balance, sum)
	}
	return balance
}

// snapshot is the whole database file, to prove that refused requests changed nothing.
func (s *server) snapshot() []byte {
	s.t.Helper()
	var buf bytes.Buffer
	if _, err := s.db.Backup(&buf); err != nil {
		s.t.Fatal(err)
	}
	return buf.Bytes()
}

// jsonNum writes a JSON number back as a path or query value.
func jsonNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
