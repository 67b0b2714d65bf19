package configfile

import (
	"fmt"
	"strings"

	"cardbot"
)

// admin checks the admin page users written in the file: a name, a role, and a bcrypt hash (never a
// plain password: `cardbot user hash` prints one).
func (v *validator) admin(a *cardbot.AdminConfig) {
	seen := map[string]int{}
	for i, u := range a.Users {
		at := fmt.Sprintf("admin.users[%d]", i)
		name := strings.ToLower(strings.TrimSpace(u.Name))
		switch first, dup := seen[name]; {
		case name == "":
			v.add(at+".name", "must be set: the login")
		case dup:
			v.add(at+".name", "%q is already admin.users[%d]", u.Name, first)
		default:
			seen[name] = i
		}
		if u.Role != cardbot.RoleOwner && u.Role != cardbot.RoleStaff {
			v.add(at+".role", "must be owner or staff, not %q", u.Role)
		}
		if !isBcrypt(u.PasswordHash) {
			v.add(at+".password_hash", "must be a bcrypt hash like $2a$10$…: make one with `cardbot user hash`")
		}
	}
}

// isBcrypt reports whether s looks like a bcrypt hash ($2a$, $2b$ or $2y$, cost, 53 characters).
func isBcrypt(s string) bool {
	return len(s) == 60 && (strings.HasPrefix(s, "$2a$") || strings.HasPrefix(s, "$2b$") || strings.HasPrefix(s, "$2y$"))
}
