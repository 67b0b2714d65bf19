package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"cardbot"
	"cardbot/admin"
)

// samplePath fills a route's :params with values that exist in newSite's data, so a refusal is the
// guard's and not a 404.
func samplePath(path string) string {
	r := strings.NewReplacer(":id/", "1/", ":name", "notice", ":lang", "en")
	path = r.Replace(path)
	if strings.HasSuffix(path, "/:id") {
		path = strings.TrimSuffix(path, ":id") + "1"
	}
	return path
}

func protectedRoutes(t *testing.T, s *site) []admin.RouteInfo {
	var out []admin.RouteInfo
	for _, r := range admin.RoutesOf(s.page) {
		if !r.Public {
			out = append(out, r)
		}
	}
	if len(out) < 30 {
		t.Fatalf("only %d protected routes: the table is not what the page mounts", len(out))
	}
	return out
}

func TestEveryAdminRouteNeedsASession(t *testing.T) {
	s := newSite(t)
	s.addUser("olga", "correct horse", cardbot.RoleOwner)
	stranger := s.browser()
	for _, r := range protectedRoutes(t, s) {
		path := samplePath(r.Path)
		t.Run(r.Method+" "+r.Path, func(t *testing.T) {
			if r.Method == "GET" {
				p := stranger.get(path)
				if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/admin/login?next=") {
					t.Fatalf("a page without a session: %d %q, want a redirect to the login", p.Status, p.Location)
				}
				stranger.get(path, "HX-Request", "true").must(t, http.StatusUnauthorized)
				return
			}
			stranger.postBare(path, url.Values{"name": {"x"}}).must(t, http.StatusUnauthorized)
			// A token from the login form is no session either.
			stranger.get("/admin/login")
			stranger.post(path, url.Values{"name": {"x"}}).must(t, http.StatusUnauthorized)
		})
	}
	// A forged or ended session cookie is no session.
	forged := s.browser()
	u, _ := url.Parse(s.url + "/admin")
	forged.http.Jar.SetCookies(u, []*http.Cookie{{Name: "cardbot_session", Value: "made-up", Path: "/admin"}})
	if p := forged.get("/admin/clients"); p.Status != http.StatusSeeOther {
		t.Fatalf("a made-up session cookie: %d", p.Status)
	}
}

func TestStaffIsRefusedOnOwnerRoutes(t *testing.T) {
	s := newSite(t)
	s.addUser("ivan", "till password", cardbot.RoleStaff)
	staff := s.browser().mustLogin("ivan", "till password")
	owners := 0
	for _, r := range protectedRoutes(t, s) {
		path := samplePath(r.Path)
		if !r.OwnerOnly {
			continue
		}
		owners++
		var p page
		if r.Method == "GET" {
			p = staff.get(path)
		} else {
			p = staff.post(path, url.Values{"name": {"x"}}) // with the session's CSRF token: refused for the role
		}
		if p.Status != http.StatusForbidden {
			t.Errorf("staff %s %s: %d, want 403", r.Method, path, p.Status)
		}
	}
	if owners < 20 {
		t.Fatalf("only %d owner routes checked", owners)
	}
	// What staff may do still works.
	staff.get("/admin/clients").must(t, http.StatusOK).contains(t, `id="client-search"`)
	if p := staff.get("/admin"); p.Location != "/admin/clients" {
		t.Fatalf("staff home: %q", p.Location)
	}
	// And the navigation does not offer owner sections.
	p := staff.get("/admin/clients")
	if strings.Contains(p.Body, `id="nav-settings"`) || strings.Contains(p.Body, `id="nav-cards"`) {
		t.Fatal("staff see owner sections in the navigation")
	}
}

func TestPostWithoutCSRFTokenIs403(t *testing.T) {
	s := newSite(t)
	s.addUser("olga", "correct horse", cardbot.RoleOwner)
	owner := s.browser().mustLogin("olga", "correct horse")
	for _, r := range protectedRoutes(t, s) {
		if r.Method == "GET" {
			continue
		}
		path := samplePath(r.Path)
		owner.postBare(path, url.Values{"name": {"x"}}).must(t, http.StatusForbidden)
		owner.postBare(path, url.Values{"_csrf": {"not-the-token"}}).must(t, http.StatusForbidden)
	}
	// The login and setup forms carry their own token (a cookie and the same value in the form).
	fresh := s.browser()
	fresh.postBare("/admin/login", url.Values{"name": {"olga"}, "password": {"correct horse"}}).must(t, http.StatusForbidden)
	// The session's token works from a header too, as htmx sends it.
	owner.do("POST", "/admin/settings/cascade", url.Values{"channel": {"sms"}, "dir": {"up"}},
		"X-CSRF-Token", owner.csrf).must(t, http.StatusSeeOther)
}

