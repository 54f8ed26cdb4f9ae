package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/auth"
	"github.com/sahayhq/sahay/internal/blob"
	"github.com/sahayhq/sahay/internal/kb"
	"github.com/sahayhq/sahay/internal/store"
)

// The knowledge base: articles in categories, each with a translation
// per locale written in Markdown, a draft and a published version of
// each; internal articles only agents read. Administrators write, every
// user reads; the public help center (kb_site.go) and the widget read
// what is published and public. See docs/help-center.md.
const (
	MaxKBArticles   = 5000
	MaxKBCategories = 200
	// MaxKBBodyBytes bounds an article's Markdown.
	MaxKBBodyBytes     = 100 << 10
	MaxKBTitleChars    = 200
	MaxKBDescChars     = 300
	MaxKBPages         = 20
	MaxKBFileSize      = 5 << 20
	maxKBCategoryChars = 80
)

// kbImageTypes are the files an article may show.
var kbImageTypes = []string{"image/png", "image/jpeg", "image/gif", "image/webp"}

// Translation statuses asked for when saving.
const (
	kbDraft       = store.KBDraft
	kbPublished   = store.KBPublished
	kbUnpublished = "unpublished"
)

// ArticleInput creates or changes an article. Its own fields (category,
// internal, position, pages) and one translation's (locale, title,
// description, body, status); nil fields stay as they are.
type ArticleInput struct {
	CategoryID *int64    `json:"category_id"`
	Internal   *bool     `json:"internal"`
	Position   *int      `json:"position"`
	Pages      *[]string `json:"pages"`
	TranslationInput
	Locale *string `json:"locale"`
}

// TranslationInput saves an article's translation. Status "published"
// publishes the working copy, "draft" (the default) saves it only, and a
// published version stays public until "unpublished" withdraws it.
type TranslationInput struct {
	Title       *string `json:"title"`
	Description *string `json:"description"`
	Body        *string `json:"body"`
	Status      *string `json:"status"`
}

func (in TranslationInput) empty() bool {
	return in.Title == nil && in.Description == nil && in.Body == nil && in.Status == nil
}

// CategoryInput creates or changes a category.
type CategoryInput struct {
	Names        map[string]string `json:"names"`
	Descriptions map[string]string `json:"descriptions"`
	Position     *int              `json:"position"`
}

// KBSettingsInput changes the help center's settings; nil fields stay.
type KBSettingsInput struct {
	Title         *string            `json:"title"`
	Intro         *map[string]string `json:"intro"`
	Color         *string            `json:"color"`
	Domain        *string            `json:"domain"`
	DefaultLocale *string            `json:"default_locale"`
	Locales       *[]string          `json:"locales"`
	Enabled       *bool              `json:"enabled"`
	ChatInboxID   *int64             `json:"chat_inbox_id"`
	ContactURL    *string            `json:"contact_url"`
}

// KBSettings are the help center's settings as the API shows them: with
// its defaults filled in and its public address.
type KBSettings struct {
	store.KBSettings
	Slug string `json:"slug"`
	URL  string `json:"url"`
}

var (
	slugPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)
	// reservedSlugs would read as something else in an address.
	reservedSlugs = []string{"api", "hc", "admin", "www", "static", "assets", "files", "search", "sitemap"}
)

// AccountSlug makes an account's slug from its name: lowercase ASCII
// letters and digits joined by hyphens ("Dhaka Gadgets" → "dhaka-gadgets").
// A name without any gives "team"; the store adds the account's id when
// another account has the slug.
func AccountSlug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) < 2 || slices.Contains(reservedSlugs, s) {
		return "team"
	}
	return s
}

func checkSlug(s string) error {
	if len(s) < 2 || !slugPattern.MatchString(s) {
		return sahay.Invalid("slug: %q must be 2 to 63 lowercase letters, digits and hyphens, starting and ending with a letter or digit", s)
	}
	if slices.Contains(reservedSlugs, s) {
		return sahay.Invalid("slug: %q is reserved", s)
	}
	return nil
}

// checkKBLocale checks a locale an article or the help center names.
func checkKBLocale(field, l string) error {
	if !languagePattern.MatchString(l) || len(l) > 12 {
		return sahay.Invalid("%s: %q is not a language tag like en, bn or hi", field, l)
	}
	return nil
}

