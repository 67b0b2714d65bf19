package fakeapi_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"cardbot/bot/telegram/fakeapi"

	"github.com/go-telegram/bot"
)

func TestFailNext429SurfacesRetryAfter(t *testing.T) {
	f := newFake(t)
	b := newBot(t, f)
	f.FailNext("sendMessage", alice.ID, fakeapi.TooManyRequests(7))
	_, err := b.SendMessage(ctxT(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "hi"})
	var tooMany *bot.TooManyRequestsError
	if !bot.IsTooManyRequestsError(err) || !errors.As(err, &tooMany) || tooMany.RetryAfter != 7 {
		t.Fatalf("err = %#v, want TooManyRequestsError retry_after 7", err)
	}
	// One failure only; nothing was recorded for the failed call.
	if _, err := b.SendMessage(ctxT(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	if n := len(f.SentTo(alice.ID)); n != 1 || f.Calls("sendMessage") != 2 {
		t.Fatalf("sent %d, calls %d", n, f.Calls("sendMessage"))
	}
}

func TestFailNextMatchesChatOrAny(t *testing.T) {
	f := newFake(t)
	b := newBot(t, f)
	f.FailNext("sendMessage", 2, fakeapi.ServerError())
	f.FailNext("sendMessage", 0, fakeapi.Blocked())
	if _, err := b.SendMessage(ctxT(t), &bot.SendMessageParams{ChatID: 2, Text: "x"}); err == nil ||
		errors.Is(err, bot.ErrorForbidden) || !strings.Contains(err.Error(), "500") {
		t.Fatalf("chat 2: %v, want the 500", err)
	}
	if _, err := b.SendMessage(ctxT(t), &bot.SendMessageParams{ChatID: 3, Text: "x"}); !errors.Is(err, bot.ErrorForbidden) {
		t.Fatalf("chat 3: %v, want the wildcard 403", err)
	}
}

func TestBlockedUser403(t *testing.T) {
	f := newFake(t)
	b := newBot(t, f)
	f.BlockBy(alice.ID)
	_, err := b.SendMessage(ctxT(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "hi"})
	if !errors.Is(err, bot.ErrorForbidden) || !strings.Contains(err.Error(), "bot was blocked by the user") {
		t.Fatalf("err = %v", err)
	}
	if _, err := b.SendMessage(ctxT(t), &bot.SendMessageParams{ChatID: 99, Text: "hi"}); err != nil {
		t.Fatalf("other chat: %v", err)
	}
	f.Unblock(alice.ID)
	if _, err := b.SendMessage(ctxT(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "hi"}); err != nil {
		t.Fatalf("after unblock: %v", err)
	}
}

func TestWrongToken401(t *testing.T) {
	f := newFake(t)
	_, err := bot.New("999:other", bot.WithServerURL(f.URL()))
	if !errors.Is(err, bot.ErrorUnauthorized) {
		t.Fatalf("bot.New with wrong token: %v", err)
	}
	a := call(t, f, "999:other", "sendMessage", map[string]any{"chat_id": 1, "text": "x"})
	if a.OK || a.ErrorCode != 401 || a.status != 401 || a.Description != "Unauthorized" {
		t.Fatalf("answer = %+v", a)
	}
}

func TestUnknownMethod404(t *testing.T) {
	f := newFake(t)
	resp, err := http.Post(f.URL()+"/bot"+token+"/sendDice", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 404 || string(body) != `{"ok":false,"error_code":404,"description":"Not Found"}` {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}

func TestRateLimitPerChatAndTotal(t *testing.T) {
	f := newFake(t)
	now := time.Unix(1_700_000_000, 0)
	f.SetClock(func() time.Time { return now })
	f.SetRateLimit(3, 1)
	b := newBot(t, f)
	send := func(chat int64) error {
		_, err := b.SendMessage(ctxT(t), &bot.SendMessageParams{ChatID: chat, Text: "x"})
		return err
	}
	if err := send(1); err != nil {
		t.Fatal(err)
	}
	err := send(1)
	var tooMany *bot.TooManyRequestsError
	if !errors.As(err, &tooMany) || tooMany.RetryAfter != 1 {
		t.Fatalf("second send to chat 1: %v, want 429 retry_after 1", err)
	}
	if send(2) != nil || send(3) != nil {
		t.Fatal("other chats should pass")
	}
	if !bot.IsTooManyRequestsError(send(4)) {
		t.Fatal("fourth send in the same second should hit the total limit")
	}
	now = now.Add(time.Second)
	if err := send(1); err != nil {
		t.Fatalf("after a second: %v", err)
	}
}
