package store

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"cardbot"
)

// userRecord is an admin page user as stored.
type userRecord struct {
	V int `json:"v"`
	*cardbot.User
}

// userKeys indexes users by name, case-insensitively, so "Anna" and "anna" cannot both exist.
func userKeys(u *cardbot.User) []uniqueKey {
	return []uniqueKey{{index: idxUserName, key: strings.ToLower(u.Name), label: "the name " + u.Name}}
}

func validateUser(u *cardbot.User) error {
	if u == nil {
		return errors.New("store: nil user")
	}
	if strings.TrimSpace(u.Name) == "" || len(u.Hash) == 0 {
		return cardbot.Errorf(cardbot.Invalid, "a user needs a name and a password hash")
	}
	if u.Role != cardbot.RoleOwner && u.Role != cardbot.RoleStaff {
		return cardbot.Errorf(cardbot.Invalid, "a user's role is owner or staff, not %q", u.Role)
	}
	return nil
}

// CreateUser assigns u.ID and stores u, refusing a name another user has.
func (t *tx) CreateUser(u *cardbot.User) error {
	if err := t.mayWrite(); err != nil {
		return err
	}
	if err := validateUser(u); err != nil {
		return err
	}
	keys := userKeys(u)
	if err := t.checkUnique("user", 0, keys); err != nil {
		return err
	}
	if err := t.writable(); err != nil {
		return err
	}
	id, err := t.bucket(bucketUsers).NextSequence()
	if err != nil {
		return err
	}
	u.ID = id
	if err := t.reindex("user", id, nil, keys); err != nil {
		return err
	}
	return t.save(bucketUsers, id, userRecord{V: recordVersion, User: u})
}

// PutUser replaces the user with u.ID (a new password or role).
func (t *tx) PutUser(u *cardbot.User) error {
	if err := t.mayWrite(); err != nil {
		return err
	}
	if err := validateUser(u); err != nil {
		return err
	}
	old, err := t.user(u.ID)
	if err != nil {
		return err
	}
	if err := t.reindex("user", u.ID, userKeys(old), userKeys(u)); err != nil {
		return err
	}
	return t.save(bucketUsers, u.ID, userRecord{V: recordVersion, User: u})
}

// UserByName returns the user with this name, compared case-insensitively.
func (t *tx) UserByName(name string) (*cardbot.User, error) {
	id := t.owner(uniqueKey{index: idxUserName, key: strings.ToLower(name)})
	if name == "" || id == 0 {
		return nil, cardbot.Errorf(cardbot.NotFound, "no user %q", name)
	}
	return t.user(id)
}

func (t *tx) user(id uint64) (*cardbot.User, error) {
	rec := userRecord{User: new(cardbot.User)}
	found, err := t.load(bucketUsers, id, &rec)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, cardbot.Errorf(cardbot.NotFound, "user %d not found", id)
	}
	return rec.User, nil
}

// Users lists every user by ascending id.
func (t *tx) Users() ([]*cardbot.User, error) {
	users := []*cardbot.User{}
	c := t.bucket(bucketUsers).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		u, err := t.user(keyID(k))
		if err != nil {
			return nil, err
		}
		users = append(users, u)
	}
	return users, nil
}

// sessionRecord is a session as stored, under its ID.
type sessionRecord struct {
	V int `json:"v"`
	*cardbot.Session
}

// PutSession saves s under s.ID.
func (t *tx) PutSession(s *cardbot.Session) error {
	if err := t.writable(); err != nil {
		return err
	}
	if s == nil || len(s.ID) == 0 {
		return errors.New("store: a session needs an id")
	}
	return t.saveKey(bucketSessions, s.ID, sessionRecord{V: recordVersion, Session: s})
}

// Session returns the session with the given ID.
func (t *tx) Session(id []byte) (*cardbot.Session, error) {
	rec := sessionRecord{Session: new(cardbot.Session)}
	if len(id) == 0 {
		return nil, cardbot.Errorf(cardbot.NotFound, "no session")
	}
	found, err := t.loadKey(bucketSessions, id, &rec)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, cardbot.Errorf(cardbot.NotFound, "no session")
	}
	return rec.Session, nil
}

// DeleteSession removes a session; removing one that does not exist is no error.
func (t *tx) DeleteSession(id []byte) error {
	if err := t.writable(); err != nil {
		return err
	}
	if len(id) == 0 {
		return nil
	}
	return t.bucket(bucketSessions).Delete(id)
}

// PruneSessions deletes up to limit sessions that expired before before and says how many it deleted.
func (t *tx) PruneSessions(before time.Time, limit int) (int, error) {
	return t.prune(bucketSessions, limit, func(v []byte) (bool, error) {
		var rec struct {
			ExpiresAt time.Time `json:"expires_at"`
		}
		if err := json.Unmarshal(v, &rec); err != nil {
			return false, err
		}
		return rec.ExpiresAt.Before(before), nil
	})
}

// Setting returns the value stored under key, or nil.
func (t *tx) Setting(key string) ([]byte, error) {
	if key == "" {
		return nil, errors.New("store: empty setting key")
	}
	v := t.bucket(bucketSettings).Get([]byte(key))
	if v == nil {
		return nil, nil
	}
	return append([]byte(nil), v...), nil
}

// PutSetting stores value under key; nil deletes the key.
func (t *tx) PutSetting(key string, value []byte) error {
	if err := t.writable(); err != nil {
		return err
	}
	if key == "" {
		return errors.New("store: empty setting key")
	}
	if value == nil {
		return t.bucket(bucketSettings).Delete([]byte(key))
	}
	return t.bucket(bucketSettings).Put([]byte(key), value)
}
