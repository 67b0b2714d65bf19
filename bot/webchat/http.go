package webchat

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"cardbot"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/time/rate"
)

// The browser side of the chat.
const (
	// CookieName holds the session id. The widget, framed on the owner's site, is a third-party
	// context where a SameSite=Lax cookie is not sent; it keeps the id in its own storage and sends it
	// in SessionHeader instead.
	CookieName    = "cardbot_chat"
	SessionHeader = "X-Chat-Session"
	APIPrefix     = "/chat/api"

	maxWait     = 25 * time.Second // a long poll answers empty after this
	maxText     = 4096             // bytes of one message
	sessionLife = 365 * 24 * time.Hour
)

// Mount adds the chat's endpoints under /chat/api:
//
//	POST /chat/api/session       makes the session; its id in the body unless the cookie came
//	POST /chat/api/send          {"id","text"} or {"id","button","label"}, with "payload" on the first
//	GET  /chat/api/messages      ?after=<seq>&epoch=<e>&wait=1: the entries after seq, by long poll
//	GET  /chat/api/picture/:seq  the card picture of an entry
func (a *Adapter) Mount(r fiber.Router) {
	g := r.Group(APIPrefix, func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Next()
	})
	g.Post("/session", a.handleSession)
	g.Post("/send", a.handleSend)
	g.Get("/messages", a.handleMessages)
	g.Get("/picture/:seq", a.handlePicture)
}

// session returns the caller's session id, making one (and its cookie) when create is set.
func (a *Adapter) session(c *fiber.Ctx, create bool) (string, bool) {
	id, _, ok := a.sessionFrom(c, create)
	return id, ok
}

// sessionFrom is session, also telling whether the id came in the cookie. Only a browser that did not
// send the cookie is told the id in the body (the widget's frame keeps it itself); a page whose cookie
// works never sees it, so the cookie stays out of reach of scripts.
func (a *Adapter) sessionFrom(c *fiber.Ctx, create bool) (id string, fromCookie, ok bool) {
	if id := c.Cookies(CookieName); validSession(id) {
		return id, true, true
	}
	if id := c.Get(SessionHeader); validSession(id) {
		return id, false, true
	}
	if !create {
		return "", false, false
	}
	id = rand.Text()
	c.Cookie(&fiber.Cookie{
		Name: CookieName, Value: id, Path: "/", HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
		Secure: a.secure, Expires: a.clock.Now().Add(sessionLife),
	})
	return id, false, true
}

// validSession checks the shape of a session id (rand.Text: 26 base32 characters) before it is used.
func validSession(id string) bool {
	if len(id) != 26 {
		return false
	}
	for _, r := range id {
		if !(r >= 'A' && r <= 'Z' || r >= '2' && r <= '7') {
			return false
		}
	}
	return true
}

func (a *Adapter) handleSession(c *fiber.Ctx) error {
	id, fromCookie, _ := a.sessionFrom(c, true)
	if fromCookie {
		id = ""
	}
	return c.JSON(fiber.Map{"session": id})
}

type sendInput struct {
	ID      string `json:"id"`      // the browser's id of this message: a resend is handled once
	Text    string `json:"text"`    // what the visitor typed
	Button  string `json:"button"`  // data of a pressed button
	Label   string `json:"label"`   // the pressed button's text, shown as the visitor's line
	Payload string `json:"payload"` // start payload (site_<id>, ref_<code>) of the page's link
}

func (a *Adapter) handleSend(c *fiber.Ctx) error {
	session, _ := a.session(c, true)
	if ok, err := a.open(c, session); !ok {
		return err
	}
	if !a.limit.allow(session) {
		c.Set(fiber.HeaderRetryAfter, "1")
		return fail(c, fiber.StatusTooManyRequests, "too many messages; wait a little")
	}
	var in sendInput
	if err := json.Unmarshal(c.Body(), &in); err != nil {
		return fail(c, fiber.StatusBadRequest, "the body must be JSON")
	}
	in.Text = strings.TrimSpace(in.Text)
	switch {
	case len(in.Text) > maxText || len(in.Button) > 256 || len(in.Label) > 256 || len(in.Payload) > 128:
		return fail(c, fiber.StatusRequestEntityTooLarge, "the message is too long")
	case !utf8.ValidString(in.Text + in.Button + in.Label + in.Payload):
		return fail(c, fiber.StatusBadRequest, "the message is not UTF-8")
	case in.Text == "" && in.Button == "":
		return fail(c, fiber.StatusBadRequest, "nothing to send")
	case !validClientID(in.ID):
		return fail(c, fiber.StatusBadRequest, "id must be 1 to 64 letters, digits or hyphens")
	}
	shown := in.Text
	if in.Button != "" {
		shown = in.Label
	}
	msg := cardbot.Inbound{
		Channel: ChannelName, UserID: session, UpdateID: session + ":" + in.ID,
		Text: in.Text, Button: in.Button, Payload: in.Payload, At: a.clock.Now(),
	}
	if err := a.say(c.UserContext(), session, msg, shown); err != nil {
		status := fiber.StatusServiceUnavailable
		if cardbot.CodeOf(err) == cardbot.Invalid {
			status = fiber.StatusBadRequest
		}
		return fail(c, status, cardbot.MessageOf(err))
	}
	return c.JSON(fiber.Map{"ok": true})
}

