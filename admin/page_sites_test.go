package admin_test

import (
	"bytes"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"cardbot"
)

// A mini-site's logo is uploaded with the form as a browser sends it: a PNG is kept, one over the
// limit or one that is no picture is refused with a message and changes nothing.
func TestMiniSiteLogoUpload(t *testing.T) {
	s := newSite(t)
	owner := ownerOf(t, s)
	owner.get("/admin/sites/new").must(t, http.StatusOK)
	post := func(slug string, logo []byte) page {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for _, kv := range [][2]string{{"_csrf", owner.csrf}, {"slug", slug}, {"title", "Кофейня"}} {
			mw.WriteField(kv[0], kv[1])
		}
		fw, _ := mw.CreateFormFile("logo", "logo.png")
		fw.Write(logo)
		mw.Close()
		return owner.send("POST", "/admin/sites", &body, "Content-Type", mw.FormDataContentType())
	}
	var picture bytes.Buffer
	if err := png.Encode(&picture, image.NewRGBA(image.Rect(0, 0, 16, 16))); err != nil {
		t.Fatal(err)
	}
	saved := post("cafe", picture.Bytes()).must(t, http.StatusSeeOther)
	owner.get(saved.Location).must(t, http.StatusOK).contains(t, `id="flash"`, `id="site-cafe"`)

	huge := append(bytes.Clone(picture.Bytes()), make([]byte, 48<<10)...)
	post("huge", huge).must(t, http.StatusBadRequest).contains(t, `id="form-error"`, "the logo is limited to 48 KB")
	post("text", []byte("just some words, no picture")).must(t, http.StatusBadRequest).contains(t, "the logo must be a PNG or JPEG picture")

	var sites []*cardbot.MiniSite
	err := s.db.View(t.Context(), func(tx cardbot.Tx) error {
		var err error
		sites, err = tx.MiniSites()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) != 1 || sites[0].Slug != "cafe" {
		t.Fatalf("stored sites: %+v", sites)
	}
	if sites[0].LogoType != "image/png" || !bytes.Equal(sites[0].Logo, picture.Bytes()) {
		t.Fatalf("the logo is stored as %q, %d bytes", sites[0].LogoType, len(sites[0].Logo))
	}
	if strings.Contains(owner.get("/admin/sites").Body, "huge") {
		t.Fatal("a refused site is listed")
	}
}
