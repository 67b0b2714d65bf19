package cardimage

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"rsc.io/qr/coding"
)

// referenceEncodeQR is encodeQR as it was before the bit-set scorer: a plan per mask, each code painted
// by coding.Plan.Encode and scored module by module. The tests hold the fast path to it.
func referenceEncodeQR(t testing.TB, content string) *qrMatrix {
	t.Helper()
	enc, v, err := qrEncoding(content)
	if err != nil {
		t.Fatal(err)
	}
	var best *qrMatrix
	bestScore := 0
	for mask := range coding.Mask(8) {
		m := planMatrix(t, v, mask, enc)
		if score := referencePenalty(m); best == nil || score < bestScore {
			best, bestScore = m, score
		}
	}
	return best
}

// planMatrix is the code rsc.io/qr/coding paints for enc with this version and mask.
func planMatrix(t testing.TB, v coding.Version, mask coding.Mask, enc coding.Encoding) *qrMatrix {
	t.Helper()
	plan, err := coding.NewPlan(v, coding.M, mask)
	if err != nil {
		t.Fatal(err)
	}
	code, err := plan.Encode(enc)
	if err != nil {
		t.Fatal(err)
	}
	m := &qrMatrix{n: code.Size, dark: make([]bool, code.Size*code.Size)}
	for y := range m.n {
		for x := range m.n {
			m.dark[y*m.n+x] = code.Black(x, y)
		}
	}
	return m
}

// referencePenalty is the penalty of ISO/IEC 18004 (8.8.2) as first written here, line by line.
func referencePenalty(m *qrMatrix) int {
	n, score, dark := m.n, 0, 0
	line := make([]bool, n)
	for i := range n {
		for _, vertical := range []bool{false, true} {
			for j := range n {
				if vertical {
					line[j] = m.at(i, j)
				} else {
					line[j] = m.at(j, i)
				}
			}
			score += referenceLinePenalty(line)
		}
		for j := range n {
			if m.at(j, i) {
				dark++
			}
			if i+1 < n && j+1 < n {
				c := m.at(j, i)
				if m.at(j+1, i) == c && m.at(j, i+1) == c && m.at(j+1, i+1) == c {
					score += 3 // a 2×2 block of one colour
				}
			}
		}
	}
	pct := dark * 100 / (n * n)
	return score + 10*(max(pct-50, 50-pct)/5)
}

var referenceFinder = [7]bool{true, false, true, true, true, false, true}

func referenceLinePenalty(line []bool) int {
	n, score := len(line), 0
	run := 1
	for j := 1; j <= n; j++ {
		if j < n && line[j] == line[j-1] {
			run++
			continue
		}
		if run >= 5 {
			score += run - 2
		}
		run = 1
	}
	light := func(from, to int) bool {
		for k := max(from, 0); k < min(to, n); k++ {
			if line[k] {
				return false
			}
		}
		return true
	}
	for s := 0; s+len(referenceFinder) <= n; s++ {
		match := true
		for k, d := range referenceFinder {
			if line[s+k] != d {
				match = false
				break
			}
		}
		if match && (light(s-4, s) || light(s+7, s+11)) {
			score += 40
		}
	}
	return score
}

// bitsOf is m as the scorer holds it.
func bitsOf(m *qrMatrix) qrBits {
	b := newQRBits(m.n)
	for y := range m.n {
		for x := range m.n {
			if m.at(x, y) {
				b.flip(x, y)
			}
		}
	}
	return b
}

// randomMatrix fills an n×n matrix with dark modules at the given share, then plants finder patterns
// with light margins, long runs and solid blocks, so every rule has something to find, at the edges too.
func randomMatrix(r *rand.Rand, n int, darkShare float64) *qrMatrix {
	m := &qrMatrix{n: n, dark: make([]bool, n*n)}
	for i := range m.dark {
		m.dark[i] = r.Float64() < darkShare
	}
	set := func(x, y int, d bool) {
		if x >= 0 && y >= 0 && x < n && y < n {
			m.dark[y*n+x] = d
		}
	}
	for range r.IntN(2*n + 1) {
		x, y, vertical := r.IntN(n+8)-4, r.IntN(n), r.IntN(2) == 0
		pattern := []bool{false, false, false, false, true, false, true, true, true, false, true, false, false, false, false}
		switch r.IntN(4) {
		case 0: // light on the left only
			pattern = pattern[:11]
			pattern[10], pattern[9] = r.IntN(2) == 0, true
		case 1: // light on the right only
			pattern = pattern[4:]
			pattern[0] = true
		case 2: // a run of one colour
			pattern = slices.Repeat([]bool{r.IntN(2) == 0}, 3+r.IntN(10))
		}
		for k, d := range pattern {
			if vertical {
				set(y, x+k, d)
			} else {
				set(x+k, y, d)
			}
		}
	}
	return m
}

