package flows

import (
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"text/template"
	"time"

	"cardbot"
)

// textData is what every text template is executed with. One type for all of them is what lets
// NewEngine execute each template against sample data and refuse one that names a field that does
// not exist.
type textData struct {
	Business string
	Name     string // the client's name as the channel shows it
	Buttons  bool   // the channel shows inline buttons; without them texts offer menu digits
	Card     cardData
	Op       opData
	Lines    []string // rendered lines: history, balances, cards found
	Date     string   // a birthday said back
	Example  string   // how to write what is asked: a date, a phone number
	Reason   string   // why an answer or a request was not accepted
	Code     string   // a referral code; an error code for staff refusals
	Link     string   // an invite link: the web page of the code
	Phone    string

	// The invite links into the messengers, when they are on: Telegram's deep link, and WhatsApp's
	// link with the code as the pre-filled text.
	TelegramLink string
	WhatsAppLink string

	// Automation texts (texts_auto.go).
	Bonus    cardbot.Amount // points given with the message, or points about to expire
	Expires  string         // when those points expire, a date in words
	Days     int            // days before the birthday, since the last visit
	Score    int            // the rating given, 1 to 5
	Reviews  []reviewLink   // review sites offered after a good rating
	Feedback string         // what the customer wrote about a low rating
	Visit    string         // the visit rated: its date and time
	Branch   string         // the branch of the visit
	Friend   string         // the friend who came by invitation
	Client   string         // the customer, for staff alerts
}

// cardData is a card as texts show it. Only the fields of the card's type are set.
type cardData struct {
	Program string
	Type    string // bonus, discount, stamp, certificate, subscription
	Number  string
	Balance string // the balance in words, from the balance_<type> text
	Points  cardbot.Amount
	Money   cardbot.Amount
	Count   int64 // stamps or visits
	Goal    int   // stamps that earn the reward
	Rewards int64 // rewards ready
	Reward  string
	Rate    cardbot.Percent // cashback or discount at the card's tier
	Tier    string
	Blocked bool
}

// opData is a ledger entry as texts show it.
type opData struct {
	ID       uint64
	Type     string
	Text     string // the entry in words, from the op_<type> text
	At       string // in the business timezone
	Purchase cardbot.Amount
	Accrued  cardbot.Amount
	Redeemed cardbot.Amount
	Discount cardbot.Amount
	Count    int64  // stamps a purchase added
	Change   string // the size of the change in the card's unit, in words, without sign
	Minus    bool   // the change took from the balance
	Cancels  uint64
	Reason   string
	// TierChanged is set when the entry moved the card to another tier (TierAfter; "" is the base).
	TierChanged bool
	TierAfter   string
	RewardReady bool // the entry completed a set of stamps
}

// language is everything one customer language needs: its texts and the grammar they call.
type language struct {
	texts map[string]string
	// nouns holds each counted word's forms, in the order plural picks them.
	nouns      map[string][]string
	forms      int // how many forms each noun has
	plural     func(n int64, fraction bool) int
	months     [12]string // as a date is said: "марта", "March"
	timeLayout string     // operation times in history
	groupSep   string     // between thousands
	decimalSep string
	percent    string // after a percentage
}

var languages = map[string]*language{"ru": &russian, "en": &english}

// currencySymbols are shown after sums; other currencies show their ISO code.
var currencySymbols = map[string]string{
	"RUB": "₽", "USD": "$", "EUR": "€", "GBP": "£", "KZT": "₸", "BYN": "Br", "UAH": "₴", "AMD": "֏",
	"GEL": "₾", "UZS": "сўм", "KGS": "сом", "TRY": "₺", "AED": "AED",
}

// catalog is the parsed texts of the configured language.
type catalog struct {
	lang     *language
	currency string
	loc      *time.Location
	// set is swapped whole when the owner edits a text in the admin page (see Engine.SetTexts).
	set atomic.Pointer[template.Template]
}

