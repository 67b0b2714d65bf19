package whatsapp

import (
	"context"
	"strings"

	"cardbot"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
)

// received is a message reduced to what the adapter acts on: the Inbound for the engine, and the
// chat and sender its read receipt goes to.
type received struct {
	in     cardbot.Inbound
	chat   types.JID
	sender types.JID
}

// receive turns a message event into what the engine gets. ok is false for what the loyalty bot does
// not serve: our own messages (sent from the phone, or echoed to this device), groups, broadcast
// lists, status updates, channels (newsletters), bots, edits of earlier messages (the original was
// answered already), and messages without words (stickers, reactions, voice notes, pictures without
// a caption), to which "I did not understand" would only be noise.
func (a *Adapter) receive(ctx context.Context, evt *events.Message) (received, bool) {
	info := evt.Info
	if !private(info.MessageSource) || evt.IsEdit {
		return received{}, false
	}
	text := textOf(evt.Message)
	if strings.TrimSpace(text) == "" {
		return received{}, false
	}
	id, phone := a.senderID(ctx, info.MessageSource)
	in := cardbot.Inbound{
		Channel:  ChannelName,
		UserID:   id,
		UpdateID: info.ID,
		Name:     strings.TrimSpace(info.PushName),
		Text:     text,
		// WhatsApp vouches for the sender's number: it is the account itself. The engine takes it like
		// a contact shared through Telegram's phone button, which links this chat to a client the
		// business already knows by that phone.
		Phone: phone,
		At:    info.Timestamp.UTC(),
	}
	return received{in: in, chat: info.Chat, sender: info.Sender}, true
}

// private reports whether a message is someone else's message in a one-to-one chat with us.
func private(src types.MessageSource) bool {
	if src.IsFromMe || src.IsGroup {
		return false
	}
	if !userServer(src.Chat.Server) || !userServer(src.Sender.Server) {
		return false // groups, broadcast lists, status@broadcast, newsletters, bots
	}
	return !src.Sender.IsBot()
}

// userServer reports whether a JID server names people: by phone number or by hidden id (LID).
func userServer(server string) bool {
	return server == types.DefaultUserServer || server == types.HiddenUserServer
}

// senderID is the id the engine knows the sender by, and their phone when it is known. WhatsApp
// hides some senders behind a LID (…@lid) instead of their number; most such messages carry the
// number alongside (SenderAlt), and whatsmeow keeps the pairs it has seen in its LID store. A sender
// whose number is nowhere to be found is known by their LID ("…@lid"), which Send can answer.
func (a *Adapter) senderID(ctx context.Context, src types.MessageSource) (id, phone string) {
	sender := src.Sender.ToNonAD()
	if p := phoneOf(sender); p != "" {
		return p, p
	}
	if p := phoneOf(src.SenderAlt.ToNonAD()); p != "" {
		return p, p
	}
	pn, err := a.client.PhoneForLID(ctx, sender)
	if p := phoneOf(pn.ToNonAD()); err == nil && p != "" {
		return p, p
	}
	a.log.Warn("the sender's phone number is unknown; the chat is known by the sender's LID", "lid", sender.String(), "err", err)
	return sender.String(), ""
}

// textOf is what the customer wrote: a plain or formatted text, or the caption of a picture, video
// or document.
func textOf(m *waE2E.Message) string {
	for _, s := range []string{
		m.GetConversation(),
		m.GetExtendedTextMessage().GetText(),
		m.GetImageMessage().GetCaption(),
		m.GetVideoMessage().GetCaption(),
		m.GetDocumentMessage().GetCaption(),
	} {
		if s != "" {
			return s
		}
	}
	return ""
}
