package flows

import (
	"context"
	"fmt"

	"github.com/looplab/fsm"
)

// Conversation states, as saved in cardbot.Conversation.State.
const (
	stateNew              = "new"               // nobody has been welcomed here yet (or their data was deleted)
	stateAwaitingBirthday = "awaiting_birthday" // the last question was the birthday
	stateAwaitingPhone    = "awaiting_phone"    // the last question was the phone number
	stateIdle             = "idle"              // nothing asked: messages are commands
	stateConfirmingDelete = "confirming_delete" // asked whether to delete the client's data
	stateAwaitingRating   = "awaiting_rating"   // a rating question went out: a digit 1–5 is the score
	stateAwaitingFeedback = "awaiting_feedback" // a low score was given: the next text says what went wrong
)

// Events move the dialogue. Each names where it goes rather than what caused it, because several
// causes lead to the same place (a skip, a good answer and a third bad one all end a question).
const (
	eventAskBirthday = "ask_birthday"
	eventAskPhone    = "ask_phone"
	eventSettle      = "settle" // stop asking: go idle
	eventAskDelete   = "ask_delete"
	eventForget      = "forget" // the data is gone: the next message starts afresh
	eventAskFeedback = "ask_feedback"
)

var machineEvents = fsm.Events{
	{Name: eventAskBirthday, Src: []string{stateNew, stateIdle}, Dst: stateAwaitingBirthday},
	{Name: eventAskPhone, Src: []string{stateNew, stateAwaitingBirthday, stateIdle}, Dst: stateAwaitingPhone},
	{Name: eventSettle, Src: []string{stateNew, stateAwaitingBirthday, stateAwaitingPhone, stateConfirmingDelete,
		stateAwaitingRating, stateAwaitingFeedback}, Dst: stateIdle},
	{Name: eventAskDelete, Src: []string{stateIdle, stateAwaitingBirthday, stateAwaitingPhone}, Dst: stateConfirmingDelete},
	// A score may come by button in any state; a low one then waits for the words.
	{Name: eventAskFeedback, Src: []string{stateIdle, stateAwaitingRating, stateAwaitingBirthday, stateAwaitingPhone,
		stateConfirmingDelete}, Dst: stateAwaitingFeedback},
	{Name: eventForget, Src: []string{stateConfirmingDelete}, Dst: stateNew},
}

// machineCallbacks ask each state's question on entering it, so whichever flow leads into a state,
// the customer is asked the same way. Only enter_ callbacks are used: an enter_ callback may set
// e.Err, which Event returns, and nothing here fires events from inside a callback (a before_
// callback that did would deadlock the machine).
var machineCallbacks = fsm.Callbacks{
	"enter_state": func(_ context.Context, e *fsm.Event) {
		t := e.Args[0].(*turn)
		t.conv.State, t.conv.Tries = e.Dst, 0
	},
	"enter_" + stateAwaitingBirthday: func(_ context.Context, e *fsm.Event) {
		e.Err = e.Args[0].(*turn).askBirthday()
	},
	"enter_" + stateAwaitingPhone: func(_ context.Context, e *fsm.Event) {
		e.Err = e.Args[0].(*turn).askPhone()
	},
	"enter_" + stateConfirmingDelete: func(_ context.Context, e *fsm.Event) {
		e.Err = e.Args[0].(*turn).askDelete()
	},
}

// newMachine rebuilds the dialogue's state machine from the saved state.
func newMachine(state string) *fsm.FSM {
	return fsm.NewFSM(state, machineEvents, machineCallbacks)
}

// fire moves the conversation with an event; the turn rides along as the callbacks' argument.
func (t *turn) fire(event string) error {
	if err := t.machine.Event(t.ctx, event, t); err != nil {
		return fmt.Errorf("flows: %s in state %s: %w", event, t.machine.Current(), err)
	}
	return nil
}
