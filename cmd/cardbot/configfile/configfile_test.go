package configfile

import (
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"cardbot"
)

// envOf makes an env function from a map.
func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// parse runs Parse and splits its error into problems, failing on any other error.
func parse(t *testing.T, src string, env map[string]string) (cardbot.Config, Problems) {
	t.Helper()
	cfg, err := Parse("config.yaml", []byte(src), envOf(env))
	if err == nil {
		return cfg, nil
	}
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Parse returned %T, want Problems: %v", err, err)
	}
	if len(ps) == 0 {
		t.Fatal("Parse returned an empty Problems")
	}
	return cfg, ps
}

func mustParse(t *testing.T, src string, env map[string]string) cardbot.Config {
	t.Helper()
	cfg, ps := parse(t, src, env)
	if ps != nil {
		t.Fatalf("unexpected problems:\n%v", ps)
	}
	return cfg
}

// defaults is what an empty file gives.
func defaults() cardbot.Config {
	cfg := cardbot.DefaultConfig()
	cfg.Programs = cardbot.DefaultPrograms()
	return cfg
}

func TestRepoConfigParsesClean(t *testing.T) {
	data, err := os.ReadFile("../../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := mustParse(t, string(data), nil)
	if err := Validate(cfg); err != nil {
		t.Fatalf("Validate after Parse:\n%v", err)
	}

	if cfg.Business.Name != "Кофейня «Зерно»" || cfg.Business.Phone != "+74951234567" || cfg.HTTP.BaseURL != "http://127.0.0.1:8080" {
		t.Errorf("business or http not as written: %+v %+v", cfg.Business, cfg.HTTP)
	}
	var types []cardbot.ProgramType
	for _, p := range cfg.Programs {
		types = append(types, p.Type)
	}
	if !slices.Equal(types, cardbot.ProgramTypes) {
		t.Errorf("programme types %v, want one of each: %v", types, cardbot.ProgramTypes)
	}
	bonus := cfg.Program(cfg.Settings.DefaultProgram)
	want := cardbot.Program{
		ID: "bonus", Name: "Бонусная карта «Зерно»", Type: cardbot.Bonus, Description: bonus.Description,
		Cashback: 5_00, WelcomeBonus: 100_00, MaxRedeemPercent: 30_00, PointsExpireDays: 365,
		Tiers: []cardbot.Tier{
			{Name: "Silver", MinSpend: 10_000_00, Cashback: 7_00},
			{Name: "Gold", MinSpend: 50_000_00, Cashback: 10_00},
		},
	}
	if !reflect.DeepEqual(*bonus, want) {
		t.Errorf("default programme\n got %+v\nwant %+v", *bonus, want)
	}
	if want := (cardbot.CardNumberRules{Prefix: "77", Length: 10, Mode: "random", Luhn: true}); cfg.CardNumbers != want {
		t.Errorf("card_numbers %+v, want %+v", cfg.CardNumbers, want)
	}

	// The example shows ${VAR:-default}; the variable wins when set.
	cfg = mustParse(t, string(data), map[string]string{"CARDBOT_BASE_URL": "https://cards.zerno.example/"})
	if cfg.HTTP.BaseURL != "https://cards.zerno.example" {
		t.Errorf("base_url from the environment: %q", cfg.HTTP.BaseURL)
	}
}

func TestLoad(t *testing.T) {
	if _, err := Load("../../../config.yaml"); err != nil {
		t.Fatalf("Load(config.yaml): %v", err)
	}
	_, err := Load(t.TempDir() + "/missing.yaml")
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Load of a missing file: %v, want ErrNotExist", err)
	}
}

