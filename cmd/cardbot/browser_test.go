package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cardbot"

	"github.com/chromedp/chromedp"
)

// Browser tests drive the real service in headless Chromium. The helpers here are for every page's
// scenarios: startPublicServer runs `cardbot serve` on a temporary config, newBrowser opens a fresh
// browser (skipped where Chromium is missing, failed in CI), and shot saves a screenshot under
// artifacts/screenshots for the CI artefacts.

const chromiumPath = "/usr/bin/chromium"

// screenshotDir is artifacts/screenshots at the repository root (tests run in cmd/cardbot).
const screenshotDir = "../../artifacts/screenshots"

// browserConfig is a café with a bonus programme, served on a fixed free port so links are right.
const browserConfig = `
data_dir: DATA
http:
  listen: %[1]s
  base_url: http://%[1]s
business:
  name: Кофейня «Зерно»
programs:
  - id: bonus
    name: Бонусная карта
    type: bonus
    cashback: 5
    welcome_bonus: 100
    max_redeem_percent: 30
settings:
  default_program: bonus
  quiet_hours: {enabled: false}
`

// startPublicServer runs the service for a browser test and returns it with its base URL.
func startPublicServer(t *testing.T) (*server, string) {
	t.Helper()
	addr := freeAddr(t)
	srv, _ := runServer(t, writeConfig(t, fmt.Sprintf(browserConfig, addr)))
	return srv, "http://" + addr
}

// newBrowser starts headless Chromium with a fresh profile, closed when the test ends. Without
// Chromium the test is skipped, except in CI (CI set), where a missing browser is a failure.
func newBrowser(t *testing.T, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but %s is missing: .ci/run installs it (apt-get install chromium)", chromiumPath)
		}
		t.Skipf("browser test skipped: %s is not installed (apt-get install chromium); CI runs it", chromiumPath)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	opts = append(opts, extra...)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser now, so a broken install fails here
		t.Fatalf("starting %s: %v", chromiumPath, err)
	}
	return ctx
}

// phone makes the browser's viewport a phone's (the public pages are mobile-first).
func phone() chromedp.Action[chromedp.Void] { return chromedp.EmulateViewport(phoneWidth, 844) }

// phoneWidth is the width of the phone the public pages are seen on, in CSS pixels.
const phoneWidth = 390

// shot saves a full-page PNG screenshot as artifacts/screenshots/<name>.png.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(screenshotDir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// newCardPage waits for the card page a sent mini-site form leads to, checks that it shows the new
// card with its 100 welcome points, and returns its address.
func newCardPage(t *testing.T, ctx context.Context, base string) string {
	t.Helper()
	do(t, ctx, "waiting for the card page", chromedp.WaitVisible(chromedp.ID("balance")))
	loc := value(t, ctx, "reading the address", chromedp.Location())
	if !strings.HasPrefix(loc, base+"/c/") {
		t.Fatalf("landed on %s, want the card page", loc)
	}
	if balance := value(t, ctx, "reading the balance", chromedp.Text(chromedp.ID("balance"))); balance != "100 баллов" {
		t.Fatalf("the new card shows %q, want the 100 welcome points", balance)
	}
	return loc
}

// fillCardForm types the name and phone into the open mini-site form, ticks the consent, sends it and
// returns the new card page's address (see newCardPage).
func fillCardForm(t *testing.T, ctx context.Context, base, name, phoneNumber string) string {
	t.Helper()
	do(t, ctx, "sending the form as "+name,
		chromedp.SendKeys(chromedp.ID("name"), name),
		chromedp.SendKeys(chromedp.ID("phone"), phoneNumber),
		chromedp.Click(chromedp.ID("consent")),
		chromedp.Click(chromedp.ID("submit")))
	return newCardPage(t, ctx, base)
}

// waitImage waits until the image a CSS selector names has loaded.
func waitImage(t *testing.T, ctx context.Context, what, selector string) {
	t.Helper()
	loaded := fmt.Sprintf(`(() => { const img = document.querySelector(%q); return !!img && img.complete && img.naturalWidth > 0; })()`, selector)
	do(t, ctx, what, chromedp.Poll[chromedp.Void](loaded, chromedp.WithPollingTimeout(15*time.Second)))
}

