package main

import (
	"regexp"
	"strings"
	"testing"
)

// The owner lists the keys and revokes a till's while the service runs; the till is refused at once.
// With the service stopped the same commands work on the database.
func TestAPIKeysAreListedAndRevokedWhileServing(t *testing.T) {
	configPath := writeConfig(t, smallConfig)
	srv, stop := runServer(t, configPath)
	base := "http://" + srv.Addr()
	keyIn := regexp.MustCompile(`cb_[a-z0-9]+`)

	_, out, _ := cli(t, "apikey", "create", "till-1", "-config", configPath)
	till := keyIn.FindString(out)
	_, out, _ = cli(t, "apikey", "create", "crm", "-config", configPath)
	crm := keyIn.FindString(out)
	if httpDo(t, "GET", base+"/api/v1/clients", till, "").status != 200 {
		t.Fatal("a new key is refused")
	}

	code, out, errOut := cli(t, "apikey", "list", "-config", configPath)
	if code != 0 || !strings.Contains(out, "till-1") || !strings.Contains(out, till[:8]+"…") ||
		strings.Count(out, "active") != 2 || strings.Contains(out, till) {
		t.Fatalf("list: %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = cli(t, "apikey", "revoke", "till-1", "-config", configPath)
	if code != 0 || !strings.Contains(out, "revoked") {
		t.Fatalf("revoke: %d %s %s", code, out, errOut)
	}
	if r := httpDo(t, "GET", base+"/api/v1/clients", till, ""); r.status != 401 {
		t.Fatalf("the revoked key still works: %d %s", r.status, r.body)
	}
	if httpDo(t, "GET", base+"/api/v1/clients", crm, "").status != 200 {
		t.Fatal("revoking one key stopped another")
	}
	if code, _, errOut := cli(t, "apikey", "revoke", "nobody", "-config", configPath); code == 0 || !strings.Contains(errOut, "nobody") {
		t.Fatalf("revoking an unknown key: %d %s", code, errOut)
	}

	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := cli(t, "apikey", "revoke", crm[:8], "-config", configPath); code != 0 {
		t.Fatalf("revoke on a stopped service: %s %s", out, errOut)
	}
	_, out, _ = cli(t, "apikey", "list", "-config", configPath)
	if strings.Count(out, "revoked") != 2 || strings.Contains(out, "active") {
		t.Fatalf("both keys should be revoked:\n%s", out)
	}
}