// checkDomain checks a custom help center domain: a host name of at
// least two labels, without a port, scheme or path, and not an address.
func checkDomain(d string) (string, error) {
	d = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), "."))
	if d == "" {
		return "", nil
	}
	if net.ParseIP(d) != nil || len(d) > 253 || !strings.Contains(d, ".") {
		return "", sahay.Invalid("domain: %q is not a host name like help.example.com", d)
	}
	for _, label := range strings.Split(d, ".") {
		if len(label) == 0 || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") ||
			strings.Trim(label, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			return "", sahay.Invalid("domain: %q is not a host name like help.example.com", d)
		}
	}
	if d == "localhost" || strings.HasSuffix(d, ".localhost") {
		return "", sahay.Invalid("domain: %q is not a public host name", d)
	}
	return d, nil
}

// checkContactURL checks where "Contact us" leads: an http(s) address or
// a mailto: one.
func checkContactURL(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	u, err := url.Parse(v)
	if err != nil || len(v) > 500 || !(u.Scheme == "https" || u.Scheme == "http") || u.Host == "" {
		if err == nil && u.Scheme == "mailto" && u.Opaque != "" && len(v) <= 500 {
			return v, nil
		}
		return "", sahay.Invalid("contact_url: %q is not an http(s) or mailto: address", v)
	}
	return v, nil
}

// kbSettings fills in the defaults of an account's help center settings.
func kbSettings(acc *sahay.Account, st store.KBSettings) store.KBSettings {
	if st.Title == "" {
		st.Title = acc.Name
	}
	if st.Intro == nil {
		st.Intro = map[string]string{}
	}
	if st.Color == "" {
		st.Color = "#0b6e4f"
	}
	if len(st.Locales) == 0 {
		st.Locales = []string{"en", "bn", "hi"}
		for _, l := range acc.Locales {
			if !slices.Contains(st.Locales, l) {
				st.Locales = append(st.Locales, l)
			}
		}
	}
	if st.DefaultLocale == "" {
		st.DefaultLocale = st.Locales[0]
		if len(acc.Locales) > 0 && slices.Contains(st.Locales, acc.Locales[0]) {
			st.DefaultLocale = acc.Locales[0]
		}
	}
	return st
}

// HelpCenterPath is the address of an account's help center on this
// server.
func HelpCenterPath(slug string) string { return "/hc/" + slug }

// ArticlePath is the address of a published article in a locale below
// a help center's base (HelpCenterPath, or "" on its own domain).
func ArticlePath(base, locale string, id int64, title string) string {
	return fmt.Sprintf("%s/%s/articles/%d-%s", base, locale, id, kb.Slug(title))
}

// KBSettings returns the help center's settings.
func (s *Service) KBSettings(ctx context.Context, a *Actor) (*KBSettings, error) {
	if a.IsBot() {
		return nil, sahay.Errorf(sahay.EFORBIDDEN, "an agent bot has no help center")
	}
	acc, err := s.store.Account(ctx, a.AccountID())
	if err != nil {
		return nil, err
	}
	hc, err := s.store.HelpCenter(ctx, acc.ID)
	if err != nil {
		return nil, err
	}
	return &KBSettings{KBSettings: kbSettings(acc, hc.Settings), Slug: acc.Slug, URL: HelpCenterPath(acc.Slug)}, nil
}

