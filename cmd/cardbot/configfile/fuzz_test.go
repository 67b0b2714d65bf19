package configfile

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile("../../../config.yaml"); err == nil {
		f.Add(data)
	}
	for _, s := range []string{
		"",
		"data_dir: ./data\n",
		manyMistakes,
		"business:\n  name: ${SHOP:-Зерно}\n  phone: ${PHONE}\n",
		"card_numbers: {length: ${LEN}, prefix: \"$$1\"}\n",
		"programs:\n  - &b {id: b, name: B, type: bonus, cashback: 5%}\n  - <<: *b\n    id: c\nsettings: {default_program: c}\n",
		"programs:\n  - {id: g, name: G, type: certificate, nominal: 10 000, valid_until: 2030-01-01}\nsettings: {default_program: g}\n",
		"programs:\n  - {id: s, name: S, type: stamp, stamps: 6, reward: R, stamps_per_visit: 1}\n  - {id: v, name: V, type: subscription, visits: 10, valid_days: 30}\nsettings: {default_program: s}\n",
		"a: &a [*a]\n",
		"http: {listen: \"[::1]:80\", base_url: \"https://x.example/\"}\n",
		"- 1\n",
		"locale: ru\n---\nlocale: en\n",
		"business: {name: \"\\xff\"}\n",
	} {
		f.Add([]byte(s))
	}
	env := envOf(map[string]string{"SHOP": "Кофейня", "PHONE": "+44 20 7946 0958", "LEN": "12", "EMPTY": ""})
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("fuzz.yaml", data, env)
		if err != nil {
			if _, ok := err.(Problems); !ok {
				t.Fatalf("error is %T, not Problems: %v", err, err)
			}
			for _, p := range err.(Problems) {
				if p.Message == "" {
					t.Fatalf("problem without a message: %#v", p)
				}
			}
			return
		}
		// What Parse accepts is valid by itself...
		if err := Validate(cfg); err != nil {
			t.Fatalf("Parse accepted a config that Validate refuses:\n%v\ninput:\n%s", err, data)
		}
		// ...and, written back as YAML, reads back the same.
		var doc yaml.Node
		if err := doc.Encode(cfg); err != nil {
			t.Fatalf("encode: %v", err)
		}
		escapeDollars(&doc)
		out, err := yaml.Marshal(&doc)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		again, err := Parse("again.yaml", out, nil)
		if err != nil {
			t.Fatalf("the accepted config written back does not parse:\n%v\n%s", err, out)
		}
		if !reflect.DeepEqual(again, cfg) {
			t.Fatalf("round trip changed the config:\n got %+v\nwant %+v\n%s", again, cfg, out)
		}
	})
}

// escapeDollars doubles every $ in scalar values, so expansion gives back the text as it was.
func escapeDollars(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode {
		n.Value = strings.ReplaceAll(n.Value, "$", "$$")
	}
	for _, c := range n.Content {
		escapeDollars(c)
	}
}
