package admin

import (
	"html/template"
	"math"
	"slices"
	"time"

	"cardbot"
	"cardbot/admin/chart"

	"github.com/gofiber/fiber/v2"
)

// statsData is the statistics page: the period asked, the figures and the charts drawn from them.
type statsData struct {
	From, To, Group, Preset string
	Presets                 []preset
	Stats                   *cardbot.Stats
	Charts                  map[string]template.HTML // SVG made here from the figures
	Ops                     []opCount
	Error                   string
}

type opCount struct {
	Type  cardbot.OpType
	Count int
}

type preset struct{ Key, Label string }

// statsPresets are the quick periods: the last 7 and 30 days (today included) and this month.
func statsPresets() []preset {
	return []preset{{"7d", "Last 7 days"}, {"30d", "Last 30 days"}, {"month", "This month"}}
}

// period reads the page's period: a preset, or from/to dates, last 30 days when none is given.
func (p *Page) period(c *fiber.Ctx, d *statsData) (cardbot.StatsQuery, error) {
	loc := p.loc()
	now := p.now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	d.Group = c.Query("group", string(cardbot.GroupDay))
	d.Preset = c.Query("preset")
	d.From, d.To = c.Query("from"), c.Query("to")
	from, to := today.AddDate(0, 0, -29), today
	switch {
	case d.Preset == "7d":
		from = today.AddDate(0, 0, -6)
	case d.Preset == "30d":
	case d.Preset == "month":
		from = today.AddDate(0, 0, 1-today.Day())
	case d.From != "" || d.To != "":
		var err error
		if d.From != "" {
			if from, err = parseDay(d.From, loc); err != nil {
				return cardbot.StatsQuery{}, err
			}
		}
		if d.To != "" {
			if to, err = parseDay(d.To, loc); err != nil {
				return cardbot.StatsQuery{}, err
			}
		}
	default:
		d.Preset = "30d"
	}
	d.From, d.To = from.Format(time.DateOnly), to.Format(time.DateOnly)
	date := func(t time.Time) cardbot.Date { return cardbot.Date{Year: t.Year(), Month: t.Month(), Day: t.Day()} }
	g := cardbot.StatsGrouping(d.Group)
	if g != cardbot.GroupDay && g != cardbot.GroupWeek && g != cardbot.GroupMonth {
		return cardbot.StatsQuery{}, cardbot.Errorf(cardbot.Invalid, "group by day, week or month")
	}
	return cardbot.StatsQuery{From: date(from), To: date(to), Group: g}, nil
}

// statsPage shows the owner's figures for a period with their charts.
func (p *Page) statsPage(c *fiber.Ctx) error {
	if p.auto.stats == nil {
		return p.notRunning(c)
	}
	d := statsData{Presets: statsPresets()}
	v := p.newView(c, "Statistics", &d)
	q, err := p.period(c, &d)
	if err == nil {
		d.Stats, err = p.auto.stats.Stats(c.UserContext(), q)
	}
	msg, err := refused(err)
	if err != nil {
		return err
	}
	if msg != "" {
		d.Error = msg
		c.Status(fiber.StatusBadRequest)
		return p.renderView(c, "stats", "layout", v)
	}
	d.Charts = statsCharts(v, d.Stats)
	for op, n := range d.Stats.Operations.Counts {
		d.Ops = append(d.Ops, opCount{Type: op, Count: n})
	}
	slices.SortFunc(d.Ops, func(a, b opCount) int { return b.Count - a.Count })
	return p.renderView(c, "stats", "layout", v)
}

// money is an amount as the charts draw it, and moneyLabel writes a chart's value back as an amount
// (rounded: 0.29 is 28.999… hundredths as a float).
func money(a cardbot.Amount) float64 { return float64(a) / 100 }
func moneyLabel(f float64) string    { return cardbot.Amount(math.Round(f * 100)).String() }

// statsCharts draws the page's charts, their texts in the viewer's language.
func statsCharts(v view, st *cardbot.Stats) map[string]template.HTML {
	n := len(st.Series)
	labels := make([]string, n)
	revenue, clients, cards := make([]float64, n), make([]float64, n), make([]float64, n)
	accrued, redeemed, brought := make([]float64, n), make([]float64, n), make([]float64, n)
	ratings, average := make([]float64, n), make([]float64, n)
	for i, pt := range st.Series {
		labels[i] = pt.Label
		revenue[i] = money(pt.Revenue)
		clients[i], cards[i] = float64(pt.NewClients), float64(pt.CardsIssued)
		accrued[i], redeemed[i] = money(pt.Accrued), money(pt.Redeemed)
		brought[i] = float64(pt.ClientsBrought)
		ratings[i], average[i] = float64(pt.Ratings), pt.RatingAverage
	}
	svg := func(b []byte) template.HTML { return template.HTML(b) } // chart escapes every text it writes
	out := map[string]template.HTML{
		"revenue": svg(chart.Line(chart.Chart{Title: v.T("Revenue from card holders"), Labels: labels, Format: moneyLabel,
			Series: []chart.Series{{Name: v.T("Revenue"), Values: revenue}}})),
		"growth": svg(chart.Bar(chart.Chart{Title: v.T("New clients and cards issued"), Labels: labels,
			Series: []chart.Series{{Name: v.T("New clients"), Values: clients}, {Name: v.T("Cards issued"), Values: cards}}})),
		"points": svg(chart.Bar(chart.Chart{Title: v.T("Points accrued and redeemed"), Labels: labels, Format: moneyLabel,
			Series: []chart.Series{{Name: v.T("Accrued"), Values: accrued}, {Name: v.T("Redeemed"), Values: redeemed}}})),
		"referrals": svg(chart.Line(chart.Chart{Title: v.T("Clients brought by friends"), Labels: labels,
			Series: []chart.Series{{Name: v.T("Clients brought"), Values: brought}}})),
	}
	var names []string
	var issued, total []float64
	for _, pr := range st.Programs {
		names = append(names, pr.Name) // the type is in the table above: long labels overlap
		issued, total = append(issued, float64(pr.CardsIssued)), append(total, float64(pr.Cards))
	}
	if len(names) > 0 {
		out["programs"] = svg(chart.Bar(chart.Chart{Title: v.T("Cards by programme"), Labels: names,
			Series: []chart.Series{{Name: v.T("Issued in the period"), Values: issued}, {Name: v.T("All cards"), Values: total}}}))
	}
	if r := st.Ratings; r != nil {
		out["ratings"] = svg(chart.Bar(chart.Chart{Title: v.T("Ratings"), Labels: labels,
			Series: []chart.Series{{Name: v.T("Ratings given"), Values: ratings}}}))
		if len(r.ByBranch) > 0 {
			var branches []string
			var avg []float64
			for _, b := range r.ByBranch {
				name := b.Branch
				if name == "" {
					name = v.T("no branch")
				}
				branches, avg = append(branches, name), append(avg, b.Average)
			}
			out["branches"] = svg(chart.Bar(chart.Chart{Title: v.T("Average score by branch"), Labels: branches,
				Series: []chart.Series{{Name: v.T("Average score"), Values: avg}}}))
		}
	}
	return out
}
