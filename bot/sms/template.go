package sms

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"text/template"
	"text/template/parse"

	"cardbot"
)

// Fields is what the url, body and success_json_path templates see.
type Fields struct {
	Phone  string // E.164 with the plus: +79991234567 (a + in a query must be escaped: {{.Phone | urlquery}})
	Digits string // the same without the plus: 79991234567, what most gateways want
	Text   string // the message as it will be sent
	Sender string // sms.sender
}

// fieldNames are the fields of Fields, for checking templates before they run.
var fieldNames = []string{"Phone", "Digits", "Text", "Sender"}

// funcs are the helpers templates may use besides text/template's own (urlquery, html, js, print…).
var funcs = template.FuncMap{
	// json writes a value as JSON, quotes included: {"text": {{json .Text}}}.
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
}

// TemplateError is a template of the sms section that cannot be used; Key is its config key.
type TemplateError struct {
	Key string // url, body or success_json_path
	Err error
}

func (e *TemplateError) Error() string { return "sms." + e.Key + ": " + e.Err.Error() }

func (e *TemplateError) Unwrap() error { return e.Err }

// templates are the parsed templates of one configuration; body and path may be nil.
type templates struct {
	url, body, path *template.Template
}

// CheckTemplates parses the templates of cfg and tries them on a sample message, so a typo is
// reported when the config is loaded rather than when the first SMS fails. It also checks that the
// url makes an absolute http(s) address. The errors never quote the rendered url: it usually holds
// the API key.
func CheckTemplates(cfg cardbot.SMSConfig) []*TemplateError {
	_, errs := parseTemplates(cfg)
	return errs
}

func parseTemplates(cfg cardbot.SMSConfig) (templates, []*TemplateError) {
	var ts templates
	var errs []*TemplateError
	check := func(key, src string, required bool) *template.Template {
		if src == "" && !required {
			return nil
		}
		t, err := parseOne(key, src)
		if err != nil {
			errs = append(errs, &TemplateError{Key: key, Err: err})
		}
		return t
	}
	ts.url = check("url", cfg.URL, true)
	ts.body = check("body", cfg.Body, false)
	ts.path = check("success_json_path", cfg.SuccessJSONPath, false)
	if ts.url != nil {
		if err := checkURL(ts.url, sample(cfg)); err != nil {
			errs = append(errs, &TemplateError{Key: "url", Err: err})
		}
	}
	return ts, errs
}

func sample(cfg cardbot.SMSConfig) Fields {
	return Fields{Phone: "+79991234567", Digits: "79991234567", Text: "Test «1» & 2", Sender: cfg.Sender}
}

// parseOne parses a template, checks every field it names (in every branch, not only the ones a
// sample run takes) and runs it once on a sample.
func parseOne(key, src string) (*template.Template, error) {
	if strings.TrimSpace(src) == "" {
		return nil, errors.New("must be set")
	}
	t, err := template.New(key).Funcs(funcs).Option("missingkey=error").Parse(src)
	if err != nil {
		return nil, errors.New(trimPrefix(err.Error(), key))
	}
	for _, tt := range t.Templates() {
		if tt.Tree == nil {
			continue
		}
		if err := checkFields(tt.Tree.Root); err != nil {
			return nil, err
		}
	}
	if _, err := render(t, Fields{Phone: "+79991234567", Digits: "79991234567", Text: "Test"}); err != nil {
		return nil, errors.New(trimPrefix(err.Error(), key))
	}
	return t, nil
}

// trimPrefix drops text/template's "template: key:" from an error: the problem already names the key.
func trimPrefix(msg, key string) string {
	msg = strings.TrimPrefix(msg, "template: ")
	if rest, ok := strings.CutPrefix(msg, key+":"); ok {
		return "line " + strings.TrimLeft(rest, " ")
	}
	return msg
}

// checkFields walks a parse tree and reports the first field that Fields does not have.
func checkFields(n parse.Node) error {
	if n == nil {
		return nil
	}
	var names []string // the field path after the dot or $, as written
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := checkFields(c); err != nil {
				return err
			}
		}
		return nil
	case *parse.ActionNode:
		return checkFields(n.Pipe)
	case *parse.PipeNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Cmds {
			if err := checkFields(c); err != nil {
				return err
			}
		}
		return nil
	case *parse.CommandNode:
		for _, a := range n.Args {
			if err := checkFields(a); err != nil {
				return err
			}
		}
		return nil
	case *parse.IfNode:
		return checkBranch(&n.BranchNode)
	case *parse.RangeNode:
		return checkBranch(&n.BranchNode)
	case *parse.WithNode:
		return checkBranch(&n.BranchNode)
	case *parse.TemplateNode:
		return checkFields(n.Pipe)
	case *parse.ChainNode:
		return checkFields(n.Node)
	case *parse.FieldNode:
		names = n.Ident
	case *parse.VariableNode:
		if len(n.Ident) > 1 && n.Ident[0] == "$" {
			names = n.Ident[1:]
		}
	}
	return checkField(names)
}

func checkBranch(b *parse.BranchNode) error {
	for _, n := range []parse.Node{b.Pipe, b.List, b.ElseList} {
		if err := checkFields(n); err != nil {
			return err
		}
	}
	return nil
}

// checkField accepts a path of one known field: the fields are strings and have no fields of their own.
func checkField(names []string) error {
	switch {
	case len(names) == 0:
		return nil
	case !slices.Contains(fieldNames, names[0]):
		return fmt.Errorf("unknown field .%s; the fields are .%s", names[0], strings.Join(fieldNames, ", ."))
	case len(names) > 1:
		return fmt.Errorf(".%s is text and has no field .%s", names[0], names[1])
	}
	return nil
}

func render(t *template.Template, f Fields) (string, error) {
	var b strings.Builder
	err := t.Execute(&b, f)
	return b.String(), err
}

// checkURL renders the url template on a sample and checks the address it makes.
func checkURL(t *template.Template, f Fields) error {
	s, err := render(t, f)
	if err != nil {
		return errors.New(trimPrefix(err.Error(), "url"))
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("does not make an absolute http or https address like https://gateway.example.com/send?to={{.Digits}}")
	}
	return nil
}
