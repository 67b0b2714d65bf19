package cardbot

import "time"

// Role is what an admin page user may do.
type Role string

// Roles. Staff find clients and record operations; owners do everything.
const (
	RoleOwner Role = "owner"
	RoleStaff Role = "staff"
)

// User is a person who logs in to the admin page. Only a bcrypt hash of the password is kept.
type User struct {
	ID        uint64    `json:"id"`
	Name      string    `json:"name"` // the login, unique
	Role      Role      `json:"role"`
	Hash      []byte    `json:"hash"` // bcrypt
	CreatedAt time.Time `json:"created_at"`
}

// Session is a logged-in browser. The cookie holds a random secret; the store keeps its SHA-256 as
// the ID, so a copy of the database opens no session.
type Session struct {
	ID        []byte    `json:"id"`
	UserID    uint64    `json:"user_id"`
	UserName  string    `json:"user_name"` // users from config.yaml have no id
	CSRF      string    `json:"csrf"`      // the token every form of this session carries
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"` // moves forward while the session is used
}
