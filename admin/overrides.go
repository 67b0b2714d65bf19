package admin

import (
	"context"
	"encoding/json"
	"maps"
	"slices"

	"cardbot"
	"cardbot/flows"
)

// overridesKey is where the owner's edits live in the store's settings bucket.
const overridesKey = "admin.overrides"

// overrides are what the owner changed in the admin page over config.yaml. A nil field is "as in
// config.yaml"; the settings page shows, for every value, which of the two it comes from.
type overrides struct {
	DefaultProgram *string  `json:"default_program,omitempty"`
	AutoIssue      *bool    `json:"auto_issue,omitempty"`
	AskBirthday    *bool    `json:"ask_birthday,omitempty"`
	Cascade        []string `json:"cascade,omitempty"`
	// Programs are programmes created or edited here, in the order they were first stored; one with
	// the id of a config.yaml programme replaces it, Deleted removes it.
	Programs []storedProgram   `json:"programs,omitempty"`
	Texts    map[string]string `json:"texts,omitempty"`
}

type storedProgram struct {
	cardbot.Program
	Deleted bool `json:"deleted,omitempty"`
}

func (p *Page) loadOverrides(ctx context.Context) (overrides, error) {
	var o overrides
	err := p.store().View(ctx, func(tx cardbot.Tx) error {
		var err error
		o, err = readOverrides(tx)
		return err
	})
	return o, err
}

func readOverrides(tx cardbot.Tx) (overrides, error) {
	var o overrides
	raw, err := tx.Setting(overridesKey)
	if err != nil || raw == nil {
		return o, err
	}
	return o, json.Unmarshal(raw, &o)
}

// configPrograms are config.yaml's programmes, or the built-in default when it names none (as the
// wallet does).
func (p *Page) configPrograms() []cardbot.Program {
	if len(p.cfg().Programs) == 0 {
		return cardbot.DefaultPrograms()
	}
	return p.cfg().Programs
}

// effective is config.yaml with the owner's overrides on top: what the service runs with.
func (p *Page) effective(o overrides) cardbot.Config {
	cfg := p.cfg()
	programs := slices.Clone(p.configPrograms())
	for _, sp := range o.Programs {
		i := slices.IndexFunc(programs, func(x cardbot.Program) bool { return x.ID == sp.ID })
		switch {
		case sp.Deleted && i >= 0:
			programs = slices.Delete(programs, i, i+1)
		case sp.Deleted:
		case i >= 0:
			programs[i] = sp.Program
		default:
			programs = append(programs, sp.Program)
		}
	}
	cfg.Programs = programs
	s := cfg.Settings
	if o.DefaultProgram != nil {
		s.DefaultProgram = *o.DefaultProgram
	}
	if o.AutoIssue != nil {
		s.AutoIssue = *o.AutoIssue
	}
	if o.AskBirthday != nil {
		s.AskBirthday = *o.AskBirthday
	}
	if o.Cascade != nil {
		s.Cascade = slices.Clone(o.Cascade)
	}
	cfg.Settings = s
	texts := maps.Clone(cfg.Texts)
	if texts == nil {
		texts = map[string]string{}
	}
	maps.Copy(texts, o.Texts)
	cfg.Texts = texts
	return cfg
}

// check validates the effective configuration with config.yaml's own rules.
// The texts and the default card are checked here too, so that what is stored is always what the
// running service accepts, with or without the file's validation.
func (p *Page) check(o overrides) error {
	cfg := p.effective(o)
	if err := flows.CheckTexts(cfg, cfg.Texts); err != nil {
		return err
	}
	s := cfg.Settings
	if i := slices.IndexFunc(cfg.Programs, func(x cardbot.Program) bool { return x.ID == s.DefaultProgram }); s.AutoIssue && (i < 0 || cfg.Programs[i].Archived) {
		return cardbot.Errorf(cardbot.Invalid, "the default card %q is not a card that is issued", s.DefaultProgram)
	}
	if p.validate == nil {
		return nil
	}
	if err := p.validate(cfg); err != nil {
		return cardbot.Errorf(cardbot.Invalid, "%s", err.Error())
	}
	return nil
}

// applyOverrides puts the effective configuration in force: the wallet's programmes, then the
// engine's switches and texts and the dispatcher's cascade.
func (p *Page) applyOverrides(o overrides) error {
	cfg := p.effective(o)
	p.wallet().SetPrograms(cfg.Programs)
	if p.runtime == nil {
		return nil
	}
	return p.runtime.Apply(cfg)
}

// changeOverrides reads the stored overrides, lets change edit them, validates the result, stores it
// and applies it, in that order; a refused change leaves both the store and the service as they were.
// change runs inside the transaction and may run more than once, so it must only edit o.
func (p *Page) changeOverrides(ctx context.Context, change func(tx cardbot.Tx, o *overrides) error) error {
	p.overridesMu.Lock()
	defer p.overridesMu.Unlock()
	var stored []byte
	err := p.store().Update(ctx, func(tx cardbot.Tx) error {
		o, err := readOverrides(tx)
		if err != nil {
			return err
		}
		if err := change(tx, &o); err != nil {
			return err
		}
		if err := p.check(o); err != nil {
			return err
		}
		raw, err := json.Marshal(o)
		if err != nil {
			return err
		}
		stored = raw
		return tx.PutSetting(overridesKey, raw)
	})
	if err != nil {
		return err
	}
	// Apply a copy decoded from what was stored, not o: fiber's form values and path parameters
	// point into the request's buffer, which the next request reuses, and the wallet and engine keep
	// what they are given.
	var next overrides
	if err := json.Unmarshal(stored, &next); err != nil {
		return err
	}
	if err := p.applyOverrides(next); err != nil {
		p.log().Error("admin: stored settings could not be applied; they take effect at the next start", "err", err)
		return cardbot.Errorf(cardbot.Invalid, "saved, but the running service refused it: %s", cardbot.MessageOf(err))
	}
	return nil
}
