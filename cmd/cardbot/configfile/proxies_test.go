package configfile

import (
	"net/netip"
	"testing"

	"cardbot"
)

// An owner behind nginx lists the proxy; a typo in a range is reported at its line, like every other
// mistake, before anything starts.
func TestTrustedProxiesValidation(t *testing.T) {
	checkOneProblem(t, []oneProblem{
		{"bad range", "http:\n  trusted_proxies:\n    - 127.0.0.1\n    - 10.0.0.0/33\n", "http.trusted_proxies[1]", `"10.0.0.0/33" is not an address range`, 4},
		{"host name", "http:\n  trusted_proxies: [nginx]\n", "http.trusted_proxies[0]", `"nginx" is not an IP address`, 2},
		{"address with a port", "http:\n  trusted_proxies:\n    - 127.0.0.1:80\n", "http.trusted_proxies[0]", "is not an IP address", 3},
		{"empty entry", "http:\n  trusted_proxies:\n    - \"\"\n", "http.trusted_proxies[0]", "is not an IP address", 3},
	})
}

func TestTrustedProxiesAccepted(t *testing.T) {
	cfg := mustParse(t, "http:\n  trusted_proxies: [127.0.0.1, \"::1\", 10.0.0.0/8, \"fd00::/8\", 172.16.5.9/12]\n", nil)
	got, err := cardbot.ParseTrustedProxies(cfg.HTTP.TrustedProxies)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 || !got.Trusts(netip.MustParseAddr("172.31.0.1")) || got.Trusts(netip.MustParseAddr("192.168.1.1")) {
		t.Fatalf("trusted proxies read as %v", got)
	}
	if def := mustParse(t, "", nil); len(def.HTTP.TrustedProxies) != 0 {
		t.Fatalf("by default nobody is trusted, got %v", def.HTTP.TrustedProxies)
	}
}
