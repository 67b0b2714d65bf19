package flows

import (
	"errors"
	"strings"
	"testing"
	"time"

	"cardbot"
)

// testToday is a fixed "now" so ages, two-digit years and the future stay put.
var testToday = time.Date(2026, time.June, 10, 23, 30, 0, 0, time.FixedZone("MSK", 3*3600))

func TestParseBirthdayAccepts(t *testing.T) {
	cases := []struct{ in, want string }{
		{"15.03.1990", "1990-03-15"},
		{"15.03", "--03-15"},
		{"15/03/1990", "1990-03-15"},
		{"15-03-1990", "1990-03-15"},
		{"1990-03-15", "1990-03-15"},
		{"15 марта 1990", "1990-03-15"},
		{"15 март", "--03-15"},
		{"15 мар", "--03-15"},
		{"15 march", "--03-15"},
		{"15 Mar 1990", "1990-03-15"},
		{"March 15, 1990", "1990-03-15"},
		{"march 15", "--03-15"},
		{"5.3.90", "1990-03-05"},
		{"5.3.26", "2026-03-05"}, // this year's two digits: this century
		{"5.3.27", "1927-03-05"}, // above them: the last century
		{"1.1.00", "2000-01-01"},
		{"  15.03.1990  ", "1990-03-15"},
		{"\t15.03.1990\n", "1990-03-15"},
		{"15.03.1990 г.", "1990-03-15"},
		{"15.03.1990г", "1990-03-15"},
		{"15.03.1990 г.р.", "1990-03-15"},
		{"15 марта 1990 года", "1990-03-15"},
		{"15 марта 1990г.", "1990-03-15"},
		{"15 МАРТА 1990 ГОДА", "1990-03-15"},
		{"15 Марта", "--03-15"},
		{"15.03.", "--03-15"},
		{"15. 03. 1990", "1990-03-15"},
		{"15 03 1990", "1990-03-15"},
		{"15 – 03 – 1990", "1990-03-15"},
		{"15\u00a0марта", "--03-15"},
		{"15марта1990", "1990-03-15"},
		{"1 января", "--01-01"},
		{"1 январь", "--01-01"},
		{"1 янв", "--01-01"},
		{"1 янв.", "--01-01"},
		{"1 ЯНВАРЁМ", "--01-01"},
		{"2 февраля 2002", "2002-02-02"},
		{"3 апр", "--04-03"},
		{"7 мая 1985", "1985-05-07"},
		{"7 май", "--05-07"},
		{"8 июня", "--06-08"},
		{"8 июля", "--07-08"},
		{"9 авг", "--08-09"},
		{"3 сент.", "--09-03"},
		{"3 Сентября", "--09-03"},
		{"4 окт 1977", "1977-10-04"},
		{"5 ноября", "--11-05"},
		{"31 декабря 1999", "1999-12-31"},
		{"31 dec 1999", "1999-12-31"},
		{"December 31, 1999", "1999-12-31"},
		{"Sept 3", "--09-03"},
		{"1st January 1990", "1990-01-01"},
		{"15-го марта", "--03-15"},
		{"29.02.2000", "2000-02-29"},
		{"29.02", "--02-29"},
		{"10.06.2026", "2026-06-10"}, // born today
		{"10.06.1906", "1906-06-10"}, // 120 today
		{"11.06.1905", "1905-06-11"}, // 120 until tomorrow
	}
	for _, c := range cases {
		d, err := ParseBirthday(c.in, testToday)
		if err != nil {
			t.Errorf("ParseBirthday(%q): %v", c.in, err)
			continue
		}
		if d.String() != c.want {
			t.Errorf("ParseBirthday(%q) = %s, want %s", c.in, d, c.want)
		}
	}
}

