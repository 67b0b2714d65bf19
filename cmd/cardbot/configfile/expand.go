package configfile

import (
	"fmt"
	"strings"
)

// expand replaces ${VAR} with the variable's value, ${VAR:-default} with the default when VAR is
// unset or empty, and $$ with $. A $ followed by anything else is kept. The default is taken as it is
// written (no expansion inside it) and ends at the first }. changed reports whether s had anything to
// expand; errs says what could not be, one sentence each.
func expand(s string, env func(string) (string, bool)) (out string, changed bool, errs []string) {
	if !strings.Contains(s, "$") {
		return s, false, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c != '$' || i+1 == len(s):
			b.WriteByte(c)
			i++
		case s[i+1] == '$':
			b.WriteByte('$')
			i += 2
			changed = true
		case s[i+1] == '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				errs = append(errs, fmt.Sprintf("%q has no closing }; write $$ for a literal $", s[i:]))
				return s, true, errs
			}
			ref := s[i+2 : i+2+end]
			name, def, hasDef := strings.Cut(ref, ":-")
			val, set := "", false
			if validVarName(name) {
				val, set = env(name)
			}
			switch {
			case !validVarName(name):
				errs = append(errs, fmt.Sprintf("${%s} is not a variable reference like ${NAME} or ${NAME:-default}; write $$ for a literal $", ref))
			case set && (val != "" || !hasDef):
				b.WriteString(val)
			case hasDef:
				b.WriteString(def)
			default:
				errs = append(errs, fmt.Sprintf("environment variable %s is not set; set it, or give a default: ${%s:-value}", name, name))
			}
			i += 2 + end + 1
			changed = true
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), changed, errs
}

// validVarName reports whether s is a shell variable name: a letter or _, then letters, digits, _.
func validVarName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
