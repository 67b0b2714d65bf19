package bot

import (
	"context"
	"sync"
)

// Sequencer runs work for each chat strictly in the order it was submitted, one item at a time, while
// different chats run in parallel. A chat has a goroutine only while it has work, so idle chats cost
// nothing. Channel adapters use it to restore the order the customer wrote in: Telegram's webhook
// delivers over several connections at once and whatsmeow hands events over one at a time, yet the
// engine must see "/start ref_x" before the birthday typed right after it.
type Sequencer[K comparable] struct {
	mu     sync.Mutex
	queues map[K][]func() // a key is present while its chat's worker runs
	busy   int            // items queued or running, over all chats
	idle   chan struct{}  // closed while busy is 0
}

// NewSequencer returns an idle sequencer.
func NewSequencer[K comparable]() *Sequencer[K] {
	idle := make(chan struct{})
	close(idle)
	return &Sequencer[K]{queues: map[K][]func(){}, idle: idle}
}

// Submit queues fn behind the chat's earlier work and starts the chat's worker if it is idle.
func (s *Sequencer[K]) Submit(chat K, fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.busy == 0 {
		s.idle = make(chan struct{})
	}
	s.busy++
	q, running := s.queues[chat]
	s.queues[chat] = append(q, fn)
	if !running {
		go s.work(chat)
	}
}

// Wait blocks until no work is queued or running, or ctx ends; it reports whether all work is done.
func (s *Sequencer[K]) Wait(ctx context.Context) bool {
	s.mu.Lock()
	idle := s.idle
	s.mu.Unlock()
	select {
	case <-idle:
		return true
	case <-ctx.Done():
		return false
	}
}

// work runs the chat's queue until it is empty, then forgets the chat.
func (s *Sequencer[K]) work(chat K) {
	for {
		fn, ok := s.next(chat)
		if !ok {
			return
		}
		fn()
		s.done()
	}
}

func (s *Sequencer[K]) next(chat K) (func(), bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queues[chat]
	if len(q) == 0 {
		delete(s.queues, chat)
		return nil, false
	}
	fn := q[0]
	q[0] = nil // let the closure be collected
	s.queues[chat] = q[1:]
	return fn, true
}

func (s *Sequencer[K]) done() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.busy--
	if s.busy == 0 {
		close(s.idle)
	}
}
