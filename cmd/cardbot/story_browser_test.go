package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The whole product in a browser, as a new owner meets it: the owner opens the setup link from the
// log, logs in, makes a mini-site; a visitor on their phone (another browser profile: no admin
// cookies) fills its form and lands on the card page; a second visitor continues from the mini-site
// in the web chat and gets a card there; the owner finds the first visitor in the admin and accrues
// points, and the visitor's card page shows the new balance. Each admin page is photographed on the
// way for the CI artefacts.
func TestBrowserOwnerAndVisitors(t *testing.T) {
	var log syncBuffer
	addr := freeAddr(t)
	runServerLogging(t, writeConfig(t, fmt.Sprintf(browserConfig, addr)), &log)
	base := "http://" + addr
	setup := setupLink(t, &log)
	if !strings.HasPrefix(setup, base+"/admin/setup?token=") {
		t.Fatalf("the setup link %s is not on the service's address %s", setup, base)
	}

	owner := newBrowser(t)
	do(t, owner, "opening the setup link", chromedp.Navigate(setup), chromedp.WaitVisible(chromedp.ID("setup-form")))
	shot(t, owner, "admin-setup")
	do(t, owner, "creating the owner account",
		chromedp.SendKeys(chromedp.ID("setup-name"), "olga"),
		chromedp.SendKeys(chromedp.ID("setup-password"), "correct horse"),
		chromedp.SendKeys(chromedp.ID("setup-password2"), "correct horse"),
		chromedp.Click(chromedp.ID("setup-submit")),
		chromedp.WaitVisible(chromedp.ID("cards-table")))

	// Logged out, the owner comes back through the login form.
	do(t, owner, "logging out", chromedp.Click(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.ID("login-form")))
	shot(t, owner, "admin-login")
	do(t, owner, "logging in",
		chromedp.SendKeys(chromedp.ID("login-name"), "olga"),
		chromedp.SendKeys(chromedp.ID("login-password"), "correct horse"),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("cards-table")))
	if issued := value(t, owner, "reading the issued count", chromedp.Text(chromedp.CSS("#card-bonus .issued"))); issued != "0" {
		t.Fatalf("a fresh service has issued %q bonus cards", issued)
	}

	// A mini-site for the counter.
	do(t, owner, "opening the mini-sites", chromedp.Click(chromedp.ID("nav-sites")), chromedp.WaitVisible(chromedp.ID("new-site")))
	do(t, owner, "making a mini-site",
		chromedp.Click(chromedp.ID("new-site")),
		chromedp.WaitVisible(chromedp.ID("site-form")),
		chromedp.SendKeys(chromedp.ID("site-slug"), "tverskaya"),
		chromedp.SendKeys(chromedp.ID("site-title"), "Кофейня «Зерно» на Тверской"),
		chromedp.SendKeys(chromedp.ID("site-text"), "Покажите карту на кассе — и 5 % вернутся баллами."),
		chromedp.Click(chromedp.ID("site-save")),
		chromedp.WaitVisible(chromedp.ID("site-tverskaya-open")))
	shot(t, owner, "admin-sites")
	link := value(t, owner, "reading the mini-site's link", chromedp.Text(chromedp.ID("site-tverskaya-open")))
	if link != base+"/s/tverskaya" {
		t.Fatalf("the mini-site's link is %q", link)
	}
	do(t, owner, "opening the mini-site's page", chromedp.Click(chromedp.ID("site-tverskaya-edit")), chromedp.WaitVisible(chromedp.ID("site-qr")))
	waitImage(t, owner, "loading the mini-site's QR code", "#site-qr")
	shot(t, owner, "admin-site")

	// Anna scans the QR code on her phone: a browser profile of her own, without the owner's cookies.
	anna := visitor(t, owner)
	do(t, anna, "opening the mini-site", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("submit")))
	if title := value(t, anna, "reading the heading", chromedp.Text(chromedp.CSS("h1"))); title != "Кофейня «Зерно» на Тверской" {
		t.Fatalf("the mini-site's heading is %q", title)
	}
	fitsPhone(t, anna, "the mini-site")
	cardPage := fillCardForm(t, anna, base, "Анна Петрова", "8 916 123-45-67")
	fitsPhone(t, anna, "the card page")
	pictureSrc := `document.querySelector("img.card-picture").src`
	picture := value(t, anna, "reading the picture's address", chromedp.Evaluate[string](pictureSrc))
	// The page groups the digits for reading aloud at the till.
	number := strings.ReplaceAll(value(t, anna, "reading the card number", chromedp.Text(chromedp.ID("number"))), " ", "")
	// Her card page is hers alone: the admin page there asks for a login.
	do(t, anna, "trying the admin page", chromedp.Navigate(base+"/admin/clients"), chromedp.WaitVisible(chromedp.ID("login-form")))

	// Boris prefers to chat: from the same mini-site he continues in the web chat.
	boris := visitor(t, owner)
	do(t, boris, "opening the mini-site", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("go-chat")))
	do(t, boris, "continuing in the web chat", chromedp.Click(chromedp.ID("go-chat")), chromedp.WaitVisible(chromedp.ID("text")))
	do(t, boris, "writing hi", chromedp.SendKeys(chromedp.ID("text"), "Здравствуйте"), chromedp.Click(chromedp.ID("send")),
		chromedp.Poll[chromedp.Void](chatCardShown, chromedp.WithPollingTimeout(30*time.Second)))
	fitsPhone(t, boris, "the web chat")

	// The owner sees both cards issued, and finds Anna by her phone as a cashier would type it.
	do(t, owner, "opening the cards", chromedp.Click(chromedp.ID("nav-cards")), chromedp.WaitVisible(chromedp.ID("cards-table")),
		chromedp.Poll[chromedp.Void](`document.querySelector("#card-bonus .issued")?.textContent === "2"`, chromedp.WithPollingTimeout(15*time.Second)))
	shot(t, owner, "admin-cards")
	do(t, owner, "opening the clients", chromedp.Click(chromedp.ID("nav-clients")), chromedp.WaitVisible(chromedp.ID("client-search")),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll("#clients-table tbody tr").length === 2`, chromedp.WithPollingTimeout(15*time.Second)))
	do(t, owner, "searching by phone", chromedp.SendKeys(chromedp.ID("search-q"), "+7 916 123"),
		chromedp.Poll[chromedp.Void](`(() => { const rows = document.querySelectorAll("#clients-table tbody tr");
			return rows.length === 1 && rows[0].textContent.includes("Анна Петрова"); })()`, chromedp.WithPollingTimeout(15*time.Second)))
	// The search is in the address, so a reload or a shared link keeps it (htmx pushes it after the swap).
	do(t, owner, "waiting for the search in the address", chromedp.Poll[chromedp.Void](
		`new URLSearchParams(location.search).get("q") === "+7 916 123"`, chromedp.WithPollingTimeout(15*time.Second)))
	shot(t, owner, "admin-clients")

	// On Anna's page the owner accrues 50 points.
	balance := chromedp.ID("balance-" + number)
	do(t, owner, "opening Anna's page", chromedp.Click(chromedp.CSS("#clients-table a.client-link")), chromedp.WaitVisible(balance))
	if b := value(t, owner, "reading the balance", chromedp.Text(balance)); b != "100" {
		t.Fatalf("the admin shows Anna's balance as %q", b)
	}
	do(t, owner, "accruing 50 points",
		chromedp.SendKeys(chromedp.ID("op-"+number+"-amount"), "50"),
		chromedp.SendKeys(chromedp.ID("op-"+number+"-accrue-reason"), "за отзыв"),
		chromedp.Click(chromedp.ID("op-"+number+"-accrue-submit")),
		chromedp.WaitVisible(chromedp.ID("flash")))
	if b := value(t, owner, "reading the balance", chromedp.Text(balance)); b != "150" {
		t.Fatalf("after accruing 50 the admin shows %q", b)
	}
	if page := value(t, owner, "reading the page", chromedp.Text(chromedp.ID("messages"))); !strings.Contains(page, "начислено 50 баллов") || strings.Contains(page, "no channel") {
		t.Fatalf("the message history does not show the accrual notice in Russian:\n%s", page)
	}
	shot(t, owner, "admin-client")

	// Anna reloads her card page: the new balance and the accrual with its reason.
	do(t, anna, "reopening the card page", chromedp.Navigate(cardPage), chromedp.WaitVisible(chromedp.ID("history")))
	if b := value(t, anna, "reading the balance", chromedp.Text(chromedp.ID("balance"))); b != "150 баллов" {
		t.Fatalf("after the accrual Anna's card page shows %q", b)
	}
	if h := value(t, anna, "reading the history", chromedp.Text(chromedp.ID("history"))); !strings.Contains(h, "+50") {
		t.Fatalf("the history does not show the accrual:\n%s", h)
	}
	// The picture shows the new balance too: its address changed, so no browser cache keeps the old one.
	if now := value(t, anna, "reading the picture's address", chromedp.Evaluate[string](pictureSrc)); now == picture {
		t.Fatalf("the card picture's address %s did not change with the balance", now)
	}
	waitImage(t, anna, "loading the new card picture", "img.card-picture")
	shot(t, anna, "card-page-after-accrual")

	// The owner's remaining sections.
	do(t, owner, "opening the messages", chromedp.Click(chromedp.ID("nav-messages")), chromedp.WaitVisible(chromedp.CSS(`#nav-messages[aria-current="page"]`)))
	shot(t, owner, "admin-messages")
	do(t, owner, "opening the settings", chromedp.Click(chromedp.ID("nav-settings")), chromedp.WaitVisible(chromedp.ID("channel-telegram")))
	if page := value(t, owner, "reading the page", chromedp.Text(chromedp.ID("main"))); strings.Contains(page, "is off") || strings.Contains(page, "in the config") {
		t.Fatalf("the Russian settings page has English bits:\n%s", page)
	}
	shot(t, owner, "admin-settings")

	// The automation's screens: a broadcast being written (its audience counted live), the
	// statistics of the day's card and accrual, the scheduled jobs.
	do(t, owner, "opening a new broadcast", chromedp.Click(chromedp.ID("nav-broadcasts")), chromedp.WaitVisible(chromedp.ID("new-broadcast")),
		chromedp.Click(chromedp.ID("new-broadcast")), chromedp.WaitVisible(chromedp.ID("broadcast-form")),
		chromedp.SendKeys(chromedp.ID("bc-name"), "Осенняя акция"), chromedp.SendKeys(chromedp.ID("bc-text"), "{{.Name}}, в выходные −20 % на всё!"))
	shot(t, owner, "admin-broadcast-form")
	do(t, owner, "opening the statistics", chromedp.Click(chromedp.ID("nav-stats")), chromedp.WaitVisible(chromedp.ID("stats-summary")))
	shot(t, owner, "admin-stats")
	do(t, owner, "opening the automation", chromedp.Click(chromedp.ID("nav-automation")), chromedp.WaitVisible(chromedp.ID("jobs-table")))
	shot(t, owner, "admin-automation")
}

// fitsPhone fails the test when the page is wider than the phone's screen (it would scroll sideways).
func fitsPhone(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	if width := value(t, ctx, "measuring "+what, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); width > phoneWidth {
		t.Fatalf("%s is %d px wide on a %d px phone", what, width, phoneWidth)
	}
}

// visitor opens a tab in a new browser profile (its own cookies) of the browser ctx runs in, sized
// as a phone.
func visitor(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	v, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	do(t, v, "opening a visitor's browser", phone())
	return v
}
