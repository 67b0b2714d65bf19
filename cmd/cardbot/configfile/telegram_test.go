package configfile

import (
	"strings"
	"testing"
)

// tokenLine is a telegram section with a well-formed token, to which a case appends its keys.
const tokenLine = "telegram:\n  token: \"123456:AAH-x_y\"\n"

func TestTelegramValidation(t *testing.T) {
	webhook := tokenLine + "  mode: webhook\n"
	tests := []oneProblem{
		{"mode typo", "telegram:\n  mode: poling\n", "telegram.mode", `must be polling or webhook, not "poling"`, 2},
		{"api_url relative", "telegram:\n  api_url: /bot\n", "telegram.api_url", "absolute http or https", 2},
		{"api_url other scheme", "telegram:\n  api_url: ftp://api.example.com\n", "telegram.api_url", "absolute http or https", 2},
		{"api_url empty", "telegram:\n  api_url: \"\"\n", "telegram.api_url", "must be set", 2},
		{"api_url with a query", "telegram:\n  api_url: \"https://api.example.com?x=1\"\n", "telegram.api_url", "must not have a query", 2},
		{"staff zero", "telegram:\n  staff: [42,\n    0]\n", "telegram.staff[1]", "positive number, not 0", 3},
		{"staff negative", "telegram:\n  staff:\n    - -7\n", "telegram.staff[0]", "positive number, not -7", 3},
		{"token with a space", "telegram:\n  token: \"123456:AAH x\"\n", "telegram.token", "does not look like a bot token", 2},
		{"token without id", "telegram:\n  token: AAHxyz\n", "telegram.token", "does not look like a bot token", 2},
		{"webhook without secret", webhook, "telegram.webhook_secret", "must be set in webhook mode", 1},
		{"secret with a space", webhook + "  webhook_secret: \"two words\"\n", "telegram.webhook_secret", "Telegram's rule", 4},
		{"secret too long", webhook + "  webhook_secret: " + strings.Repeat("s", 257) + "\n", "telegram.webhook_secret", "1 to 256", 4},
		{"webhook over plain http", webhook + "  webhook_secret: s3cret\nhttp:\n  base_url: http://cards.example.com\n", "telegram.mode", "needs an https http.base_url", 3},
		{"webhook on an odd port", webhook + "  webhook_secret: s3cret\nhttp:\n  base_url: https://cards.example.com:8080\n", "telegram.mode", "port 443, 80, 88 or 8443", 3},
	}
	checkOneProblem(t, tests)
}

// Secrets never appear in what validation prints.
func TestTelegramProblemsHideSecrets(t *testing.T) {
	src := "telegram:\n  token: \"123456:SECRET part\"\n  mode: webhook\n  webhook_secret: \"OTHER secret\"\n"
	_, ps := parse(t, src, nil)
	if len(ps) != 2 {
		t.Fatalf("want the token and the secret reported; got:\n%v", ps)
	}
	if out := ps.Error(); strings.Contains(out, "SECRET") || strings.Contains(out, "OTHER") {
		t.Fatalf("a secret leaked into the problems:\n%s", out)
	}
}

func TestTelegramValidCases(t *testing.T) {
	for name, src := range map[string]string{
		// Without a token the channel is off: webhook needs do not apply.
		"off, webhook without secret":  "telegram:\n  mode: webhook\n",
		"off, token from an empty env": "telegram:\n  token: ${TELEGRAM_TOKEN:-}\n  mode: webhook\n",
		"polling":                      tokenLine + "  mode: polling\n  staff: [123456789]\n",
		"webhook on https":             tokenLine + "  mode: webhook\n  webhook_secret: Ab_9-" + strings.Repeat("z", 251) + "\nhttp:\n  base_url: https://cards.example.com\n",
		"webhook on port 8443":         tokenLine + "  mode: webhook\n  webhook_secret: s\nhttp:\n  base_url: https://cards.example.com:8443/loyalty\n",
		"webhook on the default base":  tokenLine + "  mode: webhook\n  webhook_secret: s\n", // http://127.0.0.1:8080, for the fake
		"webhook on localhost":         tokenLine + "  mode: webhook\n  webhook_secret: s\nhttp:\n  base_url: http://localhost:9000\n",
		"secret from the environment":  tokenLine + "  mode: webhook\n  webhook_secret: ${TG_SECRET}\nhttp:\n  base_url: https://cards.example.com\n",
		"a local Bot API server":       "telegram:\n  api_url: http://127.0.0.1:8081\n",
	} {
		t.Run(name, func(t *testing.T) {
			mustParse(t, src, map[string]string{"TG_SECRET": "from-env_1"})
		})
	}
}

func TestTelegramValidate(t *testing.T) {
	cfg := defaults()
	cfg.Telegram.Token = "123456:AAH"
	cfg.Telegram.Mode = "webhook"
	cfg.HTTP.BaseURL = "http://cards.example.com"
	err := Validate(cfg)
	want := "telegram.webhook_secret: must be set in webhook mode: 1 to 256 of A-Z, a-z, 0-9, _ and -, usually ${TELEGRAM_WEBHOOK_SECRET}\n" +
		"telegram.mode: webhook mode needs an https http.base_url: Telegram calls webhooks over HTTPS only, and http://cards.example.com is http"
	if err == nil || err.Error() != want {
		t.Fatalf("Validate\n got %v\nwant %s", err, want)
	}
}
