package store

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"cardbot"

	bolt "go.etcd.io/bbolt"
)

// Small tunings make little data take the paths a million clients take: conditions too big to read
// at first, a walk that gives up, and conditions read in full after all.
func testTunings() map[string]tuning {
	return map[string]tuning{
		"default":            defaultTuning,
		"all dense, walk":    func(uint64, int) (int, int) { return 2, 1 << 30 },
		"all dense, give up": func(uint64, int) (int, int) { return 2, 3 },
		"tiny sets":          func(uint64, int) (int, int) { return 40, 1 },
	}
}

func TestIndexedSearchFindsWhatTheScanFinds(t *testing.T) {
	db := openTestDB(t)
	rng := rand.New(rand.NewPCG(5, 2026))
	w := newSearchWorld(rng)
	w.fill(t, db, 400)
	w.mutate(t, db, 300) // renames, forgotten clients, cards that move or change programme
	wantIndexesMatchRecords(t, db)

	for i := range 300 {
		q := w.query()
		mustView(t, db, func(cbtx cardbot.Tx) error {
			return wantSameAsScan(t, cbtx.(*tx), q, fmt.Sprintf("query %d %s", i, describeQuery(q)))
		})
	}
}

func TestRenamedClientIsFoundByTheNewNameOnly(t *testing.T) {
	db := openTestDB(t)
	anna := &cardbot.Client{Name: "Анна Ёлкина", Phone: "+79161234567"}
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.CreateClient(anna) })
	card := createCard(t, db, anna.ID, "7000 1234", "tok-a")
	boris := createClient(t, db, "+79035550000")

	anna.Name = "Мария Елкина"
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.PutClient(anna) })
	wantSearch(t, db, "анн", nil)
	wantSearch(t, db, "мар ёлк", []uint64{anna.ID})

	// The card goes to Boris: its number finds him now, not Anna.
	card.ClientID = boris.ID
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.PutCard(card) })
	wantSearch(t, db, "70001", []uint64{boris.ID})

	// A client who asked to be forgotten keeps the record but no longer matches the old name or phone.
	anna.Name, anna.Phone = "", ""
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.PutClient(anna) })
	wantSearch(t, db, "мария", nil)
	wantSearch(t, db, "7916", nil)
	wantIndexesMatchRecords(t, db)
}

func TestPhoneIsFoundAsPeopleTypeIt(t *testing.T) {
	db := openTestDB(t)
	moscow := createClient(t, db, "+79161234567")
	minsk := createClient(t, db, "+375291234567")
	berlin := createClient(t, db, "+4915112345678")
	createCard(t, db, berlin.ID, "8916 1000", "tok-b")

	wantSearch(t, db, "+7 916 123", []uint64{moscow.ID})
	wantSearch(t, db, "8 (916) 123-45-67", []uint64{moscow.ID}) // the trunk 8 of the +7 plan
	wantSearch(t, db, "89161", []uint64{berlin.ID, moscow.ID})  // or the start of a card number
	wantSearch(t, db, "916 123", []uint64{moscow.ID})           // without the country code
	wantSearch(t, db, "29 123", []uint64{minsk.ID})
	wantSearch(t, db, "151", []uint64{berlin.ID})
	wantSearch(t, db, "8", []uint64{berlin.ID}) // the start of the card number, not every +7 client
	wantSearch(t, db, "8 29", nil)              // the trunk 8 is the +7 plan's only
	wantSearch(t, db, "16 123", nil)            // the national number from its start
}

func TestMigrationBuildsTheSearchIndexesOfAnOldDatabase(t *testing.T) {
	testMigrationBuildsIndexes(t, 1, idxClientWords, idxClientActivity, idxCardDigits, idxProgramClients, idxClientNational)
}

func TestMigrationBuildsTheNationalNumberIndex(t *testing.T) {
	testMigrationBuildsIndexes(t, 2, idxClientNational)
}