// The file below has a mistake on almost every line; every one must be reported, with its line.
const manyMistakes = `data_dir: ""
http:
  listen: localhost:99999
  base_url: ftp://cards.example.com
business:
  name: Зерно
  timezone: Mars/Olympus
  currency: rub
  country: RU
  phone: call me
  address: ${SHOP_ADDRESS}
locale: de
programs:
  - id: Bonus Card
    name: Бонусы
    type: bonus
    cashback: 150
    welcome_bonus: lots
    points_expire_days: soon
    stamps: 6
    tiers:
      - name: Gold
        min_spend: 50000
        cashback: 10
      - name: Silver
        min_spend: 10000
        cashback: 7
  - id: coffee
    name: Кофе
    type: stamp
    stamps: 6
    reward: free coffee
  - id: coffee
    name: Кофе 2
    type: stamp
    stamps: 6
    reward: x
    stamps_per_visit: 1
    stamp_per_amount: 300
  - id: gift
    name: Gift
    type: certificat
settings:
  default_program: bonus
  cascade: [telegram, pigeon, telegram]
  auto_isue: true
card_numbers:
  prefix: 77A
  length: 30
  mode: shuffled
  luhn: maybe
extra: 1
`

func TestManyMistakesReportedAtOnce(t *testing.T) {
	_, ps := parse(t, manyMistakes, nil)
	want := []struct {
		where string // "line: path"
		msg   string // part of the message
	}{
		{"1: data_dir", "must be set"},
		{"3: http.listen", "port must be a number from 0 to 65535"},
		{"4: http.base_url", "absolute http or https address"},
		{"7: business.timezone", `"Mars/Olympus" is not a known time zone`},
		{"8: business.currency", "three capital letters"},
		{"10: business.phone", "no letters"},
		{"11: business.address", "SHOP_ADDRESS is not set"},
		{"12: locale", `must be ru or en, not "de"`},
		{"14: programs[0].id", `"Bonus Card" is not an id`},
		{"17: programs[0].cashback", "must be between 0 and 100, not 150"},
		{"18: programs[0].welcome_bonus", `"lots" is not a number`},
		{"19: programs[0].points_expire_days", `must be a whole number, not "soon"`},
		{"20: programs[0].stamps", "stamps does not apply to a bonus programme"},
		{"26: programs[0].tiers[1].min_spend", "must be more than 50000"},
		{"28: programs[1].stamps_per_visit", "set stamps_per_visit (stamps for any purchase) or stamp_per_amount"},
		{"33: programs[2].id", `"coffee" is already the id of programs[1]`},
		{"39: programs[2].stamp_per_amount", "not both"},
		{"42: programs[3].type", `"certificat" is not a programme type`},
		{"44: settings.default_program", `"bonus" is not the id of a programme`},
		{"45: settings.cascade[1]", `"pigeon" is not a channel`},
		{"45: settings.cascade[2]", `"telegram" is listed twice`},
		{"46: settings.auto_isue", "unknown key; did you mean auto_issue?"},
		{"48: card_numbers.prefix", "digits only"},
		{"49: card_numbers.length", "between 6 and 19"},
		{"50: card_numbers.mode", `must be random or sequential, not "shuffled"`},
		{"51: card_numbers.luhn", `must be true or false, not "maybe"`},
		{"52: extra", "unknown key"},
	}
	for i, w := range want {
		if i >= len(ps) {
			t.Errorf("missing problem %s: %s", w.where, w.msg)
			continue
		}
		got := ps[i].Error()
		if !strings.HasPrefix(got, "config.yaml:"+w.where+": ") || !strings.Contains(got, w.msg) {
			t.Errorf("problem %d\n got %s\nwant config.yaml:%s: ...%s...", i, got, w.where, w.msg)
		}
	}
	for _, p := range ps[min(len(want), len(ps)):] {
		t.Errorf("unexpected problem: %v", p)
	}
}

func TestProblemsError(t *testing.T) {
	ps := Problems{
		{File: "config.yaml", Line: 12, Path: "programs[1].cashback", Message: "must be between 0 and 100"},
		{File: "config.yaml", Message: "the whole file"},
		{File: "config.yaml", Line: 3, Path: "locale", Message: "must be ru or en"},
	}
	want := "config.yaml:3: locale: must be ru or en\n" +
		"config.yaml:12: programs[1].cashback: must be between 0 and 100\n" +
		"config.yaml: the whole file"
	if got := ps.Error(); got != want {
		t.Errorf("Problems.Error()\n got %q\nwant %q", got, want)
	}
	if got := (Problem{Line: 4, Path: "x", Message: "m"}).Error(); got != "line 4: x: m" {
		t.Errorf("without a file name: %q", got)
	}
}

