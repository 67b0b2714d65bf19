package minisite_test

import (
	"strings"
	"testing"

	"cardbot"
	"cardbot/minisite"
)

func TestTheChatPageCarriesTheStartPayloadAndIsNotFramedUnlessEmbedded(t *testing.T) {
	r := newRig(t)
	b := r.browser()
	p := b.get("/chat?start=site_1")
	if p.status != 200 {
		t.Fatalf("status %d", p.status)
	}
	mustContain(t, p.body, `data-start="site_1"`, `/static/site/chat.js`, "Напишите что-нибудь")
	if p.header.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("the chat page may be framed: %q", p.header.Get("X-Frame-Options"))
	}
	embed := b.get("/chat?embed=1")
	if embed.header.Get("X-Frame-Options") != "" || embed.header.Get("Content-Security-Policy") != "frame-ancestors *" {
		t.Fatalf("the widget's frame headers: %v", embed.header)
	}
	mustContain(t, embed.body, `class="embed"`)
	if bad := b.get(`/chat?start="><script>alert(1)</script>`); strings.Contains(bad.body, "<script>alert") {
		t.Fatal("the start payload is written into the page unescaped")
	}
	js := b.get("/static/site/chat.js")
	if js.status != 200 || !strings.HasPrefix(js.header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("chat.js: %d %s", js.status, js.header.Get("Content-Type"))
	}
}

func TestTheWidgetScriptIsServedWithTheLocalesLabel(t *testing.T) {
	r := newRig(t, func(c *cardbot.Config, _ *minisite.Links) { c.Locale = "en" })
	p := r.browser().get("/chat/widget.js")
	if p.status != 200 || !strings.HasPrefix(p.header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("widget.js: %d %s", p.status, p.header.Get("Content-Type"))
	}
	mustContain(t, p.body, `var label = "Open chat"`, `var closeLabel = "Close chat"`, "/chat?embed=1")
	if strings.Contains(p.body, "__LABEL__") || strings.Contains(p.body, "__CLOSE_LABEL__") {
		t.Fatal("a label placeholder is left in the script")
	}
}

func TestWithoutTheWebChatThereIsNoChatPageNorButton(t *testing.T) {
	r := newRig(t, func(_ *cardbot.Config, l *minisite.Links) { l.WebChat = false })
	b := r.browser()
	for _, path := range []string{"/chat", "/chat/widget.js"} {
		if p := b.get(path); p.status != 404 {
			t.Fatalf("%s: %d", path, p.status)
		}
	}
	if strings.Contains(b.get("/s/tverskaya").body, "/chat?start=") {
		t.Fatal("the mini-site offers a chat that is off")
	}
}
