package admin

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"cardbot"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/crypto/bcrypt"
)

const (
	sessionCookie = "cardbot_session"
	// preCSRFCookie carries the CSRF token of the login and setup forms, before there is a session
	// (double submit: the form field must match the cookie).
	preCSRFCookie = "cardbot_csrf"
	// sessionIdle is how long a session lives without being used; each use moves the end forward.
	sessionIdle = 12 * time.Hour
	// sessionRefresh is how stale the end may get before a request writes the new one, so that a
	// busy page does not cost a database commit per click.
	sessionRefresh = 5 * time.Minute
	// bcryptCost is bcrypt's default: about 50 ms a check here, slow enough for a stolen database.
	bcryptCost = bcrypt.DefaultCost
	// Login attempts: at most loginFailures wrong passwords per IP in loginWindow; the next is 429.
	loginFailures = 10
	loginWindow   = time.Minute
	minPassword   = 8
)

// who is the logged-in user of a request.
type who struct {
	name    string
	role    cardbot.Role
	session *cardbot.Session
}

// Name is the user's login, for the page header.
func (w *who) Name() string { return w.name }

const localWho localName = "who"

func whoOf(c *fiber.Ctx) *who {
	w, _ := c.Locals(localWho).(*who)
	return w
}

func sessionID(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// session finds the request's session and its user, sliding the session's end forward; nil when
// there is no valid session (none, expired, or its user no longer exists).
func (p *Page) session(c *fiber.Ctx) (*who, error) {
	secret := c.Cookies(sessionCookie)
	if secret == "" {
		return nil, nil
	}
	id, now := sessionID(secret), p.now()
	var s *cardbot.Session
	var role cardbot.Role
	var ok bool
	err := p.store().View(c.UserContext(), func(tx cardbot.Tx) error {
		var err error
		if s, err = tx.Session(id); err != nil {
			return err
		}
		role, ok, err = p.roleOf(tx, s.UserName)
		return err
	})
	if cardbot.CodeOf(err) == cardbot.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !now.Before(s.ExpiresAt) {
		return nil, p.store().Update(c.UserContext(), func(tx cardbot.Tx) error { return tx.DeleteSession(id) })
	}
	if !ok {
		return nil, nil
	}
	if s.ExpiresAt.Sub(now) < sessionIdle-sessionRefresh {
		s.ExpiresAt = now.Add(sessionIdle)
		err := p.store().Update(c.UserContext(), func(tx cardbot.Tx) error {
			next := *s
			return tx.PutSession(&next)
		})
		if err != nil {
			return nil, err
		}
		p.setCookie(c, sessionCookie, secret, sessionIdle)
	}
	return &who{name: s.UserName, role: role, session: s}, nil
}

// setCookie sets an admin cookie for maxAge (0: the browser session; negative: delete it). Max-Age
// rather than Expires, so the browser's clock does not matter.
func (p *Page) setCookie(c *fiber.Ctx, name, value string, maxAge time.Duration) {
	age := int(maxAge / time.Second)
	if maxAge < 0 {
		age = -1
	}
	c.Cookie(&fiber.Cookie{
		Name: name, Value: value, Path: "/admin", MaxAge: age,
		HTTPOnly: true, Secure: p.secure, SameSite: fiber.CookieSameSiteStrictMode,
	})
}

// roleOf looks a user up by name: config.yaml first, then the database.
func (p *Page) roleOf(tx cardbot.Tx, name string) (cardbot.Role, bool, error) {
	if u := p.configUser(name); u != nil {
		return u.Role, true, nil
	}
	u, err := tx.UserByName(name)
	if cardbot.CodeOf(err) == cardbot.NotFound {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return u.Role, true, nil
}

func (p *Page) configUser(name string) *cardbot.AdminUser {
	for i, u := range p.cfg().Admin.Users {
		if strings.EqualFold(u.Name, name) {
			return &p.cfg().Admin.Users[i]
		}
	}
	return nil
}

// dummyHash is compared against when the name is unknown, so a wrong name takes as long as a wrong
// password and the answer time does not tell which names exist.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("cardbot-no-such-user"), bcryptCost)

// checkPassword returns the user's canonical name and role when the password is right.
func (p *Page) checkPassword(ctx context.Context, name, password string) (string, cardbot.Role, bool, error) {
	hash, canonical, role := dummyHash, "", cardbot.Role("")
	if u := p.configUser(name); u != nil {
		hash, canonical, role = []byte(u.PasswordHash), u.Name, u.Role
	} else {
		var u *cardbot.User
		err := p.store().View(ctx, func(tx cardbot.Tx) error {
			var err error
			u, err = tx.UserByName(name)
			return err
		})
		if err != nil && cardbot.CodeOf(err) != cardbot.NotFound {
			return "", "", false, err
		}
		if u != nil {
			hash, canonical, role = u.Hash, u.Name, u.Role
		}
	}
	ok := bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil && canonical != ""
	return canonical, role, ok, nil
}

// startSession stores a new session for the user and sets its cookie.
func (p *Page) startSession(c *fiber.Ctx, name string) error {
	secret, now := randomToken()+randomToken(), p.now()
	s := &cardbot.Session{
		ID: sessionID(secret), UserName: name, CSRF: randomToken(), CreatedAt: now, ExpiresAt: now.Add(sessionIdle),
	}
	err := p.store().Update(c.UserContext(), func(tx cardbot.Tx) error {
		next := *s
		return tx.PutSession(&next)
	})
	if err != nil {
		return err
	}
	p.setCookie(c, sessionCookie, secret, sessionIdle)
	p.setCookie(c, preCSRFCookie, "", -1)
	return nil
}

// preCSRF returns the login/setup form's token, setting its cookie when there is none yet.
func (p *Page) preCSRF(c *fiber.Ctx) string {
	if t := c.Cookies(preCSRFCookie); len(t) >= 20 {
		return t
	}
	t := randomToken()
	p.setCookie(c, preCSRFCookie, t, 0)
	return t
}

func validPreCSRF(c *fiber.Ctx) bool {
	cookie, field := c.Cookies(preCSRFCookie), c.FormValue("_csrf")
	return cookie != "" && subtle.ConstantTimeCompare([]byte(cookie), []byte(field)) == 1
}

type loginData struct {
	Next  string
	Name  string
	Token string // the setup token
	Error string
}

func (p *Page) loginForm(c *fiber.Ctx) error {
	if w, err := p.session(c); err == nil && w != nil {
		return c.Redirect(safeNext(c.Query("next")), fiber.StatusSeeOther)
	}
	return p.render(c, "login", "Log in", loginData{Next: safeNext(c.Query("next"))})
}

func (p *Page) login(c *fiber.Ctx) error {
	if !validPreCSRF(c) {
		return p.fail(c, fiber.StatusForbidden, "The form has expired. Reload the page and try again.")
	}
	ip := c.IP()
	if p.logins.Spent(ip) {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(p.logins.RetryAfter(ip)))
		return p.fail(c, fiber.StatusTooManyRequests, "Too many wrong passwords. Wait a minute and try again.")
	}
	name, password := strings.TrimSpace(c.FormValue("name")), c.FormValue("password")
	canonical, _, ok, err := p.checkPassword(c.UserContext(), name, password)
	if err != nil {
		return err
	}
	data := loginData{Next: safeNext(c.FormValue("next")), Name: name}
	if !ok {
		p.logins.Add(ip)
		// The user it names, never the name as typed: a password typed into the name field would be logged.
		p.log().Warn("admin login refused", "user", canonical, "ip", ip) // "" for a name nobody has
		data.Error = "Wrong name or password."
		c.Status(fiber.StatusUnauthorized)
		return p.render(c, "login", "Log in", data)
	}
	if err := p.startSession(c, canonical); err != nil {
		return err
	}
	p.log().Info("admin login", "user", canonical, "ip", ip)
	return c.Redirect(data.Next, fiber.StatusSeeOther)
}

// safeNext keeps a post-login redirect on the admin page, so a crafted link cannot send the owner
// elsewhere.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/admin") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/admin"
	}
	return next
}

