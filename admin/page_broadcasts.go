package admin

import (
	"context"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"cardbot"

	"github.com/gofiber/fiber/v2"
)

// recipientsPerPage pages a broadcast's audience on its page.
const recipientsPerPage = 100

// maxBroadcastImage bounds an uploaded picture: the whole request, with a long Cyrillic text, must
// fit the server's body limit (maxRead, 2 MB).
const maxBroadcastImage = 1 << 20

// broadcastForm is the create/edit form of a broadcast as the owner typed it, so a refused form
// comes back as it was sent.
type broadcastForm struct {
	ID                                         uint64
	New                                        bool
	Status                                     cardbot.BroadcastStatus
	Name, Text, Picture, ButtonText, ButtonURL string
	Programs, Types                            map[string]bool
	Months                                     map[int]bool
	Tiers, Tags, Sources                       string
	BalanceMin, BalanceMax                     string
	LastFrom, LastTo                           string // dates, both included
	ScheduledAt                                string // datetime-local in the business timezone; "" starts by hand
	HasImage                                   bool
	MaxImage                                   int    // bytes, for the browser's own check before sending
	Error                                      string // the last start that failed (a scheduled one)
	FormError                                  string

	AllPrograms []cardbot.Program
	AllTypes    []cardbot.ProgramType
	AllMonths   []monthOption
}

type monthOption struct {
	N    int
	Name string
}

func (p *Page) emptyBroadcastForm() broadcastForm {
	f := broadcastForm{Programs: map[string]bool{}, Types: map[string]bool{}, Months: map[int]bool{},
		AllPrograms: p.wallet().Programs(), AllTypes: cardbot.ProgramTypes, MaxImage: maxBroadcastImage}
	for m := time.January; m <= time.December; m++ {
		f.AllMonths = append(f.AllMonths, monthOption{N: int(m), Name: "month_" + strconv.Itoa(int(m))})
	}
	return f
}

// formOf shows a stored broadcast in the form.
func (p *Page) formOf(b *cardbot.Broadcast, hasImage bool) broadcastForm {
	f := p.emptyBroadcastForm()
	f.ID, f.Status, f.Error, f.HasImage = b.ID, b.Status, b.Error, hasImage
	f.Name, f.Text, f.Picture = b.Name, b.Text, b.Picture
	if b.Button != nil {
		f.ButtonText, f.ButtonURL = b.Button.Text, b.Button.URL
	}
	seg := b.Segment
	for _, id := range seg.Programs {
		f.Programs[id] = true
	}
	for _, t := range seg.Types {
		f.Types[string(t)] = true
	}
	for _, m := range seg.BirthdayMonths {
		f.Months[int(m)] = true
	}
	f.Tiers, f.Tags, f.Sources = strings.Join(seg.Tiers, ", "), strings.Join(seg.Tags, ", "), strings.Join(seg.Sources, ", ")
	if unit, ok := p.segmentUnit(seg.Programs, seg.Types); ok {
		if seg.BalanceMin != nil {
			f.BalanceMin = unit.Number(*seg.BalanceMin)
		}
		if seg.BalanceMax != nil {
			f.BalanceMax = unit.Number(*seg.BalanceMax)
		}
	}
	loc := p.loc()
	if !seg.LastOperationFrom.IsZero() {
		f.LastFrom = seg.LastOperationFrom.In(loc).Format(time.DateOnly)
	}
	if !seg.LastOperationTo.IsZero() {
		f.LastTo = seg.LastOperationTo.In(loc).AddDate(0, 0, -1).Format(time.DateOnly)
	}
	if !b.ScheduledAt.IsZero() {
		f.ScheduledAt = b.ScheduledAt.In(loc).Format("2006-01-02T15:04")
	}
	return f
}

// segmentUnit is the one balance unit of the cards a segment can match, when there is one.
func (p *Page) segmentUnit(programs []string, types []cardbot.ProgramType) (cardbot.Unit, bool) {
	units := map[cardbot.Unit]bool{}
	for _, t := range types {
		units[t.Unit()] = true
	}
	for _, id := range programs {
		if prog := p.wallet().Program(id); prog != nil {
			units[prog.Type.Unit()] = true
		}
	}
	if len(units) != 1 {
		return "", false
	}
	for u := range units {
		return u, u != cardbot.UnitNone
	}
	return "", false
}

