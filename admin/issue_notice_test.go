package admin_test

import (
	"net/http"
	"strings"
	"testing"

	"cardbot"
	"cardbot/admin"
)

// A card issued by a till through the API is told to the client like one issued in the bot or on a
// mini-site: the card_issued notice is in the outbox with the card, committed with it.
func TestCardIssuedThroughTheAPIIsToldToTheClient(t *testing.T) {
	s := newSite(t)
	key, err := admin.CreateAPIKey(t.Context(), s.db, "till", s.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	call := func(path, body string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, s.url+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := call("/api/v1/clients", `{"name":"Анна","phone":"+79161234567","program":"bonus"}`); resp.StatusCode != http.StatusCreated {
		t.Fatalf("create client: %s", resp.Status)
	}
	var events []string
	s.db.View(t.Context(), func(tx cardbot.Tx) error {
		c, err := tx.ClientByPhone("+79161234567")
		if err != nil {
			return err
		}
		msgs, _ := tx.ClientMessages(c.ID, 0, 10)
		for _, m := range msgs {
			events = append(events, m.Event)
		}
		return nil
	})
	if len(events) != 1 || events[0] != "card_issued" {
		t.Fatalf("messages after the API issued a card: %v, want one card_issued notice", events)
	}
}