func TestEnvExpansion(t *testing.T) {
	env := map[string]string{
		"SHOP":  "Зерно",
		"PORT":  "9090",
		"YES":   "false",
		"EMPTY": "",
		"LEN":   "12",
		"PCT":   "7.5",
		"PHONE": "8 916 123-45-67",
	}
	tests := []struct {
		name string
		src  string
		want func(*cardbot.Config) any
		is   any
	}{
		{"variable in a string", "business:\n  name: Кофейня ${SHOP}\n", func(c *cardbot.Config) any { return c.Business.Name }, "Кофейня Зерно"},
		{"whole value from a variable", "business:\n  name: ${SHOP}\n", func(c *cardbot.Config) any { return c.Business.Name }, "Зерно"},
		{"default when unset", "business:\n  name: ${NOPE:-Зерно и Ко}\n", func(c *cardbot.Config) any { return c.Business.Name }, "Зерно и Ко"},
		{"default when empty", "business:\n  name: ${EMPTY:-Запасное}\n", func(c *cardbot.Config) any { return c.Business.Name }, "Запасное"},
		{"set but empty without default", "business:\n  address: ${EMPTY}\n", func(c *cardbot.Config) any { return c.Business.Address }, ""},
		{"dollar escaped", "business:\n  name: Cash $$ Carry\n", func(c *cardbot.Config) any { return c.Business.Name }, "Cash $ Carry"},
		{"escaped reference stays literal", "business:\n  name: $${SHOP}\n", func(c *cardbot.Config) any { return c.Business.Name }, "${SHOP}"},
		{"lone dollar kept", "business:\n  name: A$B $\n", func(c *cardbot.Config) any { return c.Business.Name }, "A$B $"},
		{"quoted value expands too", "business:\n  name: \"${SHOP}\"\n", func(c *cardbot.Config) any { return c.Business.Name }, "Зерно"},
		{"number from a variable", "card_numbers:\n  length: ${LEN}\n", func(c *cardbot.Config) any { return c.CardNumbers.Length }, 12},
		{"number from a default", "card_numbers:\n  length: ${NOPE:-11}\n", func(c *cardbot.Config) any { return c.CardNumbers.Length }, 11},
		{"switch from a variable", "settings:\n  auto_issue: ${YES}\n", func(c *cardbot.Config) any { return c.Settings.AutoIssue }, false},
		{"port inside a value", "http:\n  listen: 0.0.0.0:${PORT}\n", func(c *cardbot.Config) any { return c.HTTP.Listen }, "0.0.0.0:9090"},
		{"percent from a variable", "programs:\n  - {id: b, name: B, type: bonus, cashback: \"${PCT}\"}\nsettings: {default_program: b}\n",
			func(c *cardbot.Config) any { return c.Programs[0].Cashback }, cardbot.Percent(7_50)},
		{"phone from a variable is normalised", "business:\n  phone: ${PHONE}\n", func(c *cardbot.Config) any { return c.Business.Phone }, "+79161234567"},
		{"empty number keeps the default", "card_numbers:\n  length: ${EMPTY}\n", func(c *cardbot.Config) any { return c.CardNumbers.Length }, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mustParse(t, tt.src, env)
			if got := tt.want(&cfg); !reflect.DeepEqual(got, tt.is) {
				t.Errorf("got %#v, want %#v", got, tt.is)
			}
		})
	}
}