// SaveKBSettings changes the help center's settings.
func (s *Service) SaveKBSettings(ctx context.Context, a *Actor, in KBSettingsInput) (*KBSettings, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	cur, err := s.KBSettings(ctx, a)
	if err != nil {
		return nil, err
	}
	st := cur.KBSettings
	if in.Title != nil {
		if st.Title, err = cleanName("title", *in.Title, 80); err != nil {
			return nil, err
		}
	}
	if in.Locales != nil {
		if len(*in.Locales) == 0 || len(*in.Locales) > 12 {
			return nil, sahay.Invalid("locales: a help center has 1 to 12 languages")
		}
		for _, l := range *in.Locales {
			if err := checkKBLocale("locales", l); err != nil {
				return nil, err
			}
		}
		st.Locales = slices.Compact(slices.Clone(*in.Locales))
	}
	if in.DefaultLocale != nil {
		st.DefaultLocale = *in.DefaultLocale
	}
	if !slices.Contains(st.Locales, st.DefaultLocale) {
		return nil, sahay.Invalid("default_locale: %q is not one of the help center's locales %v", st.DefaultLocale, st.Locales)
	}
	if in.Intro != nil {
		intro := map[string]string{}
		for l, v := range *in.Intro {
			if err := checkKBLocale("intro", l); err != nil {
				return nil, err
			}
			if intro[l], err = cleanLine("intro", v, MaxKBDescChars); err != nil {
				return nil, err
			}
		}
		st.Intro = intro
	}
	if in.Color != nil {
		if !colorPattern.MatchString(*in.Color) {
			return nil, sahay.Invalid("color: %q is not a colour like #0b6e4f", *in.Color)
		}
		st.Color = strings.ToLower(*in.Color)
	}
	if in.Domain != nil {
		if st.Domain, err = checkDomain(*in.Domain); err != nil {
			return nil, err
		}
	}
	if in.Enabled != nil {
		st.Enabled = *in.Enabled
	}
	if in.ChatInboxID != nil {
		if id := *in.ChatInboxID; id != 0 {
			inbox, err := s.store.Inbox(ctx, a.AccountID(), id)
			if err != nil || inbox.Channel != "widget" {
				return nil, sahay.Invalid("chat_inbox_id: %d is not a website chat inbox of the account", id)
			}
		}
		st.ChatInboxID = *in.ChatInboxID
	}
	if in.ContactURL != nil {
		if st.ContactURL, err = checkContactURL(*in.ContactURL); err != nil {
			return nil, err
		}
	}
	err = s.write(ctx, func(tx *store.Tx) error {
		if err := tx.SaveHelpCenter(ctx, a.AccountID(), st); err != nil {
			return err
		}
		return audit(ctx, tx, a, "help_center.update", "account", a.AccountID(), in)
	})
	if err != nil {
		return nil, err
	}
	s.kb.forgetDomains()
	return s.KBSettings(ctx, a)
}

// KBCategories lists the categories to every user.
func (s *Service) KBCategories(ctx context.Context, a *Actor) ([]*store.KBCategory, error) {
	if a.IsBot() {
		return nil, sahay.Errorf(sahay.EFORBIDDEN, "an agent bot has no knowledge base")
	}
	return s.store.KBCategories(ctx, a.AccountID())
}

// SaveKBCategory creates a category (id 0) or changes one.
func (s *Service) SaveKBCategory(ctx context.Context, a *Actor, id int64, in CategoryInput) (*store.KBCategory, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	c := &store.KBCategory{AccountID: a.AccountID(), Names: map[string]string{}, Descriptions: map[string]string{}}
	if id != 0 {
		var err error
		if c, err = s.store.KBCategory(ctx, a.AccountID(), id); err != nil {
			return nil, err
		}
	} else {
		n, _, err := s.store.CountKB(ctx, a.AccountID())
		if err != nil {
			return nil, err
		}
		if n >= MaxKBCategories {
			return nil, sahay.Invalid("an account has at most %d categories", MaxKBCategories)
		}
	}
	if in.Names != nil {
		names, err := localized("names", in.Names, maxKBCategoryChars)
		if err != nil {
			return nil, err
		}
		c.Names = names
	}
	if len(c.Names) == 0 {
		return nil, sahay.Invalid("names: a category needs a name in at least one language")
	}
	if in.Descriptions != nil {
		descs, err := localized("descriptions", in.Descriptions, MaxKBDescChars)
		if err != nil {
			return nil, err
		}
		c.Descriptions = descs
	}
	if in.Position != nil {
		c.Position = *in.Position
	}
	err := s.write(ctx, func(tx *store.Tx) error {
		if id == 0 {
			return tx.CreateKBCategory(ctx, c)
		}
		return tx.UpdateKBCategory(ctx, c)
	})
	if err != nil {
		return nil, err
	}
	return s.store.KBCategory(ctx, a.AccountID(), c.ID)
}

// localized checks a text per locale; blank ones are dropped.
func localized(field string, in map[string]string, maxChars int) (map[string]string, error) {
	out := map[string]string{}
	if len(in) > 20 {
		return nil, sahay.Invalid("%s: at most 20 languages", field)
	}
	for l, v := range in {
		if err := checkKBLocale(field, l); err != nil {
			return nil, err
		}
		v, err := cleanLine(field, v, maxChars)
		if err != nil {
			return nil, err
		}
		if v != "" {
			out[l] = v
		}
	}
	return out, nil
}

// DeleteKBCategory removes a category; its articles become uncategorized.
func (s *Service) DeleteKBCategory(ctx context.Context, a *Actor, id int64) error {
	if err := a.requireAdmin(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *store.Tx) error { return tx.DeleteKBCategory(ctx, a.AccountID(), id) })
}