// newCatalog parses the texts of locale ("" is Russian) with the owner's overrides and executes each
// against sample data, so a broken text stops the start instead of a conversation.
func newCatalog(locale string, overrides map[string]string, currency string, loc *time.Location) (*catalog, error) {
	if locale == "" {
		locale = "ru"
	}
	lang := languages[locale]
	if lang == nil {
		return nil, fmt.Errorf("flows: locale %q has no texts (ru, en)", locale)
	}
	lang = lang.withAutomation(locale)
	if err := lang.check(); err != nil {
		return nil, fmt.Errorf("flows: locale %s: %w", locale, err)
	}
	reference := russian.withAutomation("ru").texts
	sources := maps.Clone(lang.texts)
	for name, src := range overrides {
		if _, ok := reference[name]; !ok {
			return nil, fmt.Errorf("flows: text %q: there is no such text to replace", name)
		}
		sources[name] = src
	}
	symbol := currencySymbols[currency]
	if symbol == "" {
		symbol = currency
	}
	c := &catalog{lang: lang, currency: symbol, loc: loc}
	if err := c.parse(locale, sources); err != nil {
		return nil, err
	}
	return c, nil
}

// parse parses every text into one set (so texts can include each other) and executes each against
// sample data, naming the text that fails.
func (c *catalog) parse(locale string, sources map[string]string) error {
	set := template.New(locale).Funcs(c.funcs()).Option("missingkey=error")
	names := slices.Sorted(maps.Keys(sources))
	for _, name := range names {
		if _, err := set.New(name).Parse(sources[name]); err != nil {
			return fmt.Errorf("flows: text %q (%s): %w", name, locale, err)
		}
	}
	for _, name := range names {
		for _, d := range []*textData{c.sample(), {}} {
			if err := set.ExecuteTemplate(io.Discard, name, d); err != nil {
				return textError(name, locale, err)
			}
		}
	}
	c.set.Store(set)
	return nil
}

// withAutomation returns a copy of the language with the automation texts and nouns of locale added.
func (l *language) withAutomation(locale string) *language {
	c := *l
	c.texts = maps.Clone(l.texts)
	maps.Copy(c.texts, automationTexts[locale])
	withNoticeAliases(c.texts)
	c.nouns = maps.Clone(l.nouns)
	maps.Copy(c.nouns, automationNouns[locale])
	return &c
}

// unknownField finds the name a template used that textData does not have.
var unknownField = regexp.MustCompile(`executing "([^"]+)" at <([^>]*)>: can't evaluate field (\w+)`)

// textError names the text and, when a template used a variable that does not exist, the variable
// and the text that holds it (an included one when the include is where it is).
func textError(name, locale string, err error) error {
	if m := unknownField.FindStringSubmatch(err.Error()); m != nil {
		return fmt.Errorf("flows: text %q (%s): unknown variable %s (no field %s)", m[1], locale, m[2], m[3])
	}
	return fmt.Errorf("flows: text %q (%s): %w", name, locale, err)
}

// check makes sure the language has every text the Russian reference has, and nouns with all forms.
func (l *language) check() error {
	for name := range russian.withAutomation("ru").texts {
		if _, ok := l.texts[name]; !ok {
			return fmt.Errorf("text %q is missing", name)
		}
	}
	for noun, forms := range l.nouns {
		if len(forms) != l.forms {
			return fmt.Errorf("noun %q has %d forms, want %d", noun, len(forms), l.forms)
		}
	}
	return nil
}

// has reports whether the catalog has a text of that name.
func (c *catalog) has(name string) bool { return c.set.Load().Lookup(name) != nil }

// render executes a text.
func (c *catalog) render(name string, d *textData) (string, error) {
	var b strings.Builder
	if err := c.set.Load().ExecuteTemplate(&b, name, d); err != nil {
		return "", fmt.Errorf("flows: text %q: %w", name, err)
	}
	return b.String(), nil
}

