package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"cardbot/bot/webchat"
)

// webChatUser is a browser talking to `cardbot serve` through the web chat's HTTP endpoints.
type webChatUser struct {
	t      *testing.T
	base   string
	client *http.Client
	after  uint64
	epoch  string
	n      int
}

func newWebChatUser(t *testing.T, base string) *webChatUser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &webChatUser{t: t, base: base, client: &http.Client{Jar: jar, Timeout: 40 * time.Second}}
}

func (u *webChatUser) say(text string) {
	u.t.Helper()
	u.n++
	body, _ := json.Marshal(map[string]string{"id": fmt.Sprintf("m%d", u.n), "text": text})
	resp, err := u.client.Post(u.base+"/chat/api/send", "application/json", bytes.NewReader(body))
	if err != nil {
		u.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		data, _ := io.ReadAll(resp.Body)
		u.t.Fatalf("send %q: %d %s", text, resp.StatusCode, data)
	}
}

// until long-polls the bot's lines until one contains want.
func (u *webChatUser) until(want string) webchat.Entry {
	u.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := u.client.Get(fmt.Sprintf("%s/chat/api/messages?after=%d&epoch=%s&wait=1", u.base, u.after, u.epoch))
		if err != nil {
			u.t.Fatal(err)
		}
		var got struct {
			Epoch    string          `json:"epoch"`
			Messages []webchat.Entry `json:"messages"`
		}
		err = json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		if err != nil {
			u.t.Fatal(err)
		}
		u.epoch = got.Epoch
		for _, m := range got.Messages {
			u.after = max(u.after, m.Seq)
			if m.From == "bot" && strings.Contains(m.Text, want) {
				return m
			}
		}
	}
	u.t.Fatalf("the bot never said %q", want)
	return webchat.Entry{}
}

// The whole way: browser → web chat → engine → outbox → dispatcher → web chat → browser.
func TestWebChatGivesACardWithNoMessengerAtAll(t *testing.T) {
	srv, _ := runServer(t, writeConfig(t, smallConfig))
	base := "http://" + srv.Addr()
	u := newWebChatUser(t, base)
	u.say("hi")
	card := u.until("Вот ваша карта")
	if !card.Picture {
		t.Fatalf("the card came without its picture: %+v", card)
	}
	resp, err := u.client.Get(fmt.Sprintf("%s/chat/api/picture/%d", base, card.Seq))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("picture: %d", resp.StatusCode)
	}
	if _, err := png.Decode(resp.Body); err != nil {
		t.Fatalf("the picture is no PNG: %v", err)
	}
	if !strings.Contains(card.Text, "Бонусы") || !strings.Contains(card.Text, "100") {
		t.Fatalf("the card text %q lacks the programme or the welcome points", card.Text)
	}
	// The birthday question comes next; an answer is taken.
	u.until("день рождения")
	u.say("15.03.1990")
	u.until("15")
	u.say("/balance")
	u.until("100")
}
