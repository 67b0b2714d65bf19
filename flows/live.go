package flows

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"cardbot"
)

// The live-settings seam: the admin page changes a few settings and the customer texts while the
// service runs. The engine reads them through settings() and its catalog's template set, both
// swapped whole, so a conversation in progress sees either the old values or the new ones.

// settings returns the programme-wide switches in force now.
func (e *Engine) settings() cardbot.Settings {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.live
}

// SetSettings replaces the switches the engine reads (default programme, auto-issue, ask birthday).
// It refuses, and keeps the old ones, when auto-issue names a programme the wallet does not have.
func (e *Engine) SetSettings(s cardbot.Settings) error {
	if s.AutoIssue && e.wallet.Program(s.DefaultProgram) == nil {
		return cardbot.Errorf(cardbot.Invalid, "the default card %q is not a programme", s.DefaultProgram)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.live = s
	return nil
}

// SetTexts replaces the owner's texts (name → template) over the built-in ones of the configured
// language. Every text is validated as at start; on error nothing changes.
func (e *Engine) SetTexts(overrides map[string]string) error {
	next, err := newCatalog(e.cfg.Locale, overrides, e.cfg.Business.Currency, e.loc)
	if err != nil {
		return cardbot.Errorf(cardbot.Invalid, "%s", strings.TrimPrefix(err.Error(), "flows: "))
	}
	e.texts.set.Store(next.set.Load())
	return nil
}

// TextNames lists the names of every customer text, the automation's included, sorted.
func TextNames() []string {
	return slices.Sorted(maps.Keys(builtinTexts("ru")))
}

// DefaultText returns the built-in template of a text in a language ("" for Russian); "" when there
// is no such text.
func DefaultText(locale, name string) string {
	return builtinTexts(locale)[name]
}

// builtinTexts are a language's texts as the catalog starts from them: the conversation's and the
// automation's. An unknown locale is Russian.
func builtinTexts(locale string) map[string]string {
	lang := languages[locale]
	if lang == nil {
		lang, locale = &russian, "ru"
	}
	return lang.withAutomation(locale).texts
}

// PreviewText renders the text name as a customer would see it, with sample data, in cfg's language
// and currency, taking overrides (the owner's texts, possibly unsaved) over the built-ins. An error
// says what is wrong with the template, so the admin page can show it beside the editor.
func PreviewText(cfg cardbot.Config, overrides map[string]string, name string) (string, error) {
	if _, ok := builtinTexts("ru")[name]; !ok {
		return "", cardbot.Errorf(cardbot.NotFound, "there is no text %q", name)
	}
	loc, err := time.LoadLocation(cfg.Business.Timezone)
	if err != nil {
		loc = time.UTC
	}
	c, err := newCatalog(cfg.Locale, overrides, cfg.Business.Currency, loc)
	if err != nil {
		return "", cardbot.Errorf(cardbot.Invalid, "%s", strings.TrimPrefix(err.Error(), "flows: "))
	}
	d := c.sample()
	d.Business = cfg.Business.Name
	out, err := c.render(name, d)
	if err != nil {
		return "", fmt.Errorf("%w", err)
	}
	return out, nil
}

// CheckTexts validates the owner's texts over the built-ins of cfg's language, as SetTexts would.
func CheckTexts(cfg cardbot.Config, overrides map[string]string) error {
	if _, err := newCatalog(cfg.Locale, overrides, cfg.Business.Currency, time.UTC); err != nil {
		return cardbot.Errorf(cardbot.Invalid, "%s", strings.TrimPrefix(err.Error(), "flows: "))
	}
	return nil
}
