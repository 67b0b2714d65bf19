package main

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"cardbot"
	"cardbot/bot/email/fakesmtp"

	"github.com/chromedp/chromedp"
)

// emailConfig is smallConfig sending email to srv, marketing included at any hour (settings is the
// last section of smallConfig, so the lines below continue it).
func emailConfig(srv *fakesmtp.Server) string {
	return smallConfig + fmt.Sprintf(`  cascade: [email]
  quiet_hours: {enabled: false}
email:
  enabled: true
  host: %s
  port: %d
  tls: none
  from: cards@example.com
`, srv.Host, srv.Port)
}

// consentOf reads a client's consent from the service's store.
func consentOf(t *testing.T, srv *server, clientID uint64) cardbot.Consent {
	t.Helper()
	var consent cardbot.Consent
	err := srv.db.View(context.Background(), func(tx cardbot.Tx) error {
		c, err := tx.Client(clientID)
		if err == nil {
			consent = c.Consent
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return consent
}

var listUnsubscribe = regexp.MustCompile(`(?m)^List-Unsubscribe: <http://127\.0\.0\.1:8080(/u/[^>]+)>\r?$`)

// The whole path: the service's own email carries a link its own page accepts, the link unsubscribes
// the customer, and it still works after a restart (the secret is kept in the database).
func TestTheUnsubscribeLinkInAMarketingMailWorks(t *testing.T) {
	mail := fakesmtp.Start(t)
	config := writeConfig(t, emailConfig(mail))
	srv, stop := runServer(t, config)
	anna := &cardbot.Client{Name: "Анна", Email: "Anna@Example.com", Consent: cardbot.Consent{Marketing: true, Source: "admin"}}
	err := srv.db.Update(context.Background(), func(tx cardbot.Tx) error {
		if err := tx.CreateClient(anna); err != nil {
			return err
		}
		return tx.EnqueueMessage(&cardbot.Message{ClientID: anna.ID, Kind: cardbot.KindMarketing, Text: "Два капучино по цене одного"})
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.dispatcher.Wake()
	deadline := time.Now().Add(15 * time.Second)
	for len(mail.Messages()) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if len(mail.Messages()) == 0 {
		t.Fatal("the marketing mail was not sent")
	}
	raw := string(mail.Messages()[0].Data)
	m := listUnsubscribe.FindStringSubmatch(raw)
	// base_url is http here, and one-click (RFC 8058) is for https only.
	if m == nil || strings.Contains(raw, "List-Unsubscribe-Post") {
		t.Fatalf("want a List-Unsubscribe link without one-click in the mail:\n%s", raw)
	}
	link := m[1]

	base := "http://" + srv.Addr()
	if r := httpDo(t, http.MethodGet, base+link, "", ""); r.status != http.StatusOK || !strings.Contains(r.body, "a***@example.com") {
		t.Fatalf("GET %s: %d\n%s", link, r.status, r.body)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	srv, _ = runServer(t, config)
	base = "http://" + srv.Addr()
	// One letter of the signature changed.
	i, letter := len(link)-5, "A"
	if link[i] == 'A' {
		letter = "B"
	}
	tampered := link[:i] + letter + link[i+1:]
	if r := httpDo(t, http.MethodGet, base+tampered, "", ""); r.status != http.StatusNotFound {
		t.Fatalf("a tampered link: %d", r.status)
	}
	if r := httpDo(t, http.MethodPost, base+link, "", ""); r.status != http.StatusOK {
		t.Fatalf("POST %s after a restart: %d\n%s", link, r.status, r.body)
	}
	if c := consentOf(t, srv, anna.ID); c.Marketing || c.Source != "email" {
		t.Fatalf("consent after unsubscribing: %+v", c)
	}
}

func TestBrowserCustomerUnsubscribesFromTheLinkInAMail(t *testing.T) {
	srv, base := startPublicServer(t)
	anna := &cardbot.Client{Name: "Анна", Email: "anna@example.com", Consent: cardbot.Consent{Marketing: true, Source: "site:1"}}
	if err := srv.db.Update(context.Background(), func(tx cardbot.Tx) error { return tx.CreateClient(anna) }); err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t)

	do(t, ctx, "opening the link of the mail", phone(),
		chromedp.Navigate(base+"/u/"+srv.unsubscribe.Token("anna@example.com")), chromedp.WaitVisible(chromedp.ID("confirm")))
	fitsPhone(t, ctx, "the unsubscribe page")
	shot(t, ctx, "unsubscribe")
	if text := value(t, ctx, "reading the question", chromedp.Text(chromedp.ID("unsubscribe"))); !strings.Contains(text, "a***@example.com") || !strings.Contains(text, "Кофейня «Зерно»") {
		t.Fatalf("the page asks %q", text)
	}

	do(t, ctx, "pressing the button", chromedp.Click(chromedp.ID("confirm")), chromedp.WaitVisible(chromedp.ID("unsubscribed")))
	shot(t, ctx, "unsubscribed")
	if c := consentOf(t, srv, anna.ID); c.Marketing || c.Source != "email" {
		t.Fatalf("consent after the button: %+v", c)
	}
}
