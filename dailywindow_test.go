package cardbot

import "testing"

func TestInDailyWindow(t *testing.T) {
	night, lunch := [2]int{21 * 60, 9 * 60}, [2]int{13 * 60, 14 * 60}
	for _, c := range []struct {
		window [2]int
		minute int
		in     bool
	}{
		{night, 21 * 60, true}, {night, 23*60 + 59, true}, {night, 0, true}, {night, 9*60 - 1, true},
		{night, 9 * 60, false}, {night, 12 * 60, false}, {night, 21*60 - 1, false},
		{lunch, 13 * 60, true}, {lunch, 14*60 - 1, true}, {lunch, 14 * 60, false}, {lunch, 12*60 + 59, false},
		{[2]int{600, 600}, 600, false},
	} {
		if got := InDailyWindow(c.window[0], c.window[1], c.minute); got != c.in {
			t.Errorf("window %v, minute %d: %v, want %v", c.window, c.minute, got, c.in)
		}
	}
}
