package cardimage

import "testing"

// BenchmarkEncodeQR encodes what a card carries: a link with a 22-character token (version 4, 33×33).
func BenchmarkEncodeQR(b *testing.B) {
	const content = "https://cafe.example/c/Zk3pQ9vLx2mT7bWc_a-R4Q"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := encodeQR(content); err != nil {
			b.Fatal(err)
		}
	}
}