// readBroadcast reads the form into f (as typed) and into a spec (as meant); an error is the
// owner's to fix.
func (p *Page) readBroadcast(c *fiber.Ctx, f *broadcastForm) (cardbot.BroadcastSpec, error) {
	list := func(name string) []string {
		var out []string
		for _, v := range c.Request().PostArgs().PeekMulti(name) {
			out = append(out, string(v))
		}
		if form, err := c.MultipartForm(); err == nil {
			out = append(out, form.Value[name]...)
		}
		return out
	}
	f.Name = strings.TrimSpace(c.FormValue("name"))
	f.Text = strings.TrimSpace(c.FormValue("text"))
	f.Picture = c.FormValue("picture")
	f.ButtonText = strings.TrimSpace(c.FormValue("button_text"))
	f.ButtonURL = strings.TrimSpace(c.FormValue("button_url"))
	f.Tiers, f.Tags, f.Sources = c.FormValue("tiers"), c.FormValue("tags"), c.FormValue("sources")
	f.BalanceMin, f.BalanceMax = strings.TrimSpace(c.FormValue("balance_min")), strings.TrimSpace(c.FormValue("balance_max"))
	f.LastFrom, f.LastTo = c.FormValue("last_from"), c.FormValue("last_to")
	f.ScheduledAt = c.FormValue("scheduled_at")

	spec := cardbot.BroadcastSpec{Name: f.Name, Text: f.Text, Picture: f.Picture, CreatedBy: whoOf(c).name}
	if f.ButtonText != "" || f.ButtonURL != "" {
		spec.Button = &cardbot.Button{Text: f.ButtonText, URL: f.ButtonURL}
	}
	seg := &spec.Segment
	for _, id := range list("programs") {
		f.Programs[id] = true
		seg.Programs = append(seg.Programs, id)
	}
	for _, t := range list("types") {
		f.Types[t] = true
		seg.Types = append(seg.Types, cardbot.ProgramType(t))
	}
	for _, s := range list("months") {
		m, err := strconv.Atoi(s)
		if err != nil || m < 1 || m > 12 {
			return spec, cardbot.Errorf(cardbot.Invalid, "%q is not a month", s)
		}
		f.Months[m] = true
		seg.BirthdayMonths = append(seg.BirthdayMonths, time.Month(m))
	}
	seg.Tiers, seg.Tags, seg.Sources = splitList(f.Tiers), splitList(f.Tags), splitList(f.Sources)
	if f.BalanceMin != "" || f.BalanceMax != "" {
		unit, ok := p.segmentUnit(seg.Programs, seg.Types)
		if !ok {
			return spec, cardbot.Errorf(cardbot.Invalid, "a balance range needs cards that count one thing: choose the cards or card types (points, money, stamps or visits)")
		}
		var err error
		if seg.BalanceMin, err = parseBalance(unit, f.BalanceMin); err != nil {
			return spec, err
		}
		if seg.BalanceMax, err = parseBalance(unit, f.BalanceMax); err != nil {
			return spec, err
		}
	}
	loc := p.loc()
	var err error
	if seg.LastOperationFrom, err = parseDay(f.LastFrom, loc); err != nil {
		return spec, err
	}
	if seg.LastOperationTo, err = parseDay(f.LastTo, loc); err != nil {
		return spec, err
	}
	if !seg.LastOperationTo.IsZero() {
		seg.LastOperationTo = seg.LastOperationTo.AddDate(0, 0, 1) // the last day is included
	}
	if f.ScheduledAt != "" {
		at, err := time.ParseInLocation("2006-01-02T15:04", f.ScheduledAt, loc)
		if err != nil {
			return spec, cardbot.Errorf(cardbot.Invalid, "%q is not a date and time like 2026-03-01T11:00", f.ScheduledAt)
		}
		spec.ScheduledAt = at
	}
	return spec, nil
}

func splitList(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part != "" && !slices.Contains(out, part) {
			out = append(out, part)
		}
	}
	return out
}