// sample fills every field, so that executing a text against it reaches every field the text names
// (the zero value, executed too, takes the other side of each {{if}}).
func (c *catalog) sample() *textData {
	return &textData{
		Business: "Sample", Name: "Anna", Buttons: true,
		Card: cardData{
			Program: "Sample card", Type: string(cardbot.Stamp), Number: "12345678", Balance: "150",
			Points: 15050, Money: 100000, Count: 4, Goal: 6, Rewards: 1, Reward: "coffee", Rate: 500,
			Tier: "Gold", Blocked: true,
		},
		Op: opData{
			ID: 7, Type: string(cardbot.OpPurchase), Text: "purchase", At: "01.01.2026 12:00",
			Purchase: 150000, Accrued: 7500, Redeemed: 1000, Discount: 500, Count: 1, Change: "75",
			Minus: true, Cancels: 6, Reason: "correction", TierChanged: true, TierAfter: "Gold", RewardReady: true,
		},
		Lines: []string{"line 1", "line 2"}, Date: "15.03.1990", Example: "15.03.1990", Reason: "reason",
		Code: "abcd2345", Link: "https://cards.example/r/abcd2345", Phone: "+79161234567",
		TelegramLink: "https://t.me/sample?start=ref_abcd2345", WhatsAppLink: "https://wa.me/79161234567?text=%2Fstart%20ref_abcd2345",
		Bonus: 50000, Expires: "15.03.2026", Days: 3, Score: 2, Feedback: "cold coffee",
		Reviews: []reviewLink{{Name: "Google", URL: "https://g.page/sample"}},
		Visit:   "01.01.2026 12:00", Branch: "Main street", Friend: "Boris", Client: "Anna",
	}
}

// funcs are the template functions: numbers, sums and counted nouns in the language's grammar.
func (c *catalog) funcs() template.FuncMap {
	return template.FuncMap{
		"num":   c.num,
		"count": c.count,
		"money": func(a cardbot.Amount) string { return c.amount(a) + " " + c.currency },
		"pct":   func(p cardbot.Percent) string { return c.amount(cardbot.Amount(p)) + c.lang.percent },
	}
}

// num writes a whole number or an amount with the language's separators.
func (c *catalog) num(n any) (string, error) {
	switch v := n.(type) {
	case int:
		return c.whole(int64(v)), nil
	case int64:
		return c.whole(v), nil
	case cardbot.Amount:
		return c.amount(v), nil
	}
	return "", fmt.Errorf("num: %T is not a number", n)
}

// count writes a number and the noun in the form the number asks for: "150 баллов", "1 point".
func (c *catalog) count(n any, noun string) (string, error) {
	forms, ok := c.lang.nouns[noun]
	if !ok {
		return "", fmt.Errorf("count: no noun %q", noun)
	}
	s, err := c.num(n)
	if err != nil {
		return "", err
	}
	var whole int64
	fraction := false
	switch v := n.(type) {
	case int:
		whole = int64(v)
	case int64:
		whole = v
	case cardbot.Amount:
		whole, fraction = int64(v)/100, v%100 != 0
	}
	if whole < 0 {
		whole = -whole
	}
	return s + " " + forms[c.lang.plural(whole, fraction)], nil
}

// amount writes hundredths as a decimal with at most two fractional digits: 1 500, 7,5.
func (c *catalog) amount(a cardbot.Amount) string {
	s := c.whole(int64(a) / 100)
	if a < 0 && a > -100 {
		s = "-0"
	}
	frac := int64(a) % 100
	if frac < 0 {
		frac = -frac
	}
	if frac == 0 {
		return s
	}
	return s + c.lang.decimalSep + strings.TrimRight(strconv.FormatInt(frac+100, 10)[1:], "0")
}

// whole writes an integer with groups of thousands.
func (c *catalog) whole(n int64) string {
	digits := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, digits = "-", digits[1:]
	}
	if len(digits) <= 4 { // 1500 reads fine; grouping starts at five digits
		return sign + digits
	}
	var b strings.Builder
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(c.lang.groupSep)
		}
		b.WriteRune(d)
	}
	return sign + b.String()
}

// date says a birthday back: "15 марта 1990", "15 March".
func (c *catalog) date(d cardbot.Date) string {
	s := strconv.Itoa(d.Day) + " " + c.lang.months[d.Month-1]
	if d.Year != 0 {
		s += " " + strconv.Itoa(d.Year)
	}
	return s
}

// when writes an instant in the business timezone.
func (c *catalog) when(t time.Time) string {
	return t.In(c.loc).Format(c.lang.timeLayout)
}

// CheckText validates one of the owner's texts (cfg.Texts[name]) the way NewEngine does, so the config
// check can report each bad text at its own line.
func CheckText(cfg cardbot.Config, name string) error {
	_, err := newCatalog(cfg.Locale, map[string]string{name: cfg.Texts[name]}, cfg.Business.Currency, time.UTC)
	return err
}