// KBArticleFilter selects articles in the list.
type KBArticleFilter struct {
	CategoryID int64
	Locale     string
	// Status keeps the articles with a translation in this status (in
	// Locale, when given).
	Status   string
	Internal string
}

// KBArticles lists the articles, without their bodies, to every user.
func (s *Service) KBArticles(ctx context.Context, a *Actor, f KBArticleFilter) ([]*store.KBArticle, error) {
	if a.IsBot() {
		return nil, sahay.Errorf(sahay.EFORBIDDEN, "an agent bot has no knowledge base")
	}
	if f.Internal != "" && f.Internal != "true" && f.Internal != "false" {
		return nil, sahay.Invalid("internal is true or false, not %q", f.Internal)
	}
	if f.Status != "" && f.Status != kbDraft && f.Status != kbPublished {
		return nil, sahay.Invalid("status is draft or published, not %q", f.Status)
	}
	list, err := s.store.KBArticles(ctx, a.AccountID(), store.KBFilter{CategoryID: f.CategoryID, Internal: f.Internal})
	if err != nil {
		return nil, err
	}
	acc, err := s.store.Account(ctx, a.AccountID())
	if err != nil {
		return nil, err
	}
	out := list[:0]
	for _, art := range list {
		if f.Status != "" || f.Locale != "" {
			keep := slices.ContainsFunc(art.Translations, func(t *store.KBTranslation) bool {
				return (f.Locale == "" || t.Locale == f.Locale) && (f.Status == "" || t.Status == f.Status)
			})
			if !keep {
				continue
			}
		}
		addresses(acc, art)
		out = append(out, art)
	}
	return out, nil
}

// addresses sets the public addresses of an article's translations.
func addresses(acc *sahay.Account, art *store.KBArticle) {
	for _, t := range art.Translations {
		if t.Published != nil {
			t.Slug = kb.Slug(t.Published.Title)
			if !art.Internal {
				t.URL = ArticlePath(HelpCenterPath(acc.Slug), t.Locale, art.ID, t.Published.Title)
			}
		}
	}
}

// KBArticle returns an article with its bodies and the published ones
// rendered, to every user.
func (s *Service) KBArticle(ctx context.Context, a *Actor, id int64) (*store.KBArticle, error) {
	if a.IsBot() {
		return nil, sahay.NotFound("article")
	}
	art, err := s.store.KBArticle(ctx, a.AccountID(), id)
	if err != nil {
		return nil, err
	}
	acc, err := s.store.Account(ctx, a.AccountID())
	if err != nil {
		return nil, err
	}
	addresses(acc, art)
	for _, t := range art.Translations {
		if t.Published != nil {
			t.HTML, t.PublishedTitle, t.PublishedDescription = t.Published.HTML, t.Published.Title, t.Published.Description
		}
	}
	return art, nil
}

// CreateKBArticle creates an article with its first translation.
func (s *Service) CreateKBArticle(ctx context.Context, a *Actor, in ArticleInput) (*store.KBArticle, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	if in.Title == nil {
		return nil, sahay.Invalid("title is required")
	}
	if in.Locale == nil {
		st, err := s.KBSettings(ctx, a)
		if err != nil {
			return nil, err
		}
		in.Locale = &st.DefaultLocale
	}
	_, n, err := s.store.CountKB(ctx, a.AccountID())
	if err != nil {
		return nil, err
	}
	if n >= MaxKBArticles {
		return nil, sahay.Invalid("an account has at most %d articles", MaxKBArticles)
	}
	art := &store.KBArticle{AccountID: a.AccountID(), Pages: []string{}, CreatedBy: a.User.ID}
	if err := s.articleFields(ctx, a, art, in); err != nil {
		return nil, err
	}
	tr, err := translation(a, nil, *in.Locale, in.TranslationInput)
	if err != nil {
		return nil, err
	}
	err = s.write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateKBArticle(ctx, art); err != nil {
			return err
		}
		return tx.SaveKBTranslation(ctx, art.AccountID, art.ID, tr)
	})
	if err != nil {
		return nil, err
	}
	return s.KBArticle(ctx, a, art.ID)
}