func (p *Page) logout(c *fiber.Ctx) error {
	w := whoOf(c)
	err := p.store().Update(c.UserContext(), func(tx cardbot.Tx) error { return tx.DeleteSession(w.session.ID) })
	if err != nil {
		return err
	}
	p.setCookie(c, sessionCookie, "", -1)
	return c.Redirect("/admin/login", fiber.StatusSeeOther)
}

// setupOpen checks the setup token: it works only while nobody can log in.
func (p *Page) setupOpen(ctx context.Context, token string) (bool, error) {
	n, err := p.userCount(ctx)
	if err != nil || n > 0 {
		return false, err
	}
	p.setupMu.Lock()
	defer p.setupMu.Unlock()
	return p.setupToken != "" && subtle.ConstantTimeCompare([]byte(token), []byte(p.setupToken)) == 1, nil
}

func (p *Page) setupForm(c *fiber.Ctx) error {
	open, err := p.setupOpen(c.UserContext(), c.Query("token"))
	if err != nil {
		return err
	}
	if !open {
		return p.fail(c, fiber.StatusNotFound, "This setup link is not valid (or the first owner has already been created). Log in instead.")
	}
	return p.render(c, "setup", "Create the owner account", loginData{Token: c.Query("token")})
}

func (p *Page) setup(c *fiber.Ctx) error {
	if !validPreCSRF(c) {
		return p.fail(c, fiber.StatusForbidden, "The form has expired. Reload the page and try again.")
	}
	token := c.FormValue("token")
	open, err := p.setupOpen(c.UserContext(), token)
	if err != nil {
		return err
	}
	if !open {
		return p.fail(c, fiber.StatusNotFound, "This setup link is not valid (or the first owner has already been created). Log in instead.")
	}
	name, password := strings.TrimSpace(c.FormValue("name")), c.FormValue("password")
	data := loginData{Token: token, Name: name}
	if password != c.FormValue("password2") {
		data.Error = "The passwords do not match."
	} else if err := createFirstOwner(c.UserContext(), p.store(), p.cfg(), name, password, p.now()); err != nil {
		if errors.Is(err, errSetupDone) { // another form sent with the same link won
			return p.fail(c, fiber.StatusConflict, "The first owner has already been created. Log in instead.")
		}
		if cardbot.CodeOf(err) == cardbot.Internal {
			return err
		}
		data.Error = cardbot.MessageOf(err)
	}
	if data.Error != "" {
		c.Status(fiber.StatusBadRequest)
		return p.render(c, "setup", "Create the owner account", data)
	}
	p.setupMu.Lock()
	p.setupToken = ""
	p.setupMu.Unlock()
	p.log().Info("admin: the first owner account was created", "user", name)
	if err := p.startSession(c, name); err != nil {
		return err
	}
	return c.Redirect("/admin", fiber.StatusSeeOther)
}

