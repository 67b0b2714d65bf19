package email_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"cardbot"
	"cardbot/bot/email"
	"cardbot/bot/email/fakesmtp"
)

var business = cardbot.Business{Name: "Кофейня «Зерно»"}

const customer = "anna@example.com"

// configFor points an email config at a fake server, without TLS (it is on 127.0.0.1).
func configFor(srv *fakesmtp.Server) cardbot.EmailConfig {
	cfg := cardbot.DefaultConfig().Email
	cfg.Enabled = true
	cfg.Host, cfg.Port, cfg.TLS = srv.Host, srv.Port, cardbot.EmailNoTLS
	cfg.From = "cards@zerno.example.com"
	cfg.UnsubscribeURL = "https://cards.example.com/u/"
	cfg.Timeout = cardbot.Duration(5 * time.Second)
	return cfg
}

func newSender(t *testing.T, cfg cardbot.EmailConfig, opts ...email.Option) *email.Sender {
	t.Helper()
	s, err := email.New(cfg, business, nil, append([]email.Option{email.WithUnsubscribeTokens(tokens)}, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

var png = []byte("\x89PNG\r\n\x1a\nnot really a picture, but bytes that must arrive unchanged \x00\xff")

var notice = cardbot.Outgoing{
	To:   customer,
	Text: "Начислено 50 бонусов\n\nСпасибо, <b>Анна</b> & co!\nДо встречи",
	Buttons: [][]cardbot.Button{
		{{Text: "Моя карта", URL: "https://cards.example.com/c/abc?x=1&y=2"}, {Text: "Оценить", Data: "rate:5"}},
		{{Text: "Evil", URL: "javascript:alert(1)"}},
	},
	Picture: png,
}

// tokens sign the unsubscribe links of every test sender.
var tokens = func() *cardbot.UnsubscribeTokens {
	u, err := cardbot.NewUnsubscribeTokens([]byte("a secret of thirty-two bytes, ok"))
	if err != nil {
		panic(err)
	}
	return u
}()

func unsubscribeLink(address string) string {
	return "https://cards.example.com/u/" + tokens.Token(address)
}

func TestDelivery(t *testing.T) {
	srv := fakesmtp.Start(t)
	s := newSender(t, configFor(srv))
	if s.Channel() != "email" {
		t.Errorf("Channel() = %q", s.Channel())
	}
	if err := s.Send(context.Background(), notice); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("want 1 message, got %d", len(msgs))
	}
	m := msgs[0]
	if m.From != "cards@zerno.example.com" || len(m.To) != 1 || m.To[0] != customer {
		t.Errorf("envelope from %q to %v", m.From, m.To)
	}
	e := parseEmail(t, m.Data)

	if e.Subject != "Кофейня «Зерно»: Начислено 50 бонусов" {
		t.Errorf("Subject %q", e.Subject)
	}
	if from, err := e.Header.AddressList("From"); err != nil || from[0].Name != business.Name || from[0].Address != "cards@zerno.example.com" {
		t.Errorf("From %v %v", from, err)
	}
	link := unsubscribeLink(customer)
	// A notice keeps coming after an unsubscribe: no mail-client button for it, only the footer.
	if got := e.Header.Get("List-Unsubscribe") + e.Header.Get("List-Unsubscribe-Post"); got != "" {
		t.Errorf("List-Unsubscribe headers on an operation notice: %q", got)
	}
	if e.Header.Get("Auto-Submitted") != "auto-generated" || !strings.HasSuffix(e.Header.Get("Message-Id"), "@zerno.example.com>") {
		t.Errorf("headers %v", e.Header)
	}

	for _, want := range []string{"Начислено 50 бонусов\n\nСпасибо, <b>Анна</b> & co!\nДо встречи\n",
		"Моя карта: https://cards.example.com/c/abc?x=1&y=2", "Отписаться от акций и новостей: " + link} {
		if !strings.Contains(e.Text, want) {
			t.Errorf("text body lacks %q:\n%s", want, e.Text)
		}
	}
	if strings.Contains(e.Text, "rate:5") || strings.Contains(e.Text, "Оценить") || strings.Contains(e.Text, "javascript") {
		t.Errorf("a data button or an unsafe link reached the text body:\n%s", e.Text)
	}

	for _, want := range []string{
		"Спасибо, &lt;b&gt;Анна&lt;/b&gt; &amp; co!<br>До встречи",
		`<a href="https://cards.example.com/c/abc?x=1&amp;y=2"`, ">Моя карта</a>",
		`<img src="cid:card@cardbot"`,
		`<a href="` + link + `"`, "Отписаться от акций и новостей</a>",
	} {
		if !strings.Contains(e.HTML, want) {
			t.Errorf("HTML body lacks %q:\n%s", want, e.HTML)
		}
	}
	for _, bad := range []string{"<b>Анна", "javascript:", "rate:5"} {
		if strings.Contains(e.HTML, bad) {
			t.Errorf("HTML body holds %q:\n%s", bad, e.HTML)
		}
	}

	if !bytes.Equal(e.Images["<card@cardbot>"], png) {
		t.Errorf("inline picture: got %d bytes under %v", len(e.Images["<card@cardbot>"]), keys(e.Images))
	}
	if !containsAll(e.Types, "multipart/related", "multipart/alternative", "text/plain", "text/html", "image/png") {
		t.Errorf("structure %v", e.Types)
	}
}

func TestWithoutPictureInEnglish(t *testing.T) {
	srv := fakesmtp.Start(t)
	s := newSender(t, configFor(srv), email.WithLocale("en"),
		email.WithUnsubscribeLink(func(a string) string { return "https://cards.example.com/u/signed?a=" + a }))
	if err := s.Send(context.Background(), cardbot.Outgoing{To: customer, Text: "Hello", Kind: cardbot.KindMarketing}); err != nil {
		t.Fatal(err)
	}
	e := parseEmail(t, srv.Messages()[0].Data)
	if len(e.Images) != 0 || strings.Contains(e.HTML, "<img") || containsAll(e.Types, "multipart/related") {
		t.Errorf("a picture that was not sent: %v", e.Types)
	}
	if !strings.Contains(e.Text, "Unsubscribe from offers and news: https://cards.example.com/u/signed?a=anna@example.com") ||
		!strings.Contains(e.HTML, `lang="en"`) || e.Header.Get("List-Unsubscribe") != "<https://cards.example.com/u/signed?a=anna@example.com>" {
		t.Errorf("text:\n%s\nheader %q", e.Text, e.Header.Get("List-Unsubscribe"))
	}
	if e.Subject != "Кофейня «Зерно»: Hello" {
		t.Errorf("Subject %q", e.Subject)
	}
}

func TestRefusals(t *testing.T) {
	tests := []struct {
		code      int
		permanent bool
	}{{550, true}, {553, true}, {451, false}}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.code), func(t *testing.T) {
			srv := fakesmtp.Start(t)
			srv.Reject(customer, tt.code)
			s := newSender(t, configFor(srv))
			err := s.Send(context.Background(), notice)
			var se *cardbot.SendError
			isSE := errors.As(err, &se)
			switch {
			case err == nil:
				t.Fatal("want an error")
			case tt.permanent && (!isSE || !se.Permanent):
				t.Fatalf("want Permanent, got %v", err)
			case !tt.permanent && isSE:
				t.Fatalf("want a passing error, got %#v", se)
			}
			if !strings.Contains(err.Error(), fmt.Sprint(tt.code)) {
				t.Errorf("error %q does not give the code", err)
			}
			// The refusal is for that recipient only: others still get mail on the same server.
			if err := s.Send(context.Background(), cardbot.Outgoing{To: "bob@example.com", Text: "Hi"}); err != nil || len(srv.Messages()) != 1 {
				t.Errorf("another recipient: %v, %d messages", err, len(srv.Messages()))
			}
		})
	}
}

