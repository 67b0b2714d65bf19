package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"cardbot/bot/telegram/fakeapi"
)

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// cardbotBinary builds this command once per test run, for tests that must kill a real process.
func cardbotBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "cardbot-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "cardbot")
		out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

// serveProcess starts `cardbot serve` as its own process.
func serveProcess(t *testing.T, configPath string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	cmd := exec.Command(cardbotBinary(t), "serve", "-config", configPath)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd, &logs
}

// The process dies (kill -9) after the card and the birthday question were committed to the outbox
// but before Telegram took them. After a restart each is sent exactly once.
func TestMessagesCommittedBeforeACrashAreSentOnceAfterRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a real process")
	}
	fake := fakeapi.New(fakeToken)
	fake.Start()
	t.Cleanup(fake.Close)
	configPath := writeConfig(t, fmt.Sprintf(`
data_dir: DATA
http:
  listen: 127.0.0.1:0
telegram:
  token: %s
  api_url: %s
  rate_limit: 0
`, fakeToken, fake.URL()))
	const chatID = 6001
	user := fakeapi.User{ID: chatID, FirstName: "Глеб"}
	fake.FailNext("sendPhoto", chatID, fakeapi.ServerError()) // the first try fails: the row stays pending

	first, logs := serveProcess(t, configPath)
	waitFor(t, "the bot to poll", func() bool { return fake.Calls("getUpdates") > 0 })
	fake.SendText(chatID, user, "Здравствуйте")
	waitFor(t, "the first send to fail", func() bool { return fake.Calls("sendPhoto") > 0 })
	first.Process.Kill() // before the retry, a second later
	first.Wait()
	if n := len(fake.SentTo(chatID)); n != 0 {
		t.Fatalf("%d messages were delivered before the crash; the test needs none", n)
	}

	serveProcess(t, configPath)
	waitFor(t, "both messages after the restart", func() bool { return len(fake.SentTo(chatID)) >= 2 })
	time.Sleep(1500 * time.Millisecond) // time enough for a duplicate to show
	sent := fake.SentTo(chatID)
	if len(sent) != 2 || sent[0].Method != "sendPhoto" || !strings.Contains(sent[1].Text, "день рождения") {
		t.Fatalf("after the restart the chat got %v, want the card then the birthday question once\n%s", texts(sent), logs)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary != "" {
		os.RemoveAll(filepath.Dir(binary))
	}
	os.Exit(code)
}
