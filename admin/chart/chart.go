// Package chart draws line and bar charts as SVG on the server, so the statistics page needs no
// script and no internet access. It imports the standard library only.
package chart

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// Series is one named row of values, one per label.
type Series struct {
	Name   string
	Values []float64
}

// Chart is what to draw. Values missing at the end of a series count as zero; NaN and infinities
// are drawn as zero.
type Chart struct {
	Title  string
	Labels []string // along the x axis
	Series []Series
	Width  int // pixels of the viewBox; default 640
	Height int // default 320
	// Format writes the values on the y axis and in the tooltips (default: up to two decimals).
	Format func(float64) string
}

// palette colours the series in order (colour-blind safe, after Okabe–Ito).
var palette = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"}

// Margins of the plot area inside the viewBox.
const (
	marginLeft   = 64
	marginRight  = 16
	marginTop    = 36
	marginBottom = 48
)

// Line draws the series as lines with a dot on each value.
func Line(c Chart) []byte { return draw(c, false) }

// Bar draws the series as bars, grouped by label.
func Bar(c Chart) []byte { return draw(c, true) }

type canvas struct {
	Chart
	buf        bytes.Buffer
	lo, hi     float64
	plotW      float64
	plotH      float64
	ticks      []float64
	seriesVals [][]float64
}

func draw(c Chart, bars bool) []byte {
	if c.Width <= 0 {
		c.Width = 640
	}
	if c.Height <= 0 {
		c.Height = 320
	}
	if c.Format == nil {
		c.Format = num // a value, like a coordinate, with at most two decimals
	}
	v := &canvas{Chart: c, plotW: float64(c.Width - marginLeft - marginRight), plotH: float64(c.Height - marginTop - marginBottom)}
	v.prepare()
	fmt.Fprintf(&v.buf, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s" font-family="sans-serif" font-size="11">`,
		c.Width, c.Height, c.Width, c.Height, esc(c.Title))
	fmt.Fprintf(&v.buf, `<title>%s</title>`, esc(c.Title))
	if c.Title != "" {
		fmt.Fprintf(&v.buf, `<text x="%d" y="20" font-size="14" font-weight="bold">%s</text>`, marginLeft, esc(c.Title))
	}
	if len(c.Labels) == 0 || len(c.Series) == 0 {
		fmt.Fprintf(&v.buf, `<text class="empty" x="%d" y="%d" text-anchor="middle" fill="#666">no data</text></svg>`, c.Width/2, c.Height/2)
		return v.buf.Bytes()
	}
	v.axes()
	if bars {
		v.bars()
	} else {
		v.lines()
	}
	v.legend()
	v.buf.WriteString(`</svg>`)
	return v.buf.Bytes()
}

// prepare cleans the values and chooses the y range and its ticks.
func (v *canvas) prepare() {
	v.lo, v.hi = 0, 0
	whole := true // counts: no tick between two whole numbers (no "0.4 clients")
	for _, s := range v.Series {
		vals := make([]float64, len(v.Labels))
		for i := range vals {
			if i < len(s.Values) && !math.IsNaN(s.Values[i]) && !math.IsInf(s.Values[i], 0) {
				vals[i] = s.Values[i]
			}
			v.lo, v.hi = math.Min(v.lo, vals[i]), math.Max(v.hi, vals[i])
			whole = whole && vals[i] == math.Trunc(vals[i])
		}
		v.seriesVals = append(v.seriesVals, vals)
	}
	minStep := 0.0
	if whole {
		minStep = 1
	}
	v.ticks = niceTicks(v.lo, v.hi, 5, minStep)
	v.lo, v.hi = v.ticks[0], v.ticks[len(v.ticks)-1]
}

// y is the vertical position of a value.
func (v *canvas) y(val float64) float64 {
	return marginTop + v.plotH*(1-(val-v.lo)/(v.hi-v.lo))
}

// slot is the width of one label's column and x its centre.
func (v *canvas) slot() float64 { return v.plotW / float64(len(v.Labels)) }
func (v *canvas) x(i int) float64 {
	return marginLeft + v.slot()*(float64(i)+0.5)
}

