package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cardbot"
	"cardbot/bot/telegram"
)

// postUpdate delivers one update to the running bot the way Telegram does in webhook mode.
func postUpdate(tb testing.TB, client *http.Client, base string, updateID int64, chatID int64, text string) {
	body := fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":%d,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"is_bot":false,"first_name":"Гость"},"text":%q%s}}`,
		updateID, updateID, time.Now().Unix(), chatID, chatID, text, commandEntity(text))
	req, _ := http.NewRequest("POST", base+telegram.WebhookPath, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s3cret-for-tests")
	resp, err := client.Do(req)
	if err != nil {
		tb.Error(err)
		return
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		tb.Errorf("webhook answered %d", resp.StatusCode)
	}
}

func commandEntity(text string) string {
	if !strings.HasPrefix(text, "/") {
		return ""
	}
	return fmt.Sprintf(`,"entities":[{"type":"bot_command","offset":0,"length":%d}]`, len(text))
}

// BenchmarkFirstContactWebhook: a new customer writes for the first time, through the real Telegram
// adapter in webhook mode (Telegram keeps up to 40 connections open, here 32), and the op ends when the
// fake Bot API has received the card picture. Compare with BenchmarkRawBoltCommit run in the same
// command (see BENCHMARKS.md). The process runs with the garbage collector set as `cardbot serve` sets it.
func BenchmarkFirstContactWebhook(b *testing.B) {
	defer tuneGC()()
	rig := startTelegramRig(b, cardbot.TelegramWebhook)
	var nextChat atomic.Int64
	nextChat.Store(10_000_000)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.SetParallelism(16)
	cpuBefore, cpuOK := processCPU()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			chat := nextChat.Add(1)
			postUpdate(b, client, rig.base, chat, chat, "Здравствуйте")
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			if _, err := rig.fake.WaitSent(ctx, chat, 1); err != nil {
				b.Error(err)
			}
			cancel()
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "contacts/s")
	if cpuAfter, ok := processCPU(); ok && cpuOK {
		// On a shared machine CPU per contact is steadier than the rate, which depends on what else runs.
		b.ReportMetric(float64((cpuAfter-cpuBefore).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	}
}

// BenchmarkReplyLatency1000PerSecond sends a steady 1,000 messages a second (100 customers, one
// message each every 100 ms) for three seconds through the webhook, and reports the latency from
// the webhook call to the fake Bot API receiving the reply. Run it with -benchtime 1x.
func BenchmarkReplyLatency1000PerSecond(b *testing.B) {
	const chats, rate, seconds = 100, 1000, 3
	rig := startTelegramRig(b, cardbot.TelegramWebhook)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	var updateID atomic.Int64
	for c := range int64(chats) { // everyone has a card and has been asked their birthday
		postUpdate(b, client, rig.base, updateID.Add(1), 20_000_000+c, "Здравствуйте")
		postUpdate(b, client, rig.base, updateID.Add(1), 20_000_000+c, "пропустить")
	}
	for c := range int64(chats) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		rig.fake.WaitSent(ctx, 20_000_000+c, 3)
		cancel()
	}
	b.ResetTimer()
	var latencies []time.Duration
	for range b.N {
		latencies = append(latencies, steadyLoad(b, rig, client, &updateID, chats, rate, seconds)...)
	}
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(len(latencies))/float64(b.N*seconds), "msgs/s")
}

// steadyLoad sends at a fixed rate, whatever the answers take, and pairs the k-th reply of a chat with
// its k-th message (replies keep their chat's order).
func steadyLoad(b *testing.B, rig *telegramRig, client *http.Client, updateID *atomic.Int64, chats, rate, seconds int) []time.Duration {
	total := rate * seconds
	sentAt := make([][]time.Time, chats)
	already := make([]int, chats)
	for c := range chats {
		already[c] = len(rig.fake.SentTo(20_000_000 + int64(c)))
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for i := range total {
		time.Sleep(time.Until(start.Add(time.Duration(i) * time.Second / time.Duration(rate))))
		c := i % chats
		mu.Lock()
		sentAt[c] = append(sentAt[c], time.Now())
		mu.Unlock()
		wg.Go(func() { postUpdate(b, client, rig.base, updateID.Add(1), 20_000_000+int64(c), "/balance") })
	}
	wg.Wait()
	var latencies []time.Duration
	for c := range chats {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		replies, err := rig.fake.WaitSent(ctx, 20_000_000+int64(c), already[c]+len(sentAt[c]))
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		for k, at := range sentAt[c] {
			latencies = append(latencies, replies[already[c]+k].At.Sub(at))
		}
	}
	return latencies
}
