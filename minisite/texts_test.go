package minisite

import (
	"testing"

	"cardbot"
)

func TestEveryLocaleHasEveryText(t *testing.T) {
	// The unsubscribe page's own table too: its failure text is read in code, where a missing key
	// would show nothing rather than stop the start.
	for _, table := range []map[string]map[string]string{texts, unsubscribeTexts} {
		for locale, m := range table {
			for other, o := range table {
				for key := range o {
					if _, ok := m[key]; !ok {
						t.Errorf("%s lacks %q (which %s has)", locale, key, other)
					}
				}
			}
		}
	}
	for locale := range texts {
		if _, ok := unsubscribeTexts[locale]; !ok {
			t.Errorf("the unsubscribe page has no texts in %s", locale)
		}
	}
}

func TestQuantitiesTakeTheRightForm(t *testing.T) {
	ru, en := wordsFor("ru", "RUB"), wordsFor("en", "RUB")
	for _, c := range []struct {
		w    words
		unit cardbot.Unit
		v    int64
		want string
	}{
		{ru, cardbot.UnitPoints, 100, "1 балл"},
		{ru, cardbot.UnitPoints, 200, "2 балла"},
		{ru, cardbot.UnitPoints, 1100, "11 баллов"},
		{ru, cardbot.UnitPoints, 2100, "21 балл"},
		{ru, cardbot.UnitPoints, 150, "1,5 балла"},
		{ru, cardbot.UnitPoints, 10000, "100 баллов"},
		{ru, cardbot.UnitStamps, 3, "3 штампа"},
		{ru, cardbot.UnitStamps, 12, "12 штампов"},
		{ru, cardbot.UnitVisits, 1, "1 посещение"},
		{ru, cardbot.UnitMoney, 150050, "1500,5 ₽"},
		{en, cardbot.UnitPoints, 100, "1 point"},
		{en, cardbot.UnitPoints, 300, "3 points"},
		{en, cardbot.UnitStamps, 1, "1 stamp"},
		{en, cardbot.UnitPoints, 2100, "21 points"},
		{en, cardbot.UnitVisits, 31, "31 visits"},
	} {
		if got := c.w.quantity(c.unit, c.v); got != c.want {
			t.Errorf("%s %d: %q, want %q", c.unit, c.v, got, c.want)
		}
	}
}
