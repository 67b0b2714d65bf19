package flows

import (
	"time"

	"cardbot"
)

// rewardReferral rewards a referral when the friend reaches the configured moment (sign-up: their
// first card; first purchase). Each reward is given once (marked per friend and side), and never
// when the two are the same person: the same client, the same phone or messenger id on both sides,
// or a loop (each brought the other).
func (e *Engine) rewardReferral(tx cardbot.Tx, friendID uint64, moment string, now time.Time) error {
	rc := e.cfg.Referral
	if !rc.Enabled || rc.On != moment {
		return nil
	}
	friend, err := lookup(tx.Client(friendID))
	if err != nil || friend == nil || friend.ReferredBy == 0 {
		return err
	}
	referrer, err := lookup(tx.Client(friend.ReferredBy))
	if err != nil || referrer == nil {
		return err
	}
	if why := selfReferral(referrer, friend); why != "" {
		key := markKey("referral_refused", friend.ID)
		if last, err := tx.Mark(key); err != nil || !last.IsZero() {
			return err
		}
		e.log.Warn("referral reward refused", "referrer", referrer.ID, "friend", friend.ID, "why", why)
		return tx.PutMark(key, now)
	}
	if rc.Reward == cardbot.RewardFriend || rc.Reward == cardbot.RewardBoth {
		d := e.clientData(friend)
		if err := e.referralReward(tx, friend, rc.FriendBonus, markKey("referral_friend", friend.ID), "referral_reward_friend", d, now); err != nil {
			return err
		}
	}
	if rc.Reward == cardbot.RewardReferrer || rc.Reward == cardbot.RewardBoth {
		d := e.clientData(referrer)
		d.Friend = friend.Name
		if err := e.referralReward(tx, referrer, rc.ReferrerBonus, markKey("referral_referrer", friend.ID), "referral_reward_referrer", d, now); err != nil {
			return err
		}
	}
	return nil
}

// referralReward gives one side its bonus and tells them, once per key.
func (e *Engine) referralReward(tx cardbot.Tx, c *cardbot.Client, bonus cardbot.Amount, key, text string, d *textData, now time.Time) error {
	if bonus <= 0 {
		return nil
	}
	if last, err := tx.Mark(key); err != nil || !last.IsZero() {
		return err
	}
	if err := e.gift(tx, c, bonus, e.cfg.Referral.BonusExpireDays, "referral", now, d); err != nil {
		return err
	}
	if err := tx.PutMark(key, now); err != nil {
		return err
	}
	if d.Bonus == 0 {
		return nil // no bonus card: nothing to tell
	}
	return e.tell(tx, now, out{client: c, kind: cardbot.KindNotice, text: text, data: d})
}

// selfReferral says why a referral is the referrer inviting themselves, or "" when it is not.
func selfReferral(referrer, friend *cardbot.Client) string {
	switch {
	case referrer.ID == friend.ID:
		return "same client"
	case referrer.ReferredBy == friend.ID:
		return "each invited the other"
	case referrer.Phone != "" && referrer.Phone == friend.Phone:
		return "same phone"
	}
	// A WhatsApp id is a phone number, so ids and phones are compared across channels.
	ids := map[string]bool{}
	if referrer.Phone != "" {
		ids[referrer.Phone] = true
	}
	for _, a := range referrer.Channels {
		ids[a.ID] = true
	}
	if friend.Phone != "" && ids[friend.Phone] {
		return "the friend's phone is the referrer's account"
	}
	for _, a := range friend.Channels {
		if ids[a.ID] {
			return "same messenger id"
		}
	}
	return ""
}
