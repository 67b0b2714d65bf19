package fakeapi_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

func TestIdleLongPollWaitsForTimeout(t *testing.T) {
	f := newFake(t)
	start := time.Now()
	a := call(t, f, token, "getUpdates", map[string]any{"timeout": 1})
	elapsed := time.Since(start)
	if ids := updateIDs(t, a); len(ids) != 0 || string(a.Result) != "[]" {
		t.Fatalf("result = %s", a.Result)
	}
	// The floor is the behaviour; the ceiling only tells "about 1s" from "held for good".
	if elapsed < 950*time.Millisecond || elapsed > 10*time.Second {
		t.Fatalf("idle poll took %v, want about 1s", elapsed)
	}
}

func TestLongPollReturnsWhenUpdateArrives(t *testing.T) {
	f := newFake(t)
	type result struct {
		a   apiAnswer
		err error
		at  time.Time
	}
	done := make(chan result)
	go func() {
		a, err := callErr(f, token, "getUpdates", map[string]any{"timeout": 10})
		done <- result{a, err, time.Now()}
	}()
	time.Sleep(300 * time.Millisecond)
	injected := time.Now()
	id := f.SendText(alice.ID, alice, "hi")
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if ids := updateIDs(t, r.a); !slices.Equal(ids, []int64{int64(id)}) {
		t.Fatalf("ids = %v, want [%d]", ids, id)
	}
	if d := r.at.Sub(injected); d > 500*time.Millisecond {
		t.Fatalf("poll answered %v after the update was injected", d)
	}
}

func TestOffsetConfirmsAndLimitBatches(t *testing.T) {
	f := newFake(t)
	for range 3 {
		f.SendText(alice.ID, alice, "x")
	}
	poll := func(params map[string]any) []int64 {
		return updateIDs(t, call(t, f, token, "getUpdates", params))
	}
	if ids := poll(map[string]any{}); !slices.Equal(ids, []int64{1, 2, 3}) {
		t.Fatalf("first poll %v", ids)
	}
	if ids := poll(map[string]any{}); !slices.Equal(ids, []int64{1, 2, 3}) {
		t.Fatalf("unconfirmed updates must come again, got %v", ids)
	}
	if ids := poll(map[string]any{"offset": 2, "limit": 1}); !slices.Equal(ids, []int64{2}) {
		t.Fatalf("offset 2 limit 1: %v", ids)
	}
	if ids := poll(map[string]any{"offset": 4}); len(ids) != 0 {
		t.Fatalf("offset 4: %v", ids)
	}
}

func TestInjectKeepsGivenUpdateIDForRedelivery(t *testing.T) {
	f := newFake(t)
	raw := json.RawMessage(`{"update_id":50,"message":{"message_id":1,"date":1700000000,"chat":{"id":5,"type":"private"},"text":"dup"}}`)
	if id := f.Inject(raw); id != 50 {
		t.Fatalf("Inject = %d", id)
	}
	if ids := updateIDs(t, call(t, f, token, "getUpdates", map[string]any{"offset": 1})); !slices.Equal(ids, []int64{50}) {
		t.Fatalf("first delivery %v", ids)
	}
	f.Inject(raw) // the same update again, after the client saw it
	if ids := updateIDs(t, call(t, f, token, "getUpdates", map[string]any{"offset": 51})); !slices.Equal(ids, []int64{50}) {
		t.Fatalf("redelivery %v", ids)
	}
	if ids := updateIDs(t, call(t, f, token, "getUpdates", map[string]any{"offset": 51})); len(ids) != 0 {
		t.Fatalf("after confirming %v", ids)
	}
	// Injected structs are marshalled; a missing id continues after 50.
	if id := f.Inject(models.Update{Message: &models.Message{ID: 2, Date: 1, Text: "s", Chat: models.Chat{ID: 5}}}); id != 51 {
		t.Fatalf("next id = %d", id)
	}
}

func TestRealClientGetsRedeliveredUpdateTwice(t *testing.T) {
	f := newFake(t)
	got := newUpdates()
	b := newBot(t, f, bot.WithDefaultHandler(got.handler))
	startPolling(t, b)
	raw := `{"update_id":9,"message":{"message_id":1,"date":1700000000,"chat":{"id":5,"type":"private"},"text":"dup"}}`
	f.Inject(raw)
	if u := got.next(t); u.ID != 9 {
		t.Fatalf("first: %d", u.ID)
	}
	f.Inject(raw)
	if u := got.next(t); u.ID != 9 {
		t.Fatalf("second: %d", u.ID)
	}
}

func TestNewerPollTerminatesOlder(t *testing.T) {
	f := newFake(t)
	done := make(chan apiAnswer, 2)
	poll := func(timeout int) {
		a, _ := callErr(f, token, "getUpdates", map[string]any{"timeout": timeout})
		done <- a
	}
	go poll(10)
	time.Sleep(200 * time.Millisecond)
	go poll(1)
	if a := <-done; a.OK || a.ErrorCode != 409 {
		t.Fatalf("older poll = %+v, want 409", a)
	}
	if a := <-done; !a.OK {
		t.Fatalf("newer poll = %+v", a)
	}
}

func TestCloseReleasesHeldPoll(t *testing.T) {
	f := newFake(t)
	done := make(chan apiAnswer, 1)
	go func() {
		a, _ := callErr(f, token, "getUpdates", map[string]any{"timeout": 30})
		done <- a
	}()
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	f.Close()
	if d := time.Since(start); d > 10*time.Second { // the poll asked for 30s
		t.Fatalf("Close took %v with a poll held", d)
	}
	if a := <-done; !a.OK || string(a.Result) != "[]" {
		t.Fatalf("released poll = %+v", a)
	}
}

func TestURLEncodedAndJSONBodies(t *testing.T) {
	f := newFake(t)
	a := post(t, f.URL()+"/bot"+token+"/sendMessage", "application/x-www-form-urlencoded",
		url.Values{"chat_id": {"5"}, "text": {"form"}}.Encode())
	if !a.OK {
		t.Fatalf("urlencoded: %+v", a)
	}
	a = call(t, f, token, "sendMessage", map[string]any{
		"chat_id": 5, "text": "json",
		"reply_markup": map[string]any{"inline_keyboard": [][]map[string]any{{{"text": "ok", "callback_data": "ok"}}}},
	})
	if !a.OK {
		t.Fatalf("json: %+v", a)
	}
	s := f.SentTo(5)
	if len(s) != 2 || s[1].Markup == nil || s[1].Markup.InlineKeyboard[0][0].CallbackData != "ok" {
		t.Fatalf("sent = %+v", s)
	}
}
