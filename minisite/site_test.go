package minisite_test

import (
	"bytes"
	"context"
	"image/png"
	"regexp"
	"strings"
	"testing"

	"cardbot"
	"cardbot/minisite"
)

var cardLink = regexp.MustCompile(`^/c/([a-z0-9]+)$`)

func TestTheSiteShowsTheProgrammeTheFormAndTheWaysToContinue(t *testing.T) {
	r := newRig(t)
	p := r.browser().get("/s/tverskaya")
	if p.status != 200 {
		t.Fatalf("status %d", p.status)
	}
	mustContain(t, p.body, "Кофейня на Тверской", "Карта за минуту", "Бонусная карта", "Кешбэк 5 %",
		"100 приветственных баллов", `name="phone"`, `name="consent"`, `name="website"`,
		"https://t.me/zerno_bot?start=site_1", "/chat?start=site_1", "обработку моих персональных данных")
	if strings.Contains(p.body, "wa.me") {
		t.Fatal("a WhatsApp button without a WhatsApp number")
	}
}

func TestWhatsAppButtonCarriesTheStartPayload(t *testing.T) {
	r := newRig(t, func(_ *cardbot.Config, l *minisite.Links) {
		l.WhatsAppNumber = func() string { return "+79161234567" }
	})
	p := r.browser().get("/s/tverskaya")
	mustContain(t, p.body, "https://wa.me/79161234567?text=%2Fstart%20site_1")
}

func TestAnUnknownSiteIsNotFound(t *testing.T) {
	r := newRig(t)
	for _, path := range []string{"/s/nowhere", "/s/Bad_Slug", "/s/nowhere/qr.png"} {
		if p := r.browser().get(path); p.status != 404 {
			t.Fatalf("%s: status %d", path, p.status)
		}
	}
}

func TestAVisitorGetsACardAndLandsOnItsPage(t *testing.T) {
	r := newRig(t)
	b := r.browser()
	p := b.submit("tverskaya", anna())
	if p.status != 303 {
		t.Fatalf("status %d, want 303:\n%s", p.status, p.body)
	}
	m := cardLink.FindStringSubmatch(p.header.Get("Location"))
	if m == nil {
		t.Fatalf("redirected to %q", p.header.Get("Location"))
	}
	clients := r.clients()
	if len(clients) != 1 {
		t.Fatalf("%d clients", len(clients))
	}
	c := clients[0]
	if c.Name != "Анна" || c.Phone != "+79161234567" || c.Source != "site:1" || c.Birthday == nil || c.Birthday.Month != 3 {
		t.Fatalf("client %+v", c)
	}
	if !c.Consent.PersonalData || c.Consent.Source != "site:1" || c.Consent.At.IsZero() {
		t.Fatalf("consent %+v", c.Consent)
	}
	cards := r.cards(c.ID)
	if len(cards) != 1 || cards[0].ProgramID != "bonus" || cards[0].Balance != 10000 || cards[0].Token != m[1] {
		t.Fatalf("cards %+v", cards)
	}
	msgs := r.messages(c.ID)
	if len(msgs) != 1 || msgs[0].Event != "card_issued" || msgs[0].Kind != cardbot.KindNotice {
		t.Fatalf("want the card_issued notice, got %+v", msgs)
	}

	card := b.get(p.header.Get("Location"))
	if card.status != 200 {
		t.Fatalf("card page status %d", card.status)
	}
	if cc := card.header.Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("Cache-Control %q", cc)
	}
	number := cards[0].Number
	mustContain(t, card.body, "100 баллов", "Бонусная карта", number[:4]+" "+number[4:], "Выпуск карты", "&#43;100 баллов", `/qr.svg"`)
	qr := b.get(p.header.Get("Location") + "/qr.svg")
	if qr.status != 200 || qr.header.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("card QR: %d %s", qr.status, qr.header.Get("Content-Type"))
	}
	pic := b.get(p.header.Get("Location") + "/card.png")
	if pic.status != 200 || pic.header.Get("Content-Type") != "image/png" {
		t.Fatalf("card picture: %d %s", pic.status, pic.header.Get("Content-Type"))
	}
}

