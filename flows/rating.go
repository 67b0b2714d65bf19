package flows

import (
	"context"
	"strconv"
	"strings"
	"time"

	"cardbot"
)

// The quality rating: a purchase schedules a question (scheduleRating), the scheduler asks it when
// due (askRatings), and the answer comes back as a button (Telegram, in any state) or a digit
// (WhatsApp, web chat: the conversation waits in stateAwaitingRating). A good score is thanked with
// review links; a low one is apologised for, the customer is asked what went wrong, and the staff
// are alerted with the score and again with the words.

// rateButton is the Data prefix of the score buttons: rate:<rating id>:<score>.
const rateButton = "rate:"

// answerWindow is how long after the question a bare digit is still read as the score; later, a
// digit is the menu again (a button press is always a score).
const answerWindow = 7 * 24 * time.Hour

// maxFeedbackRunes bounds the stored feedback: a message, not a document.
const maxFeedbackRunes = 2000

// scheduleRating records a pending rating for a purchase, due after rating.delay. A client who
// already has a rating waiting gets no second one: one question covers the day's visits.
func (e *Engine) scheduleRating(tx cardbot.Tx, card *cardbot.Card, op *cardbot.Operation, now time.Time) error {
	rc := e.cfg.Rating
	if !rc.Enabled {
		return nil
	}
	if _, err := tx.RatingByOperation(op.ID); cardbot.CodeOf(err) != cardbot.NotFound {
		return err // already scheduled (nil), or a failure
	}
	r := &cardbot.Rating{
		ClientID: card.ClientID, CardID: card.ID, OpID: op.ID, Branch: op.Branch, Status: cardbot.RatingPending,
		VisitAt: op.At, DueAt: op.At.Add(time.Duration(rc.Delay)), UpdatedAt: now,
	}
	recent, err := tx.ClientRatings(card.ClientID, 0, 1)
	if err != nil {
		return err
	}
	if len(recent) > 0 && recent[0].Status == cardbot.RatingPending {
		r.Status, r.Note = cardbot.RatingSkipped, "another visit's rating is still to be asked"
	}
	return tx.CreateRating(r)
}

// askRatings sends the questions that are due. During quiet hours nothing is sent: the questions
// wait for the morning. A question whose visit is older than rating.max_age (the service was down)
// is dropped rather than asked days late.
func (e *Engine) askRatings(ctx context.Context, now time.Time) (int, error) {
	if !e.cfg.Rating.Enabled || e.quiet(now) {
		return 0, nil
	}
	var due []*cardbot.Rating
	if err := e.store.View(ctx, func(tx cardbot.Tx) error {
		var err error
		due, err = tx.DueRatings(now, 500)
		return err
	}); err != nil {
		return 0, err
	}
	asked := 0
	for _, r := range due {
		if err := e.counted(ctx, &asked, func(tx cardbot.Tx) (bool, error) { return e.askRating(tx, r.ID, now) }); err != nil {
			return asked, err
		}
	}
	return asked, nil
}

// askRating asks one pending rating, or settles it as skipped; it reports whether it asked.
func (e *Engine) askRating(tx cardbot.Tx, id uint64, now time.Time) (bool, error) {
	r, err := tx.Rating(id)
	if err != nil || r.Status != cardbot.RatingPending {
		return false, err
	}
	client, err := lookup(tx.Client(r.ClientID))
	if err != nil {
		return false, err
	}
	skip := func(note string) (bool, error) {
		r.Status, r.Note, r.UpdatedAt = cardbot.RatingSkipped, note, now
		return false, tx.PutRating(r)
	}
	switch {
	case client == nil:
		return skip("client deleted")
	case now.Sub(r.VisitAt) > time.Duration(e.cfg.Rating.MaxAge):
		return skip("too late to ask")
	case !client.Consent.Marketing:
		return skip("opted out")
	case len(client.Channels) == 0:
		return skip("no messenger to answer in")
	}
	if by, err := tx.CancelledBy(r.OpID); err != nil || by != 0 {
		if err != nil {
			return false, err
		}
		return skip("the purchase was cancelled")
	}
	key := markKey("rating_asked", client.ID)
	if recent, err := capped(tx, key, e.cfg.Rating.EveryDays, now); err != nil || recent {
		if err != nil {
			return false, err
		}
		return skip("asked recently")
	}
	d := e.clientData(client)
	d.Visit = e.texts.when(r.VisitAt)
	d.Branch = r.Branch
	var buttons [][]cardbot.Button
	if d.Buttons {
		row := make([]cardbot.Button, 0, 5)
		for score := 1; score <= 5; score++ {
			label, err := e.texts.render("btn_rate", &textData{Score: score})
			if err != nil {
				return false, err
			}
			row = append(row, cardbot.Button{Text: label, Data: rateButton + strconv.FormatUint(r.ID, 10) + ":" + strconv.Itoa(score)})
		}
		buttons = [][]cardbot.Button{row}
	}
	if err := e.tell(tx, now, out{client: client, kind: cardbot.KindMarketing, text: "rating_prompt", data: d, buttons: buttons}); err != nil {
		return false, err
	}
	// Digits answer the question in chats without buttons: the chats now wait for a score. A
	// birthday or phone question left unanswered is older than this one and gives way (the newest
	// question is the one the customer reads); a pending deletion or a feedback does not.
	for _, a := range client.Channels {
		conv, err := tx.Conversation(a)
		if err != nil {
			if cardbot.CodeOf(err) == cardbot.NotFound {
				continue
			}
			return false, err
		}
		if conv.State == stateIdle || conv.State == stateAwaitingBirthday || conv.State == stateAwaitingPhone {
			conv.State, conv.Tries, conv.UpdatedAt = stateAwaitingRating, 0, now
			if err := tx.PutConversation(conv); err != nil {
				return false, err
			}
		}
	}
	r.Status, r.AskedAt, r.UpdatedAt = cardbot.RatingAsked, now, now
	if err := tx.PutRating(r); err != nil {
		return false, err
	}
	return true, tx.PutMark(key, now)
}