func TestServerDownIsPassing(t *testing.T) {
	srv := fakesmtp.Start(t)
	cfg := configFor(srv)
	srv.Close()
	err := newSender(t, cfg).Send(context.Background(), notice)
	var se *cardbot.SendError
	if err == nil || errors.As(err, &se) {
		t.Fatalf("want a passing error, got %v", err)
	}
}

func TestAuth(t *testing.T) {
	srv := fakesmtp.Start(t, fakesmtp.WithAuth("cards@zerno.example.com", "s3cret"))
	cfg := configFor(srv)
	cfg.Username, cfg.Password = "cards@zerno.example.com", "s3cret"
	if err := newSender(t, cfg).Send(context.Background(), notice); err != nil {
		t.Fatal(err)
	}
	if msgs := srv.Messages(); len(msgs) != 1 || msgs[0].User != "cards@zerno.example.com" {
		t.Fatalf("messages %+v", msgs)
	}

	// A wrong password is our setup, not the customer: passing, so the owner can fix it.
	cfg.Password = "wrong"
	err := newSender(t, cfg).Send(context.Background(), notice)
	var se *cardbot.SendError
	if err == nil || errors.As(err, &se) || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("want a passing error that does not quote the password, got %v", err)
	}
	// Without credentials the server refuses MAIL FROM with a 5xx; still passing.
	cfg.Username, cfg.Password = "", ""
	if err := newSender(t, cfg).Send(context.Background(), notice); err == nil || errors.As(err, &se) {
		t.Fatalf("want a passing error, got %v", err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages accepted", n)
	}
}

