package flows_test

import (
	"bytes"
	"context"
	"image/png"
	"testing"

	"cardbot"
	"cardbot/flows"
	"cardbot/wallet/cardimage"
	"cardbot/wallet/cardimage/cardimagetest"
)

func TestCardPicture(t *testing.T) {
	e := newEnv(t)
	_, card := e.welcomed("1")
	var token string
	e.view(func(tx cardbot.Tx) error {
		c, err := tx.Card(card.ID)
		token = c.Token
		return err
	})
	pics := flows.NewPictures(e.db, e.w, e.cfg)
	b, err := pics.CardPicture(context.Background(), card.ID)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if s := img.Bounds().Size(); s.X != cardimage.Width || s.Y != cardimage.Height {
		t.Errorf("size %v", s)
	}
	// The QR must open the card's page.
	cardimagetest.CheckQR(t, b, "https://cards.example/c/"+token)
	if _, err := pics.CardPicture(context.Background(), 999); cardbot.CodeOf(err) != cardbot.NotFound {
		t.Errorf("unknown card: %v", err)
	}
}
