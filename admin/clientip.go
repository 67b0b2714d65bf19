package admin

import (
	"net"
	"net/netip"

	"cardbot"

	"github.com/gofiber/fiber/v2"
)

// clientAddress makes the request's remote address the client's, as the trusted proxies tell it
// (cardbot.TrustedProxies.ClientIP), so c.IP() is that address for every limiter and log line, in
// every package mounted on the app. This is what nginx's realip module does; fiber's own ProxyHeader
// cannot be used: it takes the left-most X-Forwarded-For address, which the client writes itself.
func clientAddress(proxies cardbot.TrustedProxies) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx := c.Context()
		// A keep-alive connection reuses the context: start from the connection's own address, never
		// from what an earlier request on it was given.
		ctx.SetRemoteAddr(nil)
		conn, _ := ctx.RemoteAddr().(*net.TCPAddr)
		if conn == nil {
			return c.Next()
		}
		peer, _ := netip.AddrFromSlice(conn.IP)
		if !proxies.Trusts(peer) {
			return c.Next()
		}
		var forwarded []string
		for _, v := range c.Request().Header.PeekAll(fiber.HeaderXForwardedFor) {
			forwarded = append(forwarded, string(v))
		}
		client := proxies.ClientIP(peer, forwarded, c.Get("X-Real-IP"))
		ctx.SetRemoteAddr(&net.TCPAddr{IP: client.AsSlice()})
		return c.Next()
	}
}
