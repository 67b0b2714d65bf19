package main

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// A script has opened twenty chats from the visitor's address in the last minutes (the café's Wi-Fi,
// say). The visitor who opens the chat now is not shown a dead page: it says, in their language, that
// there are too many new chats from their address and that it will open by itself.
func TestBrowserTooManyNewChatsSaysSoInThePage(t *testing.T) {
	_, base := startPublicServer(t)
	ctx := newBrowser(t)
	for i := 1; i <= 20; i++ {
		resp, err := http.Get(base + "/chat/api/messages")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("script's chat %d: %d", i, resp.StatusCode)
		}
	}
	do(t, ctx, "opening the chat", phone(), chromedp.Navigate(base+"/chat"), chromedp.WaitVisible(chromedp.ID("status")))
	got := value(t, ctx, "reading the status line", chromedp.Text(chromedp.ID("status")))
	if want := "Слишком много новых чатов с вашего адреса. Попробуйте через несколько минут — чат откроется сам."; got != want {
		t.Fatalf("the chat says %q, want %q", got, want)
	}
	shot(t, ctx, "webchat-busy")
}
