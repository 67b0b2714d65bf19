package bot

import (
	"time"

	"cardbot"
)

// gated asks Options.Gate about a row: nil lets it go on. A held row goes back to the store until
// the gate's time, set aside so it holds back none of the recipient's other rows (a notice must not
// wait for a paused broadcast); a skipped row is settled with the gate's reason.
func (d *Dispatcher) gated(m *cardbot.Message, now time.Time) *outcome {
	if d.opt.Gate == nil {
		return nil
	}
	v := d.opt.Gate.Gate(m, now)
	switch {
	case v.Skip != "":
		return settledWithout(cardbot.MessageSkipped, now, v.Skip)
	case v.HoldUntil.After(now):
		o := deferTo(now, v.HoldUntil)
		o.aside = true
		return &o
	}
	return nil
}

// image loads the picture a row names; one that cannot be loaded is left out rather than holding
// the message back, as a card picture is.
func (d *Dispatcher) image(m *cardbot.Message) []byte {
	if d.opt.Images == nil {
		return nil
	}
	png, err := d.opt.Images.Image(d.sendCtx, m.Image)
	if err != nil {
		d.log.Warn("outbox: sending without the picture", "message", m.ID, "image", m.Image, "err", err)
		return nil
	}
	return png
}
