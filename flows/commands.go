package flows

import (
	"cmp"
	"slices"
	"strings"
	"unicode"

	"cardbot"
	"cardbot/wallet"
)

// Customer commands. The same names are the slash commands, the Data of inline buttons and the
// values of commandWords and menuDigits.
const (
	cmdCard    = "card"
	cmdBalance = "balance"
	cmdHistory = "history"
	cmdInvite  = "invite"
	cmdHelp    = "help"
	cmdStop    = "stop"
	cmdStart   = "start"
	cmdDelete  = "delete"

	buttonSkip      = "skip"
	buttonDeleteYes = "delete_yes"
	buttonDeleteNo  = "delete_no"
)

// menuCommands are offered in the channel's command menu, in this order.
var menuCommands = []string{cmdCard, cmdBalance, cmdHistory, cmdInvite, cmdHelp, cmdStop, cmdDelete}

// commandWords are what people type instead of slash commands, in either language.
var commandWords = map[string]string{
	"карта": cmdCard, "баланс": cmdBalance, "история": cmdHistory, "пригласить": cmdInvite,
	"помощь": cmdHelp, "стоп": cmdStop, "старт": cmdStart, "удалить": cmdDelete,
	"card": cmdCard, "balance": cmdBalance, "history": cmdHistory, "invite": cmdInvite,
	"help": cmdHelp, "stop": cmdStop, "start": cmdStart, "delete": cmdDelete,
}

// menuDigits stand for the menu buttons on channels that have no buttons (WhatsApp, web chat). They
// are read only when nothing was asked, where a digit cannot be an answer.
var menuDigits = map[string]string{"1": cmdBalance, "2": cmdHistory, "3": cmdInvite, "4": cmdHelp}

// customerCommands run a command for the turn's client.
var customerCommands = map[string]func(*turn) error{
	cmdCard:    (*turn).showCard,
	cmdBalance: (*turn).balance,
	cmdHistory: (*turn).history,
	cmdInvite:  (*turn).invite,
	cmdHelp:    (*turn).help,
	cmdStop:    (*turn).stopMarketing,
	cmdStart:   (*turn).resumeMarketing,
	cmdDelete:  func(t *turn) error { return t.fire(eventAskDelete) },
}

// historyLength is how many operations /history shows: enough to recognise the last visits,
// short enough to read on a phone.
const historyLength = 10

// command is a command as the customer gave it.
type command struct {
	name string
	args string
}

// command reads the message as a command: a pressed button, a slash command or a command word.
func (t *turn) command() (command, bool) {
	if t.in.Button != "" {
		return command{name: t.in.Button}, true
	}
	if c, ok := parseCommand(t.in.Text); ok {
		return c, true
	}
	if name, ok := commandWords[normalizeWord(t.in.Text)]; ok {
		return command{name: name}, true
	}
	return command{}, false
}

// parseCommand reads "/name args" and "/name@bot args" (Telegram adds the bot's name in groups).
func parseCommand(text string) (command, bool) {
	text = strings.TrimSpace(text)
	if !strings.HasPrefix(text, "/") {
		return command{}, false
	}
	head, args := text, ""
	if i := strings.IndexFunc(text, unicode.IsSpace); i >= 0 {
		head, args = text[:i], text[i:]
	}
	name, _, _ := strings.Cut(head[1:], "@")
	if name == "" {
		return command{}, false
	}
	return command{name: strings.ToLower(name), args: strings.TrimSpace(args)}, true
}

// normalizeWord folds a short message to compare with command words: lower case, ё as е, without
// the punctuation people end a word with.
func normalizeWord(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.ReplaceAll(s, "ё", "е")
	return strings.TrimRight(s, ".!?… ")
}

// menuDigit reads a menu digit.
func menuDigit(text string) (string, bool) {
	name, ok := menuDigits[strings.TrimSpace(text)]
	return name, ok
}

// runCommand runs a customer command; one it does not know is answered like any text it does not
// understand.
func (t *turn) runCommand(c command) error {
	if run, ok := customerCommands[c.name]; ok {
		return run(t)
	}
	return t.unknown()
}

// showCard sends the client's card picture with its caption, issuing the default card to a client
// who has none: asking for a card is asking for one even where cards are not issued on first contact.
func (t *turn) showCard() error {
	card, issued, err := t.cardToShow(true)
	if err != nil {
		return err
	}
	if card == nil {
		return t.say("no_card")
	}
	text := "card"
	if issued {
		text = "card_new"
	}
	return t.sendCard(card, text)
}

// sendCard sends a card's picture with a caption text and the menu.
func (t *turn) sendCard(card *cardbot.Card, text string) error {
	d := t.data()
	var err error
	if d.Card, err = t.describeCard(card); err != nil {
		return err
	}
	event := "card"
	if text == "card_new" {
		event = "card_issued"
	}
	return t.send(reply{text: text, event: event, data: d, cardID: card.ID, buttons: t.menu()})
}

