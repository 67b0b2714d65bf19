package store

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"cardbot"
)

// FuzzSearchText: whatever the owner types in the search box, the indexed search returns exactly what
// the plain scan returns, under every tuning (index read in full, walked, or given up on).
func FuzzSearchText(f *testing.F) {
	db := openTestDB(f)
	w := newSearchWorld(rand.New(rand.NewPCG(7, 2026)))
	w.fill(f, db, 150)
	for _, s := range []string{"", "7", "+7 916", "8 (916) 12", "анна", "Ёлкин бор", "a", "0000", "ann 9", "\xff\xfe", "--"} {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, text string, limit uint8) {
		q := cardbot.ClientQuery{Text: text, Limit: int(limit % 8)}
		err := db.View(t.Context(), func(cbtx cardbot.Tx) error {
			return wantSameAsScan(t, cbtx.(*tx), q, fmt.Sprintf("%q limit %d", text, q.Limit))
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
