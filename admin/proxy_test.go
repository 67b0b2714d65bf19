package admin_test

import (
	"fmt"
	"net/http"
	"testing"

	"cardbot"
)

// The owner runs cardbot behind nginx on the same machine and lists it in http.trusted_proxies. A
// visitor guessing passwords is stopped after ten; the owner, behind the same proxy, still logs in.
func TestBehindATrustedProxyTheLoginLimitIsPerVisitor(t *testing.T) {
	s := newSite(t, func(c *cardbot.Config) { c.HTTP.TrustedProxies = []string{"127.0.0.1"} })
	s.addUser("olga", "correct horse", cardbot.RoleOwner)
	guesser := s.browser()
	guesser.forwardedFor = "198.51.100.1"
	for i := 1; i <= 10; i++ {
		guesser.login("olga", "wrong guess").must(t, http.StatusUnauthorized)
	}
	guesser.login("olga", "wrong guess").must(t, http.StatusTooManyRequests)
	// Writing another address in front of the one nginx appends does not make a new visitor.
	guesser.forwardedFor = "203.0.113.50, 198.51.100.1"
	guesser.login("olga", "wrong guess").must(t, http.StatusTooManyRequests)

	owner := s.browser()
	owner.forwardedFor = "198.51.100.2"
	owner.mustLogin("olga", "correct horse")
}

// Without trusted proxies (the default) the headers are anybody's words: a guesser who writes a new
// X-Forwarded-For with every try is still one address.
func TestForwardedForFromAnUntrustedPeerIsIgnored(t *testing.T) {
	s := newSite(t, func(c *cardbot.Config) { c.HTTP.TrustedProxies = []string{"10.0.0.0/8"} })
	s.addUser("olga", "correct horse", cardbot.RoleOwner)
	guesser := s.browser()
	for i := 1; i <= 10; i++ {
		guesser.forwardedFor = fmt.Sprintf("198.51.100.%d", i)
		guesser.login("olga", "wrong guess").must(t, http.StatusUnauthorized)
	}
	guesser.forwardedFor = "198.51.100.99"
	guesser.login("olga", "wrong guess").must(t, http.StatusTooManyRequests)
}
