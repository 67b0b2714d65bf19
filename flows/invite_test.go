package flows_test

import (
	"io"
	"log/slog"
	"strings"
	"testing"

	"cardbot"
	"cardbot/flows"
)

func TestInviteGivesEveryLinkThatWorks(t *testing.T) {
	e := newEnv(t)
	client, _ := e.welcomed("1")
	code := client.ReferralCode

	// No messenger known yet: the web page of the code, which needs none, and the code.
	m := one(t, e.say("1", "/invite"))
	mustContain(t, m.Text, "https://cards.example/r/"+code, "ref_"+code)
	if strings.Contains(m.Text, "t.me") || strings.Contains(m.Text, "wa.me") {
		t.Errorf("a messenger link before the messenger is on:\n%s", m.Text)
	}

	// Telegram's bot is known, and a WhatsApp account is paired while the service runs.
	e.eng.SetBotUsername("telegram", "zerno_bot")
	number := ""
	e.eng.SetWhatsAppNumber(func() string { return number })
	m = one(t, e.say("1", "/invite"))
	mustContain(t, m.Text, "https://cards.example/r/"+code, "https://t.me/zerno_bot?start=ref_"+code)
	if strings.Contains(m.Text, "wa.me") {
		t.Errorf("a WhatsApp link without a number:\n%s", m.Text)
	}
	number = "+79161234567"
	m = one(t, e.say("1", "/invite"))
	mustContain(t, m.Text, "https://cards.example/r/"+code, "https://t.me/zerno_bot?start=ref_"+code,
		"https://wa.me/79161234567?text=%2Fstart%20ref_"+code, "Ваш код приглашения: "+code)
}

// An owner's invite text written before the messenger links existed still starts, and its .Link is
// now the web page (which works for everyone); the new links are there for a new text.
func TestTheOwnersInviteTextStillValidates(t *testing.T) {
	e := newEnv(t)
	for name, text := range map[string]string{
		"old":  `Зовите друзей: {{if .Link}}{{.Link}}{{else}}код {{.Code}}{{end}}`,
		"new":  `{{.Link}}{{with .TelegramLink}} · {{.}}{{end}}{{with .WhatsAppLink}} · {{.}}{{end}}`,
		"typo": `{{.TelegramLnk}}`,
	} {
		eng, err := flows.NewEngine(flows.Deps{Store: e.db, Wallet: e.w, Clock: e.clock, Config: e.cfg,
			Texts: map[string]string{"invite": text}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if name == "typo" {
			if err == nil || !strings.Contains(err.Error(), `"invite"`) {
				t.Errorf("a mistyped link name: error %v", err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s text: %v", name, err)
		}
		eng.SetBotUsername("telegram", "zerno_bot")
		e.eng = eng
		id := name
		client, _ := e.welcomed(id)
		m := one(t, e.say(id, "/invite"))
		mustContain(t, m.Text, "https://cards.example/r/"+client.ReferralCode)
		if name == "new" {
			mustContain(t, m.Text, " · https://t.me/zerno_bot?start=ref_"+client.ReferralCode)
		}
	}
}

func TestInviteInEnglish(t *testing.T) {
	e := newEnv(t, func(c *cardbot.Config) { c.Locale = "en" })
	client, _ := e.welcomed("1")
	e.eng.SetBotUsername("telegram", "zerno_bot")
	m := one(t, e.say("1", "/invite"))
	mustContain(t, m.Text, "no messenger needed", "https://cards.example/r/"+client.ReferralCode,
		"Telegram: https://t.me/zerno_bot?start=ref_"+client.ReferralCode)
}
