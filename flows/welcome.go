package flows

// welcome answers the first message in a conversation, whatever it says: the card (issued now when
// settings.auto_issue is on, or the one the client already has), then the first question.
func (t *turn) welcome() error {
	card, issued, err := t.cardToShow(t.e.settings().AutoIssue)
	if err != nil {
		return err
	}
	switch {
	case card == nil:
		err = t.send(reply{text: "welcome_no_card", event: "welcome", buttons: t.menu()})
	case issued:
		err = t.sendCard(card, "card_new")
	default:
		err = t.sendCard(card, "card_found")
	}
	if err != nil {
		return err
	}
	return t.askFirst()
}
