package minisite

import "testing"

func TestEveryLocaleHasEveryText(t *testing.T) {
	for locale, m := range texts {
		for other, o := range texts {
			for key := range o {
				if _, ok := m[key]; !ok {
					t.Errorf("%s lacks %q (which %s has)", locale, key, other)
				}
			}
		}
	}
}
