package main

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"cardbot"
)

// behindNginx is smallConfig with nginx on the same machine trusted.
var behindNginx = strings.Replace(smallConfig, "  listen: 127.0.0.1:0\n", "  listen: 127.0.0.1:0\n  trusted_proxies: [127.0.0.1]\n", 1)

// A café runs cardbot behind nginx on the same machine (http.trusted_proxies: [127.0.0.1]). The
// mini-site form's limit of 10 submissions in 10 minutes then holds for each visitor, not for nginx:
// a bot flooding the form is stopped, and a customer behind the same proxy still gets through.
func TestBehindNginxTheFormLimitIsPerVisitor(t *testing.T) {
	srv, _ := runServer(t, writeConfig(t, behindNginx))
	err := srv.db.Update(context.Background(), func(tx cardbot.Tx) error {
		return tx.CreateMiniSite(&cardbot.MiniSite{Slug: "coffee", Title: "Coffee"})
	})
	if err != nil {
		t.Fatal(err)
	}
	submit := func(forwardedFor string) int {
		t.Helper()
		// No consent: the form is refused with 422 once it is past the limit's count.
		form := url.Values{"name": {"Анна"}, "phone": {"+79161234567"}}
		req, _ := http.NewRequest("POST", "http://"+srv.Addr()+"/s/coffee", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return viaProxy(t, req, forwardedFor)
	}
	for i := 1; i <= 10; i++ {
		if got := submit("198.51.100.1"); got != http.StatusUnprocessableEntity {
			t.Fatalf("submission %d from the bot: %d, want 422", i, got)
		}
	}
	if got := submit("198.51.100.1"); got != http.StatusTooManyRequests {
		t.Fatalf("the bot's 11th submission: %d, want 429", got)
	}
	if got := submit("203.0.113.9, 198.51.100.1"); got != http.StatusTooManyRequests {
		t.Fatalf("the bot forging an address in front: %d, want 429", got)
	}
	if got := submit("198.51.100.2"); got != http.StatusUnprocessableEntity {
		t.Fatalf("a customer behind the same proxy: %d, want 422", got)
	}
}

// The log line of a refused admin login names the visitor's address, not nginx's.
func TestBehindNginxTheLogNamesTheVisitor(t *testing.T) {
	var log syncBuffer
	srv, _ := runServerLogging(t, writeConfig(t, behindNginx), &log)
	jar, _ := cookiejar.New(nil)
	status := postLogin(t, &http.Client{Jar: jar}, "http://"+srv.Addr(), "olga", "a guess", http.Header{"X-Forwarded-For": {"198.51.100.7"}})
	if status != http.StatusUnauthorized {
		t.Fatalf("a wrong password: %d", status)
	}
	if got := log.String(); !strings.Contains(got, "admin login refused") || !strings.Contains(got, "ip=198.51.100.7") {
		t.Fatalf("the refusal is not logged with the visitor's address:\n%s", got)
	}
}

// The web chat's limit of new chats per address holds for each visitor behind nginx too.
func TestBehindNginxTheNewChatLimitIsPerVisitor(t *testing.T) {
	srv, _ := runServer(t, writeConfig(t, behindNginx))
	open := func(forwardedFor string) int {
		t.Helper()
		req, _ := http.NewRequest("GET", "http://"+srv.Addr()+"/chat/api/messages", nil)
		return viaProxy(t, req, forwardedFor)
	}
	for i := 1; i <= 20; i++ {
		if got := open("198.51.100.1"); got != http.StatusOK {
			t.Fatalf("new chat %d from the script: %d", i, got)
		}
	}
	if got := open("198.51.100.1"); got != http.StatusTooManyRequests {
		t.Fatalf("the script's 21st new chat: %d, want 429", got)
	}
	if got := open("198.51.100.2"); got != http.StatusOK {
		t.Fatalf("a visitor behind the same proxy: %d", got)
	}
}

// viaProxy sends req as the trusted proxy passes it on, with the X-Forwarded-For it adds, and returns
// the status.
func viaProxy(t *testing.T, req *http.Request, forwardedFor string) int {
	t.Helper()
	req.Header.Set("X-Forwarded-For", forwardedFor)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
