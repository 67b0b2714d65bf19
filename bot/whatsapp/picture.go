package whatsapp

import (
	"bytes"
	"image"
	"image/jpeg"
	_ "image/png" // card pictures are PNG

	"go.mau.fi/whatsmeow/proto/waE2E"
	"golang.org/x/image/draw"
	"google.golang.org/protobuf/proto"
)

// thumbWidth is the width of the preview WhatsApp shows, blurred, until the picture is downloaded.
const thumbWidth = 96

// imageMessage describes a picture for WhatsApp: its type, size and preview. The upload fields are
// the caller's. A picture that is not a PNG or JPEG cannot be sent, now or later.
func imageMessage(picture []byte) (*waE2E.ImageMessage, error) {
	img, format, err := image.Decode(bytes.NewReader(picture))
	if err != nil || (format != "png" && format != "jpeg") {
		return nil, permanent("the picture is not a PNG or JPEG image")
	}
	b := img.Bounds()
	return &waE2E.ImageMessage{
		Mimetype:      proto.String("image/" + format),
		Width:         proto.Uint32(uint32(b.Dx())),
		Height:        proto.Uint32(uint32(b.Dy())),
		JPEGThumbnail: thumbnail(img),
	}, nil
}

// thumbnail is a small JPEG of the picture, or nil when it cannot be made (the preview is optional).
func thumbnail(img image.Image) []byte {
	b := img.Bounds()
	if b.Dx() == 0 || b.Dy() == 0 {
		return nil
	}
	w := min(thumbWidth, b.Dx())
	h := max(1, b.Dy()*w/b.Dx())
	small := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.ApproxBiLinear.Scale(small, small.Bounds(), img, b, draw.Src, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, small, &jpeg.Options{Quality: 60}); err != nil {
		return nil
	}
	return buf.Bytes()
}
