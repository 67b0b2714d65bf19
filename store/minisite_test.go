package store

import (
	"context"
	"testing"

	"cardbot"
)

func TestMiniSitesKeepTheirSlugsUnique(t *testing.T) {
	db := openTestDB(t)
	cafe := &cardbot.MiniSite{Slug: "cafe", Title: "Кофейня"}
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.CreateMiniSite(cafe) })
	err := db.Update(context.Background(), func(tx cardbot.Tx) error { return tx.CreateMiniSite(&cardbot.MiniSite{Slug: "cafe"}) })
	wantCode(t, err, cardbot.Conflict, "")
	err = db.Update(context.Background(), func(tx cardbot.Tx) error { return tx.CreateMiniSite(&cardbot.MiniSite{Slug: "Кафе"}) })
	wantCode(t, err, cardbot.Invalid, "")

	cafe.Slug = "counter"
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.PutMiniSite(cafe) })
	mustView(t, db, func(tx cardbot.Tx) error {
		if _, err := tx.MiniSiteBySlug("cafe"); cardbot.CodeOf(err) != cardbot.NotFound {
			t.Errorf("the old slug still finds a site: %v", err)
		}
		got, err := tx.MiniSiteBySlug("counter")
		if err != nil || got.ID != cafe.ID || got.Title != "Кофейня" {
			t.Errorf("by new slug: %+v, %v", got, err)
		}
		return nil
	})
	// The freed slug can be taken again, and a deleted site frees its own.
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.CreateMiniSite(&cardbot.MiniSite{Slug: "cafe"}) })
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.DeleteMiniSite(cafe.ID) })
	mustView(t, db, func(tx cardbot.Tx) error {
		sites, err := tx.MiniSites()
		if err != nil || len(sites) != 1 || sites[0].Slug != "cafe" {
			t.Errorf("sites after delete: %v, %v", sites, err)
		}
		_, err = tx.MiniSiteBySlug("counter")
		wantCode(t, err, cardbot.NotFound, "")
		return nil
	})
}

func TestSearchFindsClientsByPhoneCardAndName(t *testing.T) {
	db := openTestDB(t)
	anna := createClient(t, db, "+79161234567")
	createCard(t, db, anna.ID, "7000 1234", "tok-a")
	boris := &cardbot.Client{Name: "Борис Ёлкин", Phone: "+79035550000"}
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.CreateClient(boris) })

	for text, want := range map[string][]uint64{
		"":                {boris.ID, anna.ID},
		"+7 (916) 123":    {anna.ID},
		"7000 12":         {anna.ID},
		"7":               {boris.ID, anna.ID}, // both phones start with 7
		"елк":             {boris.ID},
		"бор ёл":          {boris.ID},
		"ann":             {anna.ID},
		"anna boris":      {},
		"8 999 000 00 00": {},
	} {
		var page cardbot.ClientPage
		mustView(t, db, func(tx cardbot.Tx) (err error) {
			page, err = tx.SearchClients(cardbot.ClientQuery{Text: text})
			return err
		})
		if got := clientIDs(page.Clients); !equalIDs(got, want) {
			t.Errorf("search %q = %v, want %v", text, got, want)
		}
	}
}

func TestSearchPagesNewestFirst(t *testing.T) {
	db := openTestDB(t)
	var ids []uint64
	for range 5 {
		c := &cardbot.Client{Name: "Вера"}
		mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.CreateClient(c) })
		ids = append([]uint64{c.ID}, ids...)
	}
	var got []uint64
	q := cardbot.ClientQuery{Text: "вер", Limit: 2}
	for pages := 0; ; pages++ {
		var page cardbot.ClientPage
		mustView(t, db, func(tx cardbot.Tx) (err error) { page, err = tx.SearchClients(q); return err })
		got = append(got, clientIDs(page.Clients)...)
		if page.Next == 0 || pages > 5 {
			break
		}
		q.Before = page.Next
	}
	if !equalIDs(got, ids) {
		t.Errorf("pages gave %v, want %v", got, ids)
	}
}

func clientIDs(cs []*cardbot.Client) []uint64 {
	ids := []uint64{}
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return ids
}

func equalIDs(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