// testMigrationBuildsIndexes makes a database the file a cardbot of schema version `from` left, without
// the indexes later versions added, and checks that opening it builds them and the search finds what
// the scan finds.
func testMigrationBuildsIndexes(t *testing.T, from uint64, missing ...string) {
	path := t.TempDir() + "/cardbot.db"
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	w := newSearchWorld(rand.New(rand.NewPCG(1, from)))
	w.fill(t, db, 150)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.Update(func(btx *bolt.Tx) error {
		for _, name := range missing {
			if err := btx.DeleteBucket([]byte(name)); err != nil {
				return err
			}
		}
		return writeVersion(btx, from)
	})
	bdb.Close()
	if err != nil {
		t.Fatal(err)
	}

	db, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v := schemaVersionOf(t, db); v != SchemaVersion {
		t.Fatalf("schema version %d after the migration, want %d", v, SchemaVersion)
	}
	wantIndexesMatchRecords(t, db)
	for range 100 {
		q := w.query()
		mustView(t, db, func(cbtx cardbot.Tx) error {
			want, _ := cbtx.(*tx).scanClients(q)
			got, err := cbtx.SearchClients(q)
			if err != nil || !equalIDs(clientIDs(got.Clients), clientIDs(want.Clients)) {
				t.Errorf("%s after migration: %v, %v; want %v", describeQuery(q), clientIDs(got.Clients), err, clientIDs(want.Clients))
			}
			return nil
		})
	}
}

func wantSearch(t *testing.T, db *DB, text string, want []uint64) {
	t.Helper()
	var page cardbot.ClientPage
	mustView(t, db, func(tx cardbot.Tx) (err error) {
		page, err = tx.SearchClients(cardbot.ClientQuery{Text: text})
		return err
	})
	if got := clientIDs(page.Clients); !equalIDs(got, append([]uint64{}, want...)) {
		t.Errorf("search %q = %v, want %v", text, got, want)
	}
}

