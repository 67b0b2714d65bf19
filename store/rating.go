package store

import (
	"errors"
	"time"

	"cardbot"
)

// ratingRecord is a visit's rating as stored.
type ratingRecord struct {
	V int `json:"v"`
	*cardbot.Rating
}

// ratingDueKey orders pending ratings by the time they are due, then by id.
func ratingDueKey(r *cardbot.Rating) []byte { return dueKey(r.DueAt, r.ID) }

func validateRating(r *cardbot.Rating) error {
	if r == nil {
		return errors.New("store: nil rating")
	}
	if r.ClientID == 0 || r.OpID == 0 {
		return cardbot.Errorf(cardbot.Invalid, "a rating needs a client and the operation it rates")
	}
	if r.Score < 0 || r.Score > 5 {
		return cardbot.Errorf(cardbot.Invalid, "a score is 1 to 5, not %d", r.Score)
	}
	return nil
}

// CreateRating assigns r.ID and stores r with its indexes: by operation (unique), by client, and by
// due time while it is pending.
func (t *tx) CreateRating(r *cardbot.Rating) error {
	if err := t.mayWrite(); err != nil {
		return err
	}
	if err := validateRating(r); err != nil {
		return err
	}
	if err := t.checkUnique("rating", 0, []uniqueKey{ratingOpKey(r)}); err != nil {
		return err
	}
	if err := t.writable(); err != nil {
		return err
	}
	if r.Status == "" {
		r.Status = cardbot.RatingPending
	}
	id, err := t.bucket(bucketRatings).NextSequence()
	if err != nil {
		return err
	}
	r.ID = id
	if err := t.reindex("rating", id, nil, []uniqueKey{ratingOpKey(r)}); err != nil {
		return err
	}
	if err := t.bucket(idxClientRatings).Put(pairKey(r.ClientID, id), nil); err != nil {
		return err
	}
	return t.saveRating(nil, r)
}

func ratingOpKey(r *cardbot.Rating) uniqueKey {
	return uniqueKey{index: idxRatingOp, key: string(idKey(r.OpID)), label: "the rating of operation"}
}

// PutRating saves a rating's new state; the due index follows its status and DueAt.
func (t *tx) PutRating(r *cardbot.Rating) error {
	if err := t.mayWrite(); err != nil {
		return err
	}
	if err := validateRating(r); err != nil {
		return err
	}
	old, err := t.Rating(r.ID)
	if err != nil {
		return err
	}
	if old.OpID != r.OpID || old.ClientID != r.ClientID {
		return cardbot.Errorf(cardbot.Invalid, "a rating keeps its client and operation")
	}
	if err := t.writable(); err != nil {
		return err
	}
	return t.saveRating(old, r)
}

// saveRating writes r and moves its entry in the due index from old's place. The due time is kept
// in UTC: a zone with a seconds offset (local mean time) loses them in the stored record, and the
// index entry must be the one the stored record names.
func (t *tx) saveRating(old, r *cardbot.Rating) error {
	r.DueAt = r.DueAt.UTC()
	due := t.bucket(idxRatingsDue)
	if old != nil && old.Status == cardbot.RatingPending {
		if err := due.Delete(ratingDueKey(old)); err != nil {
			return err
		}
	}
	if r.Status == cardbot.RatingPending {
		if err := due.Put(ratingDueKey(r), nil); err != nil {
			return err
		}
	}
	return t.save(bucketRatings, r.ID, ratingRecord{V: recordVersion, Rating: r})
}

// Rating returns the rating with the given id.
func (t *tx) Rating(id uint64) (*cardbot.Rating, error) {
	rec := ratingRecord{Rating: new(cardbot.Rating)}
	found, err := t.load(bucketRatings, id, &rec)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, cardbot.Errorf(cardbot.NotFound, "rating %d not found", id)
	}
	return rec.Rating, nil
}

// RatingByOperation returns the rating of a visit.
func (t *tx) RatingByOperation(opID uint64) (*cardbot.Rating, error) {
	id := t.owner(uniqueKey{index: idxRatingOp, key: string(idKey(opID))})
	if id == 0 {
		return nil, cardbot.Errorf(cardbot.NotFound, "operation %d has no rating", opID)
	}
	return t.Rating(id)
}

// DueRatings lists pending ratings due by until, oldest first, at most limit (all when limit <= 0).
func (t *tx) DueRatings(until time.Time, limit int) ([]*cardbot.Rating, error) {
	out := []*cardbot.Rating{}
	for _, id := range t.dueIDs(idxRatingsDue, until, limit) {
		r, err := t.Rating(id)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// ClientRatings lists a client's ratings newest first.
func (t *tx) ClientRatings(clientID, before uint64, limit int) ([]*cardbot.Rating, error) {
	out := []*cardbot.Rating{}
	for _, id := range t.childrenNewestFirst(idxClientRatings, clientID, before, limit) {
		r, err := t.Rating(id)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Ratings lists ratings by ascending id after the given one.
func (t *tx) Ratings(after uint64, limit int) ([]*cardbot.Rating, error) {
	return listAfter(t, bucketRatings, after, limit, t.Rating)
}

// RatingsNewestFirst lists ratings by descending id below the given one (0: from the newest).
func (t *tx) RatingsNewestFirst(before uint64, limit int) ([]*cardbot.Rating, error) {
	return listBefore(t, bucketRatings, before, limit, t.Rating)
}
