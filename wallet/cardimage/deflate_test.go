package cardimage

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"fmt"
	"hash/adler32"
	"image"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
)

// cardBand is the raw band of the sample card as Render draws it, for the encoder's tests.
func cardBand(tb testing.TB) ([]byte, int) {
	raw, _, _ := cardBandAndTemplate(tb)
	return raw, Width + 1
}

func cardBandAndTemplate(tb testing.TB) ([]byte, *template, drawn) {
	tb.Helper()
	fonts, err := loadFonts()
	if err != nil {
		tb.Fatal(err)
	}
	code, err := encodeQR(sampleFace.QR)
	if err != nil {
		tb.Fatal(err)
	}
	t := templates.get(staticKey{accent: accentOf(sampleFace.Color), business: sampleFace.Business,
		program: sampleFace.Program, tier: sampleFace.Tier, withQR: true}, fonts)
	bd := &band{t: t, raw: t.rows(t.bandTop, t.bandBot), drawn: newDrawn(t.bandBot - t.bandTop)}
	bd.drawQR(code)
	for i, l := range ownLines(fonts, sampleFace, true) {
		bd.clip = t.lineBoxes[i]
		bd.drawLine(l)
	}
	return bd.raw, t, bd.drawn
}

// inflate reads back a segment made by deflateRows, as a decoder meeting it mid-stream would.
func inflate(t *testing.T, seg []byte) []byte {
	t.Helper()
	r := flate.NewReader(bytes.NewReader(seg))
	out, err := io.ReadAll(r)
	if err != io.ErrUnexpectedEOF && err != nil { // a segment has no final block: the reader runs out
		t.Fatalf("inflate: %v", err)
	}
	return out
}

func TestDeflateRowsRoundTrip(t *testing.T) {
	band, stride := cardBand(t)
	rng := rand.New(rand.NewPCG(1, 2))
	noise := make([]byte, 5*stride+17)
	for i := range noise {
		noise[i] = byte(rng.IntN(4)) // few values: many short matches at every distance
	}
	runs := bytes.Repeat([]byte{7}, 3*stride+1000)
	for name, data := range map[string][]byte{
		"card band": band, "noise": noise, "one long run": runs, "empty": nil, "one byte": {42},
		"shorter than a row": noise[:stride-3], "every byte value": func() []byte {
			b := make([]byte, 256*9)
			for i := range b {
				b[i] = byte(i)
			}
			return b
		}(),
	} {
		seg := deflateRows(nil, data, stride)
		if got := inflate(t, seg); !bytes.Equal(got, data) {
			t.Errorf("%s: %d bytes back, want %d, equal %v", name, len(got), len(data), bytes.Equal(got, data))
		}
		if !bytes.HasSuffix(seg, []byte{0, 0, 0xFF, 0xFF}) {
			t.Errorf("%s: the segment does not end on a byte boundary with an empty stored block", name)
		}
	}
}

func TestDistanceCodes(t *testing.T) {
	// Every distance deflateRows could use must come back as itself: encode one match per distance.
	for _, d := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 16, 17, 24, 25, 32, 33, 64, 65, 128, 129, 256,
		257, 512, 513, 999, 1000, 1001, 1002, 1003, 1024, 1025, 2048, 4097, 16385, 32768} {
		data := make([]byte, d+10)
		for i := range d {
			data[i] = byte(i*131 + i/7)
		}
		copy(data[d:], data[:10])
		seg := deflateRows(nil, data, d) // stride d: the copy is found at distance d
		if got := inflate(t, seg); !bytes.Equal(got, data) {
			t.Errorf("distance %d does not round-trip", d)
		}
	}
}

func TestAdler32SumMatchesTheStandardLibrary(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	data := make([]byte, 70_000)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 5551, 5552, 5553, 11104, 65_536, 70_000} {
		if got, want := adler32Sum(1, data[:n]), adler32.Checksum(data[:n]); got != want {
			t.Errorf("%d bytes: %08x, want %08x", n, got, want)
		}
	}
	all := bytes.Repeat([]byte{0xFF}, 70_000) // the largest sums
	if got, want := adler32Sum(1, all), adler32.Checksum(all); got != want {
		t.Errorf("0xFF×70000: %08x, want %08x", got, want)
	}
	h := adler32.New()
	h.Write(data[:333])
	if got, want := adler32Sum(h.Sum32(), data[333:]), adler32.Checksum(data); got != want {
		t.Errorf("continued: %08x, want %08x", got, want)
	}
}