func TestTheSameBrowserSendingAgainLandsOnTheSameCard(t *testing.T) {
	r := newRig(t)
	b := r.browser()
	first := b.submit("tverskaya", anna()).header.Get("Location")
	again := b.submit("tverskaya", anna())
	if again.status != 303 || again.header.Get("Location") != first {
		t.Fatalf("second submit: %d to %q, want 303 to %q", again.status, again.header.Get("Location"), first)
	}
	if c := r.clients(); len(c) != 1 || len(r.cards(c[0].ID)) != 1 {
		t.Fatal("a second client or card")
	}
}

// Anybody can type anybody's phone: the card of a known phone goes to its owner, not to the page.
func TestAKnownPhoneGetsItsCardByMessageNotOnThePage(t *testing.T) {
	r := newRig(t, func(c *cardbot.Config, _ *minisite.Links) { c.SMS.Enabled = true })
	first := r.browser().submit("tverskaya", anna())
	token := cardLink.FindStringSubmatch(first.header.Get("Location"))[1]

	stranger := r.browser()
	fields := anna()
	fields["name"], fields["phone"] = "Не Анна", "+7 (916) 123 45 67"
	p := stranger.submit("tverskaya", fields)
	if p.status != 200 {
		t.Fatalf("status %d", p.status)
	}
	mustContain(t, p.body, "У этого номера уже есть карта", "Мы отправили ссылку на карту")
	if strings.Contains(p.body, token) {
		t.Fatal("the page shows the card's link to a stranger")
	}
	clients := r.clients()
	if len(clients) != 1 || clients[0].Name != "Анна" || len(r.cards(clients[0].ID)) != 1 {
		t.Fatalf("the known client changed: %+v", clients)
	}
	links := 0
	for _, m := range r.messages(clients[0].ID) {
		if m.Event == "card_link" {
			links++
			if !strings.Contains(m.Text, "https://cards.example/c/"+token) || m.CardID == 0 {
				t.Fatalf("link message %+v", m)
			}
		}
	}
	if links != 1 {
		t.Fatalf("%d link messages, want 1", links)
	}
	// Sending the form again soon does not send the owner a second message.
	stranger.submit("tverskaya", fields)
	count := 0
	for _, m := range r.messages(clients[0].ID) {
		if m.Event == "card_link" {
			count++
		}
	}
	if count != 1 {
		t.Fatalf("%d link messages after a second try, want 1", count)
	}
}

func TestAKnownPhoneWithoutTheSitesCardGetsOneByMessage(t *testing.T) {
	r := newRig(t)
	r.addSite(&cardbot.MiniSite{Slug: "coffee", Title: "Кофе", ProgramID: "coffee"})
	r.browser().submit("tverskaya", anna())
	p := r.browser().submit("coffee", anna())
	mustContain(t, p.body, "У этого номера уже есть карта")
	c := r.clients()
	if len(c) != 1 || len(r.cards(c[0].ID)) != 2 {
		t.Fatalf("want one client with two cards")
	}
}

func TestMistakesShowTheFormAgainWithWhatWasTyped(t *testing.T) {
	r := newRig(t)
	cases := []struct {
		name   string
		change map[string]string
		status int
		says   string
	}{
		{"no consent", map[string]string{"consent": ""}, 422, "Без согласия"},
		{"bad phone", map[string]string{"phone": "12ab"}, 422, "Проверьте номер телефона"},
		{"no name", map[string]string{"name": " "}, 422, "как к вам обращаться"},
		{"bad birthday", map[string]string{"birthday": "2990-01-01"}, 422, "дату рождения"},
		{"honeypot", map[string]string{"website": "http://spam.example"}, 400, "Форма заполнена не так"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fields := anna()
			fields["name"] = "Анна <b>"
			for k, v := range tc.change {
				fields[k] = v
			}
			p := r.browser().submit("tverskaya", fields)
			if p.status != tc.status {
				t.Fatalf("status %d, want %d", p.status, tc.status)
			}
			mustContain(t, p.body, tc.says, `role="alert"`)
			if fields["name"] != " " {
				mustContain(t, p.body, `value="Анна &lt;b&gt;"`)
			}
			if strings.Contains(tc.name, "phone") {
				mustContain(t, p.body, `value="12ab"`)
			}
		})
	}
	if n := len(r.clients()); n != 0 {
		t.Fatalf("%d clients made by refused forms", n)
	}
}

