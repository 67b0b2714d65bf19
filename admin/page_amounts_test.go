package admin_test

import (
	"net/http"
	"net/url"
	"testing"
)

// Amounts typed with a decimal comma, as Russian keyboards write them, count as with a point: in an
// operation, in a card's settings and its tiers.
func TestAmountsTakeADecimalComma(t *testing.T) {
	s := newSite(t)
	owner := ownerOf(t, s)
	anna, number := s.newClient("Анна", "+79990000001", "bonus")
	owner.post(clientPath(anna)+"/operations", url.Values{"card": {number}, "type": {"accrue"}, "amount": {" 250,5 "}}).
		must(t, http.StatusSeeOther)
	if got := balanceOn(t, owner.get(clientPath(anna)).must(t, http.StatusOK), number); got != "350.5" {
		t.Fatalf("balance after accruing 250,5 on 100: %s", got)
	}

	owner.get("/admin/cards/new").must(t, http.StatusOK)
	owner.post("/admin/cards", url.Values{"id": {"comma"}, "name": {"Запятая"}, "type": {"bonus"}, "cashback": {"7,5"},
		"max_redeem_percent": {"100"}, "tiers": {"Серебро; 10000,50; 9,25"}}).must(t, http.StatusSeeOther)
	owner.get("/admin/cards/comma").must(t, http.StatusOK).contains(t, `value="7.5"`, "Серебро; 10000.5; 9.25")
}
