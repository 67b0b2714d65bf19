package flows

import (
	"context"
	"time"

	"cardbot"
)

// StoredRatings is the statistics' RatingSource over the ratings the engine keeps in the store: the
// scores customers gave (rated, or rated with feedback), at the time they gave them.
type StoredRatings struct{ Store cardbot.Store }

// RatingsBetween lists the scores given in [from, to).
func (s StoredRatings) RatingsBetween(ctx context.Context, from, to time.Time) ([]RatingSample, error) {
	var out []RatingSample
	err := s.Store.View(ctx, func(tx cardbot.Tx) error {
		out = out[:0]
		const batch = 1000
		for after := uint64(0); ; {
			rs, err := tx.Ratings(after, batch)
			if err != nil {
				return err
			}
			for _, r := range rs {
				after = r.ID
				if r.Score > 0 && !r.RatedAt.Before(from) && r.RatedAt.Before(to) {
					out = append(out, RatingSample{Score: r.Score, Branch: r.Branch, At: r.RatedAt})
				}
			}
			if len(rs) < batch {
				return nil
			}
		}
	})
	return out, err
}
