package admin_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// Bad requests of every kind get a 4xx with an error code and a message, and change nothing.
func TestMalformedRequestsAreRefusedAndChangeNothing(t *testing.T) {
	s := newServer(t)
	number := s.newClientWithCard("Олег", "bonus")
	blocked := s.newClientWithCard("Полина", "bonus")
	s.call("POST", "/api/v1/cards/"+blocked+"/block", nil).must(t, 200)
	s.operate(number, map[string]any{"type": "accrue", "amount": 5}, "Idempotency-Key", "used-key").must(t, 201)
	client := s.call("GET", "/api/v1/clients?card="+number, nil).must(t, 200)
	clientPath := "/api/v1/clients/" + jsonNum(client.num(t, "clients.0.id"))
	s.call("PATCH", clientPath, map[string]any{"phone": "+79160000099"}).must(t, 200)
	ops := "/api/v1/cards/" + number + "/operations"

	cases := []struct {
		name, method, path, body string
		headers                  []string
		want                     int
	}{
		{"no key", "GET", "/api/v1/clients", "", []string{"Authorization", ""}, 401},
		{"wrong key", "GET", "/api/v1/clients", "", []string{"Authorization", "Bearer cb_wrong"}, 401},
		{"empty bearer", "GET", "/api/v1/clients", "", []string{"Authorization", "Bearer "}, 401},
		{"basic auth", "GET", "/api/v1/clients", "", []string{"Authorization", "Basic dXNlcjpwYXNz"}, 401},
		{"overlong key", "POST", "/api/v1/clients", `{"name":"x"}`, []string{"Authorization", "Bearer " + strings.Repeat("a", 500)}, 401},
		{"empty body", "POST", "/api/v1/clients", "", nil, 400},
		{"null body", "POST", "/api/v1/clients", "null", nil, 400},
		{"array body", "POST", "/api/v1/clients", "[]", nil, 400},
		{"broken JSON", "POST", "/api/v1/clients", "{", nil, 400},
		{"name is a number", "POST", "/api/v1/clients", `{"name":5}`, nil, 400},
		{"phone of letters", "POST", "/api/v1/clients", `{"name":"a","phone":"abc"}`, nil, 400},
		{"phone too short", "POST", "/api/v1/clients", `{"phone":"123"}`, nil, 400},
		{"unknown field", "POST", "/api/v1/clients", `{"name":"a","shoe_size":42}`, nil, 400},
		{"trailing data", "POST", "/api/v1/clients", `{"name":"a"} {"name":"b"}`, nil, 400},
		{"bad email", "POST", "/api/v1/clients", `{"name":"a","email":"not-an-email"}`, nil, 400},
		{"31 February", "POST", "/api/v1/clients", `{"name":"a","birthday":"1990-02-31"}`, nil, 400},
		{"born in the future", "POST", "/api/v1/clients", `{"name":"a","birthday":"3000-01-01"}`, nil, 400},
		{"tags not a list", "POST", "/api/v1/clients", `{"name":"a","tags":"vip"}`, nil, 400},
		{"too many tags", "POST", "/api/v1/clients", `{"name":"a","tags":["1","2","3","4","5","6","7","8","9","10","11","12","13","14","15","16","17","18","19","20","21"]}`, nil, 400},
		{"unknown programme", "POST", "/api/v1/clients", `{"name":"a","program":"nope"}`, nil, 404},
		{"nobody", "POST", "/api/v1/clients", `{}`, nil, 400},
		{"name too long", "POST", "/api/v1/clients", `{"name":"` + strings.Repeat("я", 300) + `"}`, nil, 400},
		{"not JSON content", "POST", "/api/v1/clients", `{"name":"a"}`, []string{"Content-Type", "text/plain"}, 400},
		{"phone taken", "POST", "/api/v1/clients", `{"name":"a","phone":"+79160000099"}`, nil, 409},
		{"body too large", "POST", "/api/v1/clients", `{"name":"` + strings.Repeat("a", 70000) + `"}`, nil, 413},
		{"client id of letters", "GET", "/api/v1/clients/abc", "", nil, 400},
		{"client id zero", "GET", "/api/v1/clients/0", "", nil, 400},
		{"client id overflow", "GET", "/api/v1/clients/99999999999999999999999", "", nil, 400},
		{"no such client", "GET", "/api/v1/clients/99999", "", nil, 404},
		{"limit zero", "GET", "/api/v1/clients?limit=0", "", nil, 400},
		{"limit huge", "GET", "/api/v1/clients?limit=100000", "", nil, 400},
		{"negative cursor", "GET", "/api/v1/clients?after=-1", "", nil, 400},
		{"find by bad phone", "GET", "/api/v1/clients?phone=zzz", "", nil, 400},
		{"find by both", "GET", "/api/v1/clients?phone=%2B79160000099&card=1", "", nil, 400},
		{"patch issues no card", "PATCH", clientPath, `{"program":"bonus"}`, nil, 400},
		{"patch empties client", "PATCH", clientPath, `{"name":"","phone":"","email":""}`, nil, 400},
		{"patch nobody", "PATCH", "/api/v1/clients/99999", `{"name":"x"}`, nil, 404},
		{"issue without programme", "POST", clientPath + "/cards", `{}`, nil, 400},
		{"issue unknown programme", "POST", clientPath + "/cards", `{"program":"nope"}`, nil, 404},
		{"second bonus card", "POST", clientPath + "/cards", `{"program":"bonus"}`, nil, 409},
		{"issue to nobody", "POST", "/api/v1/clients/99999/cards", `{"program":"bonus"}`, nil, 404},
		{"card number of letters", "GET", "/api/v1/cards/abc", "", nil, 400},
		{"no such card", "GET", "/api/v1/cards/000", "", nil, 404},
		{"block with a body", "POST", "/api/v1/cards/" + number + "/block", `{"reason":"x"}`, nil, 400},
		{"purchase of nothing", "POST", ops, `{"type":"purchase"}`, nil, 400},
		{"negative purchase", "POST", ops, `{"type":"purchase","purchase":-5}`, nil, 400},
		{"purchase of words", "POST", ops, `{"type":"purchase","purchase":"abc"}`, nil, 400},
		{"purchase beyond float", "POST", ops, `{"type":"purchase","purchase":1e309}`, nil, 400},
		{"purchase beyond int64", "POST", ops, `{"type":"purchase","purchase":99999999999999999999}`, nil, 400},
		{"purchase with exponent", "POST", ops, `{"type":"purchase","purchase":1e3}`, nil, 400},
		{"three decimals", "POST", ops, `{"type":"purchase","purchase":10.555}`, nil, 400},
		{"purchase of true", "POST", ops, `{"type":"purchase","purchase":true}`, nil, 400},
		{"purchase with amount", "POST", ops, `{"type":"purchase","purchase":100,"amount":5}`, nil, 400},
		{"unknown type", "POST", ops, `{"type":"launch"}`, nil, 400},
		{"no type", "POST", ops, `{"amount":5}`, nil, 400},
		{"redeem above balance", "POST", ops, `{"type":"redeem","amount":1000000}`, nil, 409},
		{"redeem above max share", "POST", ops, `{"type":"purchase","purchase":1000,"redeem":900}`, nil, 400},
		{"stamp on a bonus card", "POST", ops, `{"type":"stamp"}`, nil, 400},
		{"cancel nothing", "POST", ops, `{"type":"cancel","operation_id":999999}`, nil, 404},
		{"cancel by name", "POST", ops, `{"type":"cancel","operation_id":"x"}`, nil, 400},
		{"adjust without reason", "POST", ops, `{"type":"adjust","amount":10}`, nil, 400},
		{"accrue zero", "POST", ops, `{"type":"accrue","amount":0}`, nil, 400},
		{"count too big", "POST", ops, `{"type":"adjust","count":100000000000000000000,"reason":"x"}`, nil, 400},
		{"idempotency key too long", "POST", ops, `{"type":"accrue","amount":1}`, []string{"Idempotency-Key", strings.Repeat("k", 300)}, 400},
		{"idempotency key reused", "POST", ops, `{"type":"accrue","amount":6}`, []string{"Idempotency-Key", "used-key"}, 409},
		{"operation on a blocked card", "POST", "/api/v1/cards/" + blocked + "/operations", `{"type":"accrue","amount":1}`, nil, 409},
		{"operation on no card", "POST", "/api/v1/cards/123/operations", `{"type":"accrue","amount":1}`, nil, 404},
		{"history cursor of letters", "GET", ops + "?before=x", "", nil, 400},
		{"unknown endpoint", "GET", "/api/v1/nothing", "", nil, 404},
		{"unknown method", "DELETE", clientPath, "", nil, 405},
		{"a method no address takes", "PUT", ops, `{"type":"accrue","amount":1}`, nil, 405},
	}
	if len(cases) < 50 {
		t.Fatalf("only %d kinds of bad request", len(cases))
	}
	before := s.snapshot()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body any
			if tc.body != "" {
				body = tc.body
			}
			r := s.call(tc.method, tc.path, body, tc.headers...)
			if r.Status != tc.want {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.want, r.Raw)
			}
			if r.str(t, "error.code") == "" || r.str(t, "error.message") == "" {
				t.Fatalf("no error code and message: %s", r.Raw)
			}
		})
	}
	if !bytes.Equal(before, s.snapshot()) {
		t.Fatal("a refused request changed the database")
	}
}

// TestAWrongMethodIsToldFromAWrongAddress: DELETE on a client is 405 with the methods the address
// takes; an address the API does not have is 404.
func TestAWrongMethodIsToldFromAWrongAddress(t *testing.T) {
	s := newServer(t)
	r := s.call("DELETE", "/api/v1/clients/1", nil)
	if r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "GET, PATCH" || r.Body["error"] == nil {
		t.Fatalf("DELETE a client: %d, Allow %q: %s", r.Status, r.Header.Get("Allow"), r.Raw)
	}
	if r := s.call("DELETE", "/api/v1/clients/1/cardz", nil); r.Status != http.StatusNotFound {
		t.Fatalf("an unknown address: %d: %s", r.Status, r.Raw)
	}
}
