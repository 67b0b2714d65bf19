package minisite_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"cardbot"
	"cardbot/minisite"
)

// referralOn rewards both sides on sign-up: 200 points to the referrer, 100 to the friend.
func referralOn(c *cardbot.Config, _ *minisite.Links) {
	c.Referral = cardbot.ReferralConfig{
		Enabled: true, Reward: cardbot.RewardBoth, On: cardbot.RewardOnSignup,
		ReferrerBonus: 20000, FriendBonus: 10000,
	}
}

// inviter is Мария, a client of the bot with her invite code and a bonus card (100 welcome points).
func (r *rig) inviter() (*cardbot.Client, *cardbot.Card) {
	r.t.Helper()
	c := &cardbot.Client{
		Name: "Мария Петровна Соколова", Phone: "+79035550101", ReferralCode: "maria234",
		Channels: []cardbot.Address{{Channel: "telegram", ID: "5001"}},
	}
	var card *cardbot.Card
	err := r.db.Update(context.Background(), func(tx cardbot.Tx) error {
		if err := tx.CreateClient(c); err != nil {
			return err
		}
		got, err := r.w.Issue(tx, c.ID, "bonus", "system")
		if err == nil {
			card = got.Card
		}
		return err
	})
	if err != nil {
		r.t.Fatal(err)
	}
	return c, card
}

func (r *rig) card(id uint64) *cardbot.Card {
	return read(r, func(tx cardbot.Tx) (*cardbot.Card, error) { return tx.Card(id) })
}

func (r *rig) client(id uint64) *cardbot.Client {
	return read(r, func(tx cardbot.Tx) (*cardbot.Client, error) { return tx.Client(id) })
}

// clientByPhone is the client with the phone, failing the test when there is none.
func (r *rig) clientByPhone(phone string) *cardbot.Client {
	return read(r, func(tx cardbot.Tx) (*cardbot.Client, error) { return tx.ClientByPhone(phone) })
}

// form is what a browser sends for the fields.
func form(fields map[string]string) url.Values {
	v := url.Values{}
	for k, x := range fields {
		v.Set(k, x)
	}
	return v
}

func events(msgs []*cardbot.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Event)
	}
	return out
}

func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

func TestAFriendGetsACardThroughTheWebInviteLinkAndBothAreRewardedOnce(t *testing.T) {
	r := newRig(t, referralOn, func(_ *cardbot.Config, l *minisite.Links) {
		l.WhatsAppNumber = func() string { return "+79161234567" }
	})
	maria, mariaCard := r.inviter()
	b := r.browser()

	// The friend opens Мария's link (as typed from a message: the case of the code does not matter).
	p := b.get("/r/MARIA234")
	if p.status != 200 {
		t.Fatalf("status %d", p.status)
	}
	mustContain(t, p.body, "Мария приглашает вас", "Бонусная карта", "Кешбэк 5 %",
		"100 баллов в подарок от друга — сразу с картой", `action="/r/maria234"`, `name="phone"`, `name="website"`,
		"https://t.me/zerno_bot?start=ref_maria234", "https://wa.me/79161234567?text=%2Fstart%20ref_maria234",
		"/chat?start=ref_maria234")
	for _, private := range []string{"Петровна", "Соколова", "9035550101", "5001"} {
		if strings.Contains(p.body, private) {
			t.Fatalf("the page shows %q of the referrer", private)
		}
	}

	fields := anna()
	p = b.do("POST", "/r/maria234", form(fields))
	if p.status != 303 || !cardLink.MatchString(p.header.Get("Location")) {
		t.Fatalf("status %d to %q:\n%s", p.status, p.header.Get("Location"), p.body)
	}
	friend := r.clientByPhone("+79161234567")
	if friend.ReferredBy != maria.ID || friend.Source != "referral:maria234" || !friend.Consent.PersonalData {
		t.Fatalf("friend %+v", friend)
	}
	cards := r.cards(friend.ID)
	if len(cards) != 1 || cards[0].ProgramID != "bonus" || cards[0].Balance != 10000+10000 {
		t.Fatalf("the friend's cards %+v, want the bonus card with 100 welcome + 100 gift points", cards)
	}
	if got := r.card(mariaCard.ID).Balance; got != 10000+20000 {
		t.Fatalf("Мария's balance %d, want 100 welcome + 200 for the friend", got)
	}
	if ev := events(r.messages(maria.ID)); count(ev, "referral_reward_referrer") != 1 {
		t.Fatalf("Мария's messages %v", ev)
	}
	if ev := events(r.messages(friend.ID)); count(ev, "referral_reward_friend") != 1 || count(ev, "card_issued") != 1 {
		t.Fatalf("the friend's messages %v", ev)
	}

	// Sending the form again (a reload) lands on the same card and rewards nobody twice.
	again := b.do("POST", "/r/maria234", form(fields))
	if again.status != 303 || again.header.Get("Location") != p.header.Get("Location") {
		t.Fatalf("again: %d to %q", again.status, again.header.Get("Location"))
	}
	if r.card(mariaCard.ID).Balance != 30000 || r.cards(friend.ID)[0].Balance != 20000 || len(r.clients()) != 2 {
		t.Fatal("a second reward or client")
	}
}

