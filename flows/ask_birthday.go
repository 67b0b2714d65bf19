package flows

import (
	"cardbot"
)

// birthdayQuestion asks for the birthday after the card is issued; a good date leads on to the phone.
var birthdayQuestion = question{
	name: "birthday",
	markup: func(t *turn) reply {
		return reply{buttons: [][]cardbot.Button{{t.button(buttonSkip)}}}
	},
	accept: acceptBirthday,
	next:   (*turn).askPhoneOrSettle,
}

// birthdayReasons names the text for each reason ParseBirthday gives.
var birthdayReasons = map[string]string{
	BirthdayNotADate:  "birthday_not_a_date",
	BirthdayNoSuchDay: "birthday_no_such_day",
	BirthdayInFuture:  "birthday_in_future",
	BirthdayTooOld:    "birthday_too_old",
}

// askBirthday is the question itself, asked on entering awaiting_birthday.
func (t *turn) askBirthday() error {
	return t.ask(&birthdayQuestion, "ask_birthday", "")
}

// acceptBirthday reads the date as the customer typed it, counted in the business's timezone (a
// birthday typed just after midnight there is not in the future), stores it and confirms it.
func acceptBirthday(t *turn, answer string) (string, error) {
	d, err := ParseBirthday(answer, t.now.In(t.e.loc))
	if err != nil {
		return refusal(err, func(msg string) string {
			if name, ok := birthdayReasons[msg]; ok {
				return name
			}
			return "birthday_not_a_date"
		})
	}
	t.client.Birthday = &d
	t.consentGiven(t.client)
	data := t.data()
	data.Date = t.e.texts.date(d)
	return "", t.send(reply{text: "birthday_saved", event: "birthday_saved", data: data})
}