func TestEnvExpansionProblems(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"unset variable names it with its line", "data_dir: ./data\nbusiness:\n  name: ${SHOP_NAME}\n",
			[]string{"config.yaml:3: business.name: environment variable SHOP_NAME is not set; set it, or give a default: ${SHOP_NAME:-value}"}},
		{"every unset variable", "business:\n  name: ${A}-${B}\n",
			[]string{"config.yaml:2: business.name: environment variable A is not set", "config.yaml:2: business.name: environment variable B is not set"}},
		{"not a variable name", "business:\n  name: ${1x}\n", []string{"config.yaml:2: business.name: ${1x} is not a variable reference"}},
		{"unclosed reference", "business:\n  name: ab${SHOP\n", []string{"config.yaml:2: business.name: \"${SHOP\" has no closing }"}},
		{"variable that is not a number", "card_numbers:\n  length: ${SHOP}\n", []string{`config.yaml:2: card_numbers.length: must be a whole number, not "Зерно"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ps := parse(t, tt.src, map[string]string{"SHOP": "Зерно"})
			if len(ps) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(ps), len(tt.want), ps)
			}
			for i, w := range tt.want {
				if got := ps[i].Error(); !strings.HasPrefix(got, w) {
					t.Errorf("got  %s\nwant %s...", got, w)
				}
			}
		})
	}
}

func TestUnknownKeys(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"typo gets the closest key", "programs:\n  - id: bonus\n    name: B\n    type: bonus\n    cashback: 5\n    welcom_bonus: 5\n",
			"config.yaml:6: programs[0].welcom_bonus: unknown key; did you mean welcome_bonus?"},
		{"wrong case", "Locale: en\n", "config.yaml:1: Locale: unknown key; did you mean locale?"},
		{"dash instead of underscore", "data-dir: ./x\n", "config.yaml:1: data-dir: unknown key; did you mean data_dir?"},
		{"key of another section", "timezone: Europe/Moscow\n", "config.yaml:1: timezone: unknown key; timezone belongs under business"},
		{"key of a programme at the top", "cashback: 5\n", "config.yaml:1: cashback: unknown key; cashback belongs in a programme (under programs) or in a tier (under a programme's tiers)"},
		{"nothing like it", "telegram_token: x\n", "config.yaml:1: telegram_token: unknown key"},
		{"in a tier", "programs:\n  - id: bonus\n    name: B\n    type: bonus\n    tiers:\n      - {name: G, min_spend: 10, cashback: 7, color: gold}\n",
			"config.yaml:6: programs[0].tiers[0].color: unknown key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ps := parse(t, tt.src, nil)
			if len(ps) != 1 || ps[0].Error() != tt.want {
				t.Fatalf("got\n%v\nwant\n%s", ps, tt.want)
			}
		})
	}
}

func TestDefaultsWhereKeysAreMissing(t *testing.T) {
	tests := []struct {
		name string
		src  string
		edit func(*cardbot.Config) // what the file changes from the defaults
	}{
		{"only the business name", "business:\n  name: Зерно\n", func(c *cardbot.Config) { c.Business.Name = "Зерно" }},
		{"one key of a section", "http:\n  listen: :9000\n", func(c *cardbot.Config) { c.HTTP.Listen = ":9000" }},
		{"null keeps the default", "locale: ~\nhttp:\n  listen:\nsettings:\n  cascade: null\n", func(*cardbot.Config) {}},
		{"empty section", "business:\nsettings: {}\n", func(*cardbot.Config) {}},
		{"empty programme list gives the default programme", "programs: []\n", func(*cardbot.Config) {}},
		{"cascade replaced, not merged", "settings:\n  cascade: [sms]\n", func(c *cardbot.Config) { c.Settings.Cascade = []string{"sms"} }},
		{"trailing slash trimmed from base_url", "http:\n  base_url: https://cards.example.com/\n", func(c *cardbot.Config) { c.HTTP.BaseURL = "https://cards.example.com" }},
		{"programme replaces the default one", "programs:\n  - id: bonus\n    name: Бонусы\n    type: bonus\n    cashback: 3\n",
			func(c *cardbot.Config) {
				// max_redeem_percent left out: points may pay the whole purchase
				c.Programs = []cardbot.Program{{ID: "bonus", Name: "Бонусы", Type: cardbot.Bonus, Cashback: 3_00, MaxRedeemPercent: 100_00}}
			}},
		{"explicit zero max_redeem_percent stays", "programs:\n  - {id: bonus, name: B, type: bonus, cashback: 3, max_redeem_percent: 0}\n",
			func(c *cardbot.Config) {
				c.Programs = []cardbot.Program{{ID: "bonus", Name: "B", Type: cardbot.Bonus, Cashback: 3_00}}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := defaults()
			tt.edit(&want)
			if got := mustParse(t, tt.src, nil); !reflect.DeepEqual(got, want) {
				t.Errorf("\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestEmptyFileGivesValidDefaults(t *testing.T) {
	for name, src := range map[string]string{
		"nothing":        "",
		"blank lines":    "\n\n  \n",
		"comments only":  "# nothing set yet\n# data_dir: ./x\n",
		"document start": "---\n",
		"null document":  "~\n",
	} {
		t.Run(name, func(t *testing.T) {
			cfg := mustParse(t, src, nil)
			if !reflect.DeepEqual(cfg, defaults()) {
				t.Errorf("got %+v, want the defaults", cfg)
			}
			if err := Validate(cfg); err != nil {
				t.Errorf("defaults do not validate:\n%v", err)
			}
		})
	}
}

func TestWindowsFile(t *testing.T) {
	src := "\ufeffdata_dir: ./data\r\nbusiness:\r\n  name: Зерно\r\n  currency: rub\r\n"
	_, ps := parse(t, src, nil)
	if len(ps) != 1 || ps[0].Error() != `config.yaml:4: business.currency: must be three capital letters (ISO 4217), like RUB, not "rub"` {
		t.Fatalf("a file with a byte order mark and CRLF lines:\n%v", ps)
	}
}

func TestYAMLStructure(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"syntax error has its line", "data_dir: ./data\nhttp:\n  listen: [127.0.0.1\nlocale: ru\n", []string{"config.yaml:", "YAML syntax error"}},
		{"tab indentation", "http:\n\tlisten: :80\n", []string{"config.yaml:2: YAML syntax error"}},
		{"not a mapping", "- a\n- b\n", []string{"config.yaml:1: the file must be a set of keys"}},
		{"section given a value", "http: 8080\n", []string{"config.yaml:1: http: must be a section of keys (listen, base_url, trusted_proxies), not \"8080\""}},
		{"list given a value", "settings:\n  cascade: telegram\n", []string{"config.yaml:2: settings.cascade: must be a list"}},
		{"value given a list", "data_dir: [a, b]\n", []string{"config.yaml:1: data_dir: must be a single value, not a list"}},
		{"key set twice", "locale: ru\nlocale: en\n", []string{"config.yaml:2: locale: is set twice (first at line 1)"}},
		{"two documents", "locale: ru\n---\nlocale: en\n", []string{"config.yaml:2: a second YAML document"}},
		{"fraction for a whole number", "card_numbers:\n  length: 10.5\n", []string{`config.yaml:2: card_numbers.length: must be a whole number, not "10.5"`}},
		{"number out of range", "card_numbers:\n  length: 99999999999999999999\n", []string{"config.yaml:2: card_numbers.length: must be a whole number"}},
		{"three decimals in money", "programs:\n  - {id: g, name: G, type: certificate, nominal: 10.555}\nsettings: {default_program: g}\n",
			[]string{"config.yaml:2: programs[0].nominal: \"10.555\" has more than two decimal places"}},
		{"bad date", "programs:\n  - {id: g, name: G, type: certificate, nominal: 10, valid_until: 2026-02-30}\nsettings: {default_program: g}\n",
			[]string{"config.yaml:2: programs[0].valid_until: \"2026-02-30\" is not a date"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ps := parse(t, tt.src, nil)
			if len(ps) != 1 {
				t.Fatalf("want one problem, got:\n%v", ps)
			}
			got := ps[0].Error()
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("problem %q does not say %q", got, w)
				}
			}
		})
	}
}

func TestAnchorsAndMerges(t *testing.T) {
	src := `programs:
  - &base
    id: bonus
    name: Бонусы
    type: bonus
    cashback: 5
    max_redeem_percent: 50
  - <<: *base
    id: vip
    name: VIP
    cashback: 10
settings:
  default_program: vip
  cascade: &ch [telegram, sms]
`
	cfg := mustParse(t, src, nil)
	want := []cardbot.Program{
		{ID: "bonus", Name: "Бонусы", Type: cardbot.Bonus, Cashback: 5_00, MaxRedeemPercent: 50_00},
		{ID: "vip", Name: "VIP", Type: cardbot.Bonus, Cashback: 10_00, MaxRedeemPercent: 50_00},
	}
	if !reflect.DeepEqual(cfg.Programs, want) {
		t.Errorf("programs\n got %+v\nwant %+v", cfg.Programs, want)
	}
}

// cases returns a minimal valid file with one programme written as a flow mapping.
func withProgram(program string) string {
	return "programs:\n  - " + program + "\nsettings: {default_program: p}\n"
}

func TestValidationRules(t *testing.T) {
	tests := []struct {
		name string
		src  string
		path string
		msg  string
	}{
		{"listen without port", "http: {listen: localhost}\n", "http.listen", "must be host:port"},
		{"base_url relative", "http: {base_url: /cards}\n", "http.base_url", "absolute http or https"},
		{"base_url with query", "http: {base_url: \"https://x.example?a=1\"}\n", "http.base_url", "must not have a query"},
		{"base_url with password", "http: {base_url: \"https://u:p@x.example\"}\n", "http.base_url", "user name or password"},
		{"base_url empty", "http: {base_url: \"\"}\n", "http.base_url", "must be set"},
		{"business name blank", "business: {name: \"  \"}\n", "business.name", "must be set"},
		{"timezone Local", "business: {timezone: Local}\n", "business.timezone", "IANA"},
		{"country lower case", "business: {country: ru}\n", "business.country", "two capital letters"},
		{"country unknown", "business: {country: XX}\n", "business.country", "not a country code"},
		{"phone too short", "business: {phone: \"123\"}\n", "business.phone", "too short"},
		{"id too long", withProgram("{id: " + strings.Repeat("a", 33) + ", name: N, type: bonus, cashback: 5}"), "programs[0].id", "is not an id"},
		{"id missing", "programs:\n  - {name: N, type: bonus, cashback: 5}\n", "programs[0].id", "must be set"},
		{"name missing", withProgram("{id: p, type: bonus, cashback: 5}"), "programs[0].name", "must be set"},
		{"type missing", withProgram("{id: p, name: N}"), "programs[0].type", "must be set: one of bonus, discount, stamp, certificate, subscription"},
		{"bonus without cashback or tiers", withProgram("{id: p, name: N, type: bonus}"), "programs[0].cashback", "needs cashback above 0, or tiers"},
		{"negative cashback", withProgram("{id: p, name: N, type: bonus, cashback: -1}"), "programs[0].cashback", "between 0 and 100"},
		{"max_redeem_percent over 100", withProgram("{id: p, name: N, type: bonus, cashback: 5, max_redeem_percent: 101}"), "programs[0].max_redeem_percent", "between 0 and 100"},
		{"negative welcome bonus", withProgram("{id: p, name: N, type: bonus, cashback: 5, welcome_bonus: -5}"), "programs[0].welcome_bonus", "must not be negative"},
		{"negative expiry", withProgram("{id: p, name: N, type: bonus, cashback: 5, points_expire_days: -1}"), "programs[0].points_expire_days", "must not be negative"},
		{"expiry beyond a century", withProgram("{id: p, name: N, type: bonus, cashback: 5, points_expire_days: 40000}"), "programs[0].points_expire_days", "at most 36500"},
		{"discount without discount or tiers", withProgram("{id: p, name: N, type: discount}"), "programs[0].discount", "needs discount above 0, or tiers"},
		{"discount over 100", withProgram("{id: p, name: N, type: discount, discount: 100.5}"), "programs[0].discount", "between 0 and 100"},
		{"cashback on a discount programme", withProgram("{id: p, name: N, type: discount, discount: 5, cashback: 5}"), "programs[0].cashback", "cashback does not apply to a discount programme"},
		{"birthday points without a bonus programme", withProgram("{id: p, name: N, type: stamp, stamps: 6, reward: R, stamps_per_visit: 1}") + "birthdays: {enabled: true, bonus: 300}\n",
			"birthdays.bonus", "no programme keeps points"},
		{"referral points without a bonus programme", withProgram("{id: p, name: N, type: discount, discount: 5}") + "referral: {enabled: true, friend_bonus: 100}\n",
			"referral.friend_bonus", "no programme keeps points"},
		{"stamps zero", withProgram("{id: p, name: N, type: stamp, reward: R, stamps_per_visit: 1}"), "programs[0].stamps", "between 1 and 100"},
		{"stamps over 100", withProgram("{id: p, name: N, type: stamp, stamps: 101, reward: R, stamps_per_visit: 1}"), "programs[0].stamps", "between 1 and 100"},
		{"reward missing", withProgram("{id: p, name: N, type: stamp, stamps: 6, stamps_per_visit: 1}"), "programs[0].reward", "must be set"},
		{"stamps per visit over 100", withProgram("{id: p, name: N, type: stamp, stamps: 6, reward: R, stamps_per_visit: 101}"), "programs[0].stamps_per_visit", "between 1 and 100"},
		{"stamp per amount negative", withProgram("{id: p, name: N, type: stamp, stamps: 6, reward: R, stamp_per_amount: -10}"), "programs[0].stamp_per_amount", "more than 0"},
		{"tiers on a stamp programme", withProgram("{id: p, name: N, type: stamp, stamps: 6, reward: R, stamps_per_visit: 1, tiers: [{name: G, min_spend: 1, cashback: 1}]}"), "programs[0].tiers", "tiers does not apply to a stamp programme"},
		{"certificate without nominal", withProgram("{id: p, name: N, type: certificate}"), "programs[0].nominal", "more than 0"},
		{"certificate with both validities", withProgram("{id: p, name: N, type: certificate, nominal: 100, valid_days: 10, valid_until: 2030-01-01}"), "programs[0].valid_days", "not both"},
		{"certificate valid_until without a year", withProgram("{id: p, name: N, type: certificate, nominal: 100, valid_until: --12-31}"), "programs[0].valid_until", "with the year"},
		{"certificate negative days", withProgram("{id: p, name: N, type: certificate, nominal: 100, valid_days: -1}"), "programs[0].valid_days", "must not be negative"},
		{"subscription without visits", withProgram("{id: p, name: N, type: subscription, valid_days: 30}"), "programs[0].visits", "more than 0"},
		{"subscription without days", withProgram("{id: p, name: N, type: subscription, visits: 10}"), "programs[0].valid_days", "at least 1"},
		{"nominal on a subscription", withProgram("{id: p, name: N, type: subscription, visits: 10, valid_days: 30, nominal: 5000}"), "programs[0].nominal", "nominal does not apply to a subscription programme"},
		{"tier without name", withProgram("{id: p, name: N, type: bonus, tiers: [{min_spend: 100, cashback: 7}]}"), "programs[0].tiers[0].name", "must be set"},
		{"tier names repeat", withProgram("{id: p, name: N, type: bonus, tiers: [{name: G, min_spend: 100, cashback: 7}, {name: G, min_spend: 200, cashback: 8}]}"), "programs[0].tiers[1].name", "already the name of tiers[0]"},
		{"tier without min_spend", withProgram("{id: p, name: N, type: bonus, tiers: [{name: G, cashback: 7}]}"), "programs[0].tiers[0].min_spend", "more than 0"},
		{"tier thresholds equal", withProgram("{id: p, name: N, type: bonus, tiers: [{name: S, min_spend: 100, cashback: 7}, {name: G, min_spend: 100, cashback: 8}]}"), "programs[0].tiers[1].min_spend", "lowest spend up"},
		{"bonus tier without cashback", withProgram("{id: p, name: N, type: bonus, tiers: [{name: G, min_spend: 100}]}"), "programs[0].tiers[0].cashback", "above 0 and at most 100"},
		{"bonus tier with discount", withProgram("{id: p, name: N, type: bonus, cashback: 5, tiers: [{name: G, min_spend: 100, cashback: 7, discount: 3}]}"), "programs[0].tiers[0].discount", "discount does not apply to a tier of a bonus programme; use cashback"},
		{"discount tier with cashback", withProgram("{id: p, name: N, type: discount, tiers: [{name: G, min_spend: 100, cashback: 7}]}"), "programs[0].tiers[0].discount", "above 0 and at most 100"},
		{"default programme archived", withProgram("{id: p, name: N, type: bonus, cashback: 5, archived: true}"), "settings.default_program", "archived"},
		{"default programme empty", "settings: {default_program: \"\"}\n", "settings.default_program", "must be set"},
		{"cascade empty", "settings: {cascade: []}\n", "settings.cascade", "at least one channel"},
		{"length too short", "card_numbers: {length: 5}\n", "card_numbers.length", "between 6 and 19"},
		{"no room after the prefix", "card_numbers: {prefix: \"12345\", length: 9}\n", "card_numbers.length", "leaves 3 digits to generate"},
		{"sequential mode empty", "card_numbers: {mode: \"\"}\n", "card_numbers.mode", "must be random or sequential"},
	}
	// the path of a second problem some mistakes rightly cause
	also := map[string]string{
		"id too long":                 "settings.default_program",
		"id missing":                  "settings.default_program",
		"discount tier with cashback": "programs[0].tiers[0].cashback",
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ps := parse(t, tt.src, nil)
			var found *Problem
			for i, p := range ps {
				switch {
				case p.Path == tt.path && strings.Contains(p.Message, tt.msg) && found == nil:
					found = &ps[i]
				case p.Path == also[tt.name]:
				default:
					t.Errorf("unexpected problem: %v", p)
				}
			}
			if found == nil {
				t.Fatalf("want a problem at %s saying %q, got:\n%v", tt.path, tt.msg, ps)
			}
			if found.Line == 0 {
				t.Errorf("problem has no line: %v", found)
			}
		})
	}
}

func TestValidCornerCases(t *testing.T) {
	for name, src := range map[string]string{
		"room for exactly four digits": "card_numbers: {prefix: \"1234\", length: 9, luhn: true}\n",
		"listen on all interfaces":     "http: {listen: \":8080\"}\n",
		"listen on IPv6":               "http: {listen: \"[::1]:8080\"}\n",
		"base_url with a path":         "http: {base_url: \"https://example.com/cards/\"}\n",
		"percent sign and spaced sums": withProgram("{id: p, name: N, type: bonus, cashback: 5%, tiers: [{name: G, min_spend: 10 000.50, cashback: 7.5 %}]}"),
		"bonus with tiers only":        withProgram("{id: p, name: N, type: bonus, tiers: [{name: G, min_spend: 100, cashback: 7}]}"),
		"points cannot pay":            withProgram("{id: p, name: N, type: bonus, cashback: 5, max_redeem_percent: 0}"),
		"stamp per amount":             withProgram("{id: p, name: N, type: stamp, stamps: 10, reward: R, stamp_per_amount: 500}"),
		"certificate until a date":     withProgram("{id: p, name: N, type: certificate, nominal: 1000, valid_until: 2030-12-31}"),
		"certificate without expiry":   withProgram("{id: p, name: N, type: certificate, nominal: 1000}"),
		"zero of a foreign field":      withProgram("{id: p, name: N, type: bonus, cashback: 5, stamps: 0}"),
		"other archived programme":     "programs:\n  - {id: p, name: N, type: bonus, cashback: 5}\n  - {id: old, name: O, type: discount, discount: 3, archived: true}\nsettings: {default_program: p}\n",
	} {
		t.Run(name, func(t *testing.T) {
			mustParse(t, src, nil)
		})
	}
}

func TestEveryProgramFieldIsClassified(t *testing.T) {
	common := []string{"id", "name", "type", "description", "archived"}
	for _, name := range fieldsOf(reflect.TypeFor[cardbot.Program]()).names {
		if _, ok := programFields[name]; !ok && !slices.Contains(common, name) {
			t.Errorf("programme field %s is neither common nor listed in programFields", name)
		}
	}
}

func TestValidate(t *testing.T) {
	if err := Validate(defaults()); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	cfg := defaults()
	cfg.HTTP.BaseURL += "/"
	cfg.Business.Phone = "8 916 123-45-67"
	cfg.Programs[0].Cashback = 200_00
	err := Validate(cfg)
	want := "http.base_url: must not end with /\n" +
		"business.phone: must be in E.164 form: +79161234567\n" +
		"programs[0].cashback: must be between 0 and 100, not 200"
	if err == nil || err.Error() != want {
		t.Fatalf("Validate\n got %v\nwant %s", err, want)
	}
}
