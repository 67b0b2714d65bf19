package admin_test

import (
	"context"
	"strings"
	"testing"

	"cardbot"
	"cardbot/admin"
)

// A till's key is revoked by its name and is refused from the next request on; the other keys go on
// working. A name two active keys share is refused until the owner names one by its prefix.
func TestRevokedAPIKeyIsRefusedAtOnce(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	crm, err := admin.CreateAPIKey(ctx, s.db, "crm", s.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	s.call("GET", "/api/v1/clients", nil).must(t, 200)

	revoked, err := admin.RevokeAPIKey(ctx, s.db, "till-1", s.clock.Now())
	if err != nil || revoked.Name != "till-1" || !revoked.Revoked || !revoked.RevokedAt.Equal(s.clock.Now()) {
		t.Fatalf("revoke till-1: %+v, %v", revoked, err)
	}
	r := s.call("GET", "/api/v1/clients", nil).must(t, 401)
	if r.str(t, "error.code") != "unauthorized" {
		t.Fatalf("a revoked key: %s", r.Raw)
	}
	s.call("GET", "/api/v1/clients", nil, "Authorization", "Bearer "+crm).must(t, 200)
	if _, err := admin.RevokeAPIKey(ctx, s.db, "till-1", s.clock.Now()); cardbot.CodeOf(err) != cardbot.NotFound {
		t.Fatalf("revoking a revoked key again: %v", err)
	}

	// Two active keys named "crm": the name is ambiguous, the prefix and the secret are not.
	second, err := admin.CreateAPIKey(ctx, s.db, "crm", s.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.RevokeAPIKey(ctx, s.db, "crm", s.clock.Now()); cardbot.CodeOf(err) != cardbot.Conflict {
		t.Fatalf("an ambiguous name: %v", err)
	}
	if k, err := admin.RevokeAPIKey(ctx, s.db, second[:8], s.clock.Now()); err != nil || k.Prefix != second[:8] {
		t.Fatalf("revoke by prefix: %+v, %v", k, err)
	}
	s.call("GET", "/api/v1/clients", nil, "Authorization", "Bearer "+second).must(t, 401)
	s.call("GET", "/api/v1/clients", nil, "Authorization", "Bearer "+crm).must(t, 200)
	if _, err := admin.RevokeAPIKey(ctx, s.db, crm, s.clock.Now()); err != nil {
		t.Fatalf("revoke by the secret itself: %v", err)
	}
	s.call("GET", "/api/v1/clients", nil, "Authorization", "Bearer "+crm).must(t, 401)
	// Revoked already: refused, and the error does not repeat the secret it was given.
	_, err = admin.RevokeAPIKey(ctx, s.db, crm, s.clock.Now())
	if cardbot.CodeOf(err) != cardbot.NotFound || strings.Contains(err.Error(), crm[8:]) {
		t.Fatalf("revoking a revoked key by its secret: %v", err)
	}

	keys, err := admin.APIKeys(ctx, s.db)
	if err != nil || len(keys) != 3 {
		t.Fatalf("list: %v, %v", keys, err)
	}
	for _, k := range keys {
		if !k.Revoked {
			t.Errorf("key %s (%s) is still active", k.Name, k.Prefix)
		}
	}
}
