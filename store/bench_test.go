package store

import (
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"cardbot"

	bolt "go.etcd.io/bbolt"
)

// The figures these produce go into BENCHMARKS.md: go test -run '^$' -bench . ./store/

// BenchmarkRawBoltCommit is the baseline: one bolt.DB.Update per small value, one fsync each.
func BenchmarkRawBoltCommit(b *testing.B) {
	bdb, err := bolt.Open(filepath.Join(b.TempDir(), "raw.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	defer bdb.Close()
	value := []byte(`{"v":1,"n":1}`)
	_ = bdb.Update(func(btx *bolt.Tx) error { _, err := btx.CreateBucket([]byte("b")); return err })
	var i uint64
	for b.Loop() {
		i++
		err := bdb.Update(func(btx *bolt.Tx) error { return btx.Bucket([]byte("b")).Put(idKey(i), value) })
		if err != nil {
			b.Fatal(err)
		}
	}
	reportOpsPerSecond(b)
}

// benchClient is about the size of a real client record with its phone and two messenger accounts.
func benchClient(n uint64) *cardbot.Client {
	return &cardbot.Client{
		Name:     "Anna Karenina",
		Phone:    fmt.Sprintf("+7999%07d", n),
		Email:    "anna@example.org",
		Birthday: &cardbot.Date{Year: 1990, Month: 3, Day: 15},
		Channels: []cardbot.Address{
			{Channel: "telegram", ID: fmt.Sprint(100000000 + n)},
			{Channel: "whatsapp", ID: fmt.Sprintf("7999%07d", n)},
		},
		Consent:   cardbot.Consent{PersonalData: true, Marketing: true, Source: "telegram", At: testTime},
		Tags:      []string{"vip"},
		Source:    "telegram",
		CreatedAt: testTime,
	}
}

// BenchmarkUpdateSerial is one caller at a time: the latency path, one commit per Update.
func BenchmarkUpdateSerial(b *testing.B) {
	db := openTestDB(b)
	var n uint64
	for b.Loop() {
		n++
		c := benchClient(n)
		if err := db.Update(b.Context(), func(tx cardbot.Tx) error { return tx.CreateClient(c) }); err != nil {
			b.Fatal(err)
		}
	}
	reportOpsPerSecond(b)
}

// BenchmarkUpdateParallel is many callers at once: the throughput path, where group commit shares
// one fsync among everything queued.
func BenchmarkUpdateParallel(b *testing.B) {
	db := openTestDB(b)
	var n atomic.Uint64
	before := db.commits.Load()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c := benchClient(n.Add(1))
			if err := db.Update(b.Context(), func(tx cardbot.Tx) error { return tx.CreateClient(c) }); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportOpsPerSecond(b)
	b.ReportMetric(float64(b.N)/float64(db.commits.Load()-before), "updates/commit")
}

func reportOpsPerSecond(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}
