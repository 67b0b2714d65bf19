package configfile

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"cardbot"

	"go.yaml.in/yaml/v3"
)

// maxNodes bounds the YAML nodes decoding visits, so aliases cannot blow a small file up.
const maxNodes = 100_000

// decoder walks the YAML node tree into the Config by the fields' yaml tags. It does the work of
// yaml's own Decode by hand so that one bad value does not stop the rest: every unknown key, type
// error and bad ${VAR} becomes a Problem with its line, and decoding goes on.
type decoder struct {
	file     string
	env      func(string) (string, bool)
	problems Problems
	fatal    bool            // the file could not be read as YAML at all
	lines    map[string]int  // path → line where the file sets it (the key's line; a list item's own line)
	present  map[string]bool // paths the file gives a non-null value
	failed   map[string]bool // paths whose value could not be decoded: validation keeps quiet about them
	budget   int
}

func decode(name string, data []byte, env func(string) (string, bool)) (cardbot.Config, *decoder) {
	d := &decoder{
		file: name, env: env, budget: maxNodes,
		lines: map[string]int{}, present: map[string]bool{}, failed: map[string]bool{},
	}
	cfg := cardbot.DefaultConfig()

	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if !errors.Is(err, io.EOF) {
			d.syntax(err)
			d.fatal = true
		}
		cfg.Programs = cardbot.DefaultPrograms()
		return cfg, d
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		d.add(extra.Line, "", "a second YAML document starts here; the file must hold one (remove the ---)")
	case !errors.Is(err, io.EOF):
		d.syntax(err)
	}

	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			root = nil
		} else {
			root = root.Content[0]
		}
	}
	root = d.deref(root)
	switch {
	case root == nil || isNull(root):
	case root.Kind != yaml.MappingNode:
		d.add(root.Line, "", "the file must be a set of keys like \"data_dir: ./data\", not %s", describe(root))
		d.fatal = true
	default:
		d.value(root, reflect.ValueOf(&cfg).Elem(), "")
	}

	if len(cfg.Programs) == 0 {
		cfg.Programs = cardbot.DefaultPrograms()
	} else {
		for i := range cfg.Programs {
			// A bonus programme that does not say how much of a purchase points may pay lets them pay
			// all of it; an explicit 0 means points cannot pay.
			p := &cfg.Programs[i]
			if p.Type == cardbot.Bonus && !d.present[fmt.Sprintf("programs[%d].max_redeem_percent", i)] {
				p.MaxRedeemPercent = 100_00
			}
		}
	}
	return cfg, d
}

func (d *decoder) add(line int, path, format string, args ...any) {
	d.problems = append(d.problems, Problem{File: d.file, Line: line, Path: path, Message: fmt.Sprintf(format, args...)})
}

// fail records a problem with a value and marks its path, so validation does not pile on.
func (d *decoder) fail(line int, path, format string, args ...any) {
	d.failed[path] = true
	d.add(line, path, format, args...)
}

var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// syntax turns a YAML parser error ("yaml: line 3: could not find expected ':'") into a problem.
func (d *decoder) syntax(err error) {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		d.add(line, "", "YAML syntax error: %s", m[2])
		return
	}
	d.add(0, "", "YAML syntax error: %s", strings.TrimPrefix(msg, "yaml: "))
}

// lineOf returns the line where path, or the nearest enclosing key, is set in the file; 0 if none is.
func (d *decoder) lineOf(path string) int {
	for path != "" {
		if l, ok := d.lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

func (d *decoder) deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		if i > 100 {
			return nil
		}
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a section of keys"
	case yaml.SequenceNode:
		return "a list"
	}
	return strconv.Quote(n.Value)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

var (
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	percentType         = reflect.TypeFor[cardbot.Percent]()
	amountType          = reflect.TypeFor[cardbot.Amount]()
)

// value decodes n into v. A null value leaves v as it is (the default).
func (d *decoder) value(n *yaml.Node, v reflect.Value, path string) {
	n = d.deref(n)
	if n == nil || isNull(n) {
		return
	}
	if d.budget--; d.budget < 0 {
		if d.budget == -1 {
			d.fail(n.Line, path, "the file is too large or repeats too much through aliases")
		}
		return
	}
	t := v.Type()
	switch {
	case reflect.PointerTo(t).Implements(textUnmarshalerType):
		d.scalar(n, v, path)
	case t.Kind() == reflect.Pointer:
		p := reflect.New(t.Elem())
		before := len(d.problems)
		d.value(n, p.Elem(), path)
		if len(d.problems) == before {
			v.Set(p)
		}
	case t.Kind() == reflect.Struct:
		d.mapping(n, v, path)
	case t.Kind() == reflect.Slice:
		d.sequence(n, v, path)
	case t.Kind() == reflect.Map:
		d.dictionary(n, v, path)
	default:
		d.scalar(n, v, path)
	}
}

type entry struct{ key, val *yaml.Node }

func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path string) {
	fields := fieldsOf(v.Type())
	if n.Kind != yaml.MappingNode {
		d.fail(n.Line, path, "must be a section of keys (%s), not %s", strings.Join(fields.names, ", "), describe(n))
		return
	}
	for _, e := range d.entries(n, path, 0) {
		key := e.key.Value
		child := join(path, key)
		i, ok := fields.index[key]
		if !ok {
			d.unknown(e.key, path, fields)
			continue
		}
		d.lines[child] = e.key.Line
		if val := d.deref(e.val); val != nil && !isNull(val) {
			d.present[child] = true
		}
		d.value(e.val, v.Field(i), child)
	}
}

