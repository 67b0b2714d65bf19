package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"cardbot"
)

// referralConfig is smallConfig with rewards for both sides on the friend's sign-up.
const referralConfig = smallConfig + `referral:
  enabled: true
  reward: both
  on: signup
  referrer_bonus: 200
  friend_bonus: 50
`

var webInviteLink = regexp.MustCompile(`http://127\.0\.0\.1:8080/r/([a-z0-9]+)`)

// Анна, a customer of the web chat, asks for her invite link and sends it to a friend who has no
// messenger at all: the friend opens it in a browser, fills the form, and both get their points.
func TestAFriendWithoutAMessengerJoinsThroughTheWebInviteLink(t *testing.T) {
	srv, _ := runServer(t, writeConfig(t, referralConfig))
	base := "http://" + srv.Addr()
	anna := newWebChatUser(t, base)
	anna.say("привет")
	anna.until("Вот ваша карта")
	anna.say("/invite")
	invite := anna.until("/r/")
	m := webInviteLink.FindStringSubmatch(invite.Text)
	if m == nil {
		t.Fatalf("no web link in the invite:\n%s", invite.Text)
	}
	code := m[1]
	if !strings.Contains(invite.Text, "ref_"+code) {
		t.Fatalf("the invite lacks the code:\n%s", invite.Text)
	}

	browser := &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	page, err := browser.Get(base + "/r/" + code)
	if err != nil {
		t.Fatal(err)
	}
	page.Body.Close()
	if page.StatusCode != 200 {
		t.Fatalf("the invite page: %d", page.StatusCode)
	}
	resp, err := browser.PostForm(base+"/r/"+code, url.Values{
		"name": {"Борис"}, "phone": {"+7 916 765-43-21"}, "consent": {"1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/c/") {
		t.Fatalf("the form: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	var referrer, friend *cardbot.Client
	var referrerCards, friendCards []*cardbot.Card
	err = srv.db.View(context.Background(), func(tx cardbot.Tx) error {
		var err error
		if referrer, err = tx.ClientByReferralCode(code); err != nil {
			return err
		}
		if friend, err = tx.ClientByPhone("+79167654321"); err != nil {
			return err
		}
		if referrerCards, err = tx.ClientCards(referrer.ID); err != nil {
			return err
		}
		friendCards, err = tx.ClientCards(friend.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if friend.ReferredBy != referrer.ID || friend.Source != "referral:"+code {
		t.Fatalf("friend %+v", friend)
	}
	if len(referrerCards) != 1 || referrerCards[0].Balance != 10000+20000 {
		t.Fatalf("Анна's cards %+v, want 100 welcome + 200 for the friend", referrerCards)
	}
	if len(friendCards) != 1 || friendCards[0].Balance != 10000+5000 {
		t.Fatalf("the friend's cards %+v, want 100 welcome + 50 gift", friendCards)
	}
	// Анна hears about it in the chat she invited from (the web chat is the last channel of every
	// cascade, the one the admin page put in force too).
	anna.until("Начислили 200 баллов")
}
