package store

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"cardbot"

	bolt "go.etcd.io/bbolt"
)

// BenchmarkSearch1M is the admin page's client search on a million clients, each with a card. The
// store is built once per run in the benchmark's temporary directory (a minute and a half here) and
// shared by the sub-benchmarks, also over -count repetitions; each runs real queries and reports their
// latency percentiles:
//
//	go test -run '^$' -bench 'Search1M' -benchtime 2000x -count 3 -timeout 60m ./store
func BenchmarkSearch1M(b *testing.B) {
	const clients = 1_000_000
	db := searchBenchDB(b, filepath.Join(b.TempDir(), "search1m.db"), clients)
	rng := rand.New(rand.NewPCG(7, 7))
	now := searchBenchNow
	kinds := []struct {
		name  string
		query func() cardbot.ClientQuery
	}{
		{"phone-prefix", func() cardbot.ClientQuery {
			// What the owner types: +7 and 3 to 9 more digits of a customer's phone, in any format.
			p := benchPhone(uint64(1 + rng.IntN(clients)))
			return cardbot.ClientQuery{Text: "+7 (" + p[2:5] + ") " + p[5:5+rng.IntN(7)]}
		}},
		{"phone-as-typed", func() cardbot.ClientQuery {
			// The same, typed the way people in Russia do: with the trunk 8, or without the country code.
			p := benchPhone(uint64(1 + rng.IntN(clients)))
			if rng.IntN(2) == 0 {
				return cardbot.ClientQuery{Text: "8 " + p[2:5] + " " + p[5:5+rng.IntN(7)]}
			}
			return cardbot.ClientQuery{Text: p[2:5] + "-" + p[5:5+rng.IntN(7)]}
		}},
		{"name", func() cardbot.ClientQuery {
			// A surname's start, or a first name and a surname's start ("анна ив").
			first, last := benchName(uint64(1 + rng.IntN(clients)))
			last = string([]rune(last)[:2+rng.IntN(4)])
			if rng.IntN(2) == 0 {
				return cardbot.ClientQuery{Text: first + " " + last}
			}
			return cardbot.ClientQuery{Text: last}
		}},
		{"card-number", func() cardbot.ClientQuery {
			n := benchCardNumber(uint64(1 + rng.IntN(clients)))
			return cardbot.ClientQuery{Text: n[:4+rng.IntN(5)]}
		}},
		{"list-filtered", func() cardbot.ClientQuery {
			// The clients list: a programme and a last-activity range, sometimes a later page.
			q := cardbot.ClientQuery{ProgramID: benchPrograms[rng.IntN(len(benchPrograms))]}
			switch rng.IntN(3) {
			case 0: // active in the last 30 days
				q.ActiveFrom = now.AddDate(0, 0, -30)
			case 1: // not seen for half a year
				q.ActiveTo = now.AddDate(0, -6, 0)
			default: // one month last year
				q.ActiveFrom = now.AddDate(-1, 0, 0)
				q.ActiveTo = q.ActiveFrom.AddDate(0, 1, 0)
			}
			if rng.IntN(3) == 0 {
				q.Before = uint64(1 + rng.IntN(clients))
			}
			return q
		}},
		{"list-page", func() cardbot.ClientQuery {
			return cardbot.ClientQuery{Before: uint64(1 + rng.IntN(clients))}
		}},
	}
	for _, kind := range kinds {
		b.Run(kind.name, func(b *testing.B) {
			var took []time.Duration
			found := 0
			for b.Loop() {
				q := kind.query()
				start := time.Now()
				var page cardbot.ClientPage
				err := db.View(b.Context(), func(tx cardbot.Tx) (err error) { page, err = tx.SearchClients(q); return err })
				took = append(took, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
				found += len(page.Clients)
			}
			reportPercentiles(b, took)
			b.ReportMetric(float64(found)/float64(len(took)), "clients/query")
		})
	}
}

func reportPercentiles(b *testing.B, took []time.Duration) {
	slices.Sort(took)
	at := func(p float64) float64 {
		return float64(took[int(p*float64(len(took)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.95), "p95-ms")
	b.ReportMetric(at(0.99), "p99-ms")
	b.ReportMetric(0, "ns/op") // the percentiles say it better than the mean
}

var searchBenchNow = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

var (
	benchFirstNames = []string{"Александр", "Алексей", "Анна", "Анастасия", "Андрей", "Алёна", "Борис", "Вера",
		"Виктор", "Владимир", "Галина", "Дмитрий", "Евгений", "Екатерина", "Елена", "Иван", "Игорь", "Ирина",
		"Мария", "Михаил", "Наталья", "Николай", "Ольга", "Павел", "Пётр", "Светлана", "Сергей", "Татьяна",
		"Юлия", "Яна", "Anna", "John", "Maria", "David", "Fatima", "Ömer", "Li", "Wei"}
	benchLastNames = []string{"Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов",
		"Михайлов", "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров",
		"Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров",
		"Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев", "Кузьмин",
		"Фролов", "Александров", "Дмитриев", "Королёв", "Гусев", "Киселёв", "Ильин", "Максимов", "Поляков",
		"Сорокин", "Виноградов", "Ковалёв", "Белов", "Медведев", "Антонов", "Тарасов", "Жуков", "Баранов",
		"Smith", "Müller", "Garcia", "Kim", "Nguyen", "Khan", "Öztürk", "Rossi"}
	benchPrograms = []string{"bonus", "bonus", "bonus", "bonus", "stamps", "cert"}
)

// benchName is client n's first name and surname, spread over the lists by a fixed mix of n.
func benchName(n uint64) (first, last string) {
	h := mix(n)
	return benchFirstNames[h%uint64(len(benchFirstNames))], benchLastNames[(h>>20)%uint64(len(benchLastNames))]
}

// benchPhone is client n's phone, +79 and nine digits, unique: n is multiplied by a number coprime to
// 10⁹, which permutes the range.
func benchPhone(n uint64) string {
	return "+79" + fmt.Sprintf("%09d", n*387_420_489%1_000_000_000)
}

// benchCardNumber is the number of client n's card: eight digits, unique, in random-looking order.
func benchCardNumber(n uint64) string {
	return fmt.Sprintf("%08d", n*43_046_721%100_000_000)
}

func mix(n uint64) uint64 {
	n ^= n >> 33
	n *= 0xff51afd7ed558ccd
	n ^= n >> 33
	return n
}

// searchBenchDB builds the benchmark's store: clients created the way the product creates them, in
// transactions of 20,000 so the build takes a minute rather than an hour of fsyncs.
func searchBenchDB(b *testing.B, path string, clients int) *DB {
	b.Helper()
	db, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	start := time.Now()
	const batch = 20_000
	for first := 1; first <= clients; first += batch {
		err := db.Update(b.Context(), func(tx cardbot.Tx) error {
			for n := uint64(first); n < uint64(min(first+batch, clients+1)); n++ {
				if err := tx.CreateClient(searchBenchClient(n)); err != nil {
					return err
				}
				h := mix(n)
				card := &cardbot.Card{ClientID: n, Number: benchCardNumber(n), Token: "tok" + strconv.FormatUint(n, 36),
					ProgramID: benchPrograms[(h>>40)%uint64(len(benchPrograms))], Type: cardbot.Bonus,
					Status: cardbot.CardActive, Balance: int64(h % 100_000), IssuedAt: searchBenchNow}
				if err := tx.CreateCard(card); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("built %d clients with a card each in %v", clients, time.Since(start).Round(time.Second))
	return db
}

func searchBenchClient(n uint64) *cardbot.Client {
	first, last := benchName(n)
	h := mix(n)
	// Last activity: spread over the two years before now, more of it recent.
	ago := time.Duration(float64(2*365*24*time.Hour) * (float64(h>>44) / float64(1<<20)) * (float64(h>>44) / float64(1<<20)))
	c := benchClient(n)
	c.Name, c.Phone = first+" "+last, benchPhone(n)
	c.Channels = c.Channels[:1]
	c.LastActivityAt = searchBenchNow.Add(-ago).Truncate(time.Second)
	return c
}

// BenchmarkMigrateSearchIndexes1M times the migrations to schema version 2 (the four search indexes) and
// to version 3 (the national-number index) on a million clients with a card each: what an owner's first
// start of the new version costs.
//
//	go test -run '^$' -bench 'MigrateSearchIndexes1M' -benchtime 1x -timeout 30m ./store
func BenchmarkMigrateSearchIndexes1M(b *testing.B) {
	db := searchBenchDB(b, filepath.Join(b.TempDir(), "migrate1m.db"), 1_000_000)
	for _, step := range []struct {
		name    string
		indexes []string
		build   func(*bolt.Tx) error
	}{
		{"to-v2", []string{idxClientWords, idxClientActivity, idxCardDigits, idxProgramClients}, buildSearchIndexes},
		{"to-v3", []string{idxClientNational}, buildNationalIndex},
	} {
		b.Run(step.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				err := db.bolt.Update(func(btx *bolt.Tx) error {
					for _, name := range step.indexes {
						if err := btx.DeleteBucket([]byte(name)); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if err := db.bolt.Update(step.build); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/migration")
			b.ReportMetric(0, "ns/op")
		})
	}
}