// entries lists a mapping's keys and values in order, reporting keys set twice, and resolves merge
// keys (<<: *base): keys written in the mapping win over merged ones, earlier merges over later ones.
func (d *decoder) entries(n *yaml.Node, path string, depth int) []entry {
	var own, merged []entry
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merged = append(merged, d.merge(val, path, depth)...)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.add(k.Line, path, "a key must be a plain name, not %s", describe(k))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.add(k.Line, join(path, k.Value), "is set twice (first at line %d); keep one", first)
			continue
		}
		seen[k.Value] = k.Line
		own = append(own, entry{k, val})
	}
	for _, e := range merged {
		if _, ok := seen[e.key.Value]; !ok {
			seen[e.key.Value] = e.key.Line
			own = append(own, e)
		}
	}
	return own
}

func (d *decoder) merge(val *yaml.Node, path string, depth int) []entry {
	line := val.Line
	if val = d.deref(val); val == nil {
		return nil
	}
	if depth > 10 {
		d.add(line, path, "merges (<<) nest too deep")
		return nil
	}
	switch val.Kind {
	case yaml.MappingNode:
		return d.entries(val, path, depth+1)
	case yaml.SequenceNode:
		var out []entry
		for _, item := range val.Content {
			if m := d.deref(item); m != nil && m.Kind == yaml.MappingNode {
				out = append(out, d.entries(m, path, depth+1)...)
			} else {
				d.add(item.Line, path, "<< merges sections of keys (an alias like *base), not %s", describe(item))
			}
		}
		return out
	}
	d.add(line, path, "<< merges a section of keys (an alias like *base), not %s", describe(val))
	return nil
}

// dictionary decodes a section whose keys are the owner's (text names), not fields of a struct.
func (d *decoder) dictionary(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n.Line, path, "must be a section of name: value lines, not %s", describe(n))
		return
	}
	out := reflect.MakeMap(v.Type())
	for _, e := range d.entries(n, path, 0) {
		child := join(path, e.key.Value)
		d.lines[child] = e.key.Line
		elem := reflect.New(v.Type().Elem()).Elem()
		d.value(e.val, elem, child)
		out.SetMapIndex(reflect.ValueOf(e.key.Value), elem)
	}
	if out.Len() > 0 {
		v.Set(out)
	}
}

func (d *decoder) sequence(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.fail(n.Line, path, "must be a list (items on lines starting with \"- \", or [a, b]), not %s", describe(n))
		return
	}
	out := reflect.MakeSlice(v.Type(), 0, len(n.Content))
	for i, item := range n.Content {
		p := fmt.Sprintf("%s[%d]", path, i)
		d.lines[p] = item.Line
		elem := reflect.New(v.Type().Elem()).Elem()
		d.value(item, elem, p)
		out = reflect.Append(out, elem)
	}
	if out.Len() == 0 {
		out = reflect.Zero(v.Type()) // an empty list is no list: nil, as if never set
	}
	v.Set(out)
}