func FuzzDeflateRows(f *testing.F) {
	f.Add([]byte("aaaaaaaaaaaaaaaaaaaabbbbbbbbbbbbbbbb"), uint16(7))
	f.Fuzz(func(t *testing.T, data []byte, stride uint16) {
		s := int(stride%2048) + 3
		if got := inflate(t, deflateRows(nil, data, s)); !bytes.Equal(got, data) {
			t.Fatalf("stride %d: round trip differs", s)
		}
		if got, want := adler32Sum(1, data), adler32.Checksum(data); got != want {
			t.Fatalf("adler %08x, want %08x", got, want)
		}
	})
}

// BenchmarkEncodeBand compares the band encoder with the general deflater it replaced, on the same
// card band in the same run.
func BenchmarkEncodeBand(b *testing.B) {
	band, t, d := cardBandAndTemplate(b)
	stride := Width + 1
	b.Run("template-aware", func(b *testing.B) {
		var n int
		for b.Loop() {
			seg, _ := t.code.encode(make([]byte, 0, len(band)/6), band, d, [2]string{"bench", "bench"})
			n = len(seg)
		}
		b.ReportMetric(float64(n), "bytes")
	})
	b.Run("rows", func(b *testing.B) {
		var n int
		for b.Loop() {
			n = len(deflateRows(make([]byte, 0, len(band)/6), band, stride))
		}
		b.ReportMetric(float64(n), "bytes")
	})
	b.Run("compress-flate-bestspeed", func(b *testing.B) {
		var n int
		var out bytes.Buffer
		zw, _ := flate.NewWriter(&out, flate.BestSpeed)
		for b.Loop() {
			out.Reset()
			zw.Reset(&out)
			zw.Write(band)
			zw.Flush()
			n = out.Len()
		}
		b.ReportMetric(float64(n), "bytes")
	})
	b.Run("adler32Sum", func(b *testing.B) {
		b.SetBytes(int64(len(band)))
		for b.Loop() {
			adler32Sum(1, band)
		}
	})
	b.Run("hash-adler32", func(b *testing.B) {
		b.SetBytes(int64(len(band)))
		for b.Loop() {
			adler32.Checksum(band)
		}
	})
}

// TestTemplateCodeMatchesPlainCode encodes cards' bands both ways: with the stretches no card
// changes taken from the template, and every byte encoded. Both zlib streams must inflate, checksum
// included, to the same rows — for several cards of one template, so that a stretch encoded once is
// right whatever the card drew around it.
func TestTemplateCodeMatchesPlainCode(t *testing.T) {
	fonts, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	faces := []Face{sampleFace,
		{Business: sampleFace.Business, Program: sampleFace.Program, Tier: sampleFace.Tier, Number: "1", Balance: "0 баллов", QR: "x"},
		{Business: sampleFace.Business, Program: sampleFace.Program, Tier: sampleFace.Tier, Number: "0000 1111 2222 3333 4444",
			Balance: "Ёжик в тумане 9 999 999 баллов ЙЩ", QR: "https://cafe.example/c/" + strings.Repeat("Zq9_", 30)},
	}
	// Cards that share a text with an earlier one reuse its encoding: the same balance with other
	// numbers and codes, the same number with another balance.
	for i := range 6 {
		f := sampleFace
		f.Number = fmt.Sprintf("77%08d", 1234567+i*7919)
		f.QR = fmt.Sprintf("https://cafe.example/c/tok%019d", i*104729)
		if i%3 == 2 {
			f.Number, f.Balance = sampleFace.Number, fmt.Sprintf("%d баллов", 100+i)
		}
		faces = append(faces, f)
	}
	for _, f := range faces {
		code, err := encodeQR(f.QR)
		if err != nil {
			t.Fatal(err)
		}
		tp := templates.get(staticKey{accent: accentOf(f.Color), business: f.Business, program: f.Program, tier: f.Tier, withQR: true}, fonts)
		bd := &band{t: tp, raw: tp.rows(tp.bandTop, tp.bandBot), drawn: newDrawn(tp.bandBot - tp.bandTop)}
		bd.drawQR(code)
		lines := ownLines(fonts, f, true)
		for i, l := range lines {
			bd.clip = tp.lineBoxes[i]
			bd.drawLine(l)
		}
		texts := [2]string{lines[0].key(), lines[1].key()}
		withTemplate := tp.png.encode(bd.raw, func(dst []byte) ([]byte, uint32) { return tp.code.encode(dst, bd.raw, bd.drawn, texts) })
		plain := tp.png.encode(bd.raw, nil)
		a, b := inflateZlib(t, idat(t, withTemplate)), inflateZlib(t, idat(t, plain))
		if !bytes.Equal(a, b) || !bytes.Equal(a[tp.bandTop*(Width+1):tp.bandBot*(Width+1)], bd.raw) {
			t.Errorf("%q: the template-coded card differs from the plainly coded one", f.Balance)
		}
	}
}

