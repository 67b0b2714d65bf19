package cardbot

import "time"

// MiniSite is a public page at /s/<slug>: a walk-in visitor scans the QR code on the counter, fills a
// short form and gets the site's programme card. The owner creates sites in the admin page.
type MiniSite struct {
	ID        uint64 `json:"id"`
	Slug      string `json:"slug"`       // the link's last part: latin letters, digits and hyphens
	Title     string `json:"title"`      // the page heading
	Text      string `json:"text"`       // a few lines under it: what the visitor gets
	ProgramID string `json:"program_id"` // the programme of the card it issues; "" = the default one
	// ConsentText is the owner's personal-data text beside the consent checkbox ("" = a built-in one).
	ConsentText string    `json:"consent_text,omitempty"`
	Logo        []byte    `json:"logo,omitempty"`      // PNG or JPEG, optional
	LogoType    string    `json:"logo_type,omitempty"` // its content type
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// ValidSlug reports whether s can be a mini-site's slug: 1 to 40 lowercase latin letters, digits and
// hyphens, not starting or ending with a hyphen, so the link reads the same everywhere it is printed.
func ValidSlug(s string) bool {
	if len(s) == 0 || len(s) > 40 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// ClientQuery selects clients for the admin page's list and search. Every set field narrows the result.
type ClientQuery struct {
	// Text is what the owner typed: a phone or the start of one (any format, digits count), a card
	// number or its start, or words that start words of the name. "" matches everyone.
	// Digits start a phone from its country code (+7 916…), from the trunk prefix 8 read as the +7
	// country code when at least two digits are typed (8 916…: the +7 numbering plan of Russia and
	// Kazakhstan only), or from the national number after the country code (916… finds +7 916…,
	// 29… finds +375 29…).
	Text string
	// ProgramID keeps clients who hold a card of this programme.
	ProgramID string
	// ActiveFrom and ActiveTo keep clients whose last activity is in [ActiveFrom, ActiveTo); zero = open.
	ActiveFrom, ActiveTo time.Time
	// Before pages newest first: only clients with an id below it (0: from the newest).
	Before uint64
	Limit  int // at most this many (0: a default page of 50)
}

// ClientPage is one page of a client search; Next is the Before of the following page, 0 at the end.
type ClientPage struct {
	Clients []*Client
	Next    uint64
}
