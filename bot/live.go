package bot

import "slices"

// SetCascade replaces the order of channels for notices and marketing (settings.cascade) while the
// dispatcher runs: the admin page edits it. Rows already on their way keep the channel they are on;
// their next fallback follows the new order.
func (d *Dispatcher) SetCascade(order []string) {
	c := slices.Clone(order)
	d.cascade.Store(&c)
}
