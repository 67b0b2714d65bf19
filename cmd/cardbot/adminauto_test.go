package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// The wired service gives the admin page its broadcasts, statistics and the running scheduler: the
// owner's three screens open, and the automation screen lists every job with its next run.
func TestAdminAutomationScreensAreWired(t *testing.T) {
	configPath := writeConfig(t, smallConfig)
	srv, stop := runServer(t, configPath)
	defer func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	}()
	var out strings.Builder
	if err := userCommand(t.Context(), []string{"add", "olga", "-config", configPath}, strings.NewReader("correct horse\n"), &out); err != nil {
		t.Fatal(err)
	}
	base := "http://" + srv.Addr()
	owner := adminLogin(t, base, "olga", "correct horse")
	read := func(path string) string {
		t.Helper()
		resp, err := owner.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d\n%s", path, resp.StatusCode, body)
		}
		return string(body)
	}
	read("/admin/broadcasts")
	if body := read("/admin/stats"); !strings.Contains(body, `id="fig-revenue"`) || !strings.Contains(body, `id="fig-rating-count"`) {
		t.Fatalf("the statistics page has no figures or no ratings:\n%s", body)
	}
	jobs := read("/admin/automation")
	for _, j := range srv.scheduler.Jobs() {
		if !strings.Contains(jobs, `id="job-`+j.Name+`"`) {
			t.Errorf("job %s is not listed", j.Name)
		}
	}
	read("/admin/automation/ratings")
}
