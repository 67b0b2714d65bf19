package flows_test

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cardbot"
	"cardbot/flows"
)

// crashChildEnv carries "database path|deliveries path" to the child process of the kill -9 test.
const crashChildEnv = "CARDBOT_BROADCAST_CRASH_CHILD"

// The crash test's world: 10,000 clients on Telegram; every 13th blocked the bot (those with a
// phone, every other client, get an SMS instead; the rest fail); every 50th said stop.
const crashClients = 10_000

func crashBlocked(to string) bool {
	i, err := strconv.Atoi(strings.TrimPrefix(to, "tg"))
	return err == nil && i%13 == 0
}

func crashHasPhone(i int) bool { return i%2 == 0 }
func crashOptedOut(i int) bool { return i%50 == 7 }

// crashWorkers is the dispatcher's worker count in the child, and crashUnsaved the sent rows whose
// outcome may wait for its commit: together, the most sends that can be in flight.
const crashWorkers, crashUnsaved = 16, 64

// A broadcast of 10,000 recipients, its process killed with SIGKILL in the middle of sending and
// started again: every recipient ends with exactly one delivered message or a recorded failure or
// skip, nobody is missed, and the only repeats are sends that were in flight at the kill.
func TestBroadcastSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("runs and kills child processes")
	}
	dir := t.TempDir()
	dbPath, logPath := filepath.Join(dir, "cardbot.db"), filepath.Join(dir, "deliveries.log")
	setup := openBroadcasts(t, dbPath, cardbot.NewManualClock(bcNow), flows.BroadcastDeps{})
	setup.addClients(crashClients, crashHasPhone, crashOptedOut)
	b := setup.start(sale("{{.Name}}, the weekend sale is on"))
	setup.close()

	first := crashChild(t, dbPath, logPath)
	waitUntil(t, "4,000 deliveries", func() bool { return countLines(t, logPath) >= 4000 })
	if err := first.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	first.Wait()
	atKill := countLines(t, logPath)
	// Sends in flight at the kill: the channel took the message, but its row is still pending.
	inFlight := 0
	crashed := openBroadcasts(t, dbPath, cardbot.NewManualClock(bcNow), flows.BroadcastDeps{})
	delivered := readDeliveries(t, logPath)
	for _, r := range crashed.recipients(b.ID) {
		if r.State != cardbot.RecipientEnqueued {
			continue
		}
		var m *cardbot.Message
		var err error
		err = crashed.db.View(context.Background(), func(tx cardbot.Tx) error {
			m, err = tx.Message(r.MessageID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if m.Status == cardbot.MessagePending && delivered.to(int(r.ClientID-1)) > 0 {
			inFlight++
		}
	}
	crashed.close()

	second := crashChild(t, dbPath, logPath)
	exited := make(chan error, 1)
	go func() { exited <- second.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("the restarted process failed: %v\n%s", err, second.Stdout)
		}
	case <-time.After(3 * time.Minute):
		second.Process.Kill()
		t.Fatalf("the restarted process did not finish the broadcast\n%s", second.Stdout)
	}

	got := readDeliveries(t, logPath)
	after := openBroadcasts(t, dbPath, cardbot.NewManualClock(bcNow), flows.BroadcastDeps{})
	final := after.get(b.ID)
	checkTotals(t, final)
	if final.Status != cardbot.BroadcastDone || final.Progress.Total != crashClients {
		t.Fatalf("after the restart the broadcast is %s with %+v", final.Status, final.Progress)
	}
	duplicates, sent := 0, 0
	for _, r := range after.recipients(b.ID) {
		i := int(r.ClientID - 1)
		delivered := got.to(i)
		switch r.State {
		case cardbot.RecipientSent:
			sent++
			if delivered == 0 {
				t.Fatalf("recipient %d is recorded sent but nothing reached them", i)
			}
			duplicates += delivered - 1
		case cardbot.RecipientFailed, cardbot.RecipientSkipped:
			if delivered != 0 || r.Reason == "" {
				t.Fatalf("recipient %d is %s (%q) yet got %d messages", i, r.State, r.Reason, delivered)
			}
		default:
			t.Fatalf("recipient %d was left %s", i, r.State)
		}
	}
	if sent != final.Progress.Sent {
		t.Errorf("%d recipients sent, the counters say %d", sent, final.Progress.Sent)
	}
	t.Logf("killed after %d deliveries with %d sends in flight (at most %d can be); %d sent, %d failed, %d skipped; %d duplicates",
		atKill, inFlight, crashWorkers+crashUnsaved, sent, final.Progress.Failed, final.Progress.Skipped, duplicates)
	if duplicates != inFlight || inFlight > crashWorkers+crashUnsaved {
		t.Errorf("%d recipients got a message twice; exactly the %d sends in flight at the kill (at most %d) may repeat", duplicates, inFlight, crashWorkers+crashUnsaved)
	}
}

// deliveryLog counts the lines of the deliveries file.
type deliveryLog map[string]int

func readDeliveries(t *testing.T, path string) deliveryLog {
	t.Helper()
	got := deliveryLog{}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for s := bufio.NewScanner(f); s.Scan(); {
		got[s.Text()]++
	}
	return got
}

// to counts the messages client i got on either channel.
func (d deliveryLog) to(i int) int {
	return d["telegram tg"+strconv.Itoa(i)] + d["sms +7900"+strconv.Itoa(1000000+i)]
}

// crashChild starts this test binary again as the process that sends the broadcast.
func crashChild(t *testing.T, dbPath, logPath string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBroadcastCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dbPath+"|"+logPath)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd
}

// TestBroadcastCrashChild is the sending process of TestBroadcastSurvivesKill9: it runs the
// dispatcher and the broadcasts until the broadcast is done, writing one line per accepted message.
func TestBroadcastCrashChild(t *testing.T) {
	paths := os.Getenv(crashChildEnv)
	if paths == "" {
		t.Skip("the child process of TestBroadcastSurvivesKill9")
	}
	dbPath, logPath, _ := strings.Cut(paths, "|")
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	var mu sync.Mutex
	record := func(channel, to string) {
		mu.Lock()
		defer mu.Unlock()
		log.WriteString(channel + " " + to + "\n") // one write: the line is in the file once Send returns
	}
	tg, sms := newDeliveries("telegram"), newDeliveries("sms")
	tg.blocked, tg.record, sms.record = crashBlocked, record, record
	e := openBroadcasts(t, dbPath, cardbot.NewManualClock(bcNow), flows.BroadcastDeps{})
	e.run(nil, tg, sms)
	list, err := e.bc.List(context.Background())
	if err != nil || len(list) != 1 {
		t.Fatalf("broadcasts: %v %v", list, err)
	}
	e.waitBroadcast(list[0].ID, "is done", func(b *cardbot.Broadcast) bool { return b.Status == cardbot.BroadcastDone })
}

func countLines(t *testing.T, path string) int {
	raw, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(raw, []byte("\n"))
}