// do runs browser steps, failing the test with what was being done.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// value runs one browser action that returns a value.
func value[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

func TestBrowserVisitorGetsACardOnTheMiniSite(t *testing.T) {
	srv, base := startPublicServer(t)
	addSite(t, srv, "zerno", "Кофейня «Зерно» на Тверской")
	ctx := newBrowser(t)

	do(t, ctx, "opening the mini-site", phone(), chromedp.Navigate(base+"/s/zerno"), chromedp.WaitVisible(chromedp.ID("submit")))
	shot(t, ctx, "minisite")

	// Forgetting the consent box shows the form again, with what was typed.
	do(t, ctx, "sending the form without consent",
		chromedp.SendKeys(chromedp.ID("name"), "Анна"),
		chromedp.SendKeys(chromedp.ID("phone"), "8 916 123-45-67"),
		chromedp.Click(chromedp.ID("submit")),
		chromedp.WaitVisible(chromedp.ID("form-error")))
	if msg := value(t, ctx, "reading the error", chromedp.Text(chromedp.ID("form-error"))); !strings.Contains(msg, "согласия") {
		t.Fatalf("the error says %q", msg)
	}
	if name := value(t, ctx, "reading the name", chromedp.Value(chromedp.ID("name"))); name != "Анна" {
		t.Fatalf("the form lost the name: %q", name)
	}
	shot(t, ctx, "minisite-error")

	do(t, ctx, "sending the form", chromedp.Click(chromedp.ID("consent")), chromedp.Click(chromedp.ID("submit")))
	newCardPage(t, ctx, base)
	waitImage(t, ctx, "loading the card picture", "img.card-picture")
	shot(t, ctx, "card-page")
}

// chatCardShown is true once the web chat shows the bot's line with the card and its picture loaded.
const chatCardShown = `(() => { const li = [...document.querySelectorAll("#log li.bot")].find(l => l.textContent.includes("Вот ваша карта"));
	return !!li && !!li.querySelector("img") && li.querySelector("img").naturalWidth > 0; })()`

func TestBrowserWebChatGivesACardAndKeepsItOverAReload(t *testing.T) {
	_, base := startPublicServer(t)
	ctx := newBrowser(t)
	do(t, ctx, "opening the chat", phone(), chromedp.Navigate(base+"/chat"), chromedp.WaitVisible(chromedp.ID("text")))
	do(t, ctx, "writing hi", chromedp.SendKeys(chromedp.ID("text"), "привет"), chromedp.Click(chromedp.ID("send")))
	do(t, ctx, "waiting for the card", chromedp.Poll[chromedp.Void](chatCardShown, chromedp.WithPollingTimeout(30*time.Second)))
	if mine := value(t, ctx, "reading my line", chromedp.Text(chromedp.CSS("#log li.me"))); mine != "привет" {
		t.Fatalf("my line reads %q", mine)
	}
	shot(t, ctx, "webchat")

	do(t, ctx, "reloading", chromedp.Reload(), chromedp.Poll[chromedp.Void](chatCardShown, chromedp.WithPollingTimeout(30*time.Second)))
}

// The widget on the owner's own site (another site for the browser: localhost, not 127.0.0.1) opens
// the chat in a frame, where the session cookie is third-party and the session travels in a header.
func TestBrowserWidgetOnTheOwnersSite(t *testing.T) {
	_, base := startPublicServer(t)
	owner := ownerSite(t, base)
	// In-process frames, so the test can reach into the chat's frame (the page still sees it as
	// another site: its cookie is third-party all the same).
	ctx := newBrowser(t, chromedp.Flag("disable-site-isolation-trials", true))
	do(t, ctx, "opening the owner's site", phone(), chromedp.Navigate(owner), chromedp.WaitVisible(chromedp.CSS("body > button")))
	// The button says what it will do, and tells a screen reader whether the chat is open.
	button := func(what, want string) {
		t.Helper()
		got := value(t, ctx, what, chromedp.Evaluate[string](
			`(b => b.textContent + " / " + b.getAttribute("aria-expanded"))(document.querySelector("body > button"))`))
		if got != want {
			t.Fatalf("%s: the button reads %q, want %q", what, got, want)
		}
	}
	button("before opening", "Открыть чат / false")
	do(t, ctx, "opening the chat", chromedp.Click(chromedp.CSS("body > button")), chromedp.WaitVisible(chromedp.CSS("iframe")))
	button("with the chat open", "Закрыть чат / true")
	frame := value(t, ctx, "finding the frame", chromedp.Nodes(chromedp.CSS("iframe")))[0]
	do(t, ctx, "writing in the frame",
		chromedp.WaitVisible(chromedp.ID("text"), chromedp.FromNode(frame)),
		chromedp.SendKeys(chromedp.ID("text"), "hello", chromedp.FromNode(frame)),
		chromedp.Click(chromedp.ID("send"), chromedp.FromNode(frame)),
		chromedp.WaitVisible(chromedp.CSS("#log li.bot img"), chromedp.FromNode(frame)))
	shot(t, ctx, "widget")
	do(t, ctx, "closing the chat", chromedp.Click(chromedp.CSS("body > button")), chromedp.WaitNotVisible(chromedp.CSS("iframe")))
	button("with the chat closed", "Открыть чат / false")
	do(t, ctx, "opening it again", chromedp.Click(chromedp.CSS("body > button")), chromedp.WaitVisible(chromedp.CSS("iframe")),
		chromedp.WaitVisible(chromedp.CSS("#log li.bot img"), chromedp.FromNode(frame)))
	button("with the chat open again", "Закрыть чат / true")
}

// addSite creates a mini-site as the admin page would.
func addSite(t *testing.T, srv *server, slug, title string) {
	t.Helper()
	err := srv.db.Update(context.Background(), func(tx cardbot.Tx) error {
		return tx.CreateMiniSite(&cardbot.MiniSite{Slug: slug, Title: title, Text: "Покажите карту на кассе — и 5 % вернутся баллами."})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// ownerSite serves the owner's own web page with the widget snippet pasted in, on "localhost": for
// the browser another site than the service on 127.0.0.1.
func ownerSite(t *testing.T, base string) string {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><meta name="viewport" content="width=device-width"><title>Кофейня</title></head>
<body style="font-family:sans-serif"><h1>Кофейня «Зерно»</h1><p>Наш сайт.</p>
<script src="%s/chat/widget.js" async></script></body></html>`, base)
	}))
	t.Cleanup(ts.Close)
	return strings.Replace(ts.URL, "127.0.0.1", "localhost", 1)
}