// scalar decodes a single value into v after expanding ${VAR} references.
func (d *decoder) scalar(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode {
		d.fail(n.Line, path, "must be a single value, not %s", describe(n))
		return
	}
	val, changed, errs := expand(n.Value, d.env)
	for _, e := range errs {
		d.fail(n.Line, path, "%s", e)
	}
	if len(errs) > 0 {
		return
	}
	m := *n
	m.Value = val
	if changed && m.Style&yaml.TaggedStyle == 0 {
		m.Tag = "" // let the expanded text decide its type, as if it had been written in the file
	}
	tag := m.ShortTag()
	t := v.Type()

	if t.Kind() == reflect.String && !reflect.PointerTo(t).Implements(textUnmarshalerType) {
		s := m.Value
		if tag == "!!binary" {
			if err := m.Decode(&s); err != nil {
				d.fail(n.Line, path, "is not valid base64")
				return
			}
		}
		if !utf8.ValidString(s) {
			d.fail(n.Line, path, "is not valid UTF-8 text")
			return
		}
		v.SetString(s) // an expanded empty value is kept as ""; a literal null never gets here
		return
	}
	if tag == "!!null" {
		return // ${VAR} expanded to nothing: keep the default
	}

	switch {
	case reflect.PointerTo(t).Implements(textUnmarshalerType):
		text := m.Value
		if t == amountType || t == percentType {
			// digit groups may be spaced: 10 000, 10_000; a percentage may carry its sign: 7.5%
			text = strings.NewReplacer(" ", "", "_", "", "\u00a0", "").Replace(text)
			if t == percentType {
				text = strings.TrimSuffix(text, "%")
			}
		}
		p := reflect.New(t)
		if err := p.Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(text)); err != nil {
			d.fail(n.Line, path, "%s", messageOf(err))
			return
		}
		v.Set(p.Elem())
	case t.Kind() == reflect.Bool:
		if tag != "!!bool" {
			d.fail(n.Line, path, "must be true or false, not %q", m.Value)
			return
		}
		d.decodeWith(&m, v, path, "must be true or false, not %q")
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		if tag != "!!int" {
			d.fail(n.Line, path, "must be a whole number, not %q", m.Value)
			return
		}
		d.decodeWith(&m, v, path, "%q is out of range")
	default:
		d.decodeWith(&m, v, path, "cannot be %q")
	}
}

// decodeWith lets yaml decode a scalar and turns each of its type errors into a problem on its line.
func (d *decoder) decodeWith(m *yaml.Node, v reflect.Value, path, format string) {
	p := reflect.New(v.Type())
	err := m.Decode(p.Interface())
	var te *yaml.TypeError
	switch {
	case err == nil:
		v.Set(p.Elem())
	case errors.As(err, &te):
		for _, e := range te.Errors {
			line := m.Line
			if mm := yamlLineRE.FindStringSubmatch(e); mm != nil {
				line, _ = strconv.Atoi(mm[1])
			}
			d.fail(line, path, format, m.Value)
		}
	default:
		d.fail(m.Line, path, "%s", messageOf(err))
	}
}

// messageOf is the message of a *cardbot.Error without its code, or the error text.
func messageOf(err error) string {
	var ce *cardbot.Error
	if errors.As(err, &ce) {
		return ce.Message
	}
	return strings.TrimPrefix(err.Error(), "yaml: ")
}

// unknown reports a key the section does not have, with the closest key it does have when one is
// near, or the sections where the key belongs when it is known elsewhere.
func (d *decoder) unknown(k *yaml.Node, path string, fields fieldSet) {
	msg := "unknown key"
	if s := closest(k.Value, fields.names); s != "" {
		msg += fmt.Sprintf("; did you mean %s?", s)
	} else if places := keyPlaces()[k.Value]; len(places) > 0 {
		msg += "; " + k.Value + " belongs " + strings.Join(places, " or ")
	}
	d.add(k.Line, join(path, k.Value), "%s", msg)
}

type fieldSet struct {
	index map[string]int // yaml name → field index
	names []string       // yaml names in field order
}

func fieldsOf(t reflect.Type) fieldSet {
	fs := fieldSet{index: map[string]int{}}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fs.index[name] = i
		fs.names = append(fs.names, name)
	}
	return fs
}

// keyPlaces maps every key of the config schema to where it belongs, in words.
func keyPlaces() map[string][]string {
	places := map[string][]string{}
	var walk func(t reflect.Type, where string)
	walk = func(t reflect.Type, where string) {
		fs := fieldsOf(t)
		for _, name := range fs.names {
			places[name] = append(places[name], where)
			ft := t.Field(fs.index[name]).Type
			for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
				ft = ft.Elem()
			}
			if ft.Kind() != reflect.Struct || reflect.PointerTo(ft).Implements(textUnmarshalerType) {
				continue
			}
			switch {
			case where == "at the top level" && name == "programs":
				walk(ft, "in a programme (under programs)")
			case name == "tiers":
				walk(ft, "in a tier (under a programme's tiers)")
			case where == "at the top level":
				walk(ft, "under "+name)
			default:
				walk(ft, where+" under "+name)
			}
		}
	}
	walk(reflect.TypeFor[cardbot.Config](), "at the top level")
	return places
}

// closest returns the name nearest to key when it is near enough to be a typo, or "".
func closest(key string, names []string) string {
	k := strings.ToLower(strings.NewReplacer("-", "_", " ", "_").Replace(key))
	limit := min(max(1, len(k)/3), 3)
	best, bestDist := "", limit+1
	for _, n := range names {
		if dist := levenshtein(k, n); dist < bestDist {
			best, bestDist = n, dist
		}
	}
	return best
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
