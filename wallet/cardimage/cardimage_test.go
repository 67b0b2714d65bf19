package cardimage

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"golang.org/x/image/font"

	"cardbot"
)

var examplePath = flag.String("example", "", "write a sample card PNG to this file")

var sampleFace = Face{
	Business: "Кофейня «Зерно»",
	Program:  "Бонусная программа",
	Number:   "4821930517",
	Balance:  "150 баллов",
	Tier:     "Золото",
	QR:       "https://cards.example.org/c/Zk3pQ9vLx2mT7bWc",
}

func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	return img
}

// readQR decodes the one QR code in img, as a phone's scanner would.
func readQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("QR does not decode: %v", err)
	}
	return res.GetText()
}

// onWhite flattens the card over white, as a chat app shows it, so the decoder sees no alpha.
func onWhite(img image.Image) image.Image {
	out := image.NewRGBA(img.Bounds())
	draw.Draw(out, out.Rect, image.White, image.Point{}, draw.Src)
	draw.Draw(out, out.Rect, img, img.Bounds().Min, draw.Over)
	return out
}

func TestRenderIsACardSizedPNG(t *testing.T) {
	b, err := Render(sampleFace)
	if err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, b)
	if got := img.Bounds().Size(); got != image.Pt(Width, Height) {
		t.Fatalf("size %v, want %dx%d", got, Width, Height)
	}
	if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
		t.Errorf("corner pixel alpha %d, want transparent", a)
	}
	if _, _, _, a := img.At(Width/2, Height/2).RGBA(); a != 0xFFFF {
		t.Errorf("centre pixel alpha %d, want opaque", a)
	}
	if *examplePath != "" {
		if err := os.WriteFile(*examplePath, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPNGPartsRoundTrip checks the segmented palette encoder pixel for pixel, and that the zlib
// stream's checksum (which image/png does not check) is right.
func TestPNGPartsRoundTrip(t *testing.T) {
	const w, h, top, bot = 37, 23, 5, 17
	pal := make([]sample, 200)
	for i := range pal {
		pal[i] = sample{byte(i), byte(i * 3), byte(i * 7), byte(255 - i%3*100)}
	}
	raw := make([]byte, h*(w+1))
	for i := range raw {
		if i%(w+1) != 0 { // filter bytes stay 0
			raw[i] = byte((i*7919 + i/5) % len(pal))
		}
	}
	parts := newPNGParts(w, h, pal, raw[:top*(w+1)], raw[bot*(w+1):])
	b := parts.encode(raw[top*(w+1):bot*(w+1)], nil)
	back, ok := decodePNG(t, b).(*image.Paletted)
	if !ok || back.Rect != image.Rect(0, 0, w, h) {
		t.Fatalf("decoded as %T", back)
	}
	for y := range h {
		for x := range w {
			if got, want := back.Pix[y*back.Stride+x], raw[y*(w+1)+1+x]; got != want {
				t.Fatalf("pixel %d,%d: index %d, want %d", x, y, got, want)
			}
		}
	}
	for i, c := range back.Palette {
		if got := sampleOf(color.NRGBAModel.Convert(c).(color.NRGBA)); got != pal[i] {
			t.Fatalf("palette entry %d is %v, want %v", i, got, pal[i])
		}
	}
	zr, err := zlib.NewReader(bytes.NewReader(idat(t, b)))
	if err != nil {
		t.Fatal(err)
	}
	if all, err := io.ReadAll(zr); err != nil || !bytes.Equal(all, raw) {
		t.Fatalf("zlib stream: %v (same data: %v)", err, bytes.Equal(all, raw))
	}
}

// idat returns the concatenated data of a PNG's IDAT chunks.
func idat(t *testing.T, b []byte) []byte {
	t.Helper()
	var out []byte
	for p := b[8:]; len(p) >= 12; {
		n := int(binary.BigEndian.Uint32(p))
		if string(p[4:8]) == "IDAT" {
			out = append(out, p[8:8+n]...)
		}
		p = p[12+n:]
	}
	return out
}

func TestRenderQRReadsBack(t *testing.T) {
	cases := []Face{
		sampleFace,
		{Business: "Barbershop", Number: "12345678", QR: "12345678"},
		{Business: "Пекарня", QR: "https://example.org/c/" + strings.Repeat("x", 120)}, // a larger code
		{Business: "Yellow", Color: color.RGBA{R: 0xFF, G: 0xD4, B: 0x3B, A: 0xFF}, QR: "HTTPS://EXAMPLE.ORG/C/AB12"},
	}
	for _, f := range cases {
		b, err := Render(f)
		if err != nil {
			t.Fatal(err)
		}
		img := onWhite(decodePNG(t, b))
		if got := readQR(t, img); got != f.QR {
			t.Errorf("whole card: QR reads %q, want %q", got, f.QR)
		}
		crop := img.(*image.RGBA).SubImage(qrBlock())
		if got := readQR(t, crop); got != f.QR {
			t.Errorf("QR block: reads %q, want %q", got, f.QR)
		}
	}
}

// TestRenderQRSurvivesJPEG reads the code after the lossy re-encoding a messenger applies to photos.
func TestRenderQRSurvivesJPEG(t *testing.T) {
	b, err := Render(sampleFace)
	if err != nil {
		t.Fatal(err)
	}
	var j bytes.Buffer
	if err := jpeg.Encode(&j, onWhite(decodePNG(t, b)), &jpeg.Options{Quality: 60}); err != nil {
		t.Fatal(err)
	}
	img, err := jpeg.Decode(&j)
	if err != nil {
		t.Fatal(err)
	}
	if got := readQR(t, img); got != sampleFace.QR {
		t.Errorf("QR reads %q", got)
	}
}

// TestRenderLongTextsStayInPlace checks that long texts leave the right margin, the gap before the
// QR block and the block itself exactly as a card without texts has them.
func TestRenderLongTextsStayInPlace(t *testing.T) {
	long := strings.Repeat("Широкий текст WWW ", 12)
	full := Face{Business: long, Program: long, Number: strings.Repeat("8", 60), Balance: long, Tier: long, QR: sampleFace.QR}
	bare := Face{QR: sampleFace.QR}
	a, err := Render(full)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Render(bare)
	if err != nil {
		t.Fatal(err)
	}
	withText, without := decodePNG(t, a), decodePNG(t, b)
	block := qrBlock()
	for name, r := range map[string]image.Rectangle{
		"right margin": image.Rect(Width-pad, 0, Width, Height),
		"gap":          image.Rect(block.Min.X-columnGap, block.Min.Y, block.Min.X, Height),
		"QR block":     block,
	} {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				if withText.At(x, y) != without.At(x, y) {
					t.Fatalf("%s: text reaches pixel %d,%d", name, x, y)
				}
			}
		}
	}
}

