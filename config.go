package cardbot

import (
	"strings"
	"time"
)

// Config is everything the owner sets in config.yaml. DefaultConfig holds the defaults; the loader in
// cmd/cardbot reads the file over them, expands ${ENV} and validates.
type Config struct {
	DataDir     string          `yaml:"data_dir"`
	HTTP        HTTPConfig      `yaml:"http"`
	Business    Business        `yaml:"business"`
	Locale      string          `yaml:"locale"` // ru or en: the language customers are answered in
	Programs    []Program       `yaml:"programs"`
	Settings    Settings        `yaml:"settings"`
	CardNumbers CardNumberRules `yaml:"card_numbers"`
	Telegram    TelegramConfig  `yaml:"telegram"`
	WhatsApp    WhatsAppConfig  `yaml:"whatsapp"`
	SMS         SMSConfig       `yaml:"sms"`
	Email       EmailConfig     `yaml:"email"`
	WebChat     WebChatConfig   `yaml:"webchat"`
	Admin       AdminConfig     `yaml:"admin"`
	// Texts replace built-in customer texts by name with the owner's wording (Go templates).
	Texts map[string]string `yaml:"texts"`
	// Automation (see automation.go).
	Rating      RatingConfig      `yaml:"rating"`
	Birthdays   BirthdayConfig    `yaml:"birthdays"`
	Triggers    TriggersConfig    `yaml:"triggers"`
	Referral    ReferralConfig    `yaml:"referral"`
	Maintenance MaintenanceConfig `yaml:"maintenance"`
}

// Telegram modes.
const (
	TelegramPolling = "polling"
	TelegramWebhook = "webhook"
)

// TelegramConfig switches the Telegram channel on. Without a token it is off.
type TelegramConfig struct {
	Token         string  `yaml:"token"`          // from @BotFather; usually ${TELEGRAM_TOKEN}
	APIURL        string  `yaml:"api_url"`        // Bot API server: the public one, a local one, or a test fake
	Mode          string  `yaml:"mode"`           // polling or webhook
	WebhookSecret string  `yaml:"webhook_secret"` // checked on every webhook call (webhook mode)
	Staff         []int64 `yaml:"staff"`          // Telegram user ids allowed to run staff commands
	// RateLimit is messages per second over all chats; Telegram allows about 30. 0: no pacing (a local
	// Bot API server or a fake); a 429 is still honoured.
	RateLimit float64 `yaml:"rate_limit"`
}

// WhatsAppConfig switches the WhatsApp channel on. The business's WhatsApp account is linked to
// cardbot as a companion device (like WhatsApp Web) with `cardbot whatsapp pair` or from the admin
// page; the device's keys live in data_dir/whatsapp.db.
type WhatsAppConfig struct {
	Enabled bool     `yaml:"enabled"`
	Staff   []string `yaml:"staff"` // phone numbers in E.164 (+79161234567) allowed to run staff commands
	// RateLimit is messages per second over all chats. WhatsApp bans accounts that send like
	// spammers, so keep it modest. 0: no pacing.
	RateLimit float64 `yaml:"rate_limit"`
}

// HTTPConfig is where the admin page, API and mini-sites are served.
type HTTPConfig struct {
	Listen  string `yaml:"listen"`   // host:port
	BaseURL string `yaml:"base_url"` // public address used in links sent to customers
	// TrustedProxies are the reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For and
	// X-Real-IP are believed; empty trusts nobody (see TrustedProxies.ClientIP).
	TrustedProxies []string `yaml:"trusted_proxies"`
}

// Business describes the owner's business.
type Business struct {
	Name     string `yaml:"name"`
	Timezone string `yaml:"timezone"` // IANA name, e.g. Europe/Moscow
	Currency string `yaml:"currency"` // ISO 4217, e.g. RUB
	Country  string `yaml:"country"`  // ISO 3166 region for phones typed without +, e.g. RU
	Phone    string `yaml:"phone"`
	Address  string `yaml:"address"`
}

