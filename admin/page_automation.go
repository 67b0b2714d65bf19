package admin

import (
	"strconv"
	"time"

	"cardbot"

	"github.com/gofiber/fiber/v2"
)

// automation is what the owner's issue-6 screens read: the broadcasts, the statistics and the
// scheduler's jobs. The wiring gives them; a nil one shows as not running.
type automation struct {
	broadcasts cardbot.Broadcaster
	stats      cardbot.StatsProvider
	jobs       cardbot.JobLister
}

// notRunning answers for a screen whose part of the service the wiring did not give.
func (p *Page) notRunning(c *fiber.Ctx) error {
	return p.fail(c, fiber.StatusServiceUnavailable, "This part of cardbot is not running.")
}

const ratingsPerPage = 50

type jobRow struct {
	cardbot.JobInfo
	Took string
}

// automationPage lists the scheduler's jobs: read-only, what runs when and how the last run went.
func (p *Page) automationPage(c *fiber.Ctx) error {
	if p.auto.jobs == nil {
		return p.notRunning(c)
	}
	var rows []jobRow
	for _, j := range p.auto.jobs.Jobs() {
		r := jobRow{JobInfo: j}
		if !j.LastRun.IsZero() {
			r.Took = j.LastTook.Round(time.Millisecond).String()
		}
		rows = append(rows, r)
	}
	return p.render(c, "automation", "Automation", rows)
}

// ratingRow is a given rating with its client.
type ratingRow struct {
	*cardbot.Rating
	Client   *cardbot.Client // nil when the client was deleted
	Negative bool
}

type ratingsData struct {
	Negative    bool // only negative scores
	Rows        []ratingRow
	Next        uint64 // ?before= of the next page, 0 at the end
	NegativeMax int    // the highest negative score
}

// ratingsPage lists the scores customers gave, newest first, optionally the negative ones only.
// Ratings not given (still pending, asked without an answer, skipped) are not listed.
func (p *Page) ratingsPage(c *fiber.Ctx) error {
	d := ratingsData{Negative: c.Query("negative") != "", NegativeMax: p.goodScore() - 1}
	before, _ := strconv.ParseUint(c.Query("before"), 10, 64)
	err := p.store().View(c.UserContext(), func(tx cardbot.Tx) error {
		const batch = 500
		for {
			rs, err := tx.RatingsNewestFirst(before, batch)
			if err != nil {
				return err
			}
			for _, r := range rs {
				before = r.ID
				if r.Score == 0 || (d.Negative && r.Score > d.NegativeMax) {
					continue
				}
				if len(d.Rows) == ratingsPerPage {
					d.Next = d.Rows[len(d.Rows)-1].ID // there is at least one more
					return nil
				}
				row, err := p.ratingRow(tx, r)
				if err != nil {
					return err
				}
				d.Rows = append(d.Rows, row)
			}
			if len(rs) < batch {
				return nil
			}
		}
	})
	if err != nil {
		return err
	}
	return p.render(c, "ratings", "Ratings", d)
}

func (p *Page) ratingRow(tx cardbot.Tx, r *cardbot.Rating) (ratingRow, error) {
	row := ratingRow{Rating: r, Negative: p.negative(r)}
	cl, err := tx.Client(r.ClientID)
	if cardbot.CodeOf(err) == cardbot.NotFound {
		return row, nil
	}
	row.Client = cl
	return row, err
}

// negative reports whether a given score is below the good ones (0 is no score yet).
func (p *Page) negative(r *cardbot.Rating) bool { return r.Score > 0 && r.Score < p.goodScore() }

// goodScore is the lowest score answered with thanks (rating.good): lower ones are negative.
func (p *Page) goodScore() int {
	if g := p.cfg().Rating.Good; g > 0 {
		return g
	}
	return 4
}

// clientRatings are the client page's ratings: every visit's, asked or not, newest first.
const clientRatingsShown = 20

func (p *Page) clientRatings(tx cardbot.Tx, clientID uint64) ([]ratingRow, error) {
	rs, err := tx.ClientRatings(clientID, 0, clientRatingsShown)
	if err != nil {
		return nil, err
	}
	rows := make([]ratingRow, 0, len(rs))
	for _, r := range rs {
		rows = append(rows, ratingRow{Rating: r, Negative: p.negative(r)})
	}
	return rows, nil
}
