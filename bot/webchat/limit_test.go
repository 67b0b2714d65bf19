package webchat_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"cardbot"
	"cardbot/bot/webchat"
)

// A script opens chat after chat from one address (each would become a client with a card on its
// first message). The 21st new chat in ten minutes is refused with 429 and a Retry-After; the people
// already chatting from that address go on; ten minutes later new chats open again.
func TestNewChatsFromOneAddressAreLimited(t *testing.T) {
	r := newChatRig(t)
	first := r.visitor()
	first.say("f1", "hi")
	for i := 2; i <= 20; i++ {
		if status, _, body := r.visitor().call(http.MethodGet, "/chat/api/messages", ""); status != 200 {
			t.Fatalf("new chat %d: %d %s", i, status, body)
		}
	}
	status, h, body := r.visitor().call(http.MethodGet, "/chat/api/messages", "")
	var answer struct{ Error string }
	_ = json.Unmarshal(body, &answer)
	if status != http.StatusTooManyRequests || h.Get("Retry-After") != "600" || answer.Error == "" {
		t.Fatalf("the 21st new chat: %d, Retry-After %q, %s", status, h.Get("Retry-After"), body)
	}
	// Sending straight away, with no read first, is a new chat too, and never reaches the engine.
	before := len(r.engine.inbound())
	if status := r.visitor().say("x1", "hi"); status != http.StatusTooManyRequests {
		t.Fatalf("a new chat's first message: %d, want 429", status)
	}
	// A session id the browser makes up is no way around it.
	madeUp := &visitor{r: r, client: &http.Client{Timeout: 40 * time.Second}, header: "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
	if status := madeUp.say("x2", "hi"); status != http.StatusTooManyRequests {
		t.Fatalf("a made-up session: %d, want 429", status)
	}
	if n := len(r.engine.inbound()); n != before {
		t.Fatalf("%d refused messages reached the engine", n-before)
	}
	if status := first.say("f2", "still here"); status != 200 {
		t.Fatalf("the chat that was already open: %d", status)
	}
	r.clock.Advance(10 * time.Minute)
	if status := r.visitor().say("n1", "hi"); status != 200 {
		t.Fatalf("ten minutes later a new chat: %d", status)
	}
}

// A chat the store knows (its visitor wrote before a restart) is no new chat, even when the address
// has used up its new ones.
func TestAKnownChatIsNotNewAfterARestart(t *testing.T) {
	r := newChatRig(t)
	v := r.visitor()
	sid := v.session()
	addr := cardbot.Address{Channel: webchat.ChannelName, ID: sid}
	err := r.db.Update(context.Background(), func(tx cardbot.Tx) error {
		return tx.PutConversation(&cardbot.Conversation{Address: addr, State: "idle", UpdatedAt: r.clock.Now()})
	})
	if err != nil {
		t.Fatal(err)
	}
	r.start(webchat.WithClock(r.clock))
	for i := range 20 {
		if status := r.visitor().say(fmt.Sprintf("n%d", i), "hi"); status != 200 {
			t.Fatalf("new chat %d: %d", i+1, status)
		}
	}
	if status := r.visitor().say("n20", "hi"); status != http.StatusTooManyRequests {
		t.Fatalf("the 21st new chat: %d", status)
	}
	if status := v.say("v1", "back again"); status != 200 {
		t.Fatalf("the known chat after the restart: %d", status)
	}
}