func inflateZlib(t *testing.T, stream []byte) []byte {
	t.Helper()
	zr, err := zlib.NewReader(bytes.NewReader(stream))
	if err != nil {
		t.Fatal(err)
	}
	all, err := io.ReadAll(zr) // checks the Adler-32 at the end
	if err != nil {
		t.Fatalf("zlib: %v", err)
	}
	return all
}

// TestTextStaysInItsBox draws texts with tall, deep and wide letters with and without the clip to
// their box: nothing may be cut, or the box is too small and the picture loses ink.
func TestTextStaysInItsBox(t *testing.T) {
	fonts, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	tp := templates.get(staticKey{accent: accentOf(sampleFace.Color), business: "B", program: "P", withQR: true}, fonts)
	for _, f := range []Face{
		{Balance: "ЁЙЩДЦ ёйщдцру Qjgpy|()[]{}/\\@", Number: "Ё|j 9999 gqpy"},
		{Balance: "150 баллов", Number: "2000 0000 1234 5678"},
		{Balance: "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW", Number: strings.Repeat("W", 40)},
		{Balance: "4 из 6 штампов · ₽ ₸ ₴ ¶ § Å Ǻ", Number: "j"},
	} {
		for i, l := range ownLines(fonts, f, true) {
			free := &band{t: tp, raw: tp.rows(tp.bandTop, tp.bandBot), clip: image.Rect(0, 0, Width, Height), drawn: newDrawn(tp.bandBot - tp.bandTop)}
			free.clip = free.clip.Intersect(image.Rect(0, tp.bandTop, Width, tp.bandBot))
			boxed := &band{t: tp, raw: tp.rows(tp.bandTop, tp.bandBot), clip: tp.lineBoxes[i], drawn: newDrawn(tp.bandBot - tp.bandTop)}
			free.drawLine(l)
			boxed.drawLine(l)
			if !bytes.Equal(free.raw, boxed.raw) {
				t.Errorf("line %d of %q / %q is cut by its box %v", i, f.Balance, f.Number, tp.lineBoxes[i])
			}
		}
	}
}

// TestCachedGlyphsDrawAsTheFace draws texts through the shared glyph cache and straight through the
// font's face: the pixels must be the same, at every position within a pixel.
func TestCachedGlyphsDrawAsTheFace(t *testing.T) {
	fonts, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []float64{24, 38, 76} {
		cached := newFace(fonts.bold, size)
		plain := cached.(*cachedFace).Face
		for _, s := range []string{"150 баллов", "Ёжик 0123456789 Qjgpy", "…₽"} {
			for _, x := range []fixed.Int26_6{fixed.I(10), fixed.I(10) + 17, fixed.I(10) + 40} {
				var imgs [2]*image.RGBA
				for k, face := range []font.Face{cached, plain} {
					imgs[k] = image.NewRGBA(image.Rect(0, 0, 1200, 120))
					d := font.Drawer{Dst: imgs[k], Src: image.Black, Face: face, Dot: fixed.Point26_6{X: x, Y: fixed.I(90)}}
					d.DrawString(s)
					d.DrawString(s) // the second time from the cache
				}
				if !bytes.Equal(imgs[0].Pix, imgs[1].Pix) {
					t.Errorf("size %v, %q at %v: cached glyphs differ from the face's", size, s, x)
				}
			}
		}
	}
}