// cardToShow picks the client's card of the default programme (another card when there is none and
// issue is false), issuing one when issue is set and the client has none of that programme. A
// refused issue (programme archived) is logged and leaves the client without a new card.
func (t *turn) cardToShow(issue bool) (card *cardbot.Card, issued bool, err error) {
	cards, err := t.tx.ClientCards(t.client.ID)
	if err != nil {
		return nil, false, err
	}
	program := t.e.settings().DefaultProgram
	pick := t.pickCard(cards)
	if !issue || (pick != nil && pick.ProgramID == program) {
		return pick, false, nil
	}
	got, err := t.e.wallet.IssueTo(t.tx, t.client, program, "bot:"+t.in.Channel) // the turn saves its client
	if refused(err) {
		t.e.log.Warn("default card not issued", "client", t.client.ID, "program", program, "err", err)
		return pick, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if err := t.e.cardIssued(t.tx, got.Card, t.now); err != nil {
		return nil, false, err
	}
	return got.Card, true, nil
}

// pickCard prefers a card of the default programme, then a usable card (active, not expired), then
// the newest; nil when there is no card. A blocked default card is still picked, so that a client
// whose card was blocked is shown it rather than issued a fresh one.
func (t *turn) pickCard(cards []*cardbot.Card) *cardbot.Card {
	score := func(c *cardbot.Card) int {
		s := 0
		if c.ProgramID == t.e.settings().DefaultProgram {
			s += 2
		}
		if c.Status == cardbot.CardActive && !c.Expired(t.now) {
			s++
		}
		return s
	}
	if len(cards) == 0 {
		return nil
	}
	return slices.MaxFunc(cards, func(a, b *cardbot.Card) int {
		return cmp.Or(cmp.Compare(score(a), score(b)), cmp.Compare(a.ID, b.ID))
	})
}

// balance lists every card of the client with its balance.
func (t *turn) balance() error {
	cards, err := t.tx.ClientCards(t.client.ID)
	if err != nil || len(cards) == 0 {
		return cmp.Or(err, t.say("no_cards"))
	}
	d := t.data()
	for _, card := range cards {
		cd, err := t.describeCard(card)
		if err != nil {
			return err
		}
		line, err := t.e.texts.render("balance_line", &textData{Card: cd})
		if err != nil {
			return err
		}
		d.Lines = append(d.Lines, line)
	}
	return t.send(reply{text: "balance", event: "balance", data: d, buttons: t.menu()})
}

// history lists the client's latest operations across their cards, newest first.
func (t *turn) history() error {
	entries, err := t.recentOperations()
	if err != nil || len(entries) == 0 {
		return cmp.Or(err, t.say("history_empty"))
	}
	d := t.data()
	for _, e := range entries {
		od, err := t.e.texts.opData(e.op, e.card)
		if err != nil {
			return err
		}
		line, err := t.e.texts.render("history_line", &textData{Card: e.card, Op: od})
		if err != nil {
			return err
		}
		d.Lines = append(d.Lines, line)
	}
	return t.send(reply{text: "history", event: "history", data: d, buttons: t.menu()})
}

// cardEntry is a ledger entry with the card it belongs to, as texts show the card.
type cardEntry struct {
	op   *cardbot.Operation
	card cardData
}

// recentOperations merges the latest entries of every card of the client, newest first.
func (t *turn) recentOperations() ([]cardEntry, error) {
	cards, err := t.tx.ClientCards(t.client.ID)
	if err != nil {
		return nil, err
	}
	var entries []cardEntry
	for _, card := range cards {
		cd, err := t.describeCard(card)
		if err != nil {
			return nil, err
		}
		ops, err := t.tx.CardOperations(card.ID, 0, historyLength)
		if err != nil {
			return nil, err
		}
		for _, op := range ops {
			entries = append(entries, cardEntry{op, cd})
		}
	}
	// Ledger ids grow with time across all cards, so they order the merged list.
	slices.SortFunc(entries, func(a, b cardEntry) int { return cmp.Compare(b.op.ID, a.op.ID) })
	return entries[:min(len(entries), historyLength)], nil
}

// invite sends the client's referral links (see inviteLinks) and code.
func (t *turn) invite() error {
	if t.client.ReferralCode == "" { // a client made through the API has none until now; the turn saves it
		if err := wallet.AssignReferralCode(t.tx, t.client); err != nil {
			return err
		}
	}
	d := t.data()
	d.Code = t.client.ReferralCode
	t.e.inviteLinks(d, d.Code)
	return t.send(reply{text: "invite", event: "invite", data: d})
}

func (t *turn) help() error {
	return t.send(reply{text: "help", event: "help", buttons: t.menu()})
}

// unknown answers what was not understood with a short help: a customer is never left in silence.
func (t *turn) unknown() error {
	return t.send(reply{text: "unknown", event: "unknown", buttons: t.menu()})
}

// stopMarketing withdraws consent to marketing. Notices about the card keep coming: they are not
// marketing, and the client needs them to trust the balance.
func (t *turn) stopMarketing() error {
	t.setMarketing(false)
	return t.say("stopped")
}

// resumeMarketing is /start after /stop; otherwise /start just shows the card again.
func (t *turn) resumeMarketing() error {
	if t.client.Consent.Marketing {
		return t.showCard()
	}
	t.setMarketing(true)
	return t.say("resumed")
}

func (t *turn) setMarketing(on bool) {
	t.client.Consent.Marketing = on
	t.client.Consent.Source, t.client.Consent.At = t.in.Channel, t.now
}
