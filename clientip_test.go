package cardbot_test

import (
	"net/netip"
	"testing"

	"cardbot"
)

func proxies(t testing.TB, list ...string) cardbot.TrustedProxies {
	t.Helper()
	p, err := cardbot.ParseTrustedProxies(list)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestClientIPBehindProxies(t *testing.T) {
	nginx := proxies(t, "127.0.0.1", "10.0.0.0/8", "fd00::/8")
	ip := netip.MustParseAddr
	cases := []struct {
		name   string
		trust  cardbot.TrustedProxies
		peer   string
		xff    []string
		realIP string
		want   string
	}{
		{"nobody trusted: the socket address, headers ignored", nil, "203.0.113.7", []string{"198.51.100.1"}, "198.51.100.2", "203.0.113.7"},
		{"an untrusted peer cannot claim another address", nginx, "203.0.113.7", []string{"198.51.100.1"}, "198.51.100.2", "203.0.113.7"},
		{"nginx appends the visitor", nginx, "127.0.0.1", []string{"198.51.100.1"}, "", "198.51.100.1"},
		{"a forged left part is not believed", nginx, "127.0.0.1", []string{"1.2.3.4, 198.51.100.1"}, "", "198.51.100.1"},
		{"two proxies in a row", nginx, "127.0.0.1", []string{"1.2.3.4, 198.51.100.1, 10.1.2.3"}, "", "198.51.100.1"},
		{"header split over lines", nginx, "127.0.0.1", []string{"1.2.3.4", "198.51.100.1,10.1.2.3"}, "", "198.51.100.1"},
		{"only X-Real-IP", nginx, "127.0.0.1", nil, "198.51.100.9", "198.51.100.9"},
		{"X-Forwarded-For wins over X-Real-IP", nginx, "127.0.0.1", []string{"198.51.100.1"}, "198.51.100.9", "198.51.100.1"},
		{"no headers: the proxy itself", nginx, "127.0.0.1", nil, "", "127.0.0.1"},
		{"garbage stops the walk at the nearest known hop", nginx, "127.0.0.1", []string{"198.51.100.1, bogus, 10.1.2.3"}, "", "10.1.2.3"},
		{"garbage right away: the proxy", nginx, "127.0.0.1", []string{"bogus"}, "198.51.100.9", "127.0.0.1"},
		{"every hop trusted: the left-most", nginx, "127.0.0.1", []string{"10.9.9.9, 10.1.2.3"}, "", "10.9.9.9"},
		{"ports and brackets", nginx, "127.0.0.1", []string{"[2001:db8::1]:5123, 198.51.100.1:80"}, "", "198.51.100.1"},
		{"IPv6 visitor through an IPv6 proxy", nginx, "fd00::2", []string{"2001:db8::1"}, "", "2001:db8::1"},
		{"IPv4-mapped peer", nginx, "::ffff:127.0.0.1", []string{"198.51.100.1"}, "", "198.51.100.1"},
		{"empty entries skipped", nginx, "127.0.0.1", []string{"198.51.100.1, ,"}, "", "198.51.100.1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.trust.ClientIP(ip(c.peer), c.xff, c.realIP); got != ip(c.want) {
				t.Fatalf("client %v, want %s", got, c.want)
			}
		})
	}
}

func TestParseTrustedProxy(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1": "127.0.0.1/32", " ::1 ": "::1/128", "10.1.2.3/8": "10.0.0.0/8", "::ffff:10.0.0.1": "10.0.0.1/32",
	} {
		got, err := cardbot.ParseTrustedProxy(in)
		if err != nil || got.String() != want {
			t.Errorf("ParseTrustedProxy(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "nginx", "10.0.0.0/33", "10.0.0.1:80", "fe80::1%eth0", "10.0.0.0/"} {
		if _, err := cardbot.ParseTrustedProxy(bad); err == nil {
			t.Errorf("ParseTrustedProxy(%q) accepted", bad)
		}
	}
}

// Whatever the headers say, the answer is an address, and never one the peer did not vouch for when
// the peer is not trusted.
func FuzzClientIP(f *testing.F) {
	f.Add("1.2.3.4, 198.51.100.1", "198.51.100.9", true)
	f.Add("[::1]:80,,bogus", "", false)
	trust := proxies(f, "127.0.0.1", "10.0.0.0/8")
	f.Fuzz(func(t *testing.T, xff, realIP string, trusted bool) {
		peer := netip.MustParseAddr("203.0.113.7")
		if trusted {
			peer = netip.MustParseAddr("127.0.0.1")
		}
		got := trust.ClientIP(peer, []string{xff}, realIP)
		if !got.IsValid() || got.Zone() != "" {
			t.Fatalf("ClientIP(%q, %q) = %v", xff, realIP, got)
		}
		if !trusted && got != peer {
			t.Fatalf("untrusted peer's headers believed: %v", got)
		}
	})
}
