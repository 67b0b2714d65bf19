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
