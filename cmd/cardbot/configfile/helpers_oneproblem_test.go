package configfile

import (
	"strings"
	"testing"
)

// oneProblem is a config snippet that must give exactly one problem: at line, about path, saying msg.
type oneProblem struct {
	name, src, path, msg string
	line                 int
}

func checkOneProblem(t *testing.T, cases []oneProblem) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			_, ps := parse(t, tt.src, nil)
			if len(ps) != 1 || ps[0].Path != tt.path || !strings.Contains(ps[0].Message, tt.msg) || ps[0].Line != tt.line {
				t.Fatalf("want one problem at line %d, %s, saying %q; got:\n%v", tt.line, tt.path, tt.msg, ps)
			}
		})
	}
}
