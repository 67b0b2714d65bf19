package cardbot

import "testing"

func TestGroupNumber(t *testing.T) {
	for in, want := range map[string]string{"": "", "123": "123", "12345678": "1234 5678", "1234 5678 9": "1234 5678 9", "4821930517": "4821 9305 17"} {
		if got := GroupNumber(in); got != want {
			t.Errorf("GroupNumber(%q) = %q, want %q", in, got, want)
		}
	}
}