// wantIndexesMatchRecords checks that the search indexes hold exactly the entries of the records now
// stored: nothing missing, nothing left behind by a change.
func wantIndexesMatchRecords(t *testing.T, db *DB) {
	t.Helper()
	err := db.bolt.View(func(btx *bolt.Tx) error {
		tx := &tx{btx: btx}
		want := map[string][]string{}
		clients, err := tx.Clients(0, 0)
		if err != nil {
			return err
		}
		for _, c := range clients {
			entries, err := clientSearchEntries(c)
			if err != nil {
				return err
			}
			for _, e := range entries {
				want[e.index] = append(want[e.index], e.key)
			}
			cards, err := tx.ClientCards(c.ID)
			if err != nil {
				return err
			}
			for _, card := range cards {
				for _, e := range cardSearchEntries(card) {
					want[e.index] = append(want[e.index], e.key)
				}
			}
		}
		for _, index := range []string{idxClientWords, idxClientActivity, idxCardDigits, idxProgramClients, idxClientNational} {
			var have []string
			_ = btx.Bucket([]byte(index)).ForEach(func(k, _ []byte) error { have = append(have, string(k)); return nil })
			w := want[index]
			slices.Sort(w)
			w = slices.Compact(w)
			if !slices.Equal(have, w) {
				t.Errorf("%s holds %d keys, the records own %d", index, len(have), len(w))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// searchWorld makes random clients and cards, remembers what it made and asks queries about it.
type searchWorld struct {
	rng     *rand.Rand
	clients []*cardbot.Client
	cards   []*cardbot.Card
	phones  map[string]bool
	numbers map[string]bool
}

func newSearchWorld(rng *rand.Rand) *searchWorld {
	return &searchWorld{rng: rng, phones: map[string]bool{}, numbers: map[string]bool{}}
}

var (
	testFirstNames = []string{"Анна", "Анастасия", "Алёна", "Борис", "Вера", "Ёжик", "Anna", "Anne", "Жан-Поль", "Ли", "Ömer", "O'Brien"}
	testLastNames  = []string{"Ёлкина", "Елкин", "Иванова", "Иванов", "Smith", "Smithson", "Ng", "Петров-Водкин", "2-й"}
	testPrograms   = []string{"bonus", "bonus2", "stamps", "cert", "бонус"}
	testZones      = []*time.Location{time.UTC, time.FixedZone("MSK", 3*3600), time.FixedZone("odd", -(4*3600 + 1800))}
)

func (w *searchWorld) name() string {
	r := w.rng
	switch r.IntN(20) {
	case 0:
		return ""
	case 1:
		return "Анна\xffБорис" // not UTF-8: stored with U+FFFD, which splits words
	case 2:
		return strings.Repeat("Длинноеимя", 10) + " Вера" // a word longer than the index keeps
	case 3:
		return testFirstNames[r.IntN(len(testFirstNames))] + " " + testFirstNames[r.IntN(len(testFirstNames))]
	}
	return testFirstNames[r.IntN(len(testFirstNames))] + " " + testLastNames[r.IntN(len(testLastNames))]
}

func (w *searchWorld) phone() string {
	for {
		var p string
		switch w.rng.IntN(6) {
		case 0:
			return ""
		case 1:
			p = []string{fmt.Sprintf("+4915%07d", w.rng.IntN(1e7)), fmt.Sprintf("+37529%07d", w.rng.IntN(1e7)),
				fmt.Sprintf("+1916%07d", w.rng.IntN(1e7)), fmt.Sprintf("+9916%07d", w.rng.IntN(1e7))}[w.rng.IntN(4)]
		case 2:
			p = fmt.Sprintf("7916%03d", w.rng.IntN(1e3)) // a phone stored without its +
		default:
			p = fmt.Sprintf("+7916%03d%04d", w.rng.IntN(20), w.rng.IntN(1e4))
		}
		if !w.phones[p] {
			w.phones[p] = true
			return p
		}
	}
}

func (w *searchWorld) number() string {
	for {
		n := fmt.Sprintf("70%02d%04d", w.rng.IntN(30), w.rng.IntN(1e4))
		if w.rng.IntN(5) == 0 {
			n = n[:4] + " " + n[4:] // imported with a space
		}
		if !w.numbers[n] {
			w.numbers[n] = true
			return n
		}
	}
}

func (w *searchWorld) instant() time.Time {
	if w.rng.IntN(10) == 0 {
		return time.Time{}
	}
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(w.rng.Int64N(int64(365 * 24 * time.Hour))))
	return at.In(testZones[w.rng.IntN(len(testZones))])
}

func (w *searchWorld) fill(t testing.TB, db *DB, n int) {
	t.Helper()
	for start := 0; start < n; start += 100 {
		var made []*cardbot.Client
		var cards []*cardbot.Card
		mustUpdate(t, db, func(tx cardbot.Tx) error {
			made, cards = nil, nil
			for range min(100, n-start) {
				c := &cardbot.Client{Name: w.name(), Phone: w.phone(), LastActivityAt: w.instant()}
				if err := tx.CreateClient(c); err != nil {
					return err
				}
				made = append(made, c)
				for range w.rng.IntN(4) {
					card := &cardbot.Card{ClientID: c.ID, Number: w.number(), ProgramID: testPrograms[w.rng.IntN(len(testPrograms))]}
					if err := tx.CreateCard(card); err != nil {
						return err
					}
					cards = append(cards, card)
				}
			}
			return nil
		})
		w.clients, w.cards = append(w.clients, made...), append(w.cards, cards...)
	}
}

// mutate changes random clients and cards the ways the product does: renames, activity, a forgotten
// client, a card moved to another client or to another programme, a new number.
func (w *searchWorld) mutate(t *testing.T, db *DB, n int) {
	t.Helper()
	for range n {
		r := w.rng
		mustUpdate(t, db, func(tx cardbot.Tx) error {
			c := w.clients[r.IntN(len(w.clients))]
			switch r.IntN(5) {
			case 0:
				c.Name = w.name()
			case 1:
				c.LastActivityAt = w.instant()
			case 2:
				c.Name, c.Phone = "", ""
			default:
				if len(w.cards) == 0 {
					return nil
				}
				card := w.cards[r.IntN(len(w.cards))]
				switch r.IntN(3) {
				case 0:
					card.ClientID = c.ID
				case 1:
					card.ProgramID = testPrograms[r.IntN(len(testPrograms))]
				default:
					card.Number = w.number()
				}
				return tx.PutCard(card)
			}
			return tx.PutClient(c)
		})
	}
}

// query asks what an owner would type: the start of a name, a phone in any format, a card number, or
// nonsense, with filters and paging now and then.
func (w *searchWorld) query() cardbot.ClientQuery {
	r := w.rng
	var q cardbot.ClientQuery
	c := w.clients[r.IntN(len(w.clients))]
	switch r.IntN(8) {
	case 0:
	case 1, 2:
		words := nameWords(c.Name)
		for _, word := range words {
			if r.IntN(2) == 0 || len(words) == 1 {
				runes := []rune(word)
				q.Text += string(runes[:1+r.IntN(len(runes))]) + " "
			}
		}
		if r.IntN(4) == 0 {
			q.Text = strings.ToUpper(q.Text)
		}
	case 3:
		if c.Phone != "" {
			digits := onlyDigits(c.Phone)
			switch national := nationalNumber(c.Phone); {
			case r.IntN(3) == 0 && national != "": // without the country code
				q.Text = national[:1+r.IntN(len(national))]
			case r.IntN(2) == 0 && digits[0] == '7': // with the trunk 8
				q.Text = "8 (" + digits[1:1+r.IntN(len(digits))]
			default:
				q.Text = "+" + digits[:1] + " (" + digits[1:1+r.IntN(len(digits))]
			}
		}
	case 4:
		if len(w.cards) > 0 {
			n := onlyDigits(w.cards[r.IntN(len(w.cards))].Number)
			q.Text = n[:1+r.IntN(len(n))]
		}
	case 5:
		q.Text = []string{"7", "79", "4", "70 0", "анна вер", "ё", "zzz", "+", " ", "2-й", "ли о", "8", "89", "916", "29", "15"}[r.IntN(16)]
	case 6:
		q.Text = testFirstNames[r.IntN(len(testFirstNames))][:1]
	case 7:
		q.Text = fmt.Sprint(r.IntN(10))
	}
	if r.IntN(3) == 0 {
		q.ProgramID = testPrograms[r.IntN(len(testPrograms))]
	}
	if r.IntN(3) == 0 {
		q.ActiveFrom = w.instant()
	}
	if r.IntN(3) == 0 {
		q.ActiveTo = w.instant()
	}
	q.Limit = []int{0, 1, 3, 10}[r.IntN(4)]
	if r.IntN(3) == 0 {
		q.Before = uint64(r.IntN(len(w.clients) + 20))
	}
	return q
}

func describeQuery(q cardbot.ClientQuery) string {
	return fmt.Sprintf("{text %q program %q active [%v, %v) before %d limit %d}",
		q.Text, q.ProgramID, q.ActiveFrom, q.ActiveTo, q.Before, q.Limit)
}

// wantSameAsScan fails the test unless the indexed search answers q exactly as the plain scan does,
// under every tuning (index read in full, walked, or given up on).
func wantSameAsScan(t testing.TB, tx *tx, q cardbot.ClientQuery, what string) error {
	t.Helper()
	want, err := tx.scanClients(q)
	if err != nil {
		return err
	}
	for name, tune := range testTunings() {
		got, err := tx.searchClients(q, tune)
		if err != nil {
			return err
		}
		if !equalIDs(clientIDs(got.Clients), clientIDs(want.Clients)) || got.Next != want.Next {
			t.Errorf("%s (%s):\n got %v next %d\nwant %v next %d", what, name,
				clientIDs(got.Clients), got.Next, clientIDs(want.Clients), want.Next)
		}
	}
	return nil
}