// Settings are the programme-wide switches.
type Settings struct {
	DefaultProgram string   `yaml:"default_program"` // id of the programme issued on first contact
	AutoIssue      bool     `yaml:"auto_issue"`      // issue the default card on a customer's first message
	AskBirthday    bool     `yaml:"ask_birthday"`    // ask for the birthday right after issuing
	Cascade        []string `yaml:"cascade"`         // order of channels for notices
	// QuietHours keep marketing from going out at night: it waits until they end. Notices and
	// replies are never held.
	QuietHours QuietHours `yaml:"quiet_hours"`
	// Routes name the channels, in order, for messages of one event (code, accrual…) or one kind
	// (notice, marketing) instead of the cascade; an event's route wins over its kind's. Replies always
	// go back on the channel they came from.
	Routes map[string][]string `yaml:"routes"`
}

// QuietHours is a daily window in business.timezone. From after To spans midnight (21:00 to 09:00).
type QuietHours struct {
	Enabled bool   `yaml:"enabled"`
	From    string `yaml:"from"` // HH:MM, 24-hour: when marketing stops
	To      string `yaml:"to"`   // HH:MM: when held marketing goes out
}

// InDailyWindow reports whether minute (of the day, 0–1439) is inside the window [from, to) given in
// minutes of the day: from after to spans midnight, from equal to to is no window.
func InDailyWindow(from, to, minute int) bool {
	switch {
	case from == to:
		return false
	case from < to:
		return from <= minute && minute < to
	}
	return minute >= from || minute < to
}

// ParseTimeOfDay reads a 24-hour time like 21:00 or 9:30 as minutes after midnight (0 to 1439).
func ParseTimeOfDay(s string) (int, error) {
	hh, mm, ok := strings.Cut(s, ":")
	h, hOK := digits(hh)
	m, mOK := digits(mm)
	if !ok || !hOK || !mOK || len(hh) > 2 || len(mm) != 2 || h > 23 || m > 59 {
		return 0, Errorf(Invalid, "%q is not a time of day like 21:00", s)
	}
	return h*60 + m, nil
}

// digits reads a non-empty run of ASCII digits (no sign, no spaces) as a number.
func digits(s string) (int, bool) {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, s != ""
}

// Card number generation modes.
const (
	NumbersRandom     = "random"
	NumbersSequential = "sequential"
)

// CardNumberRules decide what card numbers look like.
type CardNumberRules struct {
	Prefix string `yaml:"prefix"` // digits every number starts with
	Length int    `yaml:"length"` // total digits, prefix and check digit included
	Mode   string `yaml:"mode"`   // random or sequential
	Luhn   bool   `yaml:"luhn"`   // last digit is a Luhn check digit
}

// Channels that can carry messages, in the default cascade order.
var Channels = []string{"telegram", "whatsapp", "sms", "email"}

// DefaultConfig returns the configuration used where config.yaml is silent: a bonus programme with 5 %
// cashback, served on localhost with data in ./data.
func DefaultConfig() Config {
	c := Config{
		DataDir: "./data",
		HTTP:    HTTPConfig{Listen: "127.0.0.1:8080", BaseURL: "http://127.0.0.1:8080"},
		Business: Business{
			Name: "My business", Timezone: "Europe/Moscow", Currency: "RUB", Country: "RU",
		},
		Locale: "ru",
		Settings: Settings{
			DefaultProgram: "bonus", AutoIssue: true, AskBirthday: true,
			Cascade:    append([]string(nil), Channels...),
			QuietHours: QuietHours{Enabled: true, From: "21:00", To: "09:00"},
		},
		CardNumbers: CardNumberRules{Prefix: "", Length: 8, Mode: NumbersRandom, Luhn: true},
		Telegram:    TelegramConfig{APIURL: "https://api.telegram.org", Mode: TelegramPolling, RateLimit: 30},
		WhatsApp:    WhatsAppConfig{RateLimit: 10},
		SMS:         SMSConfig{Method: "GET", Timeout: Duration(10 * time.Second), RateLimit: 5},
		Email: EmailConfig{
			Port: 587, TLS: EmailSTARTTLS, Timeout: Duration(20 * time.Second), RateLimit: 1,
		},
		WebChat: WebChatConfig{Enabled: true},
	}
	DefaultAutomation(&c)
	return c
}

// DefaultPrograms is used when config.yaml names no programme.
func DefaultPrograms() []Program {
	return []Program{{ID: "bonus", Name: "Бонусная карта", Type: Bonus, Cashback: 500, MaxRedeemPercent: 3000}}
}