func TestEleventhWrongPasswordInAMinuteIs429(t *testing.T) {
	s := newSite(t)
	s.addUser("olga", "correct horse", cardbot.RoleOwner)
	b := s.browser()
	for i := 1; i <= 10; i++ {
		p := b.login("olga", "wrong guess")
		if p.Status != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d, want 401", i, p.Status)
		}
		p.contains(t, `id="form-error"`)
	}
	b.login("olga", "wrong guess").must(t, http.StatusTooManyRequests)
	// Even the right password waits: the limit is checked before the password.
	b.login("olga", "correct horse").must(t, http.StatusTooManyRequests)
	// Unknown names count too.
	s.clock.Advance(61 * time.Second)
	if p := b.login("olga", "correct horse"); p.Status != http.StatusSeeOther {
		t.Fatalf("a minute later the right password: %d", p.Status)
	}
	other := s.browser()
	for range 10 {
		other.login("nobody", "x").must(t, http.StatusUnauthorized)
	}
	other.login("nobody", "x").must(t, http.StatusTooManyRequests)
}

func TestSessionSlidesAndExpires(t *testing.T) {
	s := newSite(t)
	s.addUser("olga", "correct horse", cardbot.RoleOwner)
	b := s.browser().mustLogin("olga", "correct horse")
	for range 3 { // used every 10 hours, the session lives on
		s.clock.Advance(10 * time.Hour)
		b.get("/admin/clients").must(t, http.StatusOK)
	}
	s.clock.Advance(13 * time.Hour)
	if p := b.get("/admin/clients"); p.Status != http.StatusSeeOther {
		t.Fatalf("13 idle hours later: %d, want the login", p.Status)
	}
}

func TestLogoutEndsTheSession(t *testing.T) {
	s := newSite(t)
	s.addUser("olga", "correct horse", cardbot.RoleOwner)
	b := s.browser().mustLogin("olga", "correct horse")
	token := b.csrf
	b.post("/admin/logout", nil).must(t, http.StatusSeeOther)
	if p := b.get("/admin/clients"); p.Status != http.StatusSeeOther {
		t.Fatalf("after logout: %d", p.Status)
	}
	// The old token is useless too.
	b.postBare("/admin/settings", url.Values{"_csrf": {token}}).must(t, http.StatusUnauthorized)
}

