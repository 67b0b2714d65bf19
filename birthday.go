package cardbot

import "time"

// The reasons CheckBirthday gives as the Message of its Invalid error; callers switch on them to
// choose their own wording (the bot's re-ask, the mini-site's form error).
const (
	BirthdayInFuture = "that date has not come yet"
	BirthdayTooOld   = "that is more than 120 years ago"
)

// MaxBirthdayAge is the oldest age a date of birth may give.
const MaxBirthdayAge = 120

// CheckBirthday is the one rule for a plausible date of birth, wherever it is typed (the bot, the
// mini-site form, the admin page and the API): a date without a year always is; a date with one must
// not be after today, nor more than MaxBirthdayAge full years ago. today is now in the business's time
// zone, so a birthday typed just after midnight there is not in the future. The error is Invalid with
// BirthdayInFuture or BirthdayTooOld as its message.
func CheckBirthday(d Date, today time.Time) error {
	if d.Year == 0 {
		return nil
	}
	ty, tm, td := today.Date()
	notYet := d.Month > tm || (d.Month == tm && d.Day > td) // the birthday is still ahead this year
	if d.Year > ty || (d.Year == ty && notYet) {
		return &Error{Code: Invalid, Message: BirthdayInFuture}
	}
	age := ty - d.Year
	if notYet {
		age--
	}
	if age > MaxBirthdayAge {
		return &Error{Code: Invalid, Message: BirthdayTooOld}
	}
	return nil
}
