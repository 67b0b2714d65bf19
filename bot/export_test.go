package bot

// SetMaxInFlight caps the rows held in memory, so tests can fill the in-flight set with few rows.
// Call it before Run.
func SetMaxInFlight(d *Dispatcher, n int) {
	d.maxInFlight = n
	d.ready = make(chan *queue, n)
	d.due = make(chan *queue, n)
}