func TestCookiesAreHttpOnlyStrictAndSecureOnHTTPS(t *testing.T) {
	for _, base := range []string{"http://cards.example", "https://cards.example"} {
		s := newSite(t, func(c *cardbot.Config) { c.HTTP.BaseURL = base })
		s.addUser("olga", "correct horse", cardbot.RoleOwner)
		b := s.browser()
		b.get("/admin/login")
		req, _ := http.NewRequest("POST", s.url+"/admin/login", strings.NewReader(url.Values{
			"name": {"olga"}, "password": {"correct horse"}, "_csrf": {b.csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		u, _ := url.Parse(s.url + "/admin")
		for _, c := range b.http.Jar.Cookies(u) {
			req.AddCookie(c)
		}
		resp, err := b.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var session string
		for _, c := range resp.Header.Values("Set-Cookie") {
			if strings.HasPrefix(c, "cardbot_session=") {
				session = strings.ToLower(c)
			}
		}
		if !strings.Contains(session, "httponly") || !strings.Contains(session, "samesite=strict") {
			t.Fatalf("%s: session cookie %q", base, session)
		}
		if secure := strings.Contains(session, "secure;") || strings.HasSuffix(session, "secure"); secure != strings.HasPrefix(base, "https") {
			t.Fatalf("%s: session cookie %q", base, session)
		}
	}
}

func TestSetupLinkCreatesTheFirstOwnerOnce(t *testing.T) {
	s := newSite(t)
	link, err := s.page.SetupLink(t.Context())
	if err != nil || !strings.HasPrefix(link, "http://cards.example/admin/setup?token=") {
		t.Fatalf("setup link %q, %v", link, err)
	}
	token := strings.TrimPrefix(link, "http://cards.example/admin/setup?token=")
	b := s.browser()
	b.get("/admin/setup?token=wrong").must(t, http.StatusNotFound)
	b.get("/admin/setup?token="+token).must(t, http.StatusOK).contains(t, `id="setup-form"`)
	b.post("/admin/setup", url.Values{"token": {token}, "name": {"olga"}, "password": {"short"}, "password2": {"short"}}).
		must(t, http.StatusBadRequest).contains(t, "at least 8")
	p := b.post("/admin/setup", url.Values{"token": {token}, "name": {"olga"}, "password": {"correct horse"}, "password2": {"correct horse"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("setup: %d\n%s", p.Status, p.Body)
	}
	b.get("/admin/cards").must(t, http.StatusOK) // logged in as the owner
	// The link is dead now, and there is no new one.
	s.browser().get("/admin/setup?token="+token).must(t, http.StatusNotFound)
	if link, _ := s.page.SetupLink(t.Context()); link != "" {
		t.Fatalf("a setup link while an owner exists: %q", link)
	}
	s.browser().mustLogin("olga", "correct horse")
}

// TestTwoSetupFormsAtOnceMakeOneOwner: the setup link reached two people (a forwarded log line), and
// both send the form at the same moment. One becomes the owner; the other is told to log in, and
// neither adds a second owner nor changes the first one's password.
func TestTwoSetupFormsAtOnceMakeOneOwner(t *testing.T) {
	s := newSite(t)
	link, err := s.page.SetupLink(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimPrefix(link, "http://cards.example/admin/setup?token=")
	names := []string{"olga", "pavel", "rita", "semen"}
	browsers := make([]*browser, len(names))
	for i := range names {
		browsers[i] = s.browser()
		browsers[i].get("/admin/setup?token="+token).must(t, http.StatusOK)
	}
	statuses := make([]int, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() {
			statuses[i] = browsers[i].post("/admin/setup", url.Values{"token": {token}, "name": {name},
				"password": {"correct horse " + name}, "password2": {"correct horse " + name}}).Status
		})
	}
	wg.Wait()
	winner := -1
	for i, st := range statuses {
		switch {
		case st == http.StatusSeeOther && winner < 0:
			winner = i
		case st == http.StatusSeeOther:
			t.Fatalf("two setup forms both made an owner: %v", statuses)
		case st != http.StatusConflict && st != http.StatusNotFound:
			t.Fatalf("a losing setup form answered %d: %v", st, statuses)
		}
	}
	if winner < 0 {
		t.Fatalf("no setup form made an owner: %v", statuses)
	}
	var users []*cardbot.User
	err = s.db.View(t.Context(), func(tx cardbot.Tx) error { users, err = tx.Users(); return err })
	if err != nil || len(users) != 1 || users[0].Name != names[winner] {
		t.Fatalf("users after the race: %v (%v), want only %s", users, err, names[winner])
	}
	s.browser().mustLogin(names[winner], "correct horse "+names[winner])
}

func TestConfigUsersLogIn(t *testing.T) {
	hash, err := admin.HashPassword("from the file")
	if err != nil {
		t.Fatal(err)
	}
	s := newSite(t, func(c *cardbot.Config) {
		c.Admin.Users = []cardbot.AdminUser{{Name: "boss", Role: cardbot.RoleOwner, PasswordHash: string(hash)}}
	})
	if link, _ := s.page.SetupLink(t.Context()); link != "" {
		t.Fatal("a setup link although config.yaml lists an owner")
	}
	s.browser().mustLogin("boss", "from the file").get("/admin/settings").must(t, http.StatusOK)
	// The database cannot take that name.
	if _, err := admin.CreateUser(t.Context(), s.db, s.cfg, "Boss", "another password", cardbot.RoleStaff, s.clock.Now()); cardbot.CodeOf(err) != cardbot.Conflict {
		t.Fatalf("a database user with a config.yaml name: %v", err)
	}
}