// TestRenderConcurrent shares the parsed fonts between goroutines; run with -race.
func TestRenderConcurrent(t *testing.T) {
	want, err := Render(sampleFace)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if got, err := Render(sampleFace); err != nil || !bytes.Equal(got, want) {
				t.Errorf("concurrent Render differs (err %v)", err)
			}
		})
	}
	wg.Wait()
}

// TestRenderSharesTheProgrammeNotTheCard renders cards of one programme in turn: each shows its own
// number, balance and QR, and nothing of a card drawn before it.
func TestRenderSharesTheProgrammeNotTheCard(t *testing.T) {
	first, second := sampleFace, sampleFace
	second.Number, second.Balance, second.QR = "7700112233", "2 500 баллов", "https://cards.example.org/c/other-card-7"
	a1, err := Render(first)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Render(second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Render(Face{Business: "Без QR", Balance: "5 баллов"}); err != nil { // a shorter band
		t.Fatal(err)
	}
	a2, err := Render(first)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a1, a2) {
		t.Errorf("the same card drawn again after another differs")
	}
	if got := readQR(t, onWhite(decodePNG(t, b))); got != second.QR {
		t.Errorf("second card's QR reads %q", got)
	}
	if bytes.Equal(a1, b) {
		t.Errorf("two different cards drew the same picture")
	}
}

func TestRenderQRFallsBackToNumber(t *testing.T) {
	b, err := Render(Face{Business: "Зерно", Number: " 0042 1337 "})
	if err != nil {
		t.Fatal(err)
	}
	if got := readQR(t, onWhite(decodePNG(t, b))); got != "0042 1337" {
		t.Errorf("QR reads %q, want the number", got)
	}
}

func TestRenderOddFieldsDoNotPanic(t *testing.T) {
	long := strings.Repeat("Очень длинное название кофейни ", 20)
	cases := map[string]Face{
		"empty":    {},
		"long":     {Business: long, Program: long, Number: strings.Repeat("9", 80), Balance: long, Tier: long, QR: "x"},
		"one word": {Business: strings.Repeat("Ш", 200), Balance: strings.Repeat("8", 200)},
		"controls": {Business: "Кофе\nи\tчай\x00", Program: "\r\n", Tier: " \u200b "},
		"emoji":    {Business: "☕️ Кофе 🍩", Tier: "🔥", QR: "☕ кофе"},
		"no alpha": {Business: "Blue", Color: color.RGBA{B: 0xFF}},
	}
	for name, f := range cases {
		b, err := Render(f)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got := decodePNG(t, b).Bounds().Size(); got != image.Pt(Width, Height) {
			t.Errorf("%s: size %v", name, got)
		}
	}
}