// ratingTurn takes the answers of the rating dialogue: a score button in any state, a digit while
// a score is awaited, the words about a low score. Other messages in those states end the waiting
// and go on as usual. It reports whether it handled the message.
func (t *turn) ratingTurn(cmd command, isCmd bool) (bool, error) {
	if isCmd && strings.HasPrefix(cmd.name, rateButton) {
		id, score, ok := parseRateButton(cmd.name)
		if !ok {
			return true, t.unknown()
		}
		return true, t.rate(id, score)
	}
	switch t.conv.State {
	case stateAwaitingRating:
		if score, ok := scoreDigit(t.in.Text); ok && !isCmd {
			r, err := t.openRating()
			if err != nil {
				return true, err
			}
			if r != nil && t.now.Sub(r.AskedAt) <= answerWindow {
				return true, t.rate(r.ID, score)
			}
		}
		return false, t.fire(eventSettle)
	case stateAwaitingFeedback:
		if isCmd || strings.TrimSpace(t.in.Text) == "" {
			return false, t.fire(eventSettle)
		}
		return true, t.feedback()
	}
	return false, nil
}

func parseRateButton(data string) (uint64, int, bool) {
	idPart, scorePart, ok := strings.Cut(strings.TrimPrefix(data, rateButton), ":")
	id, err1 := strconv.ParseUint(idPart, 10, 64)
	score, err2 := strconv.Atoi(scorePart)
	return id, score, ok && err1 == nil && err2 == nil && score >= 1 && score <= 5
}

// scoreDigit reads a message that is only a score: "4", " 5 ".
func scoreDigit(text string) (int, bool) {
	s := strings.TrimSpace(text)
	if len(s) != 1 || s[0] < '1' || s[0] > '5' {
		return 0, false
	}
	return int(s[0] - '0'), true
}

// openRating is the client's newest rating that was asked and not answered, or nil.
func (t *turn) openRating() (*cardbot.Rating, error) {
	return t.recentRating(func(r *cardbot.Rating) bool { return r.Status == cardbot.RatingAsked })
}

// recentRating is the newest of the client's last few ratings that match, or nil.
func (t *turn) recentRating(match func(*cardbot.Rating) bool) (*cardbot.Rating, error) {
	rs, err := t.tx.ClientRatings(t.client.ID, 0, 5)
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		if match(r) {
			return r, nil
		}
	}
	return nil, nil
}

