package admin_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"cardbot"
	"cardbot/admin"
	"cardbot/bot"
)

// chats is a fake Telegram: it records what each chat got; with gate set, every send waits for a
// token from it (closed: all go), so a broadcast can be caught while running.
type chats struct {
	gate chan struct{}
	mu   sync.Mutex
	got  map[string][]string
}

func (c *chats) Channel() string { return "telegram" }

func (c *chats) Send(ctx context.Context, out cardbot.Outgoing) error {
	if c.gate != nil {
		select {
		case <-c.gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got[out.To] = append(c.got[out.To], out.Text)
	return nil
}

func (c *chats) texts(to string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.got[to]...)
}

// sending runs the dispatcher (with the broadcasts as its gate) and the broadcast loop over the
// site's store, as the service does, until the test ends.
func (s *site) sending(sender cardbot.Sender) {
	ctx, cancel := context.WithCancel(context.Background())
	d := bot.New(s.db, s.clock, []cardbot.Sender{sender}, nil, nil, bot.Options{
		Poll: 20 * time.Millisecond, Workers: 1, Gate: s.broadcasts, Images: s.broadcasts, Cascade: []string{"telegram"},
	})
	var wg sync.WaitGroup
	wg.Go(func() { d.Run(ctx) })
	wg.Go(func() { s.broadcasts.Run(ctx) })
	s.t.Cleanup(func() { cancel(); wg.Wait() })
}

var progressStatus = regexp.MustCompile(`<section id="progress" data-status="([a-z]+)"`)

// waitStatus polls the progress fragment, as the page does, until the broadcast is in state.
func (b *browser) waitStatus(t *testing.T, id string, want string) page {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		p := b.get("/admin/broadcasts/"+id+"/progress", "HX-Request", "true").must(t, http.StatusOK)
		m := progressStatus.FindStringSubmatch(p.Body)
		if m != nil && m[1] == want {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("broadcast %s never became %s:\n%s", id, want, p.Body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func figure(t *testing.T, p page, id string) string {
	t.Helper()
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `">([^<]*)<`).FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no %s on the page:\n%s", id, p.Body)
	}
	return m[1]
}

func wantFigure(t *testing.T, p page, id, want string) {
	t.Helper()
	if got := figure(t, p, id); got != want {
		t.Errorf("%s = %q, want %q", id, got, want)
	}
}

// The owner writes a broadcast to the bonus card holders, sees how many it reaches while choosing the
// segment, starts it, watches it finish, and reads who got it: the client who said /stop is skipped.
func TestOwnerSendsABroadcastToASegment(t *testing.T) {
	s := newSite(t)
	owner := ownerOf(t, s)
	tg := func(id string) cardbot.Address { return cardbot.Address{Channel: "telegram", ID: id} }
	anna, _ := s.newClient("Анна", "+79990000001", "bonus", tg("1"))
	s.newClient("Борис", "+79990000002", "bonus", tg("2"))
	stopped, _ := s.newClient("Вера", "+79990000003", "bonus", tg("3"))
	s.newClient("Глеб", "+79990000004", "coffee", tg("4"))
	err := s.db.Update(t.Context(), func(tx cardbot.Tx) error {
		stopped.Consent.Marketing = false // said /stop
		return tx.PutClient(stopped)
	})
	if err != nil {
		t.Fatal(err)
	}

	owner.get("/admin/broadcasts").must(t, http.StatusOK).contains(t, `id="no-broadcasts"`, `id="nav-broadcasts"`)
	owner.get("/admin/broadcasts/new").must(t, http.StatusOK).contains(t, `id="broadcast-form"`, `hx-post="/admin/broadcasts/audience"`)

	// The audience preview follows the segment, balance bounds in points as the owner reads them
	// (every bonus card starts with 100 welcome points).
	audience := func(form url.Values) string {
		t.Helper()
		p := owner.post("/admin/broadcasts/audience", form, "HX-Request", "true").must(t, http.StatusOK)
		if strings.Contains(p.Body, `id="audience-error"`) {
			return "error"
		}
		return figure(t, p, "audience-count")
	}
	if n := audience(url.Values{"programs": {"bonus"}}); n != "3" {
		t.Fatalf("bonus holders: %s", n)
	}
	if n := audience(url.Values{"types": {"stamp"}}); n != "1" {
		t.Fatalf("stamp cards: %s", n)
	}
	if n := audience(url.Values{"programs": {"bonus"}, "balance_min": {"100"}}); n != "3" {
		t.Fatalf("100 points or more: %s", n)
	}
	if n := audience(url.Values{"programs": {"bonus"}, "balance_min": {"100.01"}}); n != "0" {
		t.Fatalf("more than 100 points: %s", n)
	}
	if n := audience(url.Values{"balance_min": {"5"}}); n != "error" {
		t.Fatalf("a balance range over cards of every unit: %s", n)
	}
	if n := audience(url.Values{}); n != "4" {
		t.Fatalf("everyone: %s", n)
	}

	// A typo in the text is refused with the form kept.
	p := owner.post("/admin/broadcasts", url.Values{"name": {"Весна"}, "text": {"{{.Nme}"}, "programs": {"bonus"}})
	p.must(t, http.StatusBadRequest).contains(t, `id="form-error"`, `value="Весна"`)

	p = owner.post("/admin/broadcasts", url.Values{"name": {"Весна"}, "text": {"{{.Name}}, у вас {{.Balance}} баллов"},
		"programs": {"bonus"}, "button_text": {"Меню"}, "button_url": {"https://example.com/menu"}})
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/admin/broadcasts/") {
		t.Fatalf("create: %d %q\n%s", p.Status, p.Location, p.Body)
	}
	id := strings.TrimPrefix(strings.SplitN(p.Location, "?", 2)[0], "/admin/broadcasts/")
	// A draft opens as its form, with the segment as chosen, and can still change.
	owner.get(p.Location).must(t, http.StatusOK).contains(t, `id="broadcast-form"`, `value="bonus" checked`, `id="bc-start"`, "Saved.")
	owner.get("/admin/broadcasts").must(t, http.StatusOK).contains(t, `id="broadcast-`+id+`" data-status="draft"`)

	chat := &chats{got: map[string][]string{}}
	s.sending(chat)
	p = owner.post("/admin/broadcasts/"+id+"/start", nil)
	if p.Status != http.StatusSeeOther || p.Location != "/admin/broadcasts/"+id+"?done=started" {
		t.Fatalf("start: %d %q\n%s", p.Status, p.Location, p.Body)
	}
	owner.get(p.Location).must(t, http.StatusOK).contains(t, `id="progress"`, "The broadcast has started.")
	done := owner.waitStatus(t, id, "done")
	wantFigure(t, done, "bc-total", "3")
	wantFigure(t, done, "bc-sent", "2")
	wantFigure(t, done, "bc-skipped", "1")
	wantFigure(t, done, "bc-waiting", "0")
	done.contains(t, `id="bc-channel-telegram"><td>telegram</td><td>2</td>`)
	if strings.Contains(done.Body, "hx-trigger") {
		t.Fatal("a finished broadcast's page still polls")
	}
	if got := chat.texts("1"); len(got) != 1 || got[0] != "Анна, у вас 100 баллов" {
		t.Fatalf("Anna got %q", got)
	}
	if got := chat.texts("3"); len(got) != 0 {
		t.Fatalf("the client who said /stop got %q", got)
	}
	if got := chat.texts("4"); len(got) != 0 {
		t.Fatalf("a client outside the segment got %q", got)
	}

	// The recipients, one row each, with their outcome.
	full := owner.get("/admin/broadcasts/"+id).must(t, http.StatusOK)
	full.contains(t, `id="recipients-table"`, `href="/admin/clients/`+uintStr(anna.ID)+`">Анна`)
	if n := strings.Count(full.Body, `data-state="sent"`); n != 2 {
		t.Fatalf("%d sent recipients listed", n)
	}
	if n := strings.Count(full.Body, `data-state="skipped"`); n != 1 {
		t.Fatalf("%d skipped recipients listed", n)
	}
	// A started broadcast cannot be edited any more.
	owner.post("/admin/broadcasts/"+id, url.Values{"name": {"x"}, "text": {"y"}}).must(t, http.StatusBadRequest).contains(t, `id="form-error"`)
	owner.get("/admin/broadcasts").must(t, http.StatusOK).contains(t, `id="broadcast-`+id+`" data-status="done"`)
	owner.get("/admin/broadcasts/999").must(t, http.StatusNotFound)
	owner.post("/admin/broadcasts/999/start", nil).must(t, http.StatusNotFound)
	owner.get("/admin/broadcasts/"+id+"/image").must(t, http.StatusNotFound) // it carried no picture
}

// A running broadcast is paused, resumed and cancelled from its page; the page polls while it runs.
func TestBroadcastPauseResumeCancel(t *testing.T) {
	s := newSite(t)
	owner := ownerOf(t, s)
	for i := range 6 {
		s.newClient("Клиент", "", "bonus", cardbot.Address{Channel: "telegram", ID: uintStr(uint64(100 + i))})
	}
	chat := &chats{got: map[string][]string{}, gate: make(chan struct{})}
	s.sending(chat)
	p := owner.post("/admin/broadcasts", url.Values{"name": {"Акция"}, "text": {"Скидка 20 %"}})
	id := strings.TrimPrefix(strings.SplitN(p.Location, "?", 2)[0], "/admin/broadcasts/")
	owner.post("/admin/broadcasts/"+id+"/start", nil).must(t, http.StatusSeeOther)
	chat.gate <- struct{}{} // one goes out
	running := owner.waitStatus(t, id, "running")
	running.contains(t, `hx-trigger="every 2s"`, `id="bc-pause"`)

	owner.post("/admin/broadcasts/"+id+"/pause", nil).must(t, http.StatusSeeOther)
	owner.get("/admin/broadcasts/"+id).must(t, http.StatusOK).contains(t, `data-status="paused"`, `id="bc-resume"`)
	owner.post("/admin/broadcasts/"+id+"/pause", nil).must(t, http.StatusConflict) // not running any more
	owner.post("/admin/broadcasts/"+id+"/resume", nil).must(t, http.StatusSeeOther)
	owner.waitStatus(t, id, "running")

	owner.post("/admin/broadcasts/"+id+"/cancel", nil).must(t, http.StatusSeeOther)
	close(chat.gate) // a send already handed to the channel finishes
	cancelled := owner.waitStatus(t, id, "cancelled")
	for deadline := time.Now().Add(30 * time.Second); figure(t, cancelled, "bc-waiting") != "0"; {
		cancelled.contains(t, `hx-trigger="every 2s"`) // the page keeps polling until every row has an outcome
		if time.Now().After(deadline) {
			t.Fatalf("rows still waiting:\n%s", cancelled.Body)
		}
		time.Sleep(20 * time.Millisecond)
		cancelled = owner.get("/admin/broadcasts/"+id+"/progress", "HX-Request", "true")
	}
	if strings.Contains(cancelled.Body, "hx-trigger") {
		t.Fatal("a settled cancelled broadcast still polls")
	}
	if figure(t, cancelled, "bc-cancelled") == "0" {
		t.Fatalf("nobody cancelled:\n%s", cancelled.Body)
	}
	if strings.Contains(cancelled.Body, `id="bc-resume"`) || strings.Contains(cancelled.Body, `id="bc-pause"`) {
		t.Fatal("a cancelled broadcast offers pause or resume")
	}
}

// A broadcast scheduled from the form is listed as scheduled, with its time in the business timezone.
func TestScheduledBroadcastKeepsItsTime(t *testing.T) {
	s := newSite(t)
	owner := ownerOf(t, s)
	p := owner.post("/admin/broadcasts", url.Values{"name": {"Утро"}, "text": {"Доброе утро"}, "scheduled_at": {"2026-03-05T11:00"},
		"months": {"3", "4"}, "tags": {"vip, regular"}, "last_from": {"2026-02-01"}, "last_to": {"2026-02-28"}})
	p.must(t, http.StatusSeeOther)
	form := owner.get(p.Location).must(t, http.StatusOK)
	form.contains(t, `value="2026-03-05T11:00"`, `value="vip, regular"`, `name="months" value="3" checked`,
		`value="2026-02-01"`, `value="2026-02-28"`, `scheduled`)
	owner.get("/admin/broadcasts").must(t, http.StatusOK).contains(t, `data-status="scheduled"`, "2026-03-05 11:00")
}

// The owner's issue-6 screens are in the one route table the security tests walk, as owner routes:
// so each is refused without a session, to staff, and (posts) without the CSRF token.
func TestAutomationRoutesAreOwnerRoutes(t *testing.T) {
	s := newSite(t)
	want := map[string]bool{
		"GET /admin/broadcasts": true, "GET /admin/broadcasts/new": true, "POST /admin/broadcasts": true,
		"POST /admin/broadcasts/audience": true, "GET /admin/broadcasts/:id": true, "POST /admin/broadcasts/:id": true,
		"GET /admin/broadcasts/:id/progress": true, "GET /admin/broadcasts/:id/image": true, "POST /admin/broadcasts/:id/start": true,
		"POST /admin/broadcasts/:id/pause": true, "POST /admin/broadcasts/:id/resume": true,
		"POST /admin/broadcasts/:id/cancel": true, "GET /admin/stats": true, "GET /admin/automation": true,
		"GET /admin/automation/ratings": true,
	}
	for _, r := range admin.RoutesOf(s.page) {
		key := r.Method + " " + r.Path
		if want[key] {
			if !r.OwnerOnly {
				t.Errorf("%s is not an owner route", key)
			}
			delete(want, key)
		}
	}
	for key := range want {
		t.Errorf("%s is not in the route table", key)
	}
}

// A browser sends the broadcast form as multipart (it can carry a picture): the ticked lists and the
// uploaded picture arrive, and the draft shows the picture as uploaded.
func TestBroadcastFormAsABrowserSendsIt(t *testing.T) {
	s := newSite(t)
	owner := ownerOf(t, s)
	owner.get("/admin/broadcasts/new").must(t, http.StatusOK)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, kv := range [][2]string{{"_csrf", owner.csrf}, {"name", "С картинкой"}, {"text", "Новое меню"}, {"picture", "image"},
		{"programs", "bonus"}, {"programs", "plain"}, {"months", "5"}, {"months", "6"}, {"balance_min", "50"}} {
		mw.WriteField(kv[0], kv[1])
	}
	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	fw, _ := mw.CreateFormFile("image", "menu.png")
	png.Encode(fw, img)
	mw.Close()
	p := owner.send("POST", "/admin/broadcasts", &body, "Content-Type", mw.FormDataContentType())
	if p.Status != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", p.Status, p.Body)
	}
	form := owner.get(p.Location).must(t, http.StatusOK)
	form.contains(t, `id="bc-has-image"`, `value="bonus" checked`, `value="plain" checked`,
		`name="months" value="5" checked`, `name="months" value="6" checked`, `id="bc-balance-min" name="balance_min" value="50"`)
	shown := owner.get(strings.SplitN(p.Location, "?", 2)[0]+"/image").must(t, http.StatusOK)
	if !strings.HasPrefix(shown.Body, "\x89PNG") {
		t.Fatal("the uploaded picture is not served back as PNG")
	}
	list, err := s.broadcasts.List(t.Context())
	if err != nil || len(list) != 1 {
		t.Fatalf("%d broadcasts, %v", len(list), err)
	}
	seg := list[0].Segment
	if len(seg.Programs) != 2 || len(seg.BirthdayMonths) != 2 || seg.BalanceMin == nil || *seg.BalanceMin != 5000 {
		t.Fatalf("segment stored as %+v", seg)
	}
}