func TestShortenFitsAndMarks(t *testing.T) {
	fs, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	face, s := fit(fs.bold, strings.Repeat("Кофейня ", 30), 400, businessSize, businessMin)
	if !strings.HasSuffix(s, "…") || strings.HasSuffix(s, " …") {
		t.Errorf("shortened to %q", s)
	}
	if w := font.MeasureString(face, s).Ceil(); w > 400 {
		t.Errorf("%q is %d px wide, over 400", s, w)
	}
	if _, s := fit(fs.bold, "Зерно", 400, businessSize, businessMin); s != "Зерно" {
		t.Errorf("short text changed to %q", s)
	}
}

func TestCleanHandlesMissingGlyphs(t *testing.T) {
	fs, _ := loadFonts()
	for in, want := range map[string]string{
		"  ☕ Кофе\n\n🍩  и чай  ": "Кофе и чай",
		"1\u202f250 ₽":           "1 250 руб.",
		"150₽":                   "150 руб.",
		"★ Gold ★":               "Gold",
	} {
		if got := clean(fs.bold, in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRenderRefusesQRTooLong(t *testing.T) {
	_, err := Render(Face{QR: strings.Repeat("ж", 1500)})
	if cardbot.CodeOf(err) != cardbot.Invalid {
		t.Errorf("err = %v, want invalid", err)
	}
}

func TestQRPNG(t *testing.T) {
	const url = "https://cards.example.org/s/counter-1"
	b, err := QRPNG(url, 300)
	if err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, b)
	if got := img.Bounds().Size(); got != image.Pt(300, 300) {
		t.Errorf("size %v", got)
	}
	if got := readQR(t, img); got != url {
		t.Errorf("reads %q", got)
	}
	for _, size := range []int{0, 10, 5000} {
		if _, err := QRPNG(url, size); cardbot.CodeOf(err) != cardbot.Invalid {
			t.Errorf("size %d: err = %v, want invalid", size, err)
		}
	}
	if _, err := QRPNG("", 300); cardbot.CodeOf(err) != cardbot.Invalid {
		t.Errorf("empty content: err = %v", err)
	}
}

func TestQRSVG(t *testing.T) {
	const url = "https://cards.example.org/c/Zk3pQ9vLx2mT7bWc"
	b, err := QRSVG(url)
	if err != nil {
		t.Fatal(err)
	}
	var root struct {
		XMLName xml.Name `xml:"svg"`
		ViewBox string   `xml:"viewBox,attr"`
		Rects   []struct {
			X int `xml:"x,attr"`
			Y int `xml:"y,attr"`
			W int `xml:"width,attr"`
			H int `xml:"height,attr"`
		} `xml:"g>rect"`
	}
	if err := xml.Unmarshal(b, &root); err != nil {
		t.Fatalf("not well-formed XML: %v", err)
	}
	m, _ := encodeQR(url)
	side := m.n + 2*qrQuietZone
	if want := fmt.Sprintf("0 0 %d %d", side, side); root.ViewBox != want {
		t.Errorf("viewBox %q, want %q", root.ViewBox, want)
	}
	// Paint the rects back at 8 px a module and let a decoder read them: this checks positions, the
	// quiet zone and orientation at once.
	img := image.NewGray(image.Rect(0, 0, side*8, side*8))
	draw.Draw(img, img.Rect, image.White, image.Point{}, draw.Src)
	for _, r := range root.Rects {
		if r.X < qrQuietZone || r.Y < qrQuietZone || r.X >= side-qrQuietZone || r.Y >= side-qrQuietZone {
			t.Fatalf("module at %d,%d inside the quiet zone", r.X, r.Y)
		}
		draw.Draw(img, image.Rect(r.X*8, r.Y*8, (r.X+r.W)*8, (r.Y+r.H)*8), image.Black, image.Point{}, draw.Src)
	}
	if got := readQR(t, img); got != url {
		t.Errorf("SVG reads %q", got)
	}
	if _, err := QRSVG(""); cardbot.CodeOf(err) != cardbot.Invalid {
		t.Errorf("empty content: err = %v", err)
	}
}

func TestQRErrorsAreCardbotErrors(t *testing.T) {
	_, err := QRSVG(strings.Repeat("a", 5000))
	var e *cardbot.Error
	if !errors.As(err, &e) || e.Code != cardbot.Invalid {
		t.Errorf("err = %v", err)
	}
}

// BenchmarkRender draws first contacts' cards: one programme and welcome balance, and each card its
// own number and card-page link, as the bot sends them.
func BenchmarkRender(b *testing.B) {
	b.ReportAllocs()
	f := sampleFace
	n := 0
	for b.Loop() {
		n++
		f.Number = fmt.Sprintf("77%08d", n)
		f.QR = fmt.Sprintf("https://cafe.example/c/%022d", n*7919)
		if _, err := Render(f); err != nil {
			b.Fatal(err)
		}
	}
}