func TestParseBirthdayRefuses(t *testing.T) {
	cases := []struct{ in, reason string }{
		{"", BirthdayNotADate},
		{"   ", BirthdayNotADate},
		{"hello", BirthdayNotADate},
		{"не помню", BirthdayNotADate},
		{"1990", BirthdayNotADate},
		{"15", BirthdayNotADate},
		{"март", BirthdayNotADate},
		{"март 1990", BirthdayNotADate},
		{"1990-03", BirthdayNotADate},
		{"03.1990", BirthdayNotADate},
		{"15 ма", BirthdayNotADate},
		{"15 foo 1990", BirthdayNotADate},
		{"15 марта г.", BirthdayNotADate},
		{"15..03.1990", BirthdayNotADate},
		{"15.03.1990!", BirthdayNotADate},
		{"-15.03.1990", BirthdayNotADate},
		{"15.03.1990 12:00", BirthdayNotADate},
		{"15.03.1990.01", BirthdayNotADate},
		{"015.03.1990", BirthdayNotADate},
		{"15.003.1990", BirthdayNotADate},
		{"15.03.199", BirthdayNotADate},
		{"15.03.19900", BirthdayNotADate},
		{"15 марта 1990 1990", BirthdayNotADate},
		{"22nd of", BirthdayNotADate},
		{"١٥.٠٣.١٩٩٠", BirthdayNotADate}, // digits of another script
		{strings.Repeat("1", 65), BirthdayNotADate},
		{"15.03.1990" + strings.Repeat(" ", 60) + "г", BirthdayNotADate},
		{strings.Repeat(" 15", 10000), BirthdayNotADate},
		{"31.02", BirthdayNoSuchDay},
		{"31.02.1990", BirthdayNoSuchDay},
		{"29.02.2023", BirthdayNoSuchDay},
		{"31 апреля", BirthdayNoSuchDay},
		{"15.13.1990", BirthdayNoSuchDay},
		{"15.00.1990", BirthdayNoSuchDay},
		{"0.1.1990", BirthdayNoSuchDay},
		{"32 марта", BirthdayNoSuchDay},
		{"11.06.2026", BirthdayInFuture},
		{"1.1.2027", BirthdayInFuture},
		{"1 января 3000", BirthdayInFuture},
		{"10.06.1905", BirthdayTooOld},
		{"15.03.1890", BirthdayTooOld},
		{"15.03.0000", BirthdayTooOld},
		{"15.03.0001", BirthdayTooOld},
	}
	for _, c := range cases {
		d, err := ParseBirthday(c.in, testToday)
		var e *cardbot.Error
		if !errors.As(err, &e) {
			t.Errorf("ParseBirthday(%q) = %v, %v; want a *cardbot.Error", c.in, d, err)
			continue
		}
		if e.Code != cardbot.Invalid || e.Message != c.reason {
			t.Errorf("ParseBirthday(%q) error = %v; want %s: %s", c.in, err, cardbot.Invalid, c.reason)
		}
	}
}

// TestParseBirthdayTodayInItsZone checks "today" is read in the clock's own zone: at 23:30 in Moscow
// on 10 June it is already 11 June in Vladivostok.
func TestParseBirthdayTodayInItsZone(t *testing.T) {
	vlad := testToday.In(time.FixedZone("VLAT", 10*3600))
	if _, err := ParseBirthday("11.06.2026", vlad); err != nil {
		t.Errorf("born today in Vladivostok: %v", err)
	}
	if _, err := ParseBirthday("11.06.2026", testToday); err == nil {
		t.Error("born tomorrow in Moscow: accepted")
	}
}

// TestMonthPrefixesAreUnique backs the three-letter rule of monthByName: every prefix of three or
// more letters of a month's form names that month and no other.
func TestMonthPrefixesAreUnique(t *testing.T) {
	for m, forms := range monthForms {
		for _, f := range forms {
			r := []rune(f)
			for n := 3; n <= len(r); n++ {
				if got := monthByName(string(r[:n])); got != m+1 {
					t.Errorf("monthByName(%q) = %d, want %d", string(r[:n]), got, m+1)
				}
			}
		}
	}
}

func FuzzParseBirthday(f *testing.F) {
	for _, s := range []string{
		"15.03.1990", "15.03", "1990-03-15", "15 марта 1990 г.", "March 15, 1990", "5.3.90",
		"29.02.2023", "31 апреля", "15 мар", "1st jan", "15-го мая", "", "ёлка", "1.1.00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseBirthday(s, testToday)
		if err != nil {
			var e *cardbot.Error
			if !errors.As(err, &e) || e.Code != cardbot.Invalid || e.Message == "" {
				t.Fatalf("ParseBirthday(%q): error %v is not an Invalid *cardbot.Error", s, err)
			}
			return
		}
		if !d.Valid() {
			t.Fatalf("ParseBirthday(%q) = %+v, not a valid date", s, d)
		}
		if d.Year != 0 {
			ty, tm, td := testToday.Date()
			if time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).After(time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC)) {
				t.Fatalf("ParseBirthday(%q) = %s, after today", s, d)
			}
			if d.Year < ty-maxAge-1 {
				t.Fatalf("ParseBirthday(%q) = %s, older than %d", s, d, maxAge)
			}
		}
		back, err := cardbot.ParseDate(d.String())
		if err != nil || back != d {
			t.Fatalf("ParseBirthday(%q) = %s; ParseDate gives %+v, %v", s, d, back, err)
		}
	})
}

func BenchmarkParseBirthday(b *testing.B) {
	inputs := []string{"15.03.1990", "15 марта 1990 года", "March 15, 1990", "не помню", "31.02.1990"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		ParseBirthday(inputs[i%len(inputs)], testToday)
	}
}