func TestPenaltyMatchesReferenceOnRandomMatrices(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	sizes := []int{1, 2, 3, 6, 7, 8, 11, 12, 21, 25, 33, 57, 63, 64, 65, 101, 127, 128, 129, 177, 191, 192, 193}
	withFinders := 0
	for _, n := range sizes {
		for _, share := range []float64{0.5, 0.5, 0.5, 0.3, 0.7, 0.05, 0.95} {
			m := randomMatrix(r, n, share)
			want := referencePenalty(m)
			if got := bitsOf(m).penalty(); got != want {
				t.Fatalf("%d×%d, %.0f %% dark: penalty %d, reference %d", n, n, share*100, got, want)
			}
			if want >= 40 && n > 7 {
				withFinders++
			}
		}
	}
	for range 300 {
		n := 1 + r.IntN(200)
		m := randomMatrix(r, n, r.Float64())
		if got, want := bitsOf(m).penalty(), referencePenalty(m); got != want {
			t.Fatalf("%d×%d: penalty %d, reference %d", n, n, got, want)
		}
	}
	if withFinders == 0 {
		t.Fatal("no matrix scored anything: the test checks nothing")
	}
}

// sampleContents are what cards carry, plus random text of every kind and length.
func sampleContents(r *rand.Rand, count int) []string {
	contents := []string{
		"2000 0000 1234 5678", "2000000012345678", "4821930517", "CARD-0042",
		"https://cafe.example/c/Zk3pQ9vLx2mT7bWc_a-R4Q", "Кофейня «Зерно», карта № 17", "a",
	}
	token := make([]byte, 16)
	for i := range count {
		var s string
		switch i % 6 {
		case 0:
			s = fmt.Sprintf("2000 %04d %04d %04d", r.IntN(10000), r.IntN(10000), r.IntN(10000))
		case 1:
			for j := range token {
				token[j] = byte(r.Uint32())
			}
			s = "https://cafe.example/c/" + base64.RawURLEncoding.EncodeToString(token)[:22]
		case 2:
			words := []string{"Кофейня", "Зерно", "бонус", "баллов", "Золото", "карта", "№", "«Пекарня»"}
			var b strings.Builder
			for range 1 + r.IntN(12) {
				b.WriteString(words[r.IntN(len(words))] + " ")
			}
			s = b.String()
		case 3:
			s = strings.Repeat("0123456789", 30)[:1+r.IntN(300)]
		case 4:
			const alpha = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
			b := make([]byte, 1+r.IntN(300))
			for j := range b {
				b[j] = alpha[r.IntN(len(alpha))]
			}
			s = string(b)
		default:
			b := make([]byte, 1+r.IntN(400))
			for j := range b {
				b[j] = byte(r.Uint32())
			}
			s = string(b)
		}
		contents = append(contents, s)
	}
	return contents
}

func TestPenaltyMatchesReferenceOnRealCodes(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, content := range sampleContents(r, 60) {
		enc, v, err := qrEncoding(content)
		if err != nil {
			t.Fatal(err)
		}
		for mask := range coding.Mask(8) {
			m := planMatrix(t, v, mask, enc)
			if got, want := bitsOf(m).penalty(), referencePenalty(m); got != want {
				t.Fatalf("%q, mask %d: penalty %d, reference %d", content, mask, got, want)
			}
		}
	}
}

// Every version and mask: the layout paints the very modules coding.Plan.Encode paints.
func TestLayoutPaintsAsThePlanDoes(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for v := coding.Version(coding.MinVersion); v <= coding.MaxVersion; v++ {
		l, err := qrLayouts[v]()
		if err != nil {
			t.Fatal(err)
		}
		// As many random bytes as the version holds, and a short text that leaves padding.
		for _, size := range []int{(v.DataBytes(coding.M)*8 - coding.String("").Bits(v)) / 8, r.IntN(10)} {
			b := make([]byte, size)
			for i := range b {
				b[i] = byte(r.Uint32())
			}
			enc := coding.String(b)
			var codewords coding.Bits
			enc.Encode(&codewords, v)
			codewords.AddCheckBytes(v, coding.M)
			plain, masked := newQRBits(l.fixed.n), newQRBits(l.fixed.n)
			l.place(codewords.Bytes(), plain)
			for mask := range coding.Mask(8) {
				l.applyMask(int(mask), plain, masked)
				want := bitsOf(planMatrix(t, v, mask, enc))
				if !slices.Equal(masked.rows, want.rows) || !slices.Equal(masked.cols, want.cols) {
					t.Fatalf("version %d, mask %d, %d bytes: the code differs from the plan's", v, mask, size)
				}
			}
		}
	}
}

func TestEncodeQRChoosesTheReferenceMask(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, content := range sampleContents(r, 300) {
		m, err := encodeQR(content)
		if err != nil {
			t.Fatalf("%q: %v", content, err)
		}
		want := referenceEncodeQR(t, content)
		if m.n != want.n || !slices.Equal(m.dark, want.dark) {
			t.Fatalf("%q: the code differs from the reference encoder's", content)
		}
	}
}

func TestEncodeQRConcurrent(t *testing.T) {
	contents := sampleContents(rand.New(rand.NewPCG(9, 10)), 40)
	want := make([]*qrMatrix, len(contents))
	for i, c := range contents {
		want[i] = referenceEncodeQR(t, c)
	}
	t.Run("group", func(t *testing.T) {
		for g := range 4 {
			t.Run(fmt.Sprint(g), func(t *testing.T) {
				t.Parallel()
				for i, c := range contents {
					m, err := encodeQR(c)
					if err != nil || !slices.Equal(m.dark, want[i].dark) {
						t.Errorf("%q: err %v or a different code", c, err)
					}
				}
			})
		}
	})
}