// parseBalance reads a balance bound in the unit the owner sees (150.5 points) as stored (15050).
func parseBalance(unit cardbot.Unit, s string) (*int64, error) {
	if s == "" {
		return nil, nil
	}
	if unit == cardbot.UnitPoints || unit == cardbot.UnitMoney {
		a, err := parseAmount(s)
		if err != nil {
			return nil, err
		}
		v := int64(a)
		return &v, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return nil, cardbot.Errorf(cardbot.Invalid, "%q is not a whole number", s)
	}
	return &v, nil
}

func parseDay(s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		return t, cardbot.Errorf(cardbot.Invalid, "%q is not a date like 2026-03-01", s)
	}
	return t, nil
}

// uploadedImage is the picture sent with the form, nil when none was.
func uploadedImage(c *fiber.Ctx) ([]byte, error) {
	return uploaded(c, "image", maxBroadcastImage, "picture")
}

// uploaded is the file sent in the form's field, nil when none was; one over limit bytes is refused
// with a message naming what it is.
func uploaded(c *fiber.Ctx, field string, limit int64, what string) ([]byte, error) {
	fh, err := c.FormFile(field)
	if err != nil || fh == nil || fh.Size == 0 {
		return nil, nil
	}
	if fh.Size > limit {
		return nil, cardbot.Errorf(cardbot.Invalid, "the %s is limited to %d KB", what, limit>>10)
	}
	file, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer file.Close()
	return io.ReadAll(io.LimitReader(file, limit+1))
}

// broadcastRow is a broadcast in the list.
type broadcastRow struct {
	*cardbot.Broadcast
	Done int // recipients with an outcome
}

func doneOf(pr cardbot.BroadcastProgress) int {
	return pr.Sent + pr.Failed + pr.Skipped + pr.Cancelled
}

func (p *Page) broadcastList(c *fiber.Ctx) error {
	b := p.auto.broadcasts
	if b == nil {
		return p.notRunning(c)
	}
	list, err := b.List(c.UserContext())
	if err != nil {
		return err
	}
	rows := make([]broadcastRow, 0, len(list))
	for _, bc := range list {
		rows = append(rows, broadcastRow{Broadcast: bc, Done: doneOf(bc.Progress)})
	}
	return p.renderSaved(c, "broadcasts", "Broadcasts", rows)
}

func (p *Page) newBroadcast(c *fiber.Ctx) error {
	if p.auto.broadcasts == nil {
		return p.notRunning(c)
	}
	f := p.emptyBroadcastForm()
	f.New = true
	return p.render(c, "broadcast_form", "New broadcast", f)
}

func (p *Page) createBroadcast(c *fiber.Ctx) error {
	b := p.auto.broadcasts
	if b == nil {
		return p.notRunning(c)
	}
	f := p.emptyBroadcastForm()
	f.New = true
	spec, err := p.readBroadcast(c, &f)
	var img []byte
	if err == nil {
		img, err = uploadedImage(c)
	}
	var bc *cardbot.Broadcast
	if err == nil {
		bc, err = b.Create(c.UserContext(), spec)
	}
	if err == nil && img != nil {
		// The draft exists now; a refused picture is shown on its own page.
		if err = b.SetImage(c.UserContext(), bc.ID, img); err != nil {
			f = p.formOf(bc, false)
		}
	}
	return p.broadcastSaved(c, f, bc, err)
}

func (p *Page) broadcastSaved(c *fiber.Ctx, f broadcastForm, bc *cardbot.Broadcast, err error) error {
	msg, err := refused(err)
	if err != nil {
		return err
	}
	if msg != "" {
		f.FormError = msg
		c.Status(fiber.StatusBadRequest)
		return p.render(c, "broadcast_form", "Broadcast", f)
	}
	p.log().Info("admin: broadcast saved", "id", bc.ID, "status", bc.Status, "user", whoOf(c).name)
	return c.Redirect("/admin/broadcasts/"+strconv.FormatUint(bc.ID, 10)+"?done=saved", fiber.StatusSeeOther)
}

// withBroadcast runs fn on the broadcast the path names: not running without the broadcasts, 404
// for an unknown one.
func (p *Page) withBroadcast(c *fiber.Ctx, fn func(*cardbot.Broadcast) error) error {
	if p.auto.broadcasts == nil {
		return p.notRunning(c)
	}
	id, ok := pathID(c)
	if !ok {
		return p.notFound(c)
	}
	bc, err := p.auto.broadcasts.Get(c.UserContext(), id)
	if cardbot.CodeOf(err) == cardbot.NotFound {
		return p.notFound(c)
	}
	if err != nil {
		return err
	}
	return fn(bc)
}

