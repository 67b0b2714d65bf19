package admin_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"cardbot"
)

// operate records an operation from the client page's form, as the cashier does.
func (b *browser) operate(t *testing.T, client *cardbot.Client, card string, form url.Values) {
	t.Helper()
	form.Set("card", card)
	if p := b.post(clientPath(client)+"/operations", form); p.Status != http.StatusSeeOther {
		t.Fatalf("operation %v: %d\n%s", form, p.Status, p.Body)
	}
}

// lastOperation is the newest ledger entry of a card.
func (s *site) lastOperation(t *testing.T, number string) uint64 {
	var id uint64
	err := s.db.View(t.Context(), func(tx cardbot.Tx) error {
		card, err := tx.CardByNumber(number)
		if err != nil {
			return err
		}
		ops, err := tx.CardOperations(card.ID, 0, 1)
		if err == nil {
			id = ops[0].ID
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// refer records that friend came by the referrer's link.
func (s *site) refer(t *testing.T, friend, referrer *cardbot.Client) {
	t.Helper()
	err := s.db.Update(t.Context(), func(tx cardbot.Tx) error {
		friend.ReferredBy, friend.Source = referrer.ID, "referral"
		return tx.PutClient(friend)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// rate stores a visit rating the customer gave now.
func (s *site) rate(t *testing.T, client *cardbot.Client, op uint64, score int, branch, feedback string) {
	t.Helper()
	now := s.clock.Now()
	status := cardbot.RatingRated
	if feedback != "" {
		status = cardbot.RatingFeedback
	}
	err := s.db.Update(t.Context(), func(tx cardbot.Tx) error {
		return tx.CreateRating(&cardbot.Rating{ClientID: client.ID, OpID: op, Branch: branch, Status: status, Score: score,
			Feedback: feedback, VisitAt: now.Add(-2 * time.Hour), DueAt: now, AskedAt: now, RatedAt: now, UpdatedAt: now})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A small day of business, recorded through the page, and the figures the statistics page shows for
// it, computed by hand: bonus cards give 5 % back and 100 welcome points.
func TestStatisticsPageShowsTheLedgersFigures(t *testing.T) {
	s := newSite(t)
	owner := ownerOf(t, s)
	anna, annaCard := s.newClient("Анна", "+79990000001", "bonus")
	boris, borisCard := s.newClient("Борис", "+79990000002", "bonus")
	vera, veraCard := s.newClient("Вера", "+79990000003", "bonus")
	s.newClient("Глеб", "+79990000004", "coffee")
	s.refer(t, vera, anna)
	owner.operate(t, anna, annaCard, url.Values{"type": {"purchase"}, "purchase": {"1000"}})   // +50
	owner.operate(t, anna, annaCard, url.Values{"type": {"redeem"}, "amount": {"30"}})         // −30
	owner.operate(t, boris, borisCard, url.Values{"type": {"purchase"}, "purchase": {"2000"}}) // +100
	owner.operate(t, boris, borisCard, url.Values{"type": {"purchase"}, "purchase": {"500"}})  // cancelled below
	mistake := s.lastOperation(t, borisCard)
	owner.operate(t, boris, borisCard, url.Values{"type": {"cancel"}, "operation_id": {uintStr(mistake)}})
	owner.operate(t, vera, veraCard, url.Values{"type": {"purchase"}, "purchase": {"300"}}) // +15, by a referred client
	s.rate(t, anna, 9001, 5, "center", "")
	s.rate(t, boris, 9002, 2, "center", "Долго ждал")
	s.rate(t, vera, 9003, 4, "mall", "")

	p := owner.get("/admin/stats?from=2026-03-01&to=2026-03-01&group=day").must(t, http.StatusOK)
	for id, want := range map[string]string{
		"fig-revenue": "3300", "fig-purchases": "3", "fig-new-clients": "4", "fig-cards-issued": "4",
		"fig-clients-total": "4", "fig-clients-with-card": "4",
		"fig-accrued": "165", "fig-redeemed": "30", "fig-welcome": "300", "fig-cancelled": "1",
		"fig-brought": "1", "fig-referrers": "1", "fig-referral-revenue": "300", "fig-referral-purchases": "1",
		"fig-rating-average": "3.7", "fig-rating-count": "3", "fig-rating-negative": "1",
	} {
		wantFigure(t, p, id, want)
	}
	p.contains(t, `<tr id="program-bonus"><td>Бонусы</td><td>bonus</td><td>3</td><td>3</td><td>3</td></tr>`,
		`<td>center</td><td>3.5</td><td>2</td><td>1</td>`, `<td>mall</td><td>4.0</td><td>1</td><td>0</td>`)
	// Every chart is an SVG drawn on the server.
	for _, chart := range []string{"revenue", "growth", "programs", "points", "referrals", "ratings", "branches"} {
		p.contains(t, `<figure class="chart" id="chart-`+chart+`"><svg `)
	}

	// The next day has none of it, and the presets choose their periods.
	s.clock.Advance(24 * time.Hour)
	owner.mustLogin("olga", "correct horse") // a day idle ends the session
	next := owner.get("/admin/stats?from=2026-03-02&to=2026-03-02").must(t, http.StatusOK)
	wantFigure(t, next, "fig-revenue", "0")
	wantFigure(t, next, "fig-clients-total", "4")
	week := owner.get("/admin/stats?preset=7d&group=week").must(t, http.StatusOK)
	week.contains(t, `id="stats-from" name="from" type="date" value="2026-02-24"`, `id="stats-to" name="to" type="date" value="2026-03-02"`)
	wantFigure(t, week, "fig-revenue", "3300")
	month := owner.get("/admin/stats?preset=month").must(t, http.StatusOK)
	month.contains(t, `value="2026-03-01"`, `aria-current="true">This month`)
	owner.get("/admin/stats").must(t, http.StatusOK).contains(t, `id="preset-30d" href="/admin/stats?preset=30d&group=day" aria-current="true"`)
	owner.get("/admin/stats?from=yesterday").must(t, http.StatusBadRequest).contains(t, `id="form-error"`)
	if strings.Contains(owner.get("/admin/stats?group=year").Body, `id="fig-revenue"`) {
		t.Fatal("an unknown grouping shows figures")
	}
}

// The automation page lists every scheduled job; after a run it shows when, how long and what it did.
func TestAutomationPageListsEveryJob(t *testing.T) {
	s := newSite(t)
	owner := ownerOf(t, s)
	p := owner.get("/admin/automation").must(t, http.StatusOK)
	jobs := s.scheduler.Jobs()
	if len(jobs) < 5 {
		t.Fatalf("only %d jobs", len(jobs))
	}
	for _, j := range jobs {
		p.contains(t, `id="job-`+j.Name+`"`, `<code>`+j.Spec+`</code>`)
	}
	if err := s.scheduler.Run(t.Context(), "cleanup"); err != nil {
		t.Fatal(err)
	}
	p = owner.get("/admin/automation").must(t, http.StatusOK)
	row := p.Body[strings.Index(p.Body, `id="job-cleanup"`):]
	row = row[:strings.Index(row, "</tr>")]
	if !strings.Contains(row, "2026-03-01 15:00") || strings.Contains(row, "<td>—</td><td>—</td>") {
		t.Fatalf("the cleanup row after a run: %s", row)
	}
}

// Ratings are listed newest first, negative ones on their own, and on each client's page.
func TestRatingsListAndClientPage(t *testing.T) {
	s := newSite(t)
	owner := ownerOf(t, s)
	anna, _ := s.newClient("Анна", "+79990000001", "bonus")
	boris, _ := s.newClient("Борис", "+79990000002", "bonus")
	friend, _ := s.newClient("Вера", "+79990000003", "bonus")
	s.refer(t, friend, anna)
	owner.get("/admin/automation/ratings").must(t, http.StatusOK).contains(t, `id="no-ratings"`)
	for i := range 60 {
		s.rate(t, anna, uint64(1000+i), 5, "center", "")
		s.clock.Advance(time.Minute)
	}
	s.rate(t, boris, 2000, 1, "mall", "Кофе был холодный")
	s.rate(t, anna, 2001, 3, "center", "Очередь")

	p := owner.get("/admin/automation/ratings").must(t, http.StatusOK)
	if first := strings.Index(p.Body, `data-score="3"`); first < 0 || first > strings.Index(p.Body, `data-score="1"`) {
		t.Fatal("the newest rating is not first")
	}
	p.contains(t, "Кофе был холодный", `href="/admin/clients/`+uintStr(boris.ID)+`">Борис`, `id="older-ratings"`)
	if n := strings.Count(p.Body, `<tr id="rating-`); n != 50 {
		t.Fatalf("%d ratings on the first page", n)
	}
	older := owner.get(regexpFind(t, p.Body, `href="(/admin/automation/ratings\?before=\d+)"`)).must(t, http.StatusOK)
	if n := strings.Count(older.Body, `<tr id="rating-`); n != 12 {
		t.Fatalf("%d ratings on the second page", n)
	}
	negative := owner.get("/admin/automation/ratings?negative=1").must(t, http.StatusOK)
	if n := strings.Count(negative.Body, `<tr id="rating-`); n != 2 {
		t.Fatalf("%d negative ratings listed", n)
	}
	negative.contains(t, "Очередь", "Кофе был холодный", `checked`)

	// The client page: the client's own ratings, and the friends they brought.
	annaPage := owner.get(clientPath(anna)).must(t, http.StatusOK)
	annaPage.contains(t, `id="client-ratings"`, "Очередь", `href="/admin/clients/`+uintStr(friend.ID)+`">Вера`)
	owner.get(clientPath(boris)).must(t, http.StatusOK).contains(t, "Кофе был холодный")
	// Staff see a client's ratings too, but not the owner's lists.
	s.addUser("ivan", "till password", cardbot.RoleStaff)
	staff := s.browser().mustLogin("ivan", "till password")
	staff.get(clientPath(boris)).must(t, http.StatusOK).contains(t, "Кофе был холодный")
	staff.get("/admin/automation/ratings").must(t, http.StatusForbidden)
	if strings.Contains(staff.get("/admin/clients").Body, `id="nav-broadcasts"`) {
		t.Fatal("staff are offered the broadcasts")
	}
}

func regexpFind(t *testing.T, body, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in:\n%s", pattern, body)
	}
	return strings.ReplaceAll(m[1], "&amp;", "&")
}
