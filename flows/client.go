package flows

import (
	"slices"
	"strings"

	"cardbot"
	"cardbot/wallet"
)

// phoneOutcome is what a phone shared with a message did to the client.
type phoneOutcome int

const (
	phoneNone   phoneOutcome = iota // no phone came, or it was unreadable
	phoneSame                       // the client already had it
	phoneSaved                      // stored on the client
	phoneLinked                     // another client had it: this address now belongs to them
)

// resolveClient finds the client behind the address, or creates one, and applies a shared phone.
// It reports whether the client is new. A phone shared through the channel's contact button is the
// customer's own (the adapters check that), so when another client already has it, they are the same
// person on another channel: the address moves to that client.
func (t *turn) resolveClient() (bool, error) {
	client, err := lookup(t.tx.ClientByAddress(t.in.Address()))
	if err != nil {
		return false, err
	}
	phone := t.sharedNumber()
	owner, err := t.phoneOwner(phone)
	if err != nil {
		return false, err
	}
	fresh := false
	switch {
	case owner != nil && (client == nil || owner.ID != client.ID):
		client, err = t.moveAddress(client, owner)
		t.phone = phoneLinked
	case client == nil:
		client, err = t.newClient(phone)
		fresh = true
		if phone != "" {
			t.phone = phoneSaved
		}
	default:
		t.phone = setPhone(client, phone)
	}
	if err != nil {
		return false, err
	}
	if t.phone == phoneSaved || t.phone == phoneLinked {
		t.consentGiven(client)
	}
	if client.Name == "" {
		client.Name = strings.TrimSpace(t.in.Name)
	}
	t.client = client
	t.conv.ClientID = client.ID
	return fresh, nil
}

// phoneOwner is the client who has the phone, or nil.
func (t *turn) phoneOwner(phone string) (*cardbot.Client, error) {
	if phone == "" {
		return nil, nil
	}
	return lookup(t.tx.ClientByPhone(phone))
}

// setPhone stores a shared phone on the client and says what that did.
func setPhone(c *cardbot.Client, phone string) phoneOutcome {
	switch {
	case phone == "":
		return phoneNone
	case c.Phone == phone:
		return phoneSame
	}
	c.Phone = phone
	return phoneSaved
}

// sharedNumber is the phone shared with the message in E.164, or "" when none came or the channel's
// number cannot be read (logged: an adapter should not send such).
func (t *turn) sharedNumber() string {
	if t.in.Phone == "" {
		return ""
	}
	phone, err := wallet.NormalizePhone(t.in.Phone, t.e.cfg.Business.Country)
	if err != nil {
		t.e.log.Warn("shared phone not understood", "channel", t.in.Channel, "err", err)
		return ""
	}
	return phone
}

// lookup turns the store's NotFound into a nil client.
func lookup(c *cardbot.Client, err error) (*cardbot.Client, error) {
	if cardbot.CodeOf(err) == cardbot.NotFound {
		return nil, nil
	}
	return c, err
}

// moveAddress gives this conversation's address to owner, taking it from the client that had it (who
// keeps their cards; merging two clients' ledgers is the owner's call, in the admin page).
func (t *turn) moveAddress(from, owner *cardbot.Client) (*cardbot.Client, error) {
	addr := t.in.Address()
	if from != nil {
		from.Channels = slices.DeleteFunc(from.Channels, func(a cardbot.Address) bool { return a == addr })
		if from.ReferredBy == owner.ID {
			// They followed their own invite link from a new chat: not a referral after all.
			from.ReferredBy, from.Source = 0, t.in.Channel
		}
		// Saved first: the address index must be free before owner can take it.
		if err := t.tx.PutClient(from); err != nil {
			return nil, err
		}
	}
	owner.Channels = append(owner.Channels, addr)
	return owner, t.tx.PutClient(owner)
}

// newClient creates the client for a first message, with their own referral code and a record of
// where they came from.
func (t *turn) newClient(phone string) (*cardbot.Client, error) {
	c := &cardbot.Client{
		Name: strings.TrimSpace(t.in.Name), Phone: phone, Channels: []cardbot.Address{t.in.Address()},
		// Writing to the business is asking to hear from it; /stop withdraws that at any time.
		Consent:   cardbot.Consent{Marketing: true, Source: t.in.Channel, At: t.now},
		Source:    t.in.Channel,
		CreatedAt: t.now, LastActivityAt: t.now,
	}
	if err := t.applySource(c); err != nil {
		return nil, err
	}
	if err := wallet.AssignReferralCode(t.tx, c); err != nil {
		return nil, err
	}
	return c, t.tx.CreateClient(c)
}

// applySource records how a new client came, from the deep-link payload: ref_<code> (invited by the
// client with that code), site_<id> (a mini-site's QR code). Only clients new to the bot get a
// referrer, so someone following their own link from a chat the bot knows is never credited; one who
// follows it from a new chat is caught when their phone links the chats (moveAddress).
func (t *turn) applySource(c *cardbot.Client) error {
	kind, value := payloadOf(t.in)
	switch kind {
	case "site":
		c.Source = "site:" + value
	case "ref":
		referrer, err := lookup(t.tx.ClientByReferralCode(value))
		if err != nil || referrer == nil {
			return err
		}
		c.Source, c.ReferredBy = "referral:"+value, referrer.ID
	}
	return nil
}

// maxPayloadID bounds the part after ref_ or site_: codes are 8 characters, site ids short names.
const maxPayloadID = 64

// payloadOf splits the deep-link payload into its kind and value. A payload may also arrive as the
// text of the first message (a WhatsApp link can only pre-fill the text).
func payloadOf(in cardbot.Inbound) (kind, value string) {
	p := in.Payload
	if p == "" {
		p = strings.TrimSpace(in.Text)
	}
	kind, value, ok := strings.Cut(p, "_")
	if !ok || (kind != "ref" && kind != "site") || value == "" || len(value) > maxPayloadID {
		return "", ""
	}
	for _, r := range value {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return "", ""
		}
	}
	if kind == "ref" {
		value = strings.ToLower(value) // codes are lower case; people retype them as they like
	}
	return kind, value
}

// consentGiven records that the client gave personal data in this conversation.
func (t *turn) consentGiven(c *cardbot.Client) {
	c.Consent.PersonalData = true
	c.Consent.Source, c.Consent.At = t.in.Channel, t.now
}