// Program returns the programme with the given id, or nil.
func (c *Config) Program(id string) *Program { return ProgramByID(c.Programs, id) }

// ProgramByID returns the programme of list with the given id, or nil.
func ProgramByID(list []Program, id string) *Program {
	for i := range list {
		if list[i].ID == id {
			return &list[i]
		}
	}
	return nil
}

// SMSConfig switches the SMS channel on: any HTTP gateway, described by a request template. URL, Body
// and SuccessJSONPath are Go text/templates over the phone and the text (see bot/sms).
type SMSConfig struct {
	Enabled bool              `yaml:"enabled"`
	Method  string            `yaml:"method"`  // GET or POST
	URL     string            `yaml:"url"`     // template; the API key usually comes from ${ENV}
	Headers map[string]string `yaml:"headers"` // sent with every request, e.g. Authorization: Bearer ${SMS_TOKEN}
	Body    string            `yaml:"body"`    // template of the POST body (JSON or form)
	// A 2xx answer is a success unless the rules below say otherwise: the body must contain
	// SuccessContains, and the JSON value at SuccessJSONPath must be SuccessValue.
	SuccessContains string   `yaml:"success_contains"`
	SuccessJSONPath string   `yaml:"success_json_path"` // dotted, e.g. sms.{{.Digits}}.status; template
	SuccessValue    string   `yaml:"success_value"`
	Timeout         Duration `yaml:"timeout"`    // one request
	RateLimit       float64  `yaml:"rate_limit"` // messages per second; 0: no pacing
	Sender          string   `yaml:"sender"`     // alphanumeric sender name, for templates that pass one
}

// Email TLS modes.
const (
	EmailSTARTTLS = "starttls" // plain connection upgraded with STARTTLS (port 587)
	EmailTLS      = "tls"      // TLS from the first byte (port 465)
	EmailNoTLS    = "none"     // no encryption: only for a relay on this machine
)

// EmailConfig switches the email channel on: an SMTP server that relays for us.
type EmailConfig struct {
	Enabled  bool   `yaml:"enabled"`
	Host     string `yaml:"host"`
	Port     int    `yaml:"port"`
	Username string `yaml:"username"` // empty: no AUTH
	Password string `yaml:"password"` // usually ${SMTP_PASSWORD}
	// From is the sender, an address or "Name <address>"; without a name the business name is used.
	From string `yaml:"from"`
	TLS  string `yaml:"tls"` // starttls, tls or none
	// InsecureSkipVerify accepts any server certificate: for tests and self-signed relays only.
	InsecureSkipVerify bool `yaml:"insecure_skip_verify"`
	// UnsubscribeURL is the base of the unsubscribe link in every email; the loader defaults it to
	// http.base_url + "/u/".
	UnsubscribeURL string   `yaml:"unsubscribe_url"`
	RateLimit      float64  `yaml:"rate_limit"` // messages per second; 0: no pacing
	Timeout        Duration `yaml:"timeout"`    // one delivery: connect, TLS, AUTH and DATA
}

// Duration is a span of time written as Go writes it: 10s, 1m30s, 500ms.
type Duration time.Duration

// UnmarshalText reads the written form (used by YAML).
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return Errorf(Invalid, "%q is not a duration; write it like 10s, 1m or 500ms", b)
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the form UnmarshalText reads.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

func (d Duration) String() string { return time.Duration(d).String() }

// WebChatConfig switches the web chat on: the bot in the browser at /chat and in the widget owners
// paste on their own site. It needs no token, so it is on by default.
type WebChatConfig struct {
	Enabled bool `yaml:"enabled"`
}

// AdminConfig is the admin page's part of config.yaml. Users can also be added with
// `cardbot user add NAME`, which keeps them in the database; users listed here cannot be changed from
// the admin page, and their names cannot be taken by database users.
type AdminConfig struct {
	Users []AdminUser `yaml:"users"`
}

// AdminUser is an admin page user written in config.yaml.
type AdminUser struct {
	Name         string `yaml:"name"`
	Role         Role   `yaml:"role"`          // owner or staff
	PasswordHash string `yaml:"password_hash"` // bcrypt, as `cardbot user hash` prints it
}
