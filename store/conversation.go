package store

import (
	"errors"
	"time"

	"cardbot"
)

// conversationRecord is a dialogue's state as stored, keyed by its address ("telegram:42").
type conversationRecord struct {
	V int `json:"v"`
	*cardbot.Conversation
}

// Conversation returns the dialogue at an address.
func (t *tx) Conversation(a cardbot.Address) (*cardbot.Conversation, error) {
	rec := conversationRecord{Conversation: new(cardbot.Conversation)}
	found, err := t.loadKey(bucketConversations, []byte(a.Key()), &rec)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, cardbot.Errorf(cardbot.NotFound, "no conversation at %s", a.Key())
	}
	return rec.Conversation, nil
}

// PutConversation saves a dialogue's state under its address.
func (t *tx) PutConversation(c *cardbot.Conversation) error {
	if err := t.writable(); err != nil {
		return err
	}
	if c == nil || c.Address.Channel == "" || c.Address.ID == "" {
		return errors.New("store: a conversation needs an address")
	}
	return t.saveKey(bucketConversations, []byte(c.Address.Key()), conversationRecord{V: recordVersion, Conversation: c})
}

// SeenUpdate records a channel's update id and reports whether it was recorded before, so an update
// delivered twice (a webhook retry, a poll after a crash) is handled once.
func (t *tx) SeenUpdate(channel, updateID string, at time.Time) (bool, error) {
	if err := t.writable(); err != nil {
		return false, err
	}
	key := []byte(channel + ":" + updateID)
	seen := t.bucket(bucketUpdates)
	if seen.Get(key) != nil {
		return true, nil
	}
	return false, seen.Put(key, idKey(uint64(at.UnixNano())))
}
