package flows

import (
	"context"
	"time"

	"cardbot"

	"github.com/looplab/fsm"
)

// turn is the handling of one inbound message inside its store transaction. The store may run a
// transaction function more than once, so a turn is built afresh for every run and keeps all its
// state here, where a re-run cannot see it.
type turn struct {
	e   *Engine
	ctx context.Context
	tx  cardbot.Tx
	in  cardbot.Inbound
	now time.Time

	conv    *cardbot.Conversation
	client  *cardbot.Client
	machine *fsm.FSM
	phone   phoneOutcome // what a phone shared with this message did

	enqueued int // outbox rows written, so Handle knows whether to wake the dispatcher
}

// run is the whole turn: deduplicate, load, route the message to its flow, save.
func (t *turn) run() error {
	// The FSM must not see Handle's deadline: a transition cancelled half-way would leave the run's
	// outcome to timing, and the store decides about cancellation anyway.
	t.ctx = context.WithoutCancel(t.ctx)
	if t.in.UpdateID != "" {
		seen, err := t.tx.SeenUpdate(t.in.Channel, t.in.UpdateID, t.now)
		if err != nil || seen {
			return err
		}
	}
	if err := t.loadConversation(); err != nil {
		return err
	}
	fresh, err := t.resolveClient()
	if err != nil {
		return err
	}
	if fresh {
		t.conv.State = stateNew // whatever the saved state said, this person has not been welcomed
	}
	t.machine = newMachine(t.conv.State)
	if err := t.route(); err != nil {
		return err
	}
	return t.save()
}

func (t *turn) loadConversation() error {
	conv, err := t.tx.Conversation(t.in.Address())
	switch {
	case cardbot.CodeOf(err) == cardbot.NotFound:
		conv = &cardbot.Conversation{Address: t.in.Address(), State: stateNew}
	case err != nil:
		return err
	}
	if conv.State == "" {
		conv.State = stateNew
	}
	t.conv = conv
	return nil
}

// route hands the message to the flow that owns it: staff commands work in any state, a first
// message is always a welcome, a shared phone is taken wherever it comes, and the rest goes by state.
func (t *turn) route() error {
	cmd, isCmd := t.command()
	if isCmd && isStaffCommand(cmd.name) {
		return t.staffCommand()
	}
	if t.conv.State == stateNew {
		return t.welcome()
	}
	if done, err := t.sharedPhone(); done || err != nil {
		return err
	}
	if done, err := t.ratingTurn(cmd, isCmd); done || err != nil {
		return err
	}
	switch t.conv.State {
	case stateAwaitingBirthday:
		if isCmd && cmd.name != buttonSkip {
			return t.runCommand(cmd)
		}
		return t.answer(&birthdayQuestion)
	case stateAwaitingPhone:
		if isCmd && cmd.name != buttonSkip {
			return t.runCommand(cmd)
		}
		return t.answer(&phoneQuestion)
	case stateConfirmingDelete:
		return t.confirmDelete()
	}
	if isCmd {
		return t.runCommand(cmd)
	}
	if name, ok := menuDigit(t.in.Text); ok {
		return t.runCommand(command{name: name})
	}
	return t.unknown()
}

// save writes the conversation and the client (their last activity, and whatever the flows changed).
func (t *turn) save() error {
	if t.client != nil && t.client.ID != 0 {
		t.client.LastActivityAt = t.now
		if err := t.tx.PutClient(t.client); err != nil {
			return err
		}
	}
	t.conv.UpdatedAt = t.now
	return t.tx.PutConversation(t.conv)
}

// reply is an outbox row for this conversation, before its text is rendered.
type reply struct {
	text     string // template name
	event    string
	data     *textData // nil: the turn's base data
	cardID   uint64
	buttons  [][]cardbot.Button
	askPhone bool
}

// send renders a reply and writes it to the outbox, addressed to this conversation.
func (t *turn) send(r reply) error {
	if r.data == nil {
		r.data = t.data()
	}
	text, err := t.e.texts.render(r.text, r.data)
	if err != nil {
		return err
	}
	to := t.in.Address()
	m := &cardbot.Message{
		Kind: cardbot.KindReply, To: &to, Text: text, CardID: r.cardID, Buttons: r.buttons,
		AskPhone: r.askPhone, Event: r.event, NextAt: t.now, CreatedAt: t.now,
	}
	if t.client != nil {
		m.ClientID = t.client.ID
	}
	if err := t.tx.EnqueueMessage(m); err != nil {
		return err
	}
	t.enqueued++
	return nil
}

// say sends a plain text reply whose event is the text's name.
func (t *turn) say(name string) error {
	return t.send(reply{text: name, event: name})
}

// data is what every text may use about the business, the client and the channel.
func (t *turn) data() *textData {
	d := &textData{Business: t.e.cfg.Business.Name, Buttons: hasButtons(t.in.Channel), Example: t.e.example}
	if t.client != nil {
		d.Name = t.client.Name
	}
	return d
}

// button makes an inline button with a text from the catalog.
func (t *turn) button(data string) cardbot.Button {
	label, err := t.e.texts.render("btn_"+data, t.data())
	if err != nil {
		label = data // validated at start; never reached
	}
	return cardbot.Button{Text: label, Data: data}
}

// menu is the row of buttons under cards, help and the answer to what was not understood.
func (t *turn) menu() [][]cardbot.Button {
	return [][]cardbot.Button{
		{t.button(cmdBalance), t.button(cmdHistory)},
		{t.button(cmdInvite), t.button(cmdHelp)},
	}
}

// refused reports whether err is a refusal the customer or staff member should be told about: a
// coded error other than Internal. The wallet and the store write nothing before refusing, so the
// turn can answer and carry on in the same transaction.
func refused(err error) bool {
	code := cardbot.CodeOf(err)
	return code != "" && code != cardbot.Internal
}
