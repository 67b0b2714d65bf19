package admin_test

import (
	"testing"

	"cardbot"
)

func TestSmoke(t *testing.T) {
	s := newSite(t)
	s.addUser("olga", "correct horse", cardbot.RoleOwner)
	b := s.browser().mustLogin("olga", "correct horse")
	for _, p := range []string{"/admin/cards", "/admin/sites", "/admin/sites/new", "/admin/clients", "/admin/messages", "/admin/messages/notice", "/admin/settings", "/admin/users", "/admin/cards/new", "/admin/cards/bonus"} {
		b.get(p).must(t, 200)
	}
}
