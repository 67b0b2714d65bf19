package minisite

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"cardbot"

	"github.com/gofiber/fiber/v2"
)

// referrer is the client whose invite link the visitor followed: only what the pages may use. The
// page shows their first name and nothing else about them.
type referrer struct {
	id        uint64
	code      string
	firstName string
}

// maxRefCode bounds a code read from a link; codes are 8 characters.
const maxRefCode = 64

// maxShownName bounds the first name shown on the page.
const maxShownName = 40

// loadReferrer finds the client by the code of their invite link (case does not matter: people
// retype codes); nil when the code is empty, malformed or nobody's.
func (s *Site) loadReferrer(ctx context.Context, code string) (*referrer, error) {
	code = strings.ToLower(strings.TrimSpace(code))
	if code == "" || len(code) > maxRefCode || !lowerAlnum(code) {
		return nil, nil
	}
	var ref *referrer
	err := s.store.View(ctx, func(tx cardbot.Tx) error {
		c, err := tx.ClientByReferralCode(code)
		if err != nil {
			return err
		}
		ref = &referrer{id: c.ID, code: code, firstName: firstName(c.Name)}
		return nil
	})
	if cardbot.CodeOf(err) == cardbot.NotFound {
		return nil, nil
	}
	return ref, err
}

// firstName is the first word of a name, without stray punctuation, short enough for a heading.
func firstName(name string) string {
	f := strings.Fields(name)
	if len(f) == 0 {
		return ""
	}
	first := strings.TrimFunc(f[0], func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if utf8.RuneCountInString(first) > maxShownName {
		first = string([]rune(first)[:maxShownName])
	}
	return first
}

// invitedBy is the line that says who invited the visitor.
func (s *Site) invitedBy(ref *referrer) string {
	if ref.firstName == "" {
		return s.words.get("ref_invited_anon")
	}
	return s.words.f("ref_invited", ref.firstName)
}

// referralForm is the form of an invite link: the default programme, as the bot would issue it.
func (s *Site) referralForm(ref *referrer) signup {
	program := s.cfg.Settings.DefaultProgram
	return signup{
		page: "referral", where: "referral:" + ref.code, program: program, ref: ref,
		data: func(form formValues, msg string) sitePageData {
			d := sitePageData{layoutData: s.layout(s.invitedBy(ref)), Action: "/r/" + ref.code, Invited: s.invitedBy(ref)}
			s.fillForm(&d, program, "", form, msg)
			if gift := s.friendGift(program); gift != "" {
				d.Offer = append(d.Offer, gift)
			}
			s.fillContinue(&d, "ref_"+ref.code)
			return d
		},
	}
}

// friendGift is the line about the friend's own reward, when the programme gives one to the friend
// and some programme keeps points: the card they would get, or a bonus card the points come on.
func (s *Site) friendGift(program string) string {
	rc := s.cfg.Referral
	if !rc.Enabled || rc.FriendBonus <= 0 || rc.Reward == cardbot.RewardReferrer || !s.keepsPoints(program) {
		return ""
	}
	gift := s.words.quantity(cardbot.UnitPoints, int64(rc.FriendBonus))
	if rc.On == cardbot.RewardOnSignup {
		return s.words.f("ref_gift_signup", gift)
	}
	return s.words.f("ref_gift_purchase", gift)
}

// keepsPoints reports whether a gift of points has a card to go on: the programme's own, or one of
// a bonus programme still issuing (flows gives the customer one with the gift).
func (s *Site) keepsPoints(program string) bool {
	if p := s.wallet.Program(program); p != nil && p.Type == cardbot.Bonus {
		return true
	}
	for _, p := range s.wallet.Programs() {
		if p.Type == cardbot.Bonus && !p.Archived {
			return true
		}
	}
	return false
}

// referralPage is the page of an invite link, /r/<code>: who invited, the programme, the form and the
// buttons to continue in a messenger with the invitation.
func (s *Site) referralPage(c *fiber.Ctx) error {
	ref, err := s.loadReferrer(c.UserContext(), c.Params("code"))
	if err != nil {
		return err
	}
	if ref == nil {
		return s.notFound(c)
	}
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return s.render(c, fiber.StatusOK, "referral", s.referralForm(ref).data(formValues{}, ""))
}

// referralSubmit issues the default programme's card to the friend (see signupForm).
func (s *Site) referralSubmit(c *fiber.Ctx) error {
	ref, err := s.loadReferrer(c.UserContext(), c.Params("code"))
	if err != nil {
		return err
	}
	if ref == nil {
		return s.notFound(c)
	}
	return s.signupForm(c, s.referralForm(ref))
}