// userCount counts who can log in: config.yaml users and database users.
func (p *Page) userCount(ctx context.Context) (int, error) {
	n := len(p.cfg().Admin.Users)
	err := p.store().View(ctx, func(tx cardbot.Tx) error {
		users, err := tx.Users()
		n += len(users)
		return err
	})
	return n, err
}

// HashPassword checks a new password and returns its bcrypt hash.
func HashPassword(password string) ([]byte, error) {
	if utf8.RuneCountInString(password) < minPassword {
		return nil, cardbot.Errorf(cardbot.Invalid, "the password needs at least %d characters", minPassword)
	}
	if len(password) > 72 { // bcrypt reads no further
		return nil, cardbot.Errorf(cardbot.Invalid, "the password is limited to 72 bytes")
	}
	return bcrypt.GenerateFromPassword([]byte(password), bcryptCost)
}

// CreateUser adds an admin page user to the database, or gives an existing database user a new
// password and role. A name written in config.yaml is refused: that file decides about it.
func CreateUser(ctx context.Context, store cardbot.Store, cfg cardbot.Config, name, password string, role cardbot.Role, now time.Time) (created bool, err error) {
	name = strings.TrimSpace(name)
	hash, err := checkNewUser(cfg, name, password, role)
	if err != nil {
		return false, err
	}
	err = store.Update(ctx, func(tx cardbot.Tx) error {
		old, err := tx.UserByName(name)
		switch {
		case cardbot.CodeOf(err) == cardbot.NotFound:
			created = true
			return tx.CreateUser(&cardbot.User{Name: name, Role: role, Hash: hash, CreatedAt: now})
		case err != nil:
			return err
		}
		created = false
		old.Hash, old.Role = hash, role
		return tx.PutUser(old)
	})
	return created, err
}

// createFirstOwner creates the owner account of the setup link in one transaction with the check
// that nobody can log in yet: of two setup forms sent at the same moment, one creates the owner and
// the other is refused, rather than adding a second owner or changing the first one's password.
func createFirstOwner(ctx context.Context, store cardbot.Store, cfg cardbot.Config, name, password string, now time.Time) error {
	name = strings.TrimSpace(name)
	hash, err := checkNewUser(cfg, name, password, cardbot.RoleOwner)
	if err != nil {
		return err
	}
	if len(cfg.Admin.Users) > 0 {
		return errSetupDone
	}
	return store.Update(ctx, func(tx cardbot.Tx) error {
		users, err := tx.Users()
		if err != nil {
			return err
		}
		if len(users) > 0 {
			return errSetupDone
		}
		return tx.CreateUser(&cardbot.User{Name: name, Role: cardbot.RoleOwner, Hash: hash, CreatedAt: now})
	})
}

var errSetupDone = cardbot.Errorf(cardbot.Conflict, "the first owner has already been created: log in instead")

// checkNewUser checks a new user's name, role and password and returns the password's hash.
func checkNewUser(cfg cardbot.Config, name, password string, role cardbot.Role) ([]byte, error) {
	if name == "" || utf8.RuneCountInString(name) > 64 || strings.ContainsAny(name, " \t\r\n") {
		return nil, cardbot.Errorf(cardbot.Invalid, "a user name is 1 to 64 characters without spaces, e.g. anna")
	}
	if role != cardbot.RoleOwner && role != cardbot.RoleStaff {
		return nil, cardbot.Errorf(cardbot.Invalid, "the role is owner or staff, not %q", role)
	}
	for _, u := range cfg.Admin.Users {
		if strings.EqualFold(u.Name, name) {
			return nil, cardbot.Errorf(cardbot.Conflict, "%q is listed in config.yaml (admin.users): change it there", name)
		}
	}
	return HashPassword(password)
}
