package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"cardbot"
)

// messageRecord is an outbox row as stored.
type messageRecord struct {
	V int `json:"v"`
	*cardbot.Message
}

// messageDueKey orders pending messages by the time they are due, then by id.
func messageDueKey(m *cardbot.Message) []byte { return dueKey(m.NextAt, m.ID) }

// EnqueueMessage adds a message to the outbox, pending unless it says otherwise.
func (t *tx) EnqueueMessage(m *cardbot.Message) error {
	if err := t.writable(); err != nil {
		return err
	}
	if m == nil {
		return errors.New("store: nil message")
	}
	if m.Status == "" {
		m.Status = cardbot.MessagePending
	}
	id, err := t.bucket(bucketMessages).NextSequence()
	if err != nil {
		return err
	}
	m.ID = id
	if m.ClientID != 0 {
		if err := t.bucket(idxClientMessages).Put(pairKey(m.ClientID, id), nil); err != nil {
			return err
		}
	}
	return t.saveMessage(m)
}

// PutMessage saves a message's new state; the due index follows its status and NextAt.
func (t *tx) PutMessage(m *cardbot.Message) error {
	if err := t.mayWrite(); err != nil {
		return err
	}
	if m == nil {
		return errors.New("store: nil message")
	}
	old, err := t.storedDue(m.ID)
	if err != nil {
		return err
	}
	if err := t.writable(); err != nil {
		return err
	}
	if old.Status == cardbot.MessagePending {
		if err := t.bucket(idxMessagesDue).Delete(messageDueKey(old)); err != nil {
			return err
		}
	}
	return t.saveMessage(m)
}

// messageDue reads of a stored row only what its due index entry depends on (id, status, NextAt):
// PutMessage needs no more of the row it replaces, and the dispatcher puts every row it settles.
func (t *tx) messageDue(id uint64) (*cardbot.Message, error) {
	var rec struct {
		Status cardbot.MessageStatus `json:"status"`
		NextAt time.Time             `json:"next_at"`
	}
	found, err := t.load(bucketMessages, id, &rec)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, cardbot.Errorf(cardbot.NotFound, "message %d not found", id)
	}
	return &cardbot.Message{ID: id, Status: rec.Status, NextAt: rec.NextAt}, nil
}

// storedDue is messageDue, from what this transaction remembers of the row when it read or wrote it.
func (t *tx) storedDue(id uint64) (*cardbot.Message, error) {
	if s, ok := t.messages[id]; ok {
		return &cardbot.Message{ID: id, Status: s.status, NextAt: s.nextAt}, nil
	}
	return t.messageDue(id)
}

func (t *tx) saveMessage(m *cardbot.Message) error {
	m.NextAt = m.NextAt.UTC() // as ratings' due times: the stored record and its index entry agree
	if m.Status == cardbot.MessagePending {
		if err := t.bucket(idxMessagesDue).Put(messageDueKey(m), nil); err != nil {
			return err
		}
	}
	raw, err := appendMessageRecord(make([]byte, 0, 512), m)
	if err != nil {
		return fmt.Errorf("store: encode %s %d: %w", bucketMessages, m.ID, err)
	}
	if err := t.bucket(bucketMessages).Put(idKey(m.ID), raw); err != nil {
		return err
	}
	t.rememberMessage(m)
	return nil
}

// Message returns the outbox row with the given id.
func (t *tx) Message(id uint64) (*cardbot.Message, error) {
	m, err := t.loadMessage(id)
	if err != nil {
		return nil, err
	}
	t.rememberMessage(m)
	return m, nil
}

// loadMessage decodes a stored row: by decodeMessageRecord, or by encoding/json when that leaves it.
func (t *tx) loadMessage(id uint64) (*cardbot.Message, error) {
	key := idKey(id)
	raw := t.bucket(bucketMessages).Get(key)
	if raw == nil {
		return nil, cardbot.Errorf(cardbot.NotFound, "message %d not found", id)
	}
	m := new(cardbot.Message)
	if decodeMessageRecord(raw, m) {
		return m, nil
	}
	rec := messageRecord{Message: new(cardbot.Message)}
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, fmt.Errorf("store: decode %s %x: %w", bucketMessages, key, err)
	}
	return rec.Message, nil
}

// MessageRecipient returns of the row only whom it is for (id, ClientID, To): the dispatcher's poll sorts
// new rows into per-recipient queues with it and reads the whole row when it sends. It decodes the
// whole row (the reflection-free path of loadMessage is cheaper than a partial decode by encoding/json);
// what it saves is only that the poll holds no texts, buttons or attempts.
func (t *tx) MessageRecipient(id uint64) (*cardbot.Message, error) {
	m, err := t.loadMessage(id)
	if err != nil {
		return nil, err
	}
	return &cardbot.Message{ID: id, ClientID: m.ClientID, To: m.To}, nil
}

// DueMessages lists pending messages due by until, the longest-waiting first.
func (t *tx) DueMessages(until time.Time, limit int) ([]*cardbot.Message, error) {
	ids, err := t.DueMessageIDs(until, limit)
	if err != nil {
		return nil, err
	}
	msgs := make([]*cardbot.Message, 0, len(ids))
	for _, id := range ids {
		m, err := t.Message(id)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	}
	return msgs, nil
}

// DueMessageIDs lists the ids of pending messages due by until, from the index alone.
func (t *tx) DueMessageIDs(until time.Time, limit int) ([]uint64, error) {
	return t.dueIDs(idxMessagesDue, until, limit), nil
}

// ClientMessages lists a client's messages newest first, starting below before (0: the newest).
func (t *tx) ClientMessages(clientID uint64, before uint64, limit int) ([]*cardbot.Message, error) {
	msgs := []*cardbot.Message{}
	for _, id := range t.childrenNewestFirst(idxClientMessages, clientID, before, limit) {
		m, err := t.Message(id)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	}
	return msgs, nil
}