func (p *Page) hasImage(c *fiber.Ctx, id uint64) (bool, error) {
	has := false
	err := p.store().View(c.UserContext(), func(tx cardbot.Tx) error {
		_, err := tx.BroadcastImage(id)
		if cardbot.CodeOf(err) == cardbot.NotFound {
			return nil
		}
		has = err == nil
		return err
	})
	return has, err
}

// broadcastData is a started broadcast's page: where it stands and who got it.
type broadcastData struct {
	*cardbot.Broadcast
	Done       int
	Waiting    int  // pending and enqueued
	Live       bool // the page polls for progress
	Active     bool // it can still be paused or cancelled
	Channels   []bcChannelRow
	Skips      []skipRow
	Recipients []recipientRow
	NextAfter  uint64 // ?after= for the next page of recipients, 0 at the end
	After      uint64
}

type bcChannelRow struct {
	Channel string
	cardbot.ChannelResult
}

type skipRow struct {
	Reason string
	Count  int
}

type recipientRow struct {
	*cardbot.Recipient
	Client *cardbot.Client
}

// broadcast shows a draft or scheduled broadcast as its form, and a started one with its progress.
func (p *Page) broadcast(c *fiber.Ctx) error {
	return p.withBroadcast(c, func(bc *cardbot.Broadcast) error {
		if editable(bc) {
			has, err := p.hasImage(c, bc.ID)
			if err != nil {
				return err
			}
			return p.flashed(c, p.newView(c, bc.Name, p.formOf(bc, has)), "broadcast_form")
		}
		d, err := p.broadcastData(c, bc)
		if err != nil {
			return err
		}
		return p.flashed(c, p.newView(c, bc.Name, d), "broadcast")
	})
}

func (p *Page) flashed(c *fiber.Ctx, v view, page string) error {
	switch c.Query("done") {
	case "saved":
		v.Flash = "Saved."
	case "started":
		v.Flash = "The broadcast has started."
	}
	return p.renderView(c, page, "layout", v)
}

func editable(bc *cardbot.Broadcast) bool {
	return bc.Status == cardbot.BroadcastDraft || bc.Status == cardbot.BroadcastScheduled
}

// live statuses change by themselves: the page polls them.
func live(s cardbot.BroadcastStatus) bool {
	return s == cardbot.BroadcastStarting || s == cardbot.BroadcastRunning || s == cardbot.BroadcastPaused
}

func (p *Page) broadcastData(c *fiber.Ctx, bc *cardbot.Broadcast) (broadcastData, error) {
	d := progressData(bc)
	d.After, _ = strconv.ParseUint(c.Query("after"), 10, 64)
	rs, err := p.auto.broadcasts.Recipients(c.UserContext(), bc.ID, d.After, recipientsPerPage+1)
	if err != nil {
		return d, err
	}
	if len(rs) > recipientsPerPage {
		rs = rs[:recipientsPerPage]
		d.NextAfter = rs[len(rs)-1].Seq
	}
	err = p.store().View(c.UserContext(), func(tx cardbot.Tx) error {
		for _, r := range rs {
			row := recipientRow{Recipient: r}
			cl, err := tx.Client(r.ClientID)
			if err != nil && cardbot.CodeOf(err) != cardbot.NotFound {
				return err
			}
			row.Client = cl
			d.Recipients = append(d.Recipients, row)
		}
		return nil
	})
	return d, err
}

func progressData(bc *cardbot.Broadcast) broadcastData {
	d := broadcastData{Broadcast: bc, Done: doneOf(bc.Progress), Waiting: bc.Progress.Pending + bc.Progress.Enqueued}
	d.Active = live(bc.Status)
	// A cancelled broadcast still learns the outcome of the rows it had queued: poll until it has.
	d.Live = live(bc.Status) || (!editable(bc) && d.Waiting > 0)
	for ch, r := range bc.Progress.Channels {
		d.Channels = append(d.Channels, bcChannelRow{Channel: ch, ChannelResult: r})
	}
	slices.SortFunc(d.Channels, func(a, b bcChannelRow) int { return strings.Compare(a.Channel, b.Channel) })
	for reason, n := range bc.Progress.SkipReasons {
		d.Skips = append(d.Skips, skipRow{Reason: reason, Count: n})
	}
	slices.SortFunc(d.Skips, func(a, b skipRow) int { return b.Count - a.Count })
	return d
}

