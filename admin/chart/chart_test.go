package chart_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"strings"
	"testing"

	"cardbot/admin/chart"
)

// elements parses the SVG as XML (failing the test when it is not well-formed) and counts the
// elements by name and class.
func elements(t *testing.T, svg []byte) map[string]int {
	t.Helper()
	count := map[string]int{}
	d := xml.NewDecoder(bytes.NewReader(svg))
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, svg)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if depth == 0 && (e.Name.Local != "svg" || e.Name.Space != "http://www.w3.org/2000/svg") {
				t.Fatalf("root element %v, want svg", e.Name)
			}
			depth++
			count[e.Name.Local]++
			for _, a := range e.Attr {
				if a.Name.Local == "class" {
					count[e.Name.Local+"."+a.Value]++
				}
				if strings.Contains(a.Value, "NaN") || strings.Contains(a.Value, "Inf") {
					t.Errorf("attribute %s=%q", a.Name.Local, a.Value)
				}
			}
		case xml.EndElement:
			depth--
		}
	}
	if depth != 0 || count["svg"] != 1 {
		t.Fatalf("unbalanced document\n%s", svg)
	}
	return count
}

func weeks() []string { return []string{"W09", "W10", "W11", "W12"} }

func TestBarChartHasABarPerValueAndEscapesText(t *testing.T) {
	svg := chart.Bar(chart.Chart{
		Title:  `Выручка <по неделям> & "прочее"`,
		Labels: weeks(),
		Series: []chart.Series{{Name: "revenue", Values: []float64{0, 1000, 900.5, 2000}}, {Name: "a<b", Values: []float64{1, 2}}},
	})
	n := elements(t, svg)
	if n["rect.bar"] != 8 {
		t.Errorf("%d bars, want 2 series × 4 labels", n["rect.bar"])
	}
	if !bytes.Contains(svg, []byte("Выручка &lt;по неделям&gt; &amp;")) || !bytes.Contains(svg, []byte("a&lt;b")) {
		t.Errorf("title or series name not escaped:\n%s", svg)
	}
	if !bytes.Contains(svg, []byte("W11 · revenue: 900.5")) {
		t.Errorf("no tooltip with the value:\n%s", svg)
	}
}

func TestLineChartHasALineAndDotsPerSeries(t *testing.T) {
	svg := chart.Line(chart.Chart{Title: "Clients", Labels: weeks(), Series: []chart.Series{
		{Name: "new", Values: []float64{1, 2, 1, 0}},
		{Name: "brought", Values: []float64{0, 1, math.NaN(), math.Inf(1)}},
	}, Format: func(f float64) string { return strings.Repeat("★", int(f)) }})
	n := elements(t, svg)
	if n["polyline.line"] != 2 || n["circle.point"] != 8 || n["text"] < 4+2 {
		t.Errorf("elements %v, want 2 lines, 8 points, axis labels and a legend", n)
	}
}

func TestChartsOfNothingAndOfNegativesAreStillWellFormed(t *testing.T) {
	for name, c := range map[string]chart.Chart{
		"no labels":   {Title: "Empty"},
		"no series":   {Labels: weeks()},
		"all zero":    {Labels: weeks(), Series: []chart.Series{{Values: []float64{0, 0, 0, 0}}}},
		"one point":   {Labels: []string{"2026-03"}, Series: []chart.Series{{Values: []float64{42}}}},
		"negatives":   {Labels: weeks(), Series: []chart.Series{{Values: []float64{-5, 3, -0.5, 7}}}},
		"tiny values": {Labels: weeks(), Series: []chart.Series{{Values: []float64{0.001, 0.002}}}},
		"many labels": {Labels: make([]string, 400), Series: []chart.Series{{Values: []float64{1e9}}}},
	} {
		for kind, draw := range map[string]func(chart.Chart) []byte{"bar": chart.Bar, "line": chart.Line} {
			n := elements(t, draw(c))
			if (len(c.Labels) == 0 || len(c.Series) == 0) != (n["text.empty"] == 1) {
				t.Errorf("%s %s: elements %v", name, kind, n)
			}
		}
	}
}

// Counts get whole ticks: two new clients draw 0, 1, 2 on the axis, never 0.4 or 1.5 of a client.
func TestCountsHaveWholeTicks(t *testing.T) {
	for _, vals := range [][]float64{{0, 2}, {0, 0}, {1, 3, 7}} {
		svg := string(chart.Bar(chart.Chart{Title: "New clients", Labels: []string{"a", "b", "c"}[:len(vals)], Series: []chart.Series{{Name: "n", Values: vals}}}))
		for _, frac := range []string{".2<", ".4<", ".5<", ".6<", ".8<"} {
			if strings.Contains(svg, frac) {
				t.Errorf("values %v: a tick ends in %q:\n%s", vals, frac, svg)
			}
		}
	}
	// Money keeps its fine ticks.
	svg := string(chart.Line(chart.Chart{Title: "Revenue", Labels: []string{"a", "b"}, Series: []chart.Series{{Name: "r", Values: []float64{0, 1.5}}}}))
	if !strings.Contains(svg, ".5<") {
		t.Errorf("fractional values lost their fractional ticks:\n%s", svg)
	}
}
