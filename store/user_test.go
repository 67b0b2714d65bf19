package store

import (
	"testing"
	"time"

	"cardbot"
)

func TestUsersHaveUniqueNamesWhateverTheCase(t *testing.T) {
	db := openTestDB(t)
	anna := &cardbot.User{Name: "Anna", Role: cardbot.RoleOwner, Hash: []byte("h1"), CreatedAt: testTime}
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.CreateUser(anna) })
	err := db.Update(t.Context(), func(tx cardbot.Tx) error {
		return tx.CreateUser(&cardbot.User{Name: "anna", Role: cardbot.RoleStaff, Hash: []byte("h2")})
	})
	wantCode(t, err, cardbot.Conflict, "")
	err = db.Update(t.Context(), func(tx cardbot.Tx) error {
		return tx.CreateUser(&cardbot.User{Name: "boris", Role: "king", Hash: []byte("h2")})
	})
	wantCode(t, err, cardbot.Invalid, "")

	// A new name moves the index entry; the old name is free again.
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		u, err := tx.UserByName("ANNA")
		if err != nil {
			return err
		}
		u.Name, u.Role = "Anya", cardbot.RoleStaff
		return tx.PutUser(u)
	})
	mustView(t, db, func(tx cardbot.Tx) error {
		if _, err := tx.UserByName("anna"); cardbot.CodeOf(err) != cardbot.NotFound {
			t.Fatalf("old name still found: %v", err)
		}
		u, err := tx.UserByName("anya")
		if err != nil || u.Role != cardbot.RoleStaff || u.ID != anna.ID {
			t.Fatalf("renamed user %+v, %v", u, err)
		}
		users, err := tx.Users()
		if err != nil || len(users) != 1 {
			t.Fatalf("users %v, %v", users, err)
		}
		return nil
	})
}

func TestSessionsAndSettings(t *testing.T) {
	db := openTestDB(t)
	s := &cardbot.Session{ID: []byte{1, 2, 3}, UserName: "anna", CSRF: "tok", ExpiresAt: testTime.Add(time.Hour)}
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.PutSession(s) })
	mustUpdate(t, db, func(tx cardbot.Tx) error { return tx.PutSetting("k", []byte(`{"a":1}`)) })
	mustView(t, db, func(tx cardbot.Tx) error {
		got, err := tx.Session([]byte{1, 2, 3})
		if err != nil || got.CSRF != "tok" || !got.ExpiresAt.Equal(s.ExpiresAt) {
			t.Fatalf("session %+v, %v", got, err)
		}
		if _, err := tx.Session([]byte{9}); cardbot.CodeOf(err) != cardbot.NotFound {
			t.Fatalf("unknown session: %v", err)
		}
		v, err := tx.Setting("k")
		if err != nil || string(v) != `{"a":1}` {
			t.Fatalf("setting %q, %v", v, err)
		}
		if v, err := tx.Setting("none"); v != nil || err != nil {
			t.Fatalf("missing setting %q, %v", v, err)
		}
		if err := tx.PutSetting("k", nil); err == nil {
			t.Fatal("a write in View")
		}
		return nil
	})
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		if err := tx.DeleteSession([]byte{1, 2, 3}); err != nil {
			return err
		}
		return tx.PutSetting("k", nil)
	})
	mustView(t, db, func(tx cardbot.Tx) error {
		if _, err := tx.Session([]byte{1, 2, 3}); cardbot.CodeOf(err) != cardbot.NotFound {
			t.Fatalf("deleted session: %v", err)
		}
		if v, _ := tx.Setting("k"); v != nil {
			t.Fatalf("deleted setting %q", v)
		}
		return nil
	})
}

func TestPruneSessionsDeletesOnlyExpiredOnes(t *testing.T) {
	db := openTestDB(t)
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		for i, expires := range []time.Duration{-48 * time.Hour, -time.Second, 0, time.Hour} {
			s := &cardbot.Session{ID: []byte{byte(i + 1)}, UserName: "anna", ExpiresAt: testTime.Add(expires)}
			if err := tx.PutSession(s); err != nil {
				return err
			}
		}
		return nil
	})
	mustUpdate(t, db, func(tx cardbot.Tx) error {
		if n, err := tx.PruneSessions(testTime, 1); n != 1 || err != nil {
			t.Fatalf("pruned %d sessions with a limit of 1: %v", n, err)
		}
		if n, err := tx.PruneSessions(testTime, 10); n != 1 || err != nil {
			t.Fatalf("pruned %d more sessions: %v", n, err)
		}
		for id, kept := range map[byte]bool{1: false, 2: false, 3: true, 4: true} {
			_, err := tx.Session([]byte{id})
			if found := err == nil; found != kept {
				t.Errorf("session %d kept %v, want %v (%v)", id, found, kept, err)
			}
		}
		return nil
	})
}
