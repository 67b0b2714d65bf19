package fakeapi

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	_ "image/gif" // decoders for the formats Telegram accepts as photos
	_ "image/jpeg"
	_ "image/png"
	"strings"
)

// photo is a resolved "photo" parameter.
type photo struct {
	data []byte // nil when given by URL: the fake never fetches
	ref  string // the file_id or URL string the bot passed, if any
	size photoSize
}

// photoLocked resolves the photo parameter: a multipart upload (directly
// or via "attach://name"), a file_id the fake issued earlier, or a URL.
func (s *Server) photoLocked(f *form) (photo, *apiError) {
	ref := f.str("photo")
	up, uploaded := f.files["photo"]
	if name, ok := strings.CutPrefix(ref, "attach://"); ok {
		up, uploaded = f.files[name]
		ref = ""
	}
	switch {
	case uploaded:
		return s.uploadLocked(up.data)
	case ref == "":
		return photo{}, badRequest("there is no photo in the request")
	case strings.HasPrefix(ref, "http://"), strings.HasPrefix(ref, "https://"):
		return photo{ref: ref, size: s.newFileLocked(nil, 0, 0)}, nil
	}
	data, known := s.files[ref]
	if !known {
		return photo{}, badRequest("wrong file identifier/HTTP URL specified")
	}
	p := photo{data: data, ref: ref, size: photoSize{FileID: ref, FileUniqueID: "u" + ref, FileSize: len(data)}}
	p.size.Width, p.size.Height = dimensions(data)
	return p, nil
}

// uploadLocked checks the bytes are a picture, as Telegram does, so a
// broken QR renderer fails in tests rather than in production.
func (s *Server) uploadLocked(data []byte) (photo, *apiError) {
	if len(data) == 0 {
		return photo{}, badRequest("file must be non-empty")
	}
	w, h, ok := pictureSize(data)
	if !ok {
		return photo{}, badRequest("IMAGE_PROCESS_FAILED")
	}
	return photo{data: data, size: s.newFileLocked(data, w, h)}, nil
}

// newFileLocked stores data (a w×h picture) under a new file_id so the bot can resend it.
func (s *Server) newFileLocked(data []byte, w, h int) photoSize {
	s.nextFile++
	id := fmt.Sprintf("fake-photo-%d", s.nextFile)
	s.files[id] = data
	return photoSize{FileID: id, FileUniqueID: "u" + id, Width: w, Height: h, FileSize: len(data)}
}

func dimensions(data []byte) (w, h int) {
	w, h, _ = pictureSize(data)
	return w, h
}

// pictureSize reads a picture's size, refusing what is not one. A PNG's is read from its header
// chunk, whose checksum must hold: image.DecodeConfig would also build the whole palette of a card
// picture, for every upload, which was most of what the fake allocated per message. Other formats
// go to their decoders.
func pictureSize(data []byte) (w, h int, ok bool) {
	const sig = "\x89PNG\r\n\x1a\n"
	if len(data) >= 33 && string(data[:8]) == sig && string(data[12:16]) == "IHDR" && binary.BigEndian.Uint32(data[8:12]) == 13 {
		if crc32.ChecksumIEEE(data[12:29]) != binary.BigEndian.Uint32(data[29:33]) {
			return 0, 0, false
		}
		w, h = int(binary.BigEndian.Uint32(data[16:20])), int(binary.BigEndian.Uint32(data[20:24]))
		return w, h, w > 0 && h > 0
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return 0, 0, false
	}
	return cfg.Width, cfg.Height, true
}
