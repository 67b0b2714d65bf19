package configfile

import (
	"strings"
	"testing"
	"time"

	"cardbot"
)

// smsOn and emailOn start enabled sections to which a case appends its keys.
const (
	smsOn   = "sms:\n  enabled: true\n  url: \"https://gw.example.com/send?to={{.Digits}}&text={{.Text | urlquery}}\"\n"
	emailOn = "email:\n  enabled: true\n  host: smtp.example.com\n  from: cards@example.com\n"
)

func TestSMSValidation(t *testing.T) {
	tests := []oneProblem{
		{"method", "sms:\n  method: PUT\n", "sms.method", `must be GET or POST, not "PUT"`, 2},
		{"timeout without a unit", "sms:\n  timeout: 10\n", "sms.timeout", "is not a duration; write it like 10s", 2},
		{"timeout zero", "sms:\n  timeout: 0s\n", "sms.timeout", "more than 0 and at most 30s", 2},
		{"timeout too long", "sms:\n  timeout: 2m\n", "sms.timeout", "at most 30s", 2},
		{"rate limit", "sms:\n  rate_limit: -1\n", "sms.rate_limit", "from 0 (no pacing) to 1000", 2},
		{"sender too long", "sms:\n  sender: CoffeeZernoShop\n", "sms.sender", "1 to 11 Latin letters", 2},
		{"header name", "sms:\n  headers:\n    X Key: 1\n", "sms.headers.X Key", "not a header name", 3},
		{"key typo", "sms:\n  sucess_value: OK\n", "sms.sucess_value", "did you mean success_value?", 2},
		{"url unknown field", "sms:\n  enabled: true\n  url: \"https://gw.example.com/?to={{.Phon}}\"\n", "sms.url", "unknown field .Phon; the fields are .Phone, .Digits, .Text, .Sender", 3},
		{"url unknown function", "sms:\n  enabled: true\n  url: \"https://gw.example.com/?m={{.Text | urlencode}}\"\n", "sms.url", `function "urlencode" not defined`, 3},
		{"url not absolute", "sms:\n  enabled: true\n  url: \"gw.example.com/?to={{.Digits}}\"\n", "sms.url", "absolute http or https", 3},
		{"url missing", "sms:\n  enabled: true\n", "sms.url", "must be set", 1},
		{"body in a block, unknown field in a branch", smsOn + "  method: POST\n  body: |\n    {\"to\": {{json .Phone}}\n    {{if .Sender}}, \"from\": {{json .From}}{{end}}}\n",
			"sms.body", "unknown field .From", 5},
		{"body syntax", smsOn + "  method: POST\n  body: '{\"to\": {{json .Phone}'\n", "sms.body", "line 1", 5},
		{"body with GET", smsOn + "  body: \"to={{.Digits}}\"\n", "sms.body", "only sent with method POST", 4},
		{"json path without value", smsOn + "  success_json_path: status\n", "sms.success_value", "must be set with success_json_path", 1},
		{"value without json path", smsOn + "  success_value: OK\n", "sms.success_json_path", "must be set with success_value", 1},
		{"json path template", smsOn + "  success_json_path: \"sms.{{.Number}}.status\"\n  success_value: OK\n", "sms.success_json_path", "unknown field .Number", 4},
	}
	checkOneProblem(t, tests)
}

func TestSMSValidCases(t *testing.T) {
	for name, src := range map[string]string{
		// Off: a half-written section is no problem until it is enabled.
		"off with broken templates": "sms:\n  url: \"{{.Nope}}\"\n  body: x\n  success_value: OK\n",
		"SMS.ru as in the README": "sms:\n  enabled: true\n" +
			"  url: \"https://sms.ru/sms/send?api_id=${SMSRU_KEY}&to={{.Digits}}&msg={{.Text | urlquery}}&json=1\"\n" +
			"  success_json_path: \"sms.{{.Digits}}.status\"\n  success_value: OK\n",
		"POST JSON with a token header": "sms:\n  enabled: true\n  method: post\n  url: https://api.gw.example.com/v1/messages\n" +
			"  headers:\n    Authorization: \"Bearer ${SMS_TOKEN}\"\n" +
			"  body: '{\"to\": {{json .Phone}}, \"text\": {{json .Text}}, \"from\": {{json .Sender}}}'\n" +
			"  success_contains: queued\n  sender: Zerno\n  timeout: 15s\n  rate_limit: 2.5\n",
		"POST form": smsOn + "  method: POST\n  body: \"to={{.Phone | urlquery}}&text={{.Text | urlquery}}\"\n",
	} {
		t.Run(name, func(t *testing.T) {
			cfg := mustParse(t, src, map[string]string{"SMSRU_KEY": "ABC-123", "SMS_TOKEN": "tok"})
			if cfg.SMS.Enabled && len(smsProblems(t, cfg)) != 0 {
				t.Fatalf("templates: %v", smsProblems(t, cfg))
			}
		})
	}
	cfg := mustParse(t, "sms:\n  timeout: 15s\n  headers:\n    X-Key: ${K}\n", map[string]string{"K": "v"})
	if cfg.SMS.Timeout != cardbot.Duration(15*time.Second) || cfg.SMS.Headers["X-Key"] != "v" {
		t.Errorf("decoded %+v", cfg.SMS)
	}
}

// smsProblems validates the sms section alone, with every check an enabled section gets.
func smsProblems(t *testing.T, cfg cardbot.Config) []string {
	t.Helper()
	v := &validator{lineOf: func(string) int { return 0 }, skip: map[string]bool{}}
	v.sms(&cfg.SMS)
	var out []string
	for _, p := range v.problems {
		out = append(out, p.Error())
	}
	return out
}