func (v *canvas) axes() {
	for _, t := range v.ticks {
		y := v.y(t)
		fmt.Fprintf(&v.buf, `<line x1="%d" y1="%s" x2="%d" y2="%s" stroke="#ddd"/>`, marginLeft, num(y), v.Width-marginRight, num(y))
		fmt.Fprintf(&v.buf, `<text x="%d" y="%s" text-anchor="end" dominant-baseline="middle" fill="#444">%s</text>`, marginLeft-6, num(y), esc(v.Format(t)))
	}
	zero := v.y(0)
	fmt.Fprintf(&v.buf, `<line x1="%d" y1="%s" x2="%d" y2="%s" stroke="#888"/>`, marginLeft, num(zero), v.Width-marginRight, num(zero))
	// Every label gets the room of the longest one (about 6.5 pixels a character at this font size,
	// and a gap), so long daily series show every few days instead of one overprinted smear.
	room := 12.0
	for _, l := range v.Labels {
		room = max(room, 6.5*float64(utf8.RuneCountInString(l))+12)
	}
	every := max(1, int(math.Ceil(float64(len(v.Labels))*room/v.plotW)))
	for i, l := range v.Labels {
		if i%every != 0 {
			continue
		}
		fmt.Fprintf(&v.buf, `<text x="%s" y="%d" text-anchor="middle" fill="#444">%s</text>`, num(v.x(i)), v.Height-marginBottom+16, esc(l))
	}
}

func (v *canvas) bars() {
	n := float64(len(v.Series))
	group := v.slot() * 0.8
	w := group / n
	zero := v.y(0)
	for si, vals := range v.seriesVals {
		colour := palette[si%len(palette)]
		for i, val := range vals {
			x := v.x(i) - group/2 + w*float64(si)
			top, h := v.y(val), zero-v.y(val)
			if h < 0 {
				top, h = zero, -h
			}
			fmt.Fprintf(&v.buf, `<rect class="bar" x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s</title></rect>`,
				num(x), num(top), num(math.Max(w-1, 1)), num(h), colour, esc(v.tip(si, i, val)))
		}
	}
}

func (v *canvas) lines() {
	for si, vals := range v.seriesVals {
		colour := palette[si%len(palette)]
		var pts bytes.Buffer
		for i, val := range vals {
			if i > 0 {
				pts.WriteByte(' ')
			}
			pts.WriteString(num(v.x(i)) + "," + num(v.y(val)))
		}
		fmt.Fprintf(&v.buf, `<polyline class="line" points="%s" fill="none" stroke="%s" stroke-width="2"/>`, pts.String(), colour)
		for i, val := range vals {
			fmt.Fprintf(&v.buf, `<circle class="point" cx="%s" cy="%s" r="3" fill="%s"><title>%s</title></circle>`,
				num(v.x(i)), num(v.y(val)), colour, esc(v.tip(si, i, val)))
		}
	}
}

func (v *canvas) tip(series, i int, val float64) string {
	name := v.Series[series].Name
	if name == "" {
		return v.Labels[i] + ": " + v.Format(val)
	}
	return v.Labels[i] + " · " + name + ": " + v.Format(val)
}

// legend names the series when there is more than one.
func (v *canvas) legend() {
	if len(v.Series) < 2 {
		return
	}
	x := float64(marginLeft)
	y := v.Height - 12
	for si, s := range v.Series {
		fmt.Fprintf(&v.buf, `<rect x="%s" y="%d" width="10" height="10" fill="%s"/><text x="%s" y="%d" fill="#222">%s</text>`,
			num(x), y-9, palette[si%len(palette)], num(x+14), y, esc(s.Name))
		x += 24 + 7*float64(len([]rune(s.Name)))
	}
}

// niceTicks returns about n round values from at most lo to at least hi, always including 0.
func niceTicks(lo, hi float64, n int, minStep float64) []float64 {
	if hi == lo {
		hi = lo + 1
	}
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	if step < minStep || (minStep == 1 && step != math.Trunc(step)) {
		step = math.Max(minStep, math.Ceil(step))
	}
	start := math.Floor(lo/step) * step
	var ticks []float64
	for t := start; t < hi+step/2; t += step {
		ticks = append(ticks, math.Round(t/step)*step)
	}
	if ticks[len(ticks)-1] < hi {
		ticks = append(ticks, ticks[len(ticks)-1]+step)
	}
	return ticks
}

// num writes a coordinate with at most two decimals.
func num(f float64) string { return strconv.FormatFloat(math.Round(f*100)/100, 'f', -1, 64) }

// esc escapes text for an SVG element or attribute.
func esc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
