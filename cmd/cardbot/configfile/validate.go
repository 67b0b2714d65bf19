package configfile

import (
	"cardbot/flows"
	"fmt"
	"maps"
	"net"
	"net/mail"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"cardbot"
	"cardbot/bot/email"
	"cardbot/bot/sms"
	"cardbot/wallet"
)

// maxDays bounds every count of days (a hundred years), so dates computed from them stay sane.
const maxDays = 36500

var (
	programIDRE = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)
	currencyRE  = regexp.MustCompile(`^[A-Z]{3}$`)
	countryRE   = regexp.MustCompile(`^[A-Z]{2}$`)
	// Telegram's rule for a webhook secret_token.
	webhookSecretRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
	// A route's name: a message kind (notice, marketing) or an event (code, accrual).
	routeNameRE = regexp.MustCompile(`^[a-z0-9_]{1,64}$`)
	// A bot token as @BotFather issues it: the bot id, a colon, then the secret part.
	botTokenRE = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]+$`)
	// An HTTP header name (RFC 9110 token).
	headerNameRE = regexp.MustCompile("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
	// An alphanumeric SMS sender name: operators allow up to 11 Latin letters, digits and a few signs.
	smsSenderRE = regexp.MustCompile(`^[A-Za-z0-9 ._&-]{1,11}$`)
)

// maxSendTimeout is what the dispatcher gives one send; a channel timeout above it never fires.
const maxSendTimeout = cardbot.Duration(30 * time.Second)

// webhookPorts are the only ports Telegram delivers webhooks to.
var webhookPorts = []string{"443", "80", "88", "8443"}

// programFields says which programme types each type-specific field of cardbot.Program applies to.
// Fields not listed (id, name, type, description, archived) apply to every type.
var programFields = map[string][]cardbot.ProgramType{
	"cashback":           {cardbot.Bonus},
	"welcome_bonus":      {cardbot.Bonus},
	"max_redeem_percent": {cardbot.Bonus},
	"points_expire_days": {cardbot.Bonus},
	"discount":           {cardbot.Discount},
	"tiers":              {cardbot.Bonus, cardbot.Discount},
	"stamps":             {cardbot.Stamp},
	"reward":             {cardbot.Stamp},
	"stamps_per_visit":   {cardbot.Stamp},
	"stamp_per_amount":   {cardbot.Stamp},
	"nominal":            {cardbot.Certificate},
	"valid_until":        {cardbot.Certificate},
	"valid_days":         {cardbot.Certificate, cardbot.Subscription},
	"visits":             {cardbot.Subscription},
}

// validator checks a decoded Config. lineOf finds where a path is set; skip holds paths whose value
// already failed to decode (their zero value would only add noise).
type validator struct {
	file     string
	lineOf   func(path string) int
	skip     map[string]bool
	problems Problems
}

func (v *validator) add(path, format string, args ...any) {
	for p := path; p != ""; {
		if v.skip[p] {
			return // the value, or the section holding it, already has a problem
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	v.problems = append(v.problems, Problem{File: v.file, Line: v.lineOf(path), Path: path, Message: fmt.Sprintf(format, args...)})
}

// normalise makes the forms Parse accepts loosely canonical before validation.
func normalise(cfg *cardbot.Config) {
	cfg.HTTP.BaseURL = strings.TrimRight(cfg.HTTP.BaseURL, "/")
	// Only for a running channel: an unused section stays as the defaults left it.
	base := cfg.HTTP.BaseURL
	if e := &cfg.Email; e.Enabled && e.UnsubscribeURL == "" && (strings.HasPrefix(base, "http://") || strings.HasPrefix(base, "https://")) {
		e.UnsubscribeURL = base + "/u/"
	}
	if p := cfg.Business.Phone; p != "" {
		if e164, err := wallet.NormalizePhone(p, cfg.Business.Country); err == nil {
			cfg.Business.Phone = e164
		}
	}
	// Staff numbers are compared with senders' numbers, which WhatsApp gives in E.164.
	for i, p := range cfg.WhatsApp.Staff {
		if e164, err := wallet.NormalizePhone(p, cfg.Business.Country); err == nil {
			cfg.WhatsApp.Staff[i] = e164
		}
	}
}

func (v *validator) config(cfg *cardbot.Config) {
	if strings.TrimSpace(cfg.DataDir) == "" {
		v.add("data_dir", "must be set: the folder for the database and backups, like ./data")
	}
	v.listen("http.listen", cfg.HTTP.Listen)
	v.baseURL("http.base_url", cfg.HTTP.BaseURL)
	v.trustedProxies(cfg.HTTP.TrustedProxies)
	v.business(&cfg.Business)
	if cfg.Locale != "ru" && cfg.Locale != "en" {
		v.add("locale", "must be ru or en, not %q", cfg.Locale)
	}
	v.programs(cfg.Programs)
	v.settings(cfg)
	v.cardNumbers(&cfg.CardNumbers)
	v.telegram(cfg)
	v.whatsapp(&cfg.WhatsApp, cfg.Business.Country)
	v.sms(&cfg.SMS)
	v.email(&cfg.Email)
	v.texts(cfg)
	v.automation(cfg)
	v.admin(&cfg.Admin)
}

// texts checks each of the owner's texts like the engine will at start (a known name, a template that
// runs on sample data). The locale must be valid first: the built-in texts it names are the baseline.
func (v *validator) texts(cfg *cardbot.Config) {
	if cfg.Locale != "ru" && cfg.Locale != "en" {
		return
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Texts)) {
		if err := flows.CheckText(*cfg, name); err != nil {
			v.add("texts."+name, "%s", strings.TrimPrefix(err.Error(), "flows: "))
		}
	}
}

func (v *validator) listen(path, s string) {
	host, port, err := net.SplitHostPort(s)
	if err != nil || strings.ContainsAny(host, " /") {
		v.add(path, "must be host:port, like 127.0.0.1:8080 or :8080, not %q", s)
		return
	}
	// Port 0 asks the system for any free port: tests and trial runs use it.
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		v.add(path, "the port must be a number from 0 to 65535, not %q", port)
	}
}

func (v *validator) baseURL(path, s string) {
	if s == "" {
		v.add(path, "must be set: the public address of this service, like https://cards.example.com")
		return
	}
	u, err := url.Parse(s)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Opaque != "" || u.Hostname() == "":
		v.add(path, "must be an absolute http or https address like https://cards.example.com, not %q", s)
	case u.User != nil:
		v.add(path, "must not hold a user name or password")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(s, "#"):
		v.add(path, "must not have a query (?...) or a fragment (#...)")
	case strings.HasSuffix(s, "/"):
		v.add(path, "must not end with /")
	}
}

func (v *validator) business(b *cardbot.Business) {
	if strings.TrimSpace(b.Name) == "" {
		v.add("business.name", "must be set: the name customers see")
	}
	switch _, err := time.LoadLocation(b.Timezone); {
	case b.Timezone == "" || b.Timezone == "Local":
		v.add("business.timezone", "must be set to an IANA time zone like Europe/Moscow")
	case err != nil:
		v.add("business.timezone", "%q is not a known time zone; use an IANA name like Europe/Moscow", b.Timezone)
	}
	if !currencyRE.MatchString(b.Currency) {
		v.add("business.currency", "must be three capital letters (ISO 4217), like RUB, not %q", b.Currency)
	}
	countryOK := countryRE.MatchString(b.Country)
	switch {
	case !countryOK:
		v.add("business.country", "must be two capital letters (ISO 3166), like RU, not %q", b.Country)
	case !wallet.KnownPhoneRegion(b.Country):
		v.add("business.country", "%q is not a country code; use ISO 3166 like RU", b.Country)
		countryOK = false
	}
	if b.Phone != "" && countryOK {
		switch e164, err := wallet.NormalizePhone(b.Phone, b.Country); {
		case err != nil:
			v.add("business.phone", "%s", messageOf(err))
		case e164 != b.Phone:
			v.add("business.phone", "must be in E.164 form: %s", e164)
		}
	}
}

func (v *validator) programs(ps []cardbot.Program) {
	firstID := map[string]int{}
	for i := range ps {
		p := &ps[i]
		at := fmt.Sprintf("programs[%d]", i)
		switch first, dup := firstID[p.ID]; {
		case p.ID == "":
			v.add(at+".id", "must be set: a short name like coffee (a-z, 0-9, _ and -)")
		case !programIDRE.MatchString(p.ID):
			v.add(at+".id", "%q is not an id: use 1 to 32 of a-z, 0-9, _ and -", p.ID)
		case dup:
			v.add(at+".id", "%q is already the id of programs[%d]; ids must be unique", p.ID, first)
		default:
			firstID[p.ID] = i
		}
		if strings.TrimSpace(p.Name) == "" {
			v.add(at+".name", "must be set: the name customers see")
		}
		if !slices.Contains(cardbot.ProgramTypes, p.Type) {
			if p.Type == "" {
				v.add(at+".type", "must be set: one of %s", typeList())
			} else {
				v.add(at+".type", "%q is not a programme type; use one of %s", p.Type, typeList())
			}
			continue // the rest depends on the type
		}
		v.foreignFields(at, p)
		v.program(at, p)
	}
}

func typeList() string {
	s := make([]string, len(cardbot.ProgramTypes))
	for i, t := range cardbot.ProgramTypes {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

// foreignFields reports the fields set on a programme whose type they do not apply to.
func (v *validator) foreignFields(at string, p *cardbot.Program) {
	rv := reflect.ValueOf(p).Elem()
	fs := fieldsOf(rv.Type())
	for _, name := range fs.names {
		types, specific := programFields[name]
		if !specific || slices.Contains(types, p.Type) || rv.Field(fs.index[name]).IsZero() {
			continue
		}
		v.add(at+"."+name, "%s does not apply to a %s programme", name, p.Type)
	}
}

func (v *validator) program(at string, p *cardbot.Program) {
	percent := func(name string, x cardbot.Percent) {
		if x < 0 || x > 100_00 {
			v.add(at+"."+name, "must be between 0 and 100, not %s", x)
		}
	}
	days := func(name string, n int, min int) {
		switch {
		case n < min && min == 0:
			v.add(at+"."+name, "must not be negative")
		case n < min:
			v.add(at+"."+name, "must be at least %d", min)
		case n > maxDays:
			v.add(at+"."+name, "must be at most %d (a hundred years)", maxDays)
		}
	}
	switch p.Type {
	case cardbot.Bonus:
		percent("cashback", p.Cashback)
		percent("max_redeem_percent", p.MaxRedeemPercent)
		if p.Cashback == 0 && len(p.Tiers) == 0 {
			v.add(at+".cashback", "a bonus programme needs cashback above 0, or tiers")
		}
		if p.WelcomeBonus < 0 {
			v.add(at+".welcome_bonus", "must not be negative")
		}
		days("points_expire_days", p.PointsExpireDays, 0)
		v.tiers(at, p)
	case cardbot.Discount:
		percent("discount", p.Discount)
		if p.Discount == 0 && len(p.Tiers) == 0 {
			v.add(at+".discount", "a discount programme needs discount above 0, or tiers")
		}
		v.tiers(at, p)
	case cardbot.Stamp:
		if p.Stamps < 1 || p.Stamps > 100 {
			v.add(at+".stamps", "must be between 1 and 100: the stamps that earn the reward")
		}
		if strings.TrimSpace(p.Reward) == "" {
			v.add(at+".reward", "must be set: what the stamps earn, like \"a free coffee\"")
		}
		switch {
		case p.StampsPerVisit == 0 && p.StampPerAmount == 0:
			v.add(at+".stamps_per_visit", "set stamps_per_visit (stamps for any purchase) or stamp_per_amount (one stamp per this much spent)")
		case p.StampsPerVisit != 0 && p.StampPerAmount != 0:
			v.add(at+".stamp_per_amount", "set stamps_per_visit or stamp_per_amount, not both")
		case p.StampsPerVisit != 0 && (p.StampsPerVisit < 1 || p.StampsPerVisit > 100):
			v.add(at+".stamps_per_visit", "must be between 1 and 100")
		case p.StampPerAmount < 0:
			v.add(at+".stamp_per_amount", "must be more than 0")
		}
	case cardbot.Certificate:
		if p.Nominal <= 0 {
			v.add(at+".nominal", "must be more than 0: the money the certificate holds")
		}
		if p.ValidUntil != nil && p.ValidDays != 0 {
			v.add(at+".valid_days", "set valid_until or valid_days, not both")
		}
		if p.ValidUntil != nil && (p.ValidUntil.Year == 0 || !p.ValidUntil.Valid()) {
			v.add(at+".valid_until", "must be a full date with the year, like 2026-12-31")
		}
		days("valid_days", p.ValidDays, 0)
	case cardbot.Subscription:
		if p.Visits <= 0 {
			v.add(at+".visits", "must be more than 0: the visits the subscription holds")
		}
		days("valid_days", p.ValidDays, 1)
	}
}

// tiers checks the tiers of a bonus or discount programme. They must be listed from the lowest spend
// up: they are not sorted for the owner, so the file reads the way the programme works.
func (v *validator) tiers(at string, p *cardbot.Program) {
	rate, other := "cashback", "discount"
	if p.Type == cardbot.Discount {
		rate, other = "discount", "cashback"
	}
	firstName := map[string]int{}
	for j := range p.Tiers {
		t := &p.Tiers[j]
		tp := fmt.Sprintf("%s.tiers[%d]", at, j)
		switch first, dup := firstName[t.Name]; {
		case strings.TrimSpace(t.Name) == "":
			v.add(tp+".name", "must be set: the level's name customers see, like Silver")
		case dup:
			v.add(tp+".name", "%q is already the name of tiers[%d]; tier names must be unique", t.Name, first)
		default:
			firstName[t.Name] = j
		}
		switch {
		case t.MinSpend <= 0:
			v.add(tp+".min_spend", "must be more than 0: the total spend that reaches this level")
		case j > 0 && p.Tiers[j-1].MinSpend > 0 && t.MinSpend <= p.Tiers[j-1].MinSpend:
			v.add(tp+".min_spend", "must be more than %s, the min_spend of the tier before it: list tiers from the lowest spend up", p.Tiers[j-1].MinSpend)
		}
		r, o := t.Cashback, t.Discount
		if p.Type == cardbot.Discount {
			r, o = t.Discount, t.Cashback
		}
		switch {
		case r <= 0 || r > 100_00:
			v.add(tp+"."+rate, "must be above 0 and at most 100: the %s at this level", rate)
		}
		if o != 0 {
			v.add(tp+"."+other, "%s does not apply to a tier of a %s programme; use %s", other, p.Type, rate)
		}
	}
}

func (v *validator) settings(cfg *cardbot.Config) {
	s := &cfg.Settings
	var ids []string // the ids default_program could name
	for _, p := range cfg.Programs {
		if !p.Archived && programIDRE.MatchString(p.ID) && !slices.Contains(ids, p.ID) {
			ids = append(ids, p.ID)
		}
	}
	switch p := cfg.Program(s.DefaultProgram); {
	case s.DefaultProgram == "":
		v.add("settings.default_program", "must be set: the id of the programme issued on first contact (%s)", strings.Join(ids, ", "))
	case p == nil:
		v.add("settings.default_program", "%q is not the id of a programme; the programmes are %s", s.DefaultProgram, strings.Join(ids, ", "))
	case p.Archived:
		v.add("settings.default_program", "%q is archived and issues no cards; pick one of %s", s.DefaultProgram, strings.Join(ids, ", "))
	}
	v.channels("settings.cascade", s.Cascade)
	v.quietHours(&s.QuietHours)
	v.routes(s.Routes)
}

// channels checks a list of channels to try in order: the cascade, or a route.
func (v *validator) channels(path string, list []string) {
	if len(list) == 0 {
		v.add(path, "must list at least one channel: %s", strings.Join(cardbot.Channels, ", "))
	}
	for i, ch := range list {
		at := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case !slices.Contains(cardbot.Channels, ch):
			v.add(at, "%q is not a channel; use %s", ch, strings.Join(cardbot.Channels, ", "))
		case slices.Index(list, ch) < i:
			v.add(at, "%q is listed twice", ch)
		}
	}
}

// quietHours checks the times even when quiet hours are off, so switching them on cannot fail.
func (v *validator) quietHours(q *cardbot.QuietHours) {
	from, fromErr := cardbot.ParseTimeOfDay(q.From)
	to, toErr := cardbot.ParseTimeOfDay(q.To)
	for _, f := range []struct {
		key, val string
		err      error
	}{{"from", q.From, fromErr}, {"to", q.To, toErr}} {
		if f.err != nil {
			v.add("settings.quiet_hours."+f.key, "must be a time of day from 00:00 to 23:59, like 21:00, not %q", f.val)
		}
	}
	if q.Enabled && fromErr == nil && toErr == nil && from == to {
		v.add("settings.quiet_hours.to", "is the same as from (%s), which leaves no quiet hours; to send marketing at any hour, set enabled: false", q.From)
	}
}

// routes checks each route's name and channels. A route's name is a message kind or an event, which
// the code names freely, so only its form and the kind that cannot be routed are checked.
func (v *validator) routes(routes map[string][]string) {
	for _, name := range slices.Sorted(maps.Keys(routes)) {
		path := "settings.routes." + name
		switch {
		case name == string(cardbot.KindReply):
			v.add(path, "replies always go back on the channel the customer wrote from; a route cannot change that")
		case !routeNameRE.MatchString(name):
			v.add(path, "%q is not a message kind or event: use 1 to 64 of a-z, 0-9 and _, like code or marketing", name)
		default:
			v.channels(path, routes[name])
		}
	}
}

func (v *validator) cardNumbers(r *cardbot.CardNumberRules) {
	prefixOK, lengthOK := true, true
	for _, c := range r.Prefix {
		if c < '0' || c > '9' {
			v.add("card_numbers.prefix", "must be digits only, not %q", r.Prefix)
			prefixOK = false
			break
		}
	}
	if r.Length < 6 || r.Length > 19 {
		v.add("card_numbers.length", "must be between 6 and 19 digits, not %d", r.Length)
		lengthOK = false
	}
	if r.Mode != cardbot.NumbersRandom && r.Mode != cardbot.NumbersSequential {
		v.add("card_numbers.mode", "must be %s or %s, not %q", cardbot.NumbersRandom, cardbot.NumbersSequential, r.Mode)
	}
	if prefixOK && lengthOK {
		check := 0
		if r.Luhn {
			check = 1
		}
		if free := r.Length - len(r.Prefix) - check; free < 4 {
			v.add("card_numbers.length", "leaves %d digits to generate after the prefix (and check digit); at least 4 are needed: shorten the prefix or raise the length", max(free, 0))
		}
	}
}

// telegram checks the telegram section. Without a token the channel is off, which is no problem, and
// what only matters to a running channel (the token's form, webhook needs) is not checked then.
func (v *validator) telegram(cfg *cardbot.Config) {
	tg := &cfg.Telegram
	if tg.Mode != cardbot.TelegramPolling && tg.Mode != cardbot.TelegramWebhook {
		v.add("telegram.mode", "must be %s or %s, not %q", cardbot.TelegramPolling, cardbot.TelegramWebhook, tg.Mode)
	}
	v.telegramAPIURL(tg.APIURL)
	for i, id := range tg.Staff {
		if id <= 0 {
			v.add(fmt.Sprintf("telegram.staff[%d]", i), "must be a Telegram user id, a positive number, not %d", id)
		}
	}
	if tg.RateLimit < 0 || tg.RateLimit > 1000 {
		v.add("telegram.rate_limit", "must be messages per second from 0 (no pacing) to 1000, not %g", tg.RateLimit)
	}
	if tg.Token == "" {
		return
	}
	if !botTokenRE.MatchString(tg.Token) {
		// The token is a secret: say what is wrong with it, never what it is.
		v.add("telegram.token", "does not look like a bot token from @BotFather: digits, a colon, then letters, digits, _ and - (check for spaces, quotes or a line break)")
	}
	if tg.Mode == cardbot.TelegramWebhook {
		v.telegramWebhook(cfg)
	}
}

func (v *validator) telegramAPIURL(s string) {
	u, err := url.Parse(s)
	switch {
	case s == "":
		v.add("telegram.api_url", "must be set: the Bot API server, https://api.telegram.org unless you run your own")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Opaque != "" || u.Hostname() == "":
		v.add("telegram.api_url", "must be an absolute http or https address like https://api.telegram.org, not %q", s)
	case u.User != nil:
		v.add("telegram.api_url", "must not hold a user name or password")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(s, "#"):
		v.add("telegram.api_url", "must not have a query (?...) or a fragment (#...)")
	}
}

// telegramWebhook checks what webhook mode needs: a secret Telegram sends back on every call, and a
// base_url Telegram can call. Telegram calls only https, and only on ports 443, 80, 88 and 8443;
// plain http is let through for 127.0.0.1 and localhost, where a test server stands in for Telegram.
func (v *validator) telegramWebhook(cfg *cardbot.Config) {
	switch secret := cfg.Telegram.WebhookSecret; {
	case secret == "":
		v.add("telegram.webhook_secret", "must be set in webhook mode: 1 to 256 of A-Z, a-z, 0-9, _ and -, usually ${TELEGRAM_WEBHOOK_SECRET}")
	case !webhookSecretRE.MatchString(secret):
		v.add("telegram.webhook_secret", "must be 1 to 256 of A-Z, a-z, 0-9, _ and - (Telegram's rule), and this one is not")
	}
	u, err := url.Parse(cfg.HTTP.BaseURL)
	if err != nil || u.Hostname() == "" {
		return // http.base_url has its own problem already
	}
	host := u.Hostname()
	switch loopback := host == "localhost" || net.ParseIP(host).IsLoopback(); {
	case u.Scheme == "http" && !loopback:
		v.add("telegram.mode", "webhook mode needs an https http.base_url: Telegram calls webhooks over HTTPS only, and %s is http", cfg.HTTP.BaseURL)
	case u.Scheme == "https" && u.Port() != "" && !slices.Contains(webhookPorts, u.Port()):
		v.add("telegram.mode", "webhook mode needs http.base_url on port 443, 80, 88 or 8443, the only ports Telegram calls; %s uses %s", cfg.HTTP.BaseURL, u.Port())
	}
}

// whatsapp checks the whatsapp section, also while the channel is off, so a mistyped staff number
// shows before the owner switches it on. Parse has put the numbers it could read in E.164 form
// (normalise); Validate, which does not normalise, reports the others.
func (v *validator) whatsapp(c *cardbot.WhatsAppConfig, country string) {
	v.rateLimit("whatsapp.rate_limit", c.RateLimit)
	first := map[string]int{}
	for i, phone := range c.Staff {
		path := fmt.Sprintf("whatsapp.staff[%d]", i)
		e164, err := wallet.NormalizePhone(phone, country)
		switch j, dup := first[e164]; {
		case err != nil:
			v.add(path, "must be a staff member's phone number: %s", messageOf(err))
		case e164 != phone:
			v.add(path, "must be in E.164 form: %s", e164)
		case dup:
			v.add(path, "%s is already whatsapp.staff[%d]", phone, j)
		default:
			first[e164] = i
		}
	}
}

// sms checks the sms section. The template rules only matter to a running channel, so a section that
// is not enabled may be half written; its values with defaults are checked either way.
func (v *validator) sms(c *cardbot.SMSConfig) {
	method := strings.ToUpper(c.Method)
	if method != "GET" && method != "POST" {
		v.add("sms.method", "must be GET or POST, not %q", c.Method)
	}
	v.sendTimeout("sms.timeout", c.Timeout)
	v.rateLimit("sms.rate_limit", c.RateLimit)
	if c.Sender != "" && !smsSenderRE.MatchString(c.Sender) {
		v.add("sms.sender", "must be 1 to 11 Latin letters, digits, spaces, dots, dashes or _ (operators' rule for sender names), not %q", c.Sender)
	}
	for _, name := range slices.Sorted(maps.Keys(c.Headers)) {
		path := "sms.headers." + name
		if !headerNameRE.MatchString(name) {
			v.add(path, "%q is not a header name: use letters, digits and -", name)
		}
		// The value usually holds a secret: say what is wrong with it, never what it is.
		if strings.ContainsAny(c.Headers[name], "\r\n") {
			v.add(path, "must be one line (check the environment variable for a line break)")
		}
	}
	if !c.Enabled {
		return
	}
	if method == "GET" && c.Body != "" {
		v.add("sms.body", "is only sent with method POST; set method: POST or remove the body")
	}
	switch {
	case c.SuccessJSONPath != "" && c.SuccessValue == "":
		v.add("sms.success_value", "must be set with success_json_path: the value that means the message was accepted, like OK")
	case c.SuccessJSONPath == "" && c.SuccessValue != "":
		v.add("sms.success_json_path", "must be set with success_value: where in the gateway's JSON answer to look, like status")
	}
	for _, e := range sms.CheckTemplates(*c) {
		v.add("sms."+e.Key, "%v", e.Err)
	}
}

// email checks the email section; as for sms, what only a running channel needs is checked when it
// is enabled.
func (v *validator) email(c *cardbot.EmailConfig) {
	if c.Port < 1 || c.Port > 65535 {
		v.add("email.port", "must be from 1 to 65535 (587 for starttls, 465 for tls), not %d", c.Port)
	}
	if c.TLS != cardbot.EmailSTARTTLS && c.TLS != cardbot.EmailTLS && c.TLS != cardbot.EmailNoTLS {
		v.add("email.tls", "must be %s, %s or %s, not %q", cardbot.EmailSTARTTLS, cardbot.EmailTLS, cardbot.EmailNoTLS, c.TLS)
	}
	v.sendTimeout("email.timeout", c.Timeout)
	v.rateLimit("email.rate_limit", c.RateLimit)
	if !c.Enabled {
		return
	}
	switch host := strings.TrimSpace(c.Host); {
	case host == "":
		v.add("email.host", "must be set: the SMTP server, like smtp.example.com")
	case c.TLS == cardbot.EmailNoTLS && !email.IsLocalhost(host):
		v.add("email.tls", "none sends the password and the mail in clear; it is only allowed for a server on this machine (localhost), not %s", host)
	}
	v.emailFrom(c.From)
	if c.Username != "" && c.Password == "" {
		v.add("email.password", "must be set when username is, usually ${SMTP_PASSWORD}")
	}
	if u, err := url.Parse(c.UnsubscribeURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.add("email.unsubscribe_url", "must be an absolute http or https address like https://cards.example.com/u/, not %q", c.UnsubscribeURL)
	}
}

func (v *validator) emailFrom(from string) {
	if strings.TrimSpace(from) == "" {
		v.add("email.from", "must be set: the sender, like cards@example.com or \"Кофейня <cards@example.com>\"")
		return
	}
	if _, err := mail.ParseAddress(from); err != nil {
		v.add("email.from", "%q is not an address like cards@example.com or \"Кофейня <cards@example.com>\"", from)
	}
}

func (v *validator) sendTimeout(path string, d cardbot.Duration) {
	if d <= 0 || d > maxSendTimeout {
		v.add(path, "must be more than 0 and at most %s (one send is cut there anyway), not %s", maxSendTimeout, d)
	}
}

func (v *validator) rateLimit(path string, r float64) {
	if r < 0 || r > 1000 {
		v.add(path, "must be messages per second from 0 (no pacing) to 1000, not %g", r)
	}
}