// The API key in the url and a token in a header never appear in what validation prints.
func TestSMSProblemsHideSecrets(t *testing.T) {
	src := "sms:\n  enabled: true\n  url: \"ftp://gw.example.com/?key=${KEY}&to={{.Digits}}\"\n" +
		"  headers:\n    Authorization: \"Bearer ${TOKEN}\"\n"
	_, ps := parse(t, src, map[string]string{"KEY": "SECRET1", "TOKEN": "SECRET2\nX-Injected: 1"})
	if len(ps) != 2 {
		t.Fatalf("want the url and the header reported; got:\n%v", ps)
	}
	if out := ps.Error(); strings.Contains(out, "SECRET") {
		t.Fatalf("a secret leaked into the problems:\n%s", out)
	}
}

func TestEmailValidation(t *testing.T) {
	tests := []oneProblem{
		{"port", "email:\n  port: 0\n", "email.port", "from 1 to 65535", 2},
		{"tls mode", "email:\n  tls: ssl\n", "email.tls", `must be starttls, tls or none, not "ssl"`, 2},
		{"timeout", "email:\n  timeout: 1h\n", "email.timeout", "at most 30s", 2},
		{"rate limit", "email:\n  rate_limit: 5000\n", "email.rate_limit", "to 1000", 2},
		{"no host", "email:\n  enabled: true\n  from: cards@example.com\n", "email.host", "must be set", 1},
		{"none off localhost", emailOn + "  tls: none\n", "email.tls", "only allowed for a server on this machine", 5},
		{"no from", "email:\n  enabled: true\n  host: smtp.example.com\n", "email.from", "must be set", 1},
		{"bad from", "email:\n  enabled: true\n  host: smtp.example.com\n  from: Zerno cards@example.com\n", "email.from", "is not an address", 4},
		{"username without password", emailOn + "  username: cards@example.com\n  password: ${SMTP_PASSWORD:-}\n", "email.password", "must be set when username is", 6},
		{"unsubscribe url", emailOn + "  unsubscribe_url: /u/\n", "email.unsubscribe_url", "absolute http or https", 5},
	}
	checkOneProblem(t, tests)
}

func TestEmailValidCases(t *testing.T) {
	env := map[string]string{"SMTP_PASSWORD": "pw"}
	for name, src := range map[string]string{
		"off and empty":     "email:\n  rate_limit: 0\n",
		"starttls with env": emailOn + "  username: cards@example.com\n  password: ${SMTP_PASSWORD}\n",
		"implicit tls":      "email:\n  enabled: true\n  host: smtp.example.com\n  port: 465\n  tls: tls\n  from: \"Кофейня «Зерно» <cards@example.com>\"\n",
		"none on localhost": "email:\n  enabled: true\n  host: localhost\n  port: 25\n  tls: none\n  from: cards@example.com\n",
		"none on 127.0.0.1": "email:\n  enabled: true\n  host: 127.0.0.1\n  port: 2525\n  tls: none\n  from: cards@example.com\n  insecure_skip_verify: true\n",
		"own unsubscribe":   emailOn + "  unsubscribe_url: \"https://cards.example.com/unsubscribe?t=\"\n",
	} {
		t.Run(name, func(t *testing.T) { mustParse(t, src, env) })
	}
}

func TestEmailUnsubscribeDefaultsToBaseURL(t *testing.T) {
	cfg := mustParse(t, emailOn+"http:\n  base_url: https://cards.example.com/\n", nil)
	if cfg.Email.UnsubscribeURL != "https://cards.example.com/u/" {
		t.Errorf("unsubscribe_url %q", cfg.Email.UnsubscribeURL)
	}
	if cfg := mustParse(t, emailOn+"  unsubscribe_url: https://x.example.com/out/\n", nil); cfg.Email.UnsubscribeURL != "https://x.example.com/out/" {
		t.Errorf("an explicit unsubscribe_url was replaced: %q", cfg.Email.UnsubscribeURL)
	}
	// A disabled section is left as the defaults have it.
	if cfg := mustParse(t, "", nil); cfg.Email.UnsubscribeURL != "" {
		t.Errorf("disabled: %q", cfg.Email.UnsubscribeURL)
	}
}

func TestEmailProblemsHideSecrets(t *testing.T) {
	src := emailOn + "  tls: none\n  username: u\n  password: ${SMTP_PASSWORD}\n"
	_, ps := parse(t, src, map[string]string{"SMTP_PASSWORD": "SECRET"})
	if len(ps) != 1 || strings.Contains(ps.Error(), "SECRET") {
		t.Fatalf("got:\n%v", ps)
	}
}

func TestSMSEmailValidate(t *testing.T) {
	cfg := defaults()
	cfg.SMS.Enabled, cfg.SMS.URL = true, "https://gw.example.com/?to={{.Digit}}"
	cfg.Email.Enabled, cfg.Email.Host, cfg.Email.From = true, "smtp.example.com", "cards@example.com"
	err := Validate(cfg)
	want := "sms.url: unknown field .Digit; the fields are .Phone, .Digits, .Text, .Sender\n" +
		"email.unsubscribe_url: must be an absolute http or https address like https://cards.example.com/u/, not \"\""
	if err == nil || err.Error() != want {
		t.Fatalf("Validate\n got %v\nwant %s", err, want)
	}
}