// UpdateKBArticle changes an article's own fields, and one translation's
// when the input names a locale.
func (s *Service) UpdateKBArticle(ctx context.Context, a *Actor, id int64, in ArticleInput) (*store.KBArticle, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	art, err := s.store.KBArticle(ctx, a.AccountID(), id)
	if err != nil {
		return nil, err
	}
	if err := s.articleFields(ctx, a, art, in); err != nil {
		return nil, err
	}
	var tr *store.KBTranslation
	if in.Locale != nil {
		if tr, err = translation(a, art.Translation(*in.Locale), *in.Locale, in.TranslationInput); err != nil {
			return nil, err
		}
	} else if !in.TranslationInput.empty() {
		return nil, sahay.Invalid("locale: say which translation the title, description, body or status are of")
	}
	err = s.write(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateKBArticle(ctx, art); err != nil {
			return err
		}
		if tr != nil {
			return tx.SaveKBTranslation(ctx, art.AccountID, art.ID, tr)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.KBArticle(ctx, a, id)
}

// SaveKBTranslation creates or changes an article's translation.
func (s *Service) SaveKBTranslation(ctx context.Context, a *Actor, id int64, locale string, in TranslationInput) (*store.KBArticle, error) {
	return s.UpdateKBArticle(ctx, a, id, ArticleInput{TranslationInput: in, Locale: &locale})
}

// DeleteKBTranslation removes a translation; an article keeps at least one.
func (s *Service) DeleteKBTranslation(ctx context.Context, a *Actor, id int64, locale string) error {
	if err := a.requireAdmin(); err != nil {
		return err
	}
	art, err := s.store.KBArticle(ctx, a.AccountID(), id)
	if err != nil {
		return err
	}
	if art.Translation(locale) == nil {
		return sahay.NotFound("translation")
	}
	if len(art.Translations) == 1 {
		return sahay.Invalid("an article keeps at least one translation: delete the article instead")
	}
	return s.write(ctx, func(tx *store.Tx) error { return tx.DeleteKBTranslation(ctx, a.AccountID(), id, locale) })
}

// DeleteKBArticle removes an article with its translations and counts.
func (s *Service) DeleteKBArticle(ctx context.Context, a *Actor, id int64) error {
	if err := a.requireAdmin(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *store.Tx) error { return tx.DeleteKBArticle(ctx, a.AccountID(), id) })
}

// articleFields applies and checks an article's own fields.
func (s *Service) articleFields(ctx context.Context, a *Actor, art *store.KBArticle, in ArticleInput) error {
	if in.CategoryID != nil {
		if *in.CategoryID == 0 {
			art.CategoryID = nil
		} else {
			if _, err := s.store.KBCategory(ctx, a.AccountID(), *in.CategoryID); err != nil {
				return sahay.Invalid("category_id: no category %d", *in.CategoryID)
			}
			id := *in.CategoryID
			art.CategoryID = &id
		}
	}
	if in.Internal != nil {
		art.Internal = *in.Internal
	}
	if in.Position != nil {
		art.Position = *in.Position
	}
	if in.Pages != nil {
		if len(*in.Pages) > MaxKBPages {
			return sahay.Invalid("pages: at most %d page patterns", MaxKBPages)
		}
		pages := []string{}
		for _, p := range *in.Pages {
			p, err := cleanLine("pages", p, 300)
			if err != nil {
				return err
			}
			if p != "" && !slices.Contains(pages, p) {
				pages = append(pages, p)
			}
		}
		art.Pages = pages
	}
	return nil
}

// translation applies a translation's input to cur (nil for a new one)
// and publishes, keeps or withdraws its published version as asked.
func translation(a *Actor, cur *store.KBTranslation, locale string, in TranslationInput) (*store.KBTranslation, error) {
	if err := checkKBLocale("locale", locale); err != nil {
		return nil, err
	}
	tr := &store.KBTranslation{Locale: locale}
	if cur != nil {
		c := *cur
		tr = &c
	} else if in.Title == nil {
		return nil, sahay.Invalid("title is required for a new translation")
	}
	var err error
	if in.Title != nil {
		if tr.Title, err = cleanName("title", *in.Title, MaxKBTitleChars); err != nil {
			return nil, err
		}
	}
	if in.Description != nil {
		if tr.Description, err = cleanLine("description", *in.Description, MaxKBDescChars); err != nil {
			return nil, err
		}
	}
	if in.Body != nil {
		if tr.Body, err = CleanText("body", *in.Body, MaxKBBodyBytes); err != nil {
			return nil, err
		}
	}
	status := kbDraft
	if in.Status != nil {
		status = *in.Status
	}
	switch status {
	case kbDraft:
	case kbPublished:
		if strings.TrimSpace(tr.Body) == "" {
			return nil, sahay.Invalid("body: an article is published with a body")
		}
		// Published now: the store dates it.
		tr.Published = &store.KBVersion{Title: tr.Title, Description: tr.Description, Body: tr.Body,
			HTML: kb.Render(tr.Body), Text: kb.Text(tr.Body)}
		tr.PublishedAt = nil
	case kbUnpublished:
		tr.Published, tr.PublishedAt = nil, nil
	default:
		return nil, sahay.Invalid("status is draft, published or unpublished, not %q", status)
	}
	tr.UpdatedBy = a.User.ID
	return tr, nil
}

// KBPreview renders Markdown as the help center shows it.
func (s *Service) KBPreview(ctx context.Context, a *Actor, body string) (string, error) {
	if a.IsBot() {
		return "", sahay.Errorf(sahay.EFORBIDDEN, "an agent bot has no knowledge base")
	}
	body, err := CleanText("body", body, MaxKBBodyBytes)
	if err != nil {
		return "", err
	}
	return kb.Render(body), nil
}

// KBUpload stores an image for articles and returns its public address
// and the Markdown that shows it.
func (s *Service) KBUpload(ctx context.Context, a *Actor, name, declared string, r io.Reader) (link, markdown string, err error) {
	if err := a.requireAdmin(); err != nil {
		return "", "", err
	}
	// The checks and the storing of any upload, for images only.
	att, err := s.storeUpload(ctx, Upload{FileName: name, ContentType: declared, Body: r, Allowed: kbImageTypes, MaxSize: MaxKBFileSize})
	if err != nil {
		return "", "", err
	}
	name, key := att.FileName, att.StorageKey
	f := &store.KBFile{AccountID: a.AccountID(), Token: auth.NewToken(), BlobKey: key, Name: name, ContentType: att.ContentType,
		Size: att.Size, CreatedBy: a.User.ID}
	if err := s.write(ctx, func(tx *store.Tx) error { return tx.CreateKBFile(ctx, f) }); err != nil {
		s.blobs.Delete(ctx, key)
		return "", "", err
	}
	link = KBFilePath(f.Token, name)
	alt := strings.TrimSuffix(name, filepath.Ext(name))
	alt = strings.NewReplacer("[", "", "]", "", "\n", " ").Replace(alt)
	return link, fmt.Sprintf("![%s](%s)", alt, link), nil
}

// KBFilePath is the public address of an article's image.
func KBFilePath(token, name string) string {
	return "/hc-files/" + token + "/" + url.PathEscape(name)
}

// OpenKBFile returns an article's image by its token, to anyone.
func (s *Service) OpenKBFile(ctx context.Context, token string) (*store.KBFile, io.ReadSeekCloser, error) {
	f, err := s.store.KBFileByToken(ctx, token)
	if err != nil {
		return nil, nil, err
	}
	r, err := s.blobs.Open(ctx, f.BlobKey)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, nil, sahay.NotFound("file")
	}
	if err != nil {
		return nil, nil, err
	}
	return f, r, nil
}

// KBVersions lists an article's published versions, newest first (of one
// locale, or of all when locale is ""), to every user.
func (s *Service) KBVersions(ctx context.Context, a *Actor, id int64, locale string) ([]*store.KBVersionEntry, error) {
	if a.IsBot() {
		return nil, sahay.NotFound("article")
	}
	if _, err := s.store.KBArticle(ctx, a.AccountID(), id); err != nil {
		return nil, err
	}
	return s.store.KBVersions(ctx, a.AccountID(), id, locale)
}

// RestoreKBVersion brings an earlier published version back as the
// translation's working copy, a draft to publish again: what readers see
// changes only then.
func (s *Service) RestoreKBVersion(ctx context.Context, a *Actor, id, versionID int64) (*store.KBArticle, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	versions, err := s.KBVersions(ctx, a, id, "")
	if err != nil {
		return nil, err
	}
	for _, v := range versions {
		if v.ID == versionID {
			draft := kbDraft
			return s.SaveKBTranslation(ctx, a, id, v.Locale, TranslationInput{Title: &v.Title, Description: &v.Description,
				Body: &v.Body, Status: &draft})
		}
	}
	return nil, sahay.NotFound("version")
}