func TestAMiniSiteLinkWithRefInvitesAFriendToo(t *testing.T) {
	r := newRig(t, referralOn)
	maria, mariaCard := r.inviter()
	b := r.browser()

	p := b.get("/s/tverskaya?ref=maria234")
	mustContain(t, p.body, "Кофейня на Тверской", "Мария приглашает вас", `name="ref" value="maria234"`,
		"https://t.me/zerno_bot?start=ref_maria234", "/chat?start=ref_maria234")

	fields := anna()
	fields["ref"] = "maria234" // the hidden field
	if p = b.submit("tverskaya", fields); p.status != 303 {
		t.Fatalf("status %d:\n%s", p.status, p.body)
	}
	friend := r.clientByPhone("+79161234567")
	if friend.ReferredBy != maria.ID || friend.Source != "referral:maria234" || friend.Consent.Source != "site:1" {
		t.Fatalf("friend %+v", friend)
	}
	if got := r.card(mariaCard.ID).Balance; got != 30000 {
		t.Fatalf("Мария's balance %d, want 300", got)
	}
	if got := r.cards(friend.ID)[0].Balance; got != 20000 {
		t.Fatalf("the friend's balance %d, want 200", got)
	}
}

func TestAMiniSiteWithoutAValidRefIsTheUsualSite(t *testing.T) {
	r := newRig(t, referralOn)
	r.inviter()
	b := r.browser()
	p := b.get("/s/tverskaya?ref=nobody00")
	if p.status != 200 || strings.Contains(p.body, "приглашает") || strings.Contains(p.body, `name="ref"`) {
		t.Fatalf("status %d, an invitation from nobody:\n%s", p.status, p.body)
	}
	mustContain(t, p.body, "https://t.me/zerno_bot?start=site_1")
	fields := anna()
	fields["ref"] = "nobody00"
	if p = b.submit("tverskaya", fields); p.status != 303 {
		t.Fatalf("status %d", p.status)
	}
	if friend := r.clientByPhone("+79161234567"); friend.ReferredBy != 0 || friend.Source != "site:1" {
		t.Fatalf("client %+v", friend)
	}
}

// A client who already has a card was not brought by the friend: following an invite link changes
// nothing about them, and nobody is rewarded.
func TestAnExistingClientIsNotReattributedThroughAnInviteLink(t *testing.T) {
	r := newRig(t, referralOn)
	maria, mariaCard := r.inviter()
	r.browser().submit("tverskaya", anna()) // Анна got her card at the counter before
	before := r.clientByPhone("+79161234567")

	for _, path := range []string{"/r/maria234", "/s/tverskaya"} {
		fields := anna()
		fields["ref"] = "maria234"
		p := r.browser().do("POST", path, form(fields))
		if p.status != 200 || !strings.Contains(p.body, "У этого номера уже есть карта") {
			t.Fatalf("%s: status %d:\n%s", path, p.status, p.body)
		}
	}
	after := r.client(before.ID)
	if after.ReferredBy != 0 || after.Source != "site:1" || len(r.cards(after.ID)) != 1 {
		t.Fatalf("the existing client became the friend's: %+v", after)
	}
	if got := r.card(mariaCard.ID).Balance; got != 10000 {
		t.Fatalf("Мария was rewarded for an existing client: balance %d", got)
	}
	if ev := events(r.messages(maria.ID)); count(ev, "referral_reward_referrer") != 0 {
		t.Fatalf("Мария's messages %v", ev)
	}
}

// Мария types her own phone on her own page: it is her number, so no second card and no reward.
func TestTheReferrerFollowingTheirOwnLinkGetsNothing(t *testing.T) {
	r := newRig(t, referralOn)
	maria, mariaCard := r.inviter()
	fields := anna()
	fields["name"], fields["phone"] = "Мария", "+7 903 555-01-01"
	p := r.browser().do("POST", "/r/maria234", form(fields))
	if p.status != 200 || !strings.Contains(p.body, "У этого номера уже есть карта") {
		t.Fatalf("status %d:\n%s", p.status, p.body)
	}
	if got := r.client(maria.ID); got.ReferredBy != 0 || len(r.cards(maria.ID)) != 1 || r.card(mariaCard.ID).Balance != 10000 {
		t.Fatalf("Мария referred herself: %+v", got)
	}
}

