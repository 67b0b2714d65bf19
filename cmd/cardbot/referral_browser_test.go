package main

import (
	"context"
	"strings"
	"testing"

	"cardbot"

	"github.com/chromedp/chromedp"
)

// A friend opens Мария's invite link on a phone, reads who invited them and gets a card.
func TestBrowserFriendGetsACardByTheWebInviteLink(t *testing.T) {
	srv, base := startPublicServer(t)
	maria := &cardbot.Client{Name: "Мария Соколова", Phone: "+79035550101", ReferralCode: "maria234"}
	err := srv.db.Update(context.Background(), func(tx cardbot.Tx) error { return tx.CreateClient(maria) })
	if err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t)

	do(t, ctx, "opening the invite link", phone(), chromedp.Navigate(base+"/r/maria234"), chromedp.WaitVisible(chromedp.ID("submit")))
	if h := value(t, ctx, "reading the heading", chromedp.Text(chromedp.ID("invited"))); h != "Мария приглашает вас" {
		t.Fatalf("the heading says %q", h)
	}
	shot(t, ctx, "referral")

	fillCardForm(t, ctx, base, "Борис", "8 916 765-43-21")

	var friend *cardbot.Client
	err = srv.db.View(context.Background(), func(tx cardbot.Tx) error {
		var err error
		friend, err = tx.ClientByPhone("+79167654321")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if friend.ReferredBy != maria.ID || !strings.HasPrefix(friend.Source, "referral:") {
		t.Fatalf("the friend %+v was not credited to Мария", friend)
	}
}
