package email

import (
	"errors"
	"fmt"

	"cardbot"

	"github.com/wneessen/go-mail"
)

// classify turns what go-mail returned into what the dispatcher acts on.
//
// Only a refusal of the recipient is final: a 5xx to RCPT TO (550 no such mailbox, 553 bad address…),
// a hard bounce. A 5xx about the sender, the AUTH or the content is about our setup, not this
// customer: it is passing, and the owner can fix it while the dispatcher retries (after MaxAttempts
// the row falls through anyway). 4xx and connection failures are
// passing. When the server accepted the message and only the goodbye failed, the message was sent:
// reporting an error would send it twice.
func (s *Sender) classify(err error, msg *mail.Msg) error {
	if err == nil {
		return nil
	}
	if msg.IsDelivered() {
		s.log.Warn("email: sent, but closing the connection failed", "err", err)
		return nil
	}
	var se *mail.SendError
	if errors.As(err, &se) && refusesRecipient(se) {
		return &cardbot.SendError{Permanent: true, Reason: "email: the server refused the recipient: " + se.Error()}
	}
	return fmt.Errorf("email: %w", err)
}

func refusesRecipient(se *mail.SendError) bool {
	return se.Reason == mail.ErrSMTPRcptTo && se.ErrorCode() >= 500 && se.ErrorCode() <= 599
}