// broadcastProgress is the live part of a started broadcast's page, polled by htmx.
func (p *Page) broadcastProgress(c *fiber.Ctx) error {
	return p.withBroadcast(c, func(bc *cardbot.Broadcast) error {
		return p.fragment(c, "broadcast", "progress", progressData(bc))
	})
}

func (p *Page) saveBroadcast(c *fiber.Ctx) error {
	return p.withBroadcast(c, func(bc *cardbot.Broadcast) error {
		b := p.auto.broadcasts
		has, err := p.hasImage(c, bc.ID)
		if err != nil {
			return err
		}
		f := p.formOf(bc, has)
		spec, err := p.readBroadcast(c, &f)
		var img []byte
		if err == nil {
			img, err = uploadedImage(c)
		}
		if err == nil && img != nil {
			if err = b.SetImage(c.UserContext(), bc.ID, img); err == nil {
				f.HasImage = true
			}
		}
		if err == nil {
			bc, err = b.Edit(c.UserContext(), bc.ID, spec)
		}
		return p.broadcastSaved(c, f, bc, err)
	})
}

// broadcastAction starts, pauses, resumes or cancels a broadcast (do is the Broadcaster's method for
// act) and goes back to its page.
func (p *Page) broadcastAction(c *fiber.Ctx, act string, do func(cardbot.Broadcaster, context.Context, uint64) (*cardbot.Broadcast, error)) error {
	return p.withBroadcast(c, func(bc *cardbot.Broadcast) error {
		_, err := do(p.auto.broadcasts, c.UserContext(), bc.ID)
		return p.acted(c, bc.ID, act, err)
	})
}

func (p *Page) acted(c *fiber.Ctx, id uint64, act string, err error) error {
	msg, rerr := refused(err)
	if rerr != nil {
		return rerr
	}
	if msg != "" {
		return p.fail(c, statusOf(cardbot.CodeOf(err)), msg)
	}
	p.log().Info("admin: broadcast "+act, "id", id, "user", whoOf(c).name)
	to := "/admin/broadcasts/" + strconv.FormatUint(id, 10)
	if act == "start" {
		to += "?done=started"
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

// broadcastAudience counts the clients the form's segment reaches now: the htmx preview.
func (p *Page) broadcastAudience(c *fiber.Ctx) error {
	b := p.auto.broadcasts
	if b == nil {
		return p.notRunning(c)
	}
	f := p.emptyBroadcastForm()
	spec, err := p.readBroadcast(c, &f)
	n := 0
	if err == nil {
		n, err = b.Audience(c.UserContext(), spec.Segment)
	}
	msg, err := refused(err)
	if err != nil {
		return err
	}
	return p.fragment(c, "broadcast_form", "audience", audienceData{Count: n, Error: msg})
}

type audienceData struct {
	Count int
	Error string
}

func (p *Page) startBroadcast(c *fiber.Ctx) error {
	return p.broadcastAction(c, "start", cardbot.Broadcaster.Start)
}
func (p *Page) pauseBroadcast(c *fiber.Ctx) error {
	return p.broadcastAction(c, "pause", cardbot.Broadcaster.Pause)
}
func (p *Page) resumeBroadcast(c *fiber.Ctx) error {
	return p.broadcastAction(c, "resume", cardbot.Broadcaster.Resume)
}
func (p *Page) cancelBroadcast(c *fiber.Ctx) error {
	return p.broadcastAction(c, "cancel", cardbot.Broadcaster.Cancel)
}

// broadcastImage serves a broadcast's uploaded picture (as stored, PNG) for the owner to see.
func (p *Page) broadcastImage(c *fiber.Ctx) error {
	return p.withBroadcast(c, func(bc *cardbot.Broadcast) error {
		var img []byte
		err := p.store().View(c.UserContext(), func(tx cardbot.Tx) error {
			var err error
			img, err = tx.BroadcastImage(bc.ID)
			return err
		})
		if cardbot.CodeOf(err) == cardbot.NotFound {
			return p.notFound(c)
		}
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "image/png")
		return c.Send(img)
	})
}
