package cardbot

import "strconv"

// ProgramType is the kind of loyalty card a programme issues.
type ProgramType string

// The programme types. Each keeps its card balance in its own unit (see Unit).
const (
	Bonus        ProgramType = "bonus"        // cashback points, spent on later purchases
	Discount     ProgramType = "discount"     // a percentage off every purchase, no balance
	Stamp        ProgramType = "stamp"        // N stamps earn a named reward
	Certificate  ProgramType = "certificate"  // a money balance spent down until it expires
	Subscription ProgramType = "subscription" // N visits valid for N days
)

// ProgramTypes lists every type, in the order the docs present them.
var ProgramTypes = []ProgramType{Bonus, Discount, Stamp, Certificate, Subscription}

// Unit names what a card balance of this type counts.
type Unit string

// Balance units.
const (
	UnitPoints Unit = "points" // hundredths of a point, shown as a decimal
	UnitMoney  Unit = "money"  // hundredths of the currency, shown as a decimal
	UnitStamps Unit = "stamps" // whole stamps
	UnitVisits Unit = "visits" // whole visits
	UnitNone   Unit = "none"   // discount cards keep no balance
)

// Number renders a balance or delta of this unit as a decimal: points and money with up to two
// fractional digits ("150.5"), stamps and visits as whole numbers ("4").
func (u Unit) Number(v int64) string {
	if u == UnitPoints || u == UnitMoney {
		return Amount(v).String()
	}
	return strconv.FormatInt(v, 10)
}

// Unit returns the unit of a card balance of this programme type.
func (t ProgramType) Unit() Unit {
	switch t {
	case Bonus:
		return UnitPoints
	case Certificate:
		return UnitMoney
	case Stamp:
		return UnitStamps
	case Subscription:
		return UnitVisits
	}
	return UnitNone
}

// Program is a card template: what kind of card it issues and by which rules it counts.
// Fields that do not apply to the type stay zero; config validation refuses them.
type Program struct {
	ID          string      `yaml:"id" json:"id"`
	Name        string      `yaml:"name" json:"name"`
	Type        ProgramType `yaml:"type" json:"type"`
	Description string      `yaml:"description" json:"description,omitempty"`
	Archived    bool        `yaml:"archived" json:"archived,omitempty"` // issues no new cards

	// bonus
	Cashback         Percent `yaml:"cashback" json:"cashback,omitempty"`                     // % of the money paid that is accrued
	WelcomeBonus     Amount  `yaml:"welcome_bonus" json:"welcome_bonus,omitempty"`           // points on issue
	MaxRedeemPercent Percent `yaml:"max_redeem_percent" json:"max_redeem_percent,omitempty"` // at most this % of a purchase paid with points
	PointsExpireDays int     `yaml:"points_expire_days" json:"points_expire_days,omitempty"` // accrued points expire, oldest first; 0 = never

	// discount
	Discount Percent `yaml:"discount" json:"discount,omitempty"`

	// bonus and discount: the percentage grows with the client's total spend
	Tiers []Tier `yaml:"tiers" json:"tiers,omitempty"`

	// stamp
	Stamps         int    `yaml:"stamps" json:"stamps,omitempty"`                     // stamps that earn the reward
	Reward         string `yaml:"reward" json:"reward,omitempty"`                     // what the reward is
	StampsPerVisit int    `yaml:"stamps_per_visit" json:"stamps_per_visit,omitempty"` // stamps for a purchase of any sum
	StampPerAmount Amount `yaml:"stamp_per_amount" json:"stamp_per_amount,omitempty"` // or one stamp per this much spent

	// certificate
	Nominal    Amount `yaml:"nominal" json:"nominal,omitempty"`
	ValidUntil *Date  `yaml:"valid_until" json:"valid_until,omitempty"` // a fixed last day, or
	ValidDays  int    `yaml:"valid_days" json:"valid_days,omitempty"`   // days from issue (certificate, subscription)

	// subscription
	Visits int `yaml:"visits" json:"visits,omitempty"`
}

// Tier is a level of a bonus or discount programme reached by total spend.
type Tier struct {
	Name     string  `yaml:"name" json:"name"`
	MinSpend Amount  `yaml:"min_spend" json:"min_spend"`
	Cashback Percent `yaml:"cashback" json:"cashback,omitempty"` // bonus programmes
	Discount Percent `yaml:"discount" json:"discount,omitempty"` // discount programmes
}

// TierFor returns the highest tier whose threshold the total spend has reached, or nil for the base level.
// Tiers are sorted by MinSpend (config validation refuses them otherwise).
func (p *Program) TierFor(totalSpend Amount) *Tier {
	var best *Tier
	for i := range p.Tiers {
		if totalSpend >= p.Tiers[i].MinSpend {
			best = &p.Tiers[i]
		}
	}
	return best
}

// Rate returns the cashback (bonus) or discount (discount) percentage at the given tier name.
func (p *Program) Rate(tier string) Percent {
	for _, t := range p.Tiers {
		if t.Name == tier {
			if p.Type == Discount {
				return t.Discount
			}
			return t.Cashback
		}
	}
	if p.Type == Discount {
		return p.Discount
	}
	return p.Cashback
}
