package store

import (
	"errors"

	"cardbot"
)

// miniSiteRecord is a mini-site as stored.
type miniSiteRecord struct {
	V int `json:"v"`
	*cardbot.MiniSite
}

func miniSiteKeys(s *cardbot.MiniSite) []uniqueKey {
	return []uniqueKey{{index: idxMiniSiteSlug, key: s.Slug, label: "address /s/" + s.Slug}}
}

func validateMiniSite(s *cardbot.MiniSite) error {
	if s == nil {
		return errors.New("store: nil mini-site")
	}
	if !cardbot.ValidSlug(s.Slug) {
		return cardbot.Errorf(cardbot.Invalid, "the address %q needs 1 to 40 lowercase latin letters, digits or hyphens", s.Slug)
	}
	return nil
}

// CreateMiniSite assigns s.ID and stores s, refusing a slug another site has.
func (t *tx) CreateMiniSite(s *cardbot.MiniSite) error {
	if err := t.mayWrite(); err != nil {
		return err
	}
	if err := validateMiniSite(s); err != nil {
		return err
	}
	keys := miniSiteKeys(s)
	if err := t.checkUnique("mini-site", 0, keys); err != nil {
		return err
	}
	if err := t.writable(); err != nil {
		return err
	}
	id, err := t.bucket(bucketMiniSites).NextSequence()
	if err != nil {
		return err
	}
	s.ID = id
	if err := t.reindex("mini-site", id, nil, keys); err != nil {
		return err
	}
	return t.save(bucketMiniSites, id, miniSiteRecord{V: recordVersion, MiniSite: s})
}

// PutMiniSite replaces the site with s.ID; a new slug moves its index entry.
func (t *tx) PutMiniSite(s *cardbot.MiniSite) error {
	if err := t.mayWrite(); err != nil {
		return err
	}
	if err := validateMiniSite(s); err != nil {
		return err
	}
	old, err := t.MiniSite(s.ID)
	if err != nil {
		return err
	}
	if err := t.reindex("mini-site", s.ID, miniSiteKeys(old), miniSiteKeys(s)); err != nil {
		return err
	}
	return t.save(bucketMiniSites, s.ID, miniSiteRecord{V: recordVersion, MiniSite: s})
}

// DeleteMiniSite removes the site and frees its slug. Clients keep "site:<id>" as their source.
func (t *tx) DeleteMiniSite(id uint64) error {
	if err := t.mayWrite(); err != nil {
		return err
	}
	old, err := t.MiniSite(id)
	if err != nil {
		return err
	}
	if err := t.reindex("mini-site", id, miniSiteKeys(old), nil); err != nil {
		return err
	}
	return t.bucket(bucketMiniSites).Delete(idKey(id))
}

// MiniSite returns the site with the given id.
func (t *tx) MiniSite(id uint64) (*cardbot.MiniSite, error) {
	rec := miniSiteRecord{MiniSite: new(cardbot.MiniSite)}
	found, err := t.load(bucketMiniSites, id, &rec)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, cardbot.Errorf(cardbot.NotFound, "mini-site %d not found", id)
	}
	return rec.MiniSite, nil
}

// MiniSiteBySlug returns the site at /s/<slug>.
func (t *tx) MiniSiteBySlug(slug string) (*cardbot.MiniSite, error) {
	id := t.owner(uniqueKey{index: idxMiniSiteSlug, key: slug})
	if slug == "" || id == 0 {
		return nil, cardbot.Errorf(cardbot.NotFound, "no mini-site at /s/%s", slug)
	}
	return t.MiniSite(id)
}

// MiniSites lists every site by ascending id.
func (t *tx) MiniSites() ([]*cardbot.MiniSite, error) {
	sites := []*cardbot.MiniSite{}
	c := t.bucket(bucketMiniSites).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		s, err := t.MiniSite(keyID(k))
		if err != nil {
			return nil, err
		}
		sites = append(sites, s)
	}
	return sites, nil
}
