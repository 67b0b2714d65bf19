package cardbot

import (
	"fmt"
	"net/netip"
	"strings"
)

// TrustedProxies are the reverse proxies (nginx, Caddy, a load balancer) whose word about the client's
// address is believed: http.trusted_proxies. Empty trusts nobody, and every request's client is the
// address of the connection.
type TrustedProxies []netip.Prefix

// ParseTrustedProxy reads one entry of http.trusted_proxies: an address (10.0.0.5, ::1) or a range in
// CIDR form (10.0.0.0/8, fd00::/8).
func ParseTrustedProxy(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not an address range like 10.0.0.0/8 or fd00::/8", s)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("%q is not an IP address like 10.0.0.5 or a range like 10.0.0.0/8", s)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// ParseTrustedProxies reads the whole http.trusted_proxies list; the first bad entry is the error.
func ParseTrustedProxies(list []string) (TrustedProxies, error) {
	out := make(TrustedProxies, 0, len(list))
	for _, s := range list {
		p, err := ParseTrustedProxy(s)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// Trusts reports whether a is one of the proxies.
func (t TrustedProxies) Trusts(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range t {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientIP is the address of the client behind a request that came from peer, the other end of the
// connection. Only when peer is a trusted proxy are the proxy headers read: forwardedFor holds the
// X-Forwarded-For headers in the order they came, realIP the X-Real-IP header.
//
// X-Forwarded-For is read from the right: each proxy appends the address it got the request from, so
// the right-most address that is not a trusted proxy is the first one a trusted proxy vouches for.
// Everything to its left was written by the client, who may write anything. An entry that is not an
// address ends the walk: the nearest hop known is the answer. With no X-Forwarded-For, X-Real-IP is
// used (nginx's $remote_addr); with neither, the proxy itself is the client.
func (t TrustedProxies) ClientIP(peer netip.Addr, forwardedFor []string, realIP string) netip.Addr {
	peer = peer.Unmap()
	if !t.Trusts(peer) {
		return peer
	}
	client, seen := peer, false
	for i := len(forwardedFor) - 1; i >= 0; i-- {
		hops := strings.Split(forwardedFor[i], ",")
		for j := len(hops) - 1; j >= 0; j-- {
			if strings.TrimSpace(hops[j]) == "" {
				continue
			}
			a, ok := hopAddr(hops[j])
			if !ok {
				return client
			}
			client, seen = a, true
			if !t.Trusts(a) {
				return a
			}
		}
	}
	if seen {
		return client // every hop is a proxy: the request was made inside the trusted network
	}
	if a, ok := hopAddr(realIP); ok {
		return a
	}
	return peer
}

// hopAddr reads one address of a proxy header: 203.0.113.7, 2001:db8::1, and the forms some proxies
// write with a port, 203.0.113.7:5123 and [2001:db8::1]:5123.
func hopAddr(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil && ap.Addr().Zone() == "" {
		return ap.Addr().Unmap(), true
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		if a, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil && a.Zone() == "" {
			return a.Unmap(), true
		}
	}
	return netip.Addr{}, false
}
