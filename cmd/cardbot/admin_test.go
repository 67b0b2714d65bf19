package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"cardbot"
)

// syncBuffer is a log the server writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The first run: the log carries the one-time setup link; `cardbot user add` works while the
// service runs (through the control socket) and without it; the users log in to the admin page.
func TestAdminFirstRunAndUserAdd(t *testing.T) {
	configPath := writeConfig(t, smallConfig)
	cfg, err := loadConfig(configPath)
	if err != nil {
		t.Fatal(err)
	}
	var log syncBuffer
	srv, err := newServer(cfg, cardbot.SystemClock{}, newLogger(&log))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	stopped := false
	defer func() {
		if !stopped {
			cancel()
			<-done
		}
	}()
	base := "http://" + srv.Addr()

	setup, ok := strings.CutPrefix(setupLink(t, &log), "http://127.0.0.1:8080/")
	if !ok {
		t.Fatalf("the setup link is not on the base URL: %s", setup)
	}
	setup = "/" + setup
	if resp, err := http.Get(base + setup); err != nil || resp.StatusCode != 200 {
		t.Fatalf("setup link: %v %v", resp, err)
	}

	var out bytes.Buffer
	err = userCommand(context.Background(), []string{"add", "olga", "-config", configPath}, strings.NewReader("correct horse\n"), &out)
	if err != nil || !strings.Contains(out.String(), `user "olga" (owner) added`) {
		t.Fatalf("user add while serving: %v %q", err, out.String())
	}
	// Once someone can log in, the setup link is dead.
	if resp, _ := http.Get(base + setup); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("setup link after user add: %d", resp.StatusCode)
	}
	owner := adminLogin(t, base, "olga", "correct horse")
	resp, err := owner.Get(base + "/admin/settings")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("settings: %v %v", resp, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `id="channel-telegram"`) || !strings.Contains(string(body), `data-state="off"`) {
		t.Fatalf("the settings page does not show the channels:\n%s", body)
	}

	cancel()
	stopped = true
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Without the service the command opens the database itself.
	out.Reset()
	err = userCommand(context.Background(), []string{"add", "ivan", "-role", "staff", "-config", configPath}, strings.NewReader("till password\n"), &out)
	if err != nil {
		t.Fatalf("user add without the service: %v", err)
	}
	if err := userCommand(context.Background(), []string{"add", "x", "-role", "boss", "-config", configPath}, strings.NewReader("till password\n"), &out); err == nil {
		t.Fatal("a bad role was accepted")
	}
}

// setupLink waits for the one-time setup link the service logs at start while nobody can log in.
func setupLink(t *testing.T, log *syncBuffer) string {
	t.Helper()
	link := regexp.MustCompile(`url="?(https?://[^" ]+/admin/setup\?token=[a-z0-9]+)`)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := link.FindStringSubmatch(log.String()); m != nil {
			return m[1]
		}
	}
	t.Fatalf("no setup link in the log:\n%s", log.String())
	return ""
}

func adminLogin(t *testing.T, base, name, password string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if status := postLogin(t, c, base, name, password, nil); status != http.StatusSeeOther {
		t.Fatalf("login as %s: %d", name, status)
	}
	return c
}

// postLogin sends the admin login form as a browser would, with the CSRF token of the login page and
// the extra headers, and returns the status.
func postLogin(t *testing.T, c *http.Client, base, name, password string, header http.Header) int {
	t.Helper()
	resp, err := c.Get(base + "/admin/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token on the login page:\n%s", body)
	}
	form := url.Values{"name": {name}, "password": {password}, "_csrf": {string(m[1])}}
	req, _ := http.NewRequest("POST", base+"/admin/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	if resp, err = c.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// A hash from `cardbot user hash` is what admin.users in config.yaml takes.
func TestUserHashGoesInTheConfig(t *testing.T) {
	var out bytes.Buffer
	if err := userCommand(context.Background(), []string{"hash"}, strings.NewReader("from the file\n"), &out); err != nil {
		t.Fatal(err)
	}
	hash := strings.TrimSpace(out.String())
	configPath := writeConfig(t, smallConfig+"admin:\n  users:\n    - name: boss\n      role: owner\n      password_hash: \""+hash+"\"\n")
	if code, _, errOut := cli(t, "check-config", "-config", configPath); code != 0 {
		t.Fatalf("check-config: %s", errOut)
	}
	bad := writeConfig(t, smallConfig+"admin:\n  users:\n    - name: boss\n      role: king\n      password_hash: plain\n")
	code, _, errOut := cli(t, "check-config", "-config", bad)
	if code == 0 || !strings.Contains(errOut, "admin.users[0].role") || !strings.Contains(errOut, "admin.users[0].password_hash") {
		t.Fatalf("check-config of a bad admin user: %d %s", code, errOut)
	}
}