func validClientID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

type messagesOutput struct {
	Session  string  `json:"session,omitempty"` // only to a browser that did not send the cookie
	Epoch    string  `json:"epoch"`
	Messages []Entry `json:"messages"`
}

func (a *Adapter) handleMessages(c *fiber.Ctx) error {
	session, fromCookie, _ := a.sessionFrom(c, true)
	if ok, err := a.open(c, session); !ok {
		return err
	}
	after, _ := strconv.ParseUint(c.Query("after"), 10, 64)
	var wait time.Duration
	if c.Query("wait") != "" {
		wait = maxWait
	}
	epoch, entries, err := a.entries(c.UserContext(), session, c.Query("epoch"), after, wait)
	if err != nil {
		a.log.Error("web chat: reading a mailbox", "err", err)
		return fail(c, fiber.StatusServiceUnavailable, "the chat is not available now")
	}
	if entries == nil {
		entries = []Entry{}
	}
	out := messagesOutput{Epoch: epoch, Messages: entries}
	if !fromCookie {
		out.Session = session
	}
	return c.JSON(out)
}

func (a *Adapter) handlePicture(c *fiber.Ctx) error {
	session, ok := a.session(c, false)
	seq, err := strconv.ParseUint(c.Params("seq"), 10, 64)
	if !ok || err != nil {
		return fail(c, fiber.StatusNotFound, "no such picture")
	}
	if ok, err := a.open(c, session); !ok {
		return err
	}
	png, err := a.picture(c.UserContext(), session, seq)
	if cardbot.CodeOf(err) == cardbot.NotFound {
		return fail(c, fiber.StatusNotFound, "no such picture")
	}
	if err != nil {
		a.log.Error("web chat: drawing a card picture", "err", err)
		return fail(c, fiber.StatusServiceUnavailable, "the picture is not available now")
	}
	// The picture shows the balance as it is now; the browser may keep it for a minute.
	c.Set(fiber.HeaderCacheControl, "private, max-age=60")
	c.Set(fiber.HeaderContentType, "image/png")
	return c.Send(png)
}

// open makes sure the browser's session has its mailbox. A session new to the service counts against
// the address's limit of new chats; past it the answer is 429 with Retry-After, and ok is false.
func (a *Adapter) open(c *fiber.Ctx, session string) (ok bool, _ error) {
	ip := c.IP()
	err := a.boxFor(c.UserContext(), session, func() bool { return a.newChats.Allow(ip) }, func(*mailbox) {})
	switch {
	case errors.Is(err, errTooManyChats):
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(a.newChats.RetryAfter(ip)))
		return false, fail(c, fiber.StatusTooManyRequests, "too many new chats from your address; try again in a few minutes")
	case err != nil:
		a.log.Error("web chat: reading a mailbox", "err", err)
		return false, fail(c, fiber.StatusServiceUnavailable, "the chat is not available now")
	}
	return true, nil
}

func fail(c *fiber.Ctx, status int, msg string) error {
	return c.Status(status).JSON(fiber.Map{"error": msg})
}

// sessionLimits paces what one session may send: a burst of 10, then 2 a second. Limiters not used
// for ten minutes are dropped, so memory stays bounded by the sessions active in that time.
type sessionLimits struct {
	clock cardbot.Clock
	mu    sync.Mutex
	m     map[string]*limiter
	swept time.Time
}

type limiter struct {
	*rate.Limiter
	used time.Time
}

func newSessionLimits(clock cardbot.Clock) *sessionLimits {
	return &sessionLimits{clock: clock, m: map[string]*limiter{}}
}

func (s *sessionLimits) allow(session string) bool {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Sub(s.swept) > time.Minute {
		for k, l := range s.m {
			if now.Sub(l.used) > 10*time.Minute {
				delete(s.m, k)
			}
		}
		s.swept = now
	}
	l := s.m[session]
	if l == nil {
		l = &limiter{Limiter: rate.NewLimiter(2, 10)}
		s.m[session] = l
	}
	l.used = now
	return l.AllowN(now, 1)
}