// rate records a score and answers it. A rating already answered keeps its first score.
func (t *turn) rate(id uint64, score int) error {
	r, err := t.tx.Rating(id)
	if cardbot.CodeOf(err) == cardbot.NotFound || (err == nil && r.ClientID != t.client.ID) {
		return t.unknown()
	}
	if err != nil {
		return err
	}
	d := t.data()
	if r.Status != cardbot.RatingAsked {
		if err := t.settleRating(); err != nil {
			return err
		}
		if r.Score == 0 { // a button of a question that was never asked or is gone
			return t.unknown()
		}
		d.Score = r.Score
		return t.send(reply{text: "rating_thanks_plain", event: "rating_repeated", data: d})
	}
	r.Score, r.RatedAt, r.Status, r.UpdatedAt = score, t.now, cardbot.RatingRated, t.now
	if err := t.tx.PutRating(r); err != nil {
		return err
	}
	d.Score, d.Visit, d.Branch = score, t.e.texts.when(r.VisitAt), r.Branch
	if score >= t.e.cfg.Rating.Good {
		if err := t.settleRating(); err != nil {
			return err
		}
		d.Reviews = t.e.reviewLinks()
		if len(d.Reviews) == 0 {
			return t.send(reply{text: "rating_thanks_plain", event: "rating_thanks", data: d})
		}
		return t.send(reply{text: "rating_thanks", event: "rating_thanks", data: d})
	}
	rc := t.e.cfg.Rating
	if err := t.e.gift(t.tx, t.client, rc.ApologyBonus, rc.BonusExpireDays, "apology for a low rating", t.now, d); err != nil {
		return err
	}
	if err := t.e.alertStaff(t.tx, t.client, r, t.now); err != nil {
		return err
	}
	if err := t.send(reply{text: "rating_sorry", event: "rating_sorry", data: d}); err != nil {
		return err
	}
	if t.conv.State == stateAwaitingFeedback {
		return nil
	}
	return t.fire(eventAskFeedback)
}

// settleRating ends a wait for a score in this chat.
func (t *turn) settleRating() error {
	if t.conv.State == stateAwaitingRating || t.conv.State == stateAwaitingFeedback {
		return t.fire(eventSettle)
	}
	return nil
}

// feedback stores what the customer wrote about a low score, alerts the staff with it and thanks.
func (t *turn) feedback() error {
	r, err := t.recentRating(func(r *cardbot.Rating) bool {
		return r.Status == cardbot.RatingRated && r.Score < t.e.cfg.Rating.Good
	})
	if err != nil {
		return err
	}
	if r == nil {
		return t.fire(eventSettle) // nothing to attach the words to; say nothing odd
	}
	text := strings.TrimSpace(t.in.Text)
	if runes := []rune(text); len(runes) > maxFeedbackRunes {
		text = string(runes[:maxFeedbackRunes])
	}
	r.Feedback, r.Status, r.UpdatedAt = text, cardbot.RatingFeedback, t.now
	if err := t.tx.PutRating(r); err != nil {
		return err
	}
	if err := t.e.alertStaff(t.tx, t.client, r, t.now); err != nil {
		return err
	}
	if err := t.say("rating_feedback_thanks"); err != nil {
		return err
	}
	return t.fire(eventSettle)
}

// reviewLinks are the review sites of the config, in a fixed order, named in the customers' language.
func (e *Engine) reviewLinks() []reviewLink {
	var links []reviewLink
	for _, site := range []struct{ ru, en, url string }{
		{"Яндекс Карты", "Yandex Maps", e.cfg.Rating.YandexMaps},
		{"2ГИС", "2GIS", e.cfg.Rating.TwoGIS},
		{"Google", "Google", e.cfg.Rating.Google},
	} {
		if site.url == "" {
			continue
		}
		name := site.ru
		if e.cfg.Locale == "en" {
			name = site.en
		}
		links = append(links, reviewLink{Name: name, URL: site.url})
	}
	return links
}

// alertStaff tells the staff about a low rating: every Telegram staff member of telegram.staff and
// rating.staff_email. The rows are replies addressed to them, not to the client.
func (e *Engine) alertStaff(tx cardbot.Tx, client *cardbot.Client, r *cardbot.Rating, now time.Time) error {
	d := &textData{
		Business: e.cfg.Business.Name, Score: r.Score, Client: clientLabel(client), Phone: client.Phone,
		Visit: e.texts.when(r.VisitAt), Branch: r.Branch, Feedback: r.Feedback,
	}
	text, err := e.texts.render("rating_staff_alert", d)
	if err != nil {
		return err
	}
	var to []cardbot.Address
	for _, id := range e.cfg.Telegram.Staff {
		to = append(to, cardbot.Address{Channel: "telegram", ID: strconv.FormatInt(id, 10)})
	}
	if e.cfg.Rating.StaffEmail != "" {
		to = append(to, cardbot.Address{Channel: "email", ID: e.cfg.Rating.StaffEmail})
	}
	for _, a := range to {
		if err := tx.EnqueueMessage(&cardbot.Message{
			Kind: cardbot.KindReply, To: &a, Text: text, Event: "rating_alert", NextAt: now, CreatedAt: now,
		}); err != nil {
			return err
		}
	}
	return nil
}
