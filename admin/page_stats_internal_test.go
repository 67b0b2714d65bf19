package admin

import (
	"testing"

	"cardbot"
)

// The charts' tooltips and axis write every amount as it is: 0.29 stays 0.29 on its way through a
// float, not 0.28.
func TestChartAmountsRoundTrip(t *testing.T) {
	for a := cardbot.Amount(-100_000); a <= 100_000; a++ {
		if got := moneyLabel(money(a)); got != a.String() {
			t.Fatalf("%s is written %s", a, got)
		}
	}
}
