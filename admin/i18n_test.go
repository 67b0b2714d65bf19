package admin

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"cardbot"
)

// Every text the templates translate has a Russian entry, so a Russian page has no English holes.
func TestEveryTemplateTextHasARussianTranslation(t *testing.T) {
	literal := regexp.MustCompile(`\.T "([^"]+)"`)
	prefixed := regexp.MustCompile(`\.T \(printf "([a-z]+_)%s"`)
	files, _ := fs.Glob(templateFiles, "templates/*.html")
	var missing []string
	for _, f := range files {
		src, _ := fs.ReadFile(templateFiles, f)
		for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
			if _, ok := russianTexts[m[1]]; !ok {
				missing = append(missing, m[1])
			}
		}
		for _, m := range prefixed.FindAllStringSubmatch(string(src), -1) {
			if !strings.HasPrefix(m[1], "op_") && !strings.HasPrefix(m[1], "field_") {
				t.Errorf("%s: a translated prefix %q the test does not know", f, m[1])
			}
		}
	}
	// The names templates build: operation types, form fields, card types, units, statuses.
	for _, op := range []cardbot.OpType{cardbot.OpIssue, cardbot.OpPurchase, cardbot.OpAccrue, cardbot.OpRedeem, cardbot.OpStamp,
		cardbot.OpReward, cardbot.OpSpend, cardbot.OpVisit, cardbot.OpAdjust, cardbot.OpCancel, cardbot.OpExpire} {
		for _, table := range []map[string]string{russianTexts, englishTexts} {
			if _, ok := table["op_"+string(op)]; !ok {
				missing = append(missing, "op_"+string(op))
			}
		}
	}
	for _, forms := range cardOps {
		for _, f := range forms {
			for _, field := range f.Fields {
				if _, ok := russianTexts["field_"+field]; !ok {
					missing = append(missing, "field_"+field)
				}
			}
		}
	}
	for _, typ := range cardbot.ProgramTypes {
		if _, ok := russianTexts[string(typ)]; !ok {
			missing = append(missing, string(typ))
		}
	}
	for _, s := range []string{"pending", "sent", "failed", "skipped", "retry", "reply", "notice", "marketing",
		"connected", "not_paired", "pairing", "disconnected", "logged_out", "owner", "staff", "points", "money", "stamps", "visits"} {
		if _, ok := russianTexts[s]; !ok {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("no Russian for:\n%s", strings.Join(missing, "\n"))
	}
}
