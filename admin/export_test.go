package admin

// RouteInfo is one admin page route as the security tests see it.
type RouteInfo struct {
	Method, Path      string
	Public, OwnerOnly bool
}

// RoutesOf lists every route of the page, from the one table the page mounts.
func RoutesOf(p *Page) []RouteInfo {
	var out []RouteInfo
	for _, r := range p.routes() {
		out = append(out, RouteInfo{Method: r.method, Path: r.path, Public: r.access == public, OwnerOnly: r.access == ownerOnly})
	}
	return out
}