func TestAnUnknownInviteCodeIsNotFound(t *testing.T) {
	r := newRig(t, referralOn)
	r.inviter()
	b := r.browser()
	for _, path := range []string{"/r/nobody00", "/r/maria2345", "/r/bad%21code", "/r/" + strings.Repeat("a", 100)} {
		if p := b.get(path); p.status != 404 || !strings.Contains(p.body, "Страница не найдена") {
			t.Fatalf("GET %s: status %d", path, p.status)
		}
	}
	if p := b.do("POST", "/r/nobody00", form(anna())); p.status != 404 {
		t.Fatalf("POST: status %d", p.status)
	}
	if len(r.clients()) != 1 {
		t.Fatal("a client made through an unknown code")
	}
}

func TestTheInviteFormHasTheMiniSiteGuards(t *testing.T) {
	r := newRig(t, referralOn)
	r.inviter()
	bot := anna()
	bot["website"] = "http://spam.example"
	if p := r.browser().do("POST", "/r/maria234", form(bot)); p.status != 400 || !strings.Contains(p.body, "Форма заполнена не так") {
		t.Fatalf("honeypot: status %d", p.status)
	}
	noConsent := anna()
	noConsent["consent"] = ""
	p := r.browser().do("POST", "/r/maria234", form(noConsent))
	if p.status != 422 || !strings.Contains(p.body, "Мария приглашает вас") || !strings.Contains(p.body, `value="Анна"`) {
		t.Fatalf("without consent: status %d:\n%s", p.status, p.body)
	}
	// The attempts count together with the mini-sites' ones: one limit per address.
	for range 9 { // with the one above, ten: the limit
		r.browser().do("POST", "/r/maria234", form(noConsent))
	}
	if p := r.browser().submit("tverskaya", anna()); p.status != 429 {
		t.Fatalf("11th try: status %d, want 429", p.status)
	}
	if len(r.clients()) != 1 {
		t.Fatal("a client made by a refused form")
	}
}

// A friend who joined on the web has their own invite link at once, on their card page.
func TestAFriendWhoJoinedOnTheWebCanInviteTheirOwnFriends(t *testing.T) {
	r := newRig(t, referralOn)
	maria, _ := r.inviter()
	b := r.browser()
	p := b.do("POST", "/r/maria234", form(anna()))
	friend := r.clientByPhone("+79161234567")
	if len(friend.ReferralCode) != 8 || friend.ReferralCode == maria.ReferralCode {
		t.Fatalf("the friend's code %q", friend.ReferralCode)
	}
	card := b.get(p.header.Get("Location"))
	mustContain(t, card.body, "Пригласите друзей", `href="https://cards.example/r/`+friend.ReferralCode+`"`)

	next := r.browser().get("/r/" + friend.ReferralCode)
	mustContain(t, next.body, "Анна приглашает вас")
	fields := anna()
	fields["name"], fields["phone"] = "Олег", "+7 916 000-11-22"
	r.browser().do("POST", "/r/"+friend.ReferralCode, form(fields))
	if oleg := r.clientByPhone("+79160001122"); oleg.ReferredBy != friend.ID {
		t.Fatalf("Олег was referred by %d, want Анна %d", oleg.ReferredBy, friend.ID)
	}
}

// A card that opens at zero (stamps) has no opening entry; the sign-up reward still comes.
func TestAFriendSigningUpForACardThatOpensAtZeroStillRewardsTheReferrer(t *testing.T) {
	r := newRig(t, referralOn, func(c *cardbot.Config, _ *minisite.Links) { c.Settings.DefaultProgram = "coffee" })
	maria, mariaCard := r.inviter()
	p := r.browser().get("/r/maria234")
	// The stamp card, and the friend's points: they come on a bonus card of their own.
	mustContain(t, p.body, "Кофейная карта", "6 штампов", "100 баллов в подарок от друга")
	if p = r.browser().do("POST", "/r/maria234", form(anna())); p.status != 303 {
		t.Fatalf("status %d", p.status)
	}
	friend := r.clientByPhone("+79161234567")
	cards := r.cards(friend.ID)
	if len(cards) != 2 || cards[0].ProgramID != "coffee" || friend.ReferredBy != maria.ID {
		t.Fatalf("friend %+v cards %+v", friend, cards)
	}
	if bonus := cards[1]; bonus.ProgramID != "bonus" || bonus.Balance != 10000+10000 { // welcome and gift
		t.Fatalf("the friend's bonus card %+v", bonus)
	}
	if got := r.card(mariaCard.ID).Balance; got != 30000 {
		t.Fatalf("Мария's balance %d, want 300", got)
	}
}

func TestTheInvitePageInEnglish(t *testing.T) {
	r := newRig(t, referralOn, func(c *cardbot.Config, _ *minisite.Links) { c.Locale = "en" })
	r.inviter()
	p := r.browser().get("/r/maria234")
	mustContain(t, p.body, `lang="en"`, "Мария invites you", "100 points as a gift from your friend, with the card", "Get my card")
}