func TestTLS(t *testing.T) {
	cert := selfSigned(t)
	tests := []struct {
		mode string
		opt  fakesmtp.Option
	}{
		{cardbot.EmailSTARTTLS, fakesmtp.WithSTARTTLS(cert)},
		{cardbot.EmailTLS, fakesmtp.WithImplicitTLS(cert)},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			srv := fakesmtp.Start(t, tt.opt, fakesmtp.WithAuth("u", "p"))
			cfg := configFor(srv)
			cfg.TLS, cfg.Username, cfg.Password = tt.mode, "u", "p"

			// The certificate is nobody's: refused unless the owner said to skip the check.
			err := newSender(t, cfg).Send(context.Background(), notice)
			var se *cardbot.SendError
			if err == nil || errors.As(err, &se) {
				t.Fatalf("an untrusted certificate: want a passing error, got %v", err)
			}
			cfg.InsecureSkipVerify = true
			if err := newSender(t, cfg).Send(context.Background(), notice); err != nil {
				t.Fatal(err)
			}
			if len(srv.Messages()) != 1 {
				t.Fatalf("%d messages", len(srv.Messages()))
			}
		})
	}
}

// STARTTLS is mandatory in starttls mode: a server that does not offer it gets neither password nor mail.
func TestSTARTTLSRequired(t *testing.T) {
	srv := fakesmtp.Start(t, fakesmtp.WithAuth("u", "p"))
	cfg := configFor(srv)
	cfg.TLS, cfg.Username, cfg.Password = cardbot.EmailSTARTTLS, "u", "p"
	err := newSender(t, cfg).Send(context.Background(), notice)
	if err == nil || len(srv.Logins()) != 0 || len(srv.Messages()) != 0 {
		t.Fatalf("err %v, logins %v", err, srv.Logins())
	}
}

func TestBadAddressIsPermanent(t *testing.T) {
	srv := fakesmtp.Start(t)
	s := newSender(t, configFor(srv))
	for _, to := range []string{"", "anna", "Anna <anna@example.com>", "anna@example.com, bob@example.com", "+79991234567"} {
		err := s.Send(context.Background(), cardbot.Outgoing{To: to, Text: "Hi"})
		var se *cardbot.SendError
		if !errors.As(err, &se) || !se.Permanent {
			t.Errorf("%q: want Permanent, got %v", to, err)
		}
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages sent", n)
	}
}

