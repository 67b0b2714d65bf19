package flows

import (
	"cardbot"
)

// maxTries is how many answers a question takes before the bot stops asking: a customer who cannot
// get the format right three times is better left alone than annoyed.
const maxTries = 3

// question is something the bot asks and then waits for: the birthday, the phone number. Its texts
// are ask_<name>, <name>_retry, <name>_skipped and <name>_gave_up.
type question struct {
	name string
	// markup gives the question and its re-asks their buttons.
	markup func(t *turn) reply
	// accept takes an answer. It returns "" when the answer was taken (and confirmed to the customer),
	// or the name of the text that says why it was not.
	accept func(t *turn, answer string) (why string, err error)
	// next is where a taken answer leads.
	next func(t *turn) error
}

// skipWords end a question as the Skip button does.
var skipWords = map[string]bool{"пропустить": true, "skip": true, "нет": true, "no": true}

// ask sends the question (text "ask_<name>") or a re-ask saying why the last answer was not taken.
func (t *turn) ask(q *question, text, why string) error {
	r := q.markup(t)
	r.text, r.event, r.data = text, q.name+"_question", t.data()
	if why != "" {
		reason, err := t.e.texts.render(why, r.data)
		if err != nil {
			return err
		}
		r.data.Reason = reason
	}
	return t.send(r)
}

// answer handles a message sent while the question waits: a skip, a good answer, or a bad one that
// is asked again until maxTries.
func (t *turn) answer(q *question) error {
	if t.in.Button == buttonSkip || skipWords[normalizeWord(t.in.Text)] {
		return t.stopAsking(q.name + "_skipped")
	}
	why, err := q.accept(t, t.in.Text)
	if err != nil {
		return err
	}
	if why == "" {
		return q.next(t)
	}
	t.conv.Tries++
	if t.conv.Tries >= maxTries {
		return t.stopAsking(q.name + "_gave_up")
	}
	return t.ask(q, q.name+"_retry", why)
}

// stopAsking says why the bot stops asking and goes idle.
func (t *turn) stopAsking(text string) error {
	if err := t.say(text); err != nil {
		return err
	}
	return t.fire(eventSettle)
}

// askFirst asks the first question a newly welcomed client has not answered yet.
func (t *turn) askFirst() error {
	if t.e.settings().AskBirthday && t.client.Birthday == nil {
		return t.fire(eventAskBirthday)
	}
	return t.askPhoneOrSettle()
}

// askPhoneOrSettle asks for the phone unless the client has one already.
func (t *turn) askPhoneOrSettle() error {
	if t.client.Phone == "" {
		return t.fire(eventAskPhone)
	}
	return t.fire(eventSettle)
}

// refusal turns a refused parse into the name of the text that says why; other errors pass.
func refusal(err error, why func(msg string) string) (string, error) {
	if refused(err) {
		return why(cardbot.MessageOf(err)), nil
	}
	return "", err
}
