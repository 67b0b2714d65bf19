package flows

import (
	"context"
	"time"

	"cardbot"
	"cardbot/wallet"
	"cardbot/wallet/cardimage"
)

// Pictures draws card pictures for messages that carry a card (Message.CardID).
type Pictures struct {
	store  cardbot.Store
	wallet *wallet.Wallet
	cfg    cardbot.Config
	texts  *catalog // nil when the locale's texts do not parse: balances are then plain numbers
}

var _ cardbot.Pictures = (*Pictures)(nil)

// NewPictures builds the card picture renderer. Balances are written in words of the configured
// language, as in the chat.
func NewPictures(store cardbot.Store, w *wallet.Wallet, cfg cardbot.Config) *Pictures {
	loc, err := time.LoadLocation(cfg.Business.Timezone)
	if err != nil {
		loc = time.UTC // pictures show no times; the engine refuses a bad timezone anyway
	}
	texts, err := newCatalog(cfg.Locale, nil, cfg.Business.Currency, loc)
	if err != nil {
		texts = nil // NewEngine reports the error at start; a picture can do with plain numbers
	}
	return &Pictures{store: store, wallet: w, cfg: cfg, texts: texts}
}

// CardPicture renders a card as a PNG: business, programme, number, balance, tier, and a QR code of
// the card's public page.
func (p *Pictures) CardPicture(ctx context.Context, cardID uint64) ([]byte, error) {
	var card *cardbot.Card
	err := p.store.View(ctx, func(tx cardbot.Tx) error {
		var err error
		card, err = tx.Card(cardID)
		return err
	})
	if err != nil {
		return nil, err
	}
	prog := p.wallet.Program(card.ProgramID)
	face := cardimage.Face{
		Business: p.cfg.Business.Name, Program: card.ProgramID, Number: card.Number, Tier: card.Tier,
		Balance: card.Type.Unit().Number(card.Balance), QR: p.cfg.HTTP.BaseURL + "/c/" + card.Token,
	}
	if prog != nil {
		face.Program = prog.Name
	}
	if p.texts != nil {
		cd, err := p.texts.cardData(card, prog)
		if err != nil {
			return nil, err
		}
		face.Balance = cd.Balance
	}
	return cardimage.Render(face)
}