func TestConcurrentSends(t *testing.T) {
	srv := fakesmtp.Start(t)
	s := newSender(t, configFor(srv))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() {
			errs <- s.Send(context.Background(), cardbot.Outgoing{To: fmt.Sprintf("c%d@example.com", i), Text: "Hi", Picture: png})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := len(srv.Messages()); n != 8 {
		t.Errorf("%d messages", n)
	}
}

func TestNewChecksConfig(t *testing.T) {
	good := cardbot.DefaultConfig().Email
	good.Host, good.From, good.UnsubscribeURL = "smtp.example.com", "cards@example.com", "https://cards.example.com/u/"
	if _, err := email.New(good, business, nil); err != nil {
		t.Fatalf("a good config: %v", err)
	}
	tests := map[string]func(c *cardbot.EmailConfig){
		"no host":            func(c *cardbot.EmailConfig) { c.Host = "" },
		"port":               func(c *cardbot.EmailConfig) { c.Port = 0 },
		"tls mode":           func(c *cardbot.EmailConfig) { c.TLS = "ssl" },
		"none off localhost": func(c *cardbot.EmailConfig) { c.TLS = cardbot.EmailNoTLS },
		"from":               func(c *cardbot.EmailConfig) { c.From = "cards at example.com" },
		"unsubscribe":        func(c *cardbot.EmailConfig) { c.UnsubscribeURL = "" },
	}
	for name, change := range tests {
		cfg := good
		change(&cfg)
		if _, err := email.New(cfg, business, nil); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
	for _, host := range []string{"localhost", "127.0.0.1", "::1", "127.0.0.2"} {
		cfg := good
		cfg.Host, cfg.TLS = host, cardbot.EmailNoTLS
		if _, err := email.New(cfg, business, nil); err != nil {
			t.Errorf("none on %s: %v", host, err)
		}
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func containsAll(have []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			found = found || h == w
		}
		if !found {
			return false
		}
	}
	return true
}

func TestMarketingMailOffersOneClickUnsubscribe(t *testing.T) {
	srv := fakesmtp.Start(t)
	s := newSender(t, configFor(srv))
	offer := cardbot.Outgoing{To: "Anna@Example.com", Text: "Два капучино по цене одного", Kind: cardbot.KindMarketing}
	if err := s.Send(context.Background(), offer); err != nil {
		t.Fatal(err)
	}
	e := parseEmail(t, srv.Messages()[0].Data)
	link := unsubscribeLink(customer)
	if got := e.Header.Get("List-Unsubscribe"); got != "<"+link+">" {
		t.Errorf("List-Unsubscribe %q, want <%s>", got, link)
	}
	if got := e.Header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post %q", got)
	}
	token := strings.TrimPrefix(link, "https://cards.example.com/u/")
	if addr, ok := tokens.Address(token); !ok || addr != customer {
		t.Errorf("the link's token names %q (%v), want %s", addr, ok, customer)
	}
	if !strings.Contains(e.Text, link) || !strings.Contains(e.HTML, `href="`+link+`"`) {
		t.Errorf("the footer lacks the link %s:\n%s", link, e.Text)
	}
}

func TestOneClickNeedsHTTPS(t *testing.T) {
	srv := fakesmtp.Start(t)
	cfg := configFor(srv)
	cfg.UnsubscribeURL = "http://localhost:8080/u/"
	if err := newSender(t, cfg).Send(context.Background(), cardbot.Outgoing{To: customer, Text: "Акция", Kind: cardbot.KindMarketing}); err != nil {
		t.Fatal(err)
	}
	e := parseEmail(t, srv.Messages()[0].Data)
	if e.Header.Get("List-Unsubscribe") != "<http://localhost:8080/u/"+tokens.Token(customer)+">" || e.Header.Get("List-Unsubscribe-Post") != "" {
		t.Errorf("headers %q / %q", e.Header.Get("List-Unsubscribe"), e.Header.Get("List-Unsubscribe-Post"))
	}
}

func TestWithoutTokensNoLink(t *testing.T) {
	srv := fakesmtp.Start(t)
	s, err := email.New(configFor(srv), business, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), cardbot.Outgoing{To: customer, Text: "Акция", Kind: cardbot.KindMarketing}); err != nil {
		t.Fatal(err)
	}
	e := parseEmail(t, srv.Messages()[0].Data)
	if strings.Contains(e.Text, "/u/") || strings.Contains(e.HTML, "/u/") || e.Header.Get("List-Unsubscribe") != "" {
		t.Errorf("an unsigned link went out:\n%s\n%v", e.Text, e.Header)
	}
}
