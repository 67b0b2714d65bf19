package admin_test

import (
	"strings"
	"testing"
)

// A till that sends a card number with a digit wrong is told it is probably mistyped, on a read and on
// an operation alike, and nothing is recorded.
func TestMistypedCardNumberIsToldApart(t *testing.T) {
	s := newServer(t)
	number := s.newClientWithCard("Рита", "bonus")
	last := number[len(number)-1]
	mistyped := number[:len(number)-1] + string('0'+(last-'0'+1)%10)
	for _, r := range []reply{
		s.call("GET", "/api/v1/cards/"+mistyped, nil).must(t, 404),
		s.operate(mistyped, map[string]any{"type": "accrue", "amount": 5}).must(t, 404),
	} {
		if msg := r.str(t, "error.message"); !strings.Contains(msg, "probably mistyped") {
			t.Fatalf("the answer does not say the number is mistyped: %s", r.Raw)
		}
	}
	if got := len(s.ledger(number)); got != 1 {
		t.Fatalf("the card has %d entries, want only its issue", got)
	}
}

// A till pages until the answer has no cursor: the last page has none, even when it is exactly full, so
// no empty page has to be fetched to learn that the list ended.
func TestLastPageHasNoCursor(t *testing.T) {
	s := newServer(t)
	number := s.newClientWithCard("Соня", "bonus")
	s.newClientWithCard("Тимур", "bonus")
	s.operate(number, map[string]any{"type": "accrue", "amount": 5}).must(t, 201)

	first := s.call("GET", "/api/v1/clients?limit=1", nil).must(t, 200)
	last := s.call("GET", "/api/v1/clients?limit=1&after="+jsonNum(first.num(t, "next_after")), nil).must(t, 200)
	if last.str(t, "clients.0.name") != "Тимур" || last.get("next_after") != nil {
		t.Fatalf("the second of two clients is the last page: %s", last.Raw)
	}
	if all := s.call("GET", "/api/v1/clients?limit=2", nil).must(t, 200); all.get("next_after") != nil {
		t.Fatalf("a full page that ends the list has no cursor: %s", all.Raw)
	}

	ops := "/api/v1/cards/" + number + "/operations"
	newest := s.call("GET", ops+"?limit=1", nil).must(t, 200)
	if newest.str(t, "operations.0.type") != "accrue" {
		t.Fatalf("newest first: %s", newest.Raw)
	}
	oldest := s.call("GET", ops+"?limit=1&before="+jsonNum(newest.num(t, "next_before")), nil).must(t, 200)
	if oldest.str(t, "operations.0.type") != "issue" || oldest.get("next_before") != nil {
		t.Fatalf("the issue entry is the last page: %s", oldest.Raw)
	}
	if both := s.call("GET", ops+"?limit=2", nil).must(t, 200); both.get("next_before") != nil {
		t.Fatalf("a full page that ends the ledger has no cursor: %s", both.Raw)
	}
}