// A big audience is listed 100 recipients a page.
func TestBroadcastRecipientsArePaged(t *testing.T) {
	s := newSite(t)
	owner := ownerOf(t, s)
	for i := range 105 {
		s.newClient("Клиент", "", "bonus", cardbot.Address{Channel: "telegram", ID: uintStr(uint64(500 + i))})
	}
	chat := &chats{got: map[string][]string{}, gate: make(chan struct{})} // nothing goes out: the list is what is checked
	s.sending(chat)
	p := owner.post("/admin/broadcasts", url.Values{"name": {"Всем"}, "text": {"Привет"}})
	id := strings.TrimPrefix(strings.SplitN(p.Location, "?", 2)[0], "/admin/broadcasts/")
	owner.post("/admin/broadcasts/"+id+"/start", nil).must(t, http.StatusSeeOther)
	first := owner.get("/admin/broadcasts/"+id).must(t, http.StatusOK)
	if n := strings.Count(first.Body, `<tr id="recipient-`); n != 100 {
		t.Fatalf("%d recipients on the first page", n)
	}
	first.contains(t, `id="recipient-1"`, `id="recipient-100"`, `href="/admin/broadcasts/`+id+`?after=100#recipients"`)
	second := owner.get("/admin/broadcasts/"+id+"?after=100").must(t, http.StatusOK)
	if n := strings.Count(second.Body, `<tr id="recipient-`); n != 5 {
		t.Fatalf("%d recipients on the second page", n)
	}
	second.contains(t, `id="recipient-105"`, `id="recipients-first"`)
	if strings.Contains(second.Body, `id="recipients-next"`) {
		t.Fatal("a next page after the last recipient")
	}
	owner.post("/admin/broadcasts/"+id+"/cancel", nil).must(t, http.StatusSeeOther)
	close(chat.gate)
}