func TestTheFormIsRateLimitedPerAddress(t *testing.T) {
	r := newRig(t)
	fields := anna()
	fields["consent"] = "" // refused forms count too: they are what a bot sends
	for i := range 10 {
		if p := r.browser().submit("tverskaya", fields); p.status != 422 {
			t.Fatalf("try %d: status %d", i+1, p.status)
		}
	}
	if p := r.browser().submit("tverskaya", anna()); p.status != 429 {
		t.Fatalf("11th try: status %d, want 429", p.status)
	}
	r.clock.Advance(11 * 60e9)
	if p := r.browser().submit("tverskaya", anna()); p.status != 303 {
		t.Fatalf("after the window: status %d", p.status)
	}
}

func TestAWrongCardTokenIsNotFound(t *testing.T) {
	r := newRig(t)
	b := r.browser()
	b.submit("tverskaya", anna())
	for _, token := range []string{"aaaaaaaaaaaaaaaaaaaaaaaaaa", "short", "UPPERCASEUPPERCASEUPPERCAS", strings.Repeat("a", 200)} {
		for _, suffix := range []string{"", "/card.png", "/qr.svg"} {
			if p := b.get("/c/" + token + suffix); p.status != 404 {
				t.Fatalf("%s%s: status %d", token, suffix, p.status)
			}
		}
	}
}

func TestTheSitesQRCodesHoldItsLink(t *testing.T) {
	r := newRig(t)
	b := r.browser()
	p := b.get("/s/tverskaya/qr.png?download=1")
	if p.status != 200 || p.header.Get("Content-Type") != "image/png" {
		t.Fatalf("png: %d %s", p.status, p.header.Get("Content-Type"))
	}
	if !strings.Contains(p.header.Get("Content-Disposition"), "qr-tverskaya.png") {
		t.Fatalf("Content-Disposition %q", p.header.Get("Content-Disposition"))
	}
	img, err := png.Decode(bytes.NewReader([]byte(p.body)))
	if err != nil || img.Bounds().Dx() != 1024 {
		t.Fatalf("png: %v %v", err, img.Bounds())
	}
	if got := readQR(t, []byte(p.body)); got != "https://cards.example/s/tverskaya" {
		t.Fatalf("the QR says %q", got)
	}
	svg := b.get("/s/tverskaya/qr.svg")
	if svg.status != 200 || svg.header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(svg.body, "<svg") {
		t.Fatalf("svg: %d %s", svg.status, svg.header.Get("Content-Type"))
	}
}

func TestEnglishPages(t *testing.T) {
	r := newRig(t, func(c *cardbot.Config, _ *minisite.Links) { c.Locale = "en" })
	p := r.browser().get("/s/tverskaya")
	mustContain(t, p.body, `lang="en"`, "Get your card", "5 % cashback")
}

// The card page is served from memory while nothing was committed; any commit shows the change.
func TestTheCardPageShowsEveryChange(t *testing.T) {
	r := newRig(t)
	b := r.browser()
	link := b.submit("tverskaya", anna()).header.Get("Location")
	mustContain(t, b.get(link).body, "100 баллов")
	mustContain(t, b.get(link).body, "100 баллов") // from memory now
	card := r.cards(r.clients()[0].ID)[0]
	for _, req := range []cardbot.OperationRequest{
		{Type: cardbot.OpAccrue, Amount: 5000, Actor: "admin:anna"},
		{Type: cardbot.OpRedeem, Amount: 5000, Actor: "admin:anna"},
	} {
		err := r.db.Update(context.Background(), func(tx cardbot.Tx) error {
			_, err := r.w.Apply(tx, card.ID, req)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		page := b.get(link).body
		switch req.Type {
		case cardbot.OpAccrue:
			mustContain(t, page, "150 баллов", "Начисление")
		case cardbot.OpRedeem:
			// Back to 100, with two more lines in the history than the first page had.
			mustContain(t, page, "100 баллов", "Начисление", "Списание", "−50 баллов")
		}
	}
}

func TestAKnownPhoneNoChannelReachesIsSentToTheCounter(t *testing.T) {
	r := newRig(t) // SMS and email are off, and the client never wrote to the bot
	r.browser().submit("tverskaya", anna())
	p := r.browser().submit("tverskaya", anna())
	mustContain(t, p.body, "У этого номера уже есть карта", "Назовите номер телефона на кассе")
	for _, m := range r.messages(r.clients()[0].ID) {
		if m.Event == "card_link" {
			t.Fatal("a link message nobody can receive")
		}
	}
}
