package configfile

import (
	"fmt"

	"cardbot"
)

// trustedProxies checks http.trusted_proxies: every entry an address or a CIDR range.
func (v *validator) trustedProxies(list []string) {
	for i, s := range list {
		if _, err := cardbot.ParseTrustedProxy(s); err != nil {
			v.add(fmt.Sprintf("http.trusted_proxies[%d]", i), "%s", err)
		}
	}
}
