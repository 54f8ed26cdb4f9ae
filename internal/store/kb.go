package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
)

// The knowledge base: categories, articles with a translation per
// locale, the help center's settings, and what readers did (views,
// feedback, searches). core/kb.go owns the rules; see docs/help-center.md.

// Translation statuses.
const (
	KBDraft     = "draft"
	KBPublished = "published"
)

// KBSettings are an account's help center settings.
type KBSettings struct {
	Title string `json:"title"`
	// Intro is the home page's line per locale.
	Intro         map[string]string `json:"intro"`
	Color         string            `json:"color"`
	Domain        string            `json:"domain"`
	DefaultLocale string            `json:"default_locale"`
	Locales       []string          `json:"locales"`
	Enabled       bool              `json:"enabled"`
	// ChatInboxID is the website chat inbox whose widget the help
	// center's pages show, so a reader who still needs help chats; 0
	// shows none.
	ChatInboxID int64 `json:"chat_inbox_id"`
	// ContactURL is where "Contact us" leads when there is no chat.
	ContactURL string `json:"contact_url"`
}

// HelpCenter is an account's help center row: its settings and the
// revision every change of the knowledge base moves.
type HelpCenter struct {
	AccountID int64
	Settings  KBSettings
	Revision  int64
}

// KBCategory groups articles. Names and descriptions are per locale.
type KBCategory struct {
	ID           int64             `json:"id"`
	AccountID    int64             `json:"account_id"`
	Names        map[string]string `json:"names"`
	Descriptions map[string]string `json:"descriptions"`
	Position     int               `json:"position"`
	ArticleCount int               `json:"article_count"`
	CreatedAt    time.Time         `json:"created_at"`
	UpdatedAt    time.Time         `json:"updated_at"`
}

// KBArticle is an article and its translations.
type KBArticle struct {
	ID           int64            `json:"id"`
	AccountID    int64            `json:"account_id"`
	CategoryID   *int64           `json:"category_id"`
	Internal     bool             `json:"internal"`
	Position     int              `json:"position"`
	Pages        []string         `json:"pages"`
	CreatedBy    int64            `json:"created_by"`
	CreatedAt    time.Time        `json:"created_at"`
	UpdatedAt    time.Time        `json:"updated_at"`
	Translations []*KBTranslation `json:"translations"`
}

// Translation returns the article's translation in locale, or nil.
func (a *KBArticle) Translation(locale string) *KBTranslation {
	for _, t := range a.Translations {
		if t.Locale == locale {
			return t
		}
	}
	return nil
}

// KBTranslation is an article in one locale: the working copy, and the
// published version when there is one.
type KBTranslation struct {
	Locale      string     `json:"locale"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Body        string     `json:"body"`
	Status      string     `json:"status"`
	HasDraft    bool       `json:"has_draft"`
	PublishedAt *time.Time `json:"published_at"`
	UpdatedBy   int64      `json:"updated_by"`
	UpdatedAt   time.Time  `json:"updated_at"`
	// Slug and URL are the public address of a published, public
	// translation; core sets them.
	Slug string `json:"slug"`
	URL  string `json:"url"`
	// HTML is the published body rendered, and PublishedTitle and
	// PublishedDescription the published version's, in a single
	// article's answer: what readers see while the working copy changes.
	HTML                 string `json:"html,omitempty"`
	PublishedTitle       string `json:"published_title,omitempty"`
	PublishedDescription string `json:"published_description,omitempty"`
	Views                int64  `json:"views"`
	Helpful              int64  `json:"helpful"`
	NotHelpful           int64  `json:"not_helpful"`
	// Published is the published version; nil while a draft.
	Published *KBVersion `json:"-"`
}

// KBVersion is the published version of a translation: its body, the
// body rendered and its plain text.
type KBVersion struct {
	Title, Description, Body, HTML, Text string
}

// KBPage is a published translation as the help center and the search
// index read it.
type KBPage struct {
	ArticleID   int64
	CategoryID  int64
	Internal    bool
	Position    int
	Pages       []string
	Locale      string
	Title       string
	Description string
	Body        string
	HTML        string
	// Text is the body's plain text; empty for a translation published
	// before it was kept.
	Text        string
	PublishedAt time.Time
	UpdatedAt   time.Time
	Views       int64
}

// KBStat adds to an article's counts of a day.
type KBStat struct {
	AccountID, ArticleID       int64
	Day                        int
	Locale                     string
	Views, Helpful, NotHelpful int64
}

// KBSearch adds to the counts of a query of a day.
type KBSearch struct {
	AccountID          int64
	Day                int
	Query, Locale      string
	Searches, NoResult int64
	At                 time.Time
}

// KBFile is an image of an article.
type KBFile struct {
	ID          int64
	AccountID   int64
	Token       string
	BlobKey     string
	Name        string
	ContentType string
	Size        int64
	CreatedBy   int64
}

// HelpCenter returns the account's help center row; an account that
// never saved one has a help center turned on with empty settings, at
// revision 0.
func (s *Store) HelpCenter(ctx context.Context, accountID int64) (*HelpCenter, error) {
	hc := &HelpCenter{AccountID: accountID, Settings: KBSettings{Enabled: true}}
	var settings string
	var domain sql.NullString
	err := s.read.QueryRowContext(ctx, `SELECT settings, domain, revision FROM help_centers WHERE account_id = $1`, accountID).
		Scan(&settings, &domain, &hc.Revision)
	if err == sql.ErrNoRows {
		return hc, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: help center: %w", err)
	}
	if err := json.Unmarshal([]byte(settings), &hc.Settings); err != nil {
		return nil, fmt.Errorf("store: help center %d settings: %w", accountID, err)
	}
	hc.Settings.Domain = domain.String
	return hc, nil
}

// KBRevision is the account's knowledge base revision: one indexed read,
// made before every use of a cached help center.
func (s *Store) KBRevision(ctx context.Context, accountID int64) (int64, error) {
	var rev int64
	err := s.read.QueryRowContext(ctx, `SELECT revision FROM help_centers WHERE account_id = $1`, accountID).Scan(&rev)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: kb revision: %w", err)
	}
	return rev, nil
}

// HelpCenterDomains maps every custom help center domain to its account.
func (s *Store) HelpCenterDomains(ctx context.Context) (map[string]int64, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT domain, account_id FROM help_centers WHERE domain IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("store: help center domains: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var d string
		var id int64
		if err := rows.Scan(&d, &id); err != nil {
			return nil, fmt.Errorf("store: help center domains: %w", err)
		}
		out[d] = id
	}
	return out, rows.Err()
}

// SaveHelpCenter saves the settings and moves the revision.
func (t *Tx) SaveHelpCenter(ctx context.Context, accountID int64, st KBSettings) error {
	domain := sql.NullString{String: st.Domain, Valid: st.Domain != ""}
	st.Domain = ""
	_, err := t.tx.ExecContext(ctx, `INSERT INTO help_centers (account_id, settings, domain, revision, updated_at)
		VALUES ($1, $2, $3, 1, $4)
		ON CONFLICT (account_id) DO UPDATE SET settings = excluded.settings, domain = excluded.domain,
			revision = help_centers.revision + 1, updated_at = excluded.updated_at`,
		accountID, encodeJSON(st), domain, ms(t.now))
	if isUniqueViolation(err) {
		return sahay.Errorf(sahay.ECONFLICT, "another help center has the domain %q", domain.String)
	}
	if err != nil {
		return fmt.Errorf("store: save help center: %w", err)
	}
	return nil
}

// BumpKB moves the account's knowledge base revision: every cached copy
// of its help center is read again.
func (t *Tx) BumpKB(ctx context.Context, accountID int64) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO help_centers (account_id, settings, revision, updated_at)
		VALUES ($1, '{"enabled":true}', 1, $2)
		ON CONFLICT (account_id) DO UPDATE SET revision = help_centers.revision + 1`, accountID, ms(t.now))
	if err != nil {
		return fmt.Errorf("store: kb revision: %w", err)
	}
	return nil
}

const kbCategoryColumns = `c.id, c.account_id, c.names, c.descriptions, c.position, c.created_at, c.updated_at,
	(SELECT COUNT(*) FROM kb_articles a WHERE a.category_id = c.id)`

func scanKBCategory(row interface{ Scan(...any) error }) (*KBCategory, error) {
	var c KBCategory
	var names, descs string
	var created, updated int64
	if err := row.Scan(&c.ID, &c.AccountID, &names, &descs, &c.Position, &created, &updated, &c.ArticleCount); err != nil {
		return nil, err
	}
	json.Unmarshal([]byte(names), &c.Names)
	json.Unmarshal([]byte(descs), &c.Descriptions)
	if c.Names == nil {
		c.Names = map[string]string{}
	}
	if c.Descriptions == nil {
		c.Descriptions = map[string]string{}
	}
	c.CreatedAt, c.UpdatedAt = fromMS(created), fromMS(updated)
	return &c, nil
}

// KBCategories lists the account's categories in position order.
func (s *Store) KBCategories(ctx context.Context, accountID int64) ([]*KBCategory, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+kbCategoryColumns+` FROM kb_categories c
		WHERE c.account_id = $1 ORDER BY c.position, c.id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("store: kb categories: %w", err)
	}
	defer rows.Close()
	out := []*KBCategory{}
	for rows.Next() {
		c, err := scanKBCategory(rows)
		if err != nil {
			return nil, fmt.Errorf("store: kb categories: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// KBCategory returns one of the account's categories.
func (s *Store) KBCategory(ctx context.Context, accountID, id int64) (*KBCategory, error) {
	c, err := scanKBCategory(s.read.QueryRowContext(ctx, `SELECT `+kbCategoryColumns+` FROM kb_categories c
		WHERE c.account_id = $1 AND c.id = $2`, accountID, id))
	return c, notFound(err, "category")
}

// CreateKBCategory inserts a category.
func (t *Tx) CreateKBCategory(ctx context.Context, c *KBCategory) error {
	c.CreatedAt, c.UpdatedAt = t.now, t.now
	err := t.tx.QueryRowContext(ctx, `INSERT INTO kb_categories (account_id, names, descriptions, position, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`,
		c.AccountID, encodeJSON(c.Names), encodeJSON(c.Descriptions), c.Position, ms(t.now)).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("store: create kb category: %w", err)
	}
	return t.BumpKB(ctx, c.AccountID)
}

// UpdateKBCategory saves a category.
func (t *Tx) UpdateKBCategory(ctx context.Context, c *KBCategory) error {
	c.UpdatedAt = t.now
	res, err := t.tx.ExecContext(ctx, `UPDATE kb_categories SET names = $3, descriptions = $4, position = $5, updated_at = $6
		WHERE account_id = $1 AND id = $2`,
		c.AccountID, c.ID, encodeJSON(c.Names), encodeJSON(c.Descriptions), c.Position, ms(t.now))
	if err != nil {
		return fmt.Errorf("store: update kb category: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sahay.NotFound("category")
	}
	return t.BumpKB(ctx, c.AccountID)
}

// DeleteKBCategory removes a category; its articles stay, uncategorized.
func (t *Tx) DeleteKBCategory(ctx context.Context, accountID, id int64) error {
	if _, err := t.tx.ExecContext(ctx, `UPDATE kb_articles SET category_id = NULL WHERE account_id = $1 AND category_id = $2`, accountID, id); err != nil {
		return fmt.Errorf("store: delete kb category: %w", err)
	}
	res, err := t.tx.ExecContext(ctx, `DELETE FROM kb_categories WHERE account_id = $1 AND id = $2`, accountID, id)
	if err != nil {
		return fmt.Errorf("store: delete kb category: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sahay.NotFound("category")
	}
	return t.BumpKB(ctx, accountID)
}

// CountKB counts the account's categories and articles.
func (s *Store) CountKB(ctx context.Context, accountID int64) (categories, articles int, err error) {
	err = s.read.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM kb_categories WHERE account_id = $1),
		(SELECT COUNT(*) FROM kb_articles WHERE account_id = $1)`, accountID).Scan(&categories, &articles)
	if err != nil {
		return 0, 0, fmt.Errorf("store: count kb: %w", err)
	}
	return categories, articles, nil
}

// KBFilter selects articles. Zero values select all.
type KBFilter struct {
	CategoryID int64
	// Internal is "true" or "false" to select by it.
	Internal string
	// Bodies reads the working copies' bodies too.
	Bodies bool
	// IDs selects these articles only.
	IDs []int64
}

// KBArticles lists the account's articles in position order, with their
// translations (bodies only when the filter asks) and their counts of
// views and feedback.
func (s *Store) KBArticles(ctx context.Context, accountID int64, f KBFilter) ([]*KBArticle, error) {
	q := `SELECT id, account_id, category_id, internal, position, pages, COALESCE(created_by, 0), created_at, updated_at
		FROM kb_articles WHERE account_id = $1`
	args := []any{accountID}
	if f.CategoryID != 0 {
		args = append(args, f.CategoryID)
		q += fmt.Sprintf(` AND category_id = $%d`, len(args))
	}
	if f.Internal != "" {
		args = append(args, f.Internal == "true")
		q += fmt.Sprintf(` AND internal = $%d`, len(args))
	}
	if len(f.IDs) > 0 {
		q += ` AND id IN (` + placeholders(len(args)+1, len(f.IDs)) + `)`
		for _, id := range f.IDs {
			args = append(args, id)
		}
	}
	rows, err := s.read.QueryContext(ctx, q+` ORDER BY position, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: kb articles: %w", err)
	}
	out := []*KBArticle{}
	byID := map[int64]*KBArticle{}
	for rows.Next() {
		var a KBArticle
		var cat sql.NullInt64
		var pages string
		var created, updated int64
		if err := rows.Scan(&a.ID, &a.AccountID, &cat, &a.Internal, &a.Position, &pages, &a.CreatedBy, &created, &updated); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: kb articles: %w", err)
		}
		if cat.Valid {
			a.CategoryID = &cat.Int64
		}
		json.Unmarshal([]byte(pages), &a.Pages)
		if a.Pages == nil {
			a.Pages = []string{}
		}
		a.CreatedAt, a.UpdatedAt = fromMS(created), fromMS(updated)
		a.Translations = []*KBTranslation{}
		out = append(out, &a)
		byID[a.ID] = &a
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: kb articles: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	body := `''`
	if f.Bodies {
		body = `t.body`
	}
	targs, only := []any{accountID}, ``
	if len(f.IDs) > 0 {
		only = ` AND t.article_id IN (` + placeholders(2, len(f.IDs)) + `)`
		for _, id := range f.IDs {
			targs = append(targs, id)
		}
	}
	rows, err = s.read.QueryContext(ctx, `SELECT t.article_id, t.locale, t.title, t.description, `+body+`,
			t.pub_title, t.pub_description, t.pub_body, t.pub_html, t.pub_text, t.published_at, COALESCE(t.updated_by, 0), t.updated_at,
			t.title = t.pub_title AND t.description = t.pub_description AND t.body = t.pub_body,
			COALESCE(s.views, 0), COALESCE(s.helpful, 0), COALESCE(s.not_helpful, 0)
		FROM kb_translations t LEFT JOIN (SELECT article_id, locale, SUM(views) AS views, SUM(helpful) AS helpful,
				SUM(not_helpful) AS not_helpful FROM kb_stats WHERE account_id = $1 GROUP BY article_id, locale) s
			ON s.article_id = t.article_id AND s.locale = t.locale
		WHERE t.account_id = $1`+only+` ORDER BY t.article_id, t.locale`, targs...)
	if err != nil {
		return nil, fmt.Errorf("store: kb translations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t KBTranslation
		var id, updated int64
		var pt, pd, pb, ph, px sql.NullString
		var published sql.NullInt64
		var same sql.NullBool
		if err := rows.Scan(&id, &t.Locale, &t.Title, &t.Description, &t.Body, &pt, &pd, &pb, &ph, &px, &published,
			&t.UpdatedBy, &updated, &same, &t.Views, &t.Helpful, &t.NotHelpful); err != nil {
			return nil, fmt.Errorf("store: kb translations: %w", err)
		}
		a := byID[id]
		if a == nil {
			continue
		}
		t.UpdatedAt, t.PublishedAt, t.Status = fromMS(updated), fromNullMS(published), KBDraft
		if published.Valid {
			t.Status = KBPublished
			t.Published = &KBVersion{Title: pt.String, Description: pd.String, Body: pb.String, HTML: ph.String, Text: px.String}
			t.HasDraft = !same.Bool
		}
		a.Translations = append(a.Translations, &t)
	}
	return out, rows.Err()
}

// KBArticle returns one of the account's articles with its bodies.
func (s *Store) KBArticle(ctx context.Context, accountID, id int64) (*KBArticle, error) {
	list, err := s.KBArticles(ctx, accountID, KBFilter{IDs: []int64{id}, Bodies: true})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, sahay.NotFound("article")
	}
	return list[0], nil
}

// CreateKBArticle inserts an article, without translations.
func (t *Tx) CreateKBArticle(ctx context.Context, a *KBArticle) error {
	a.CreatedAt, a.UpdatedAt = t.now, t.now
	err := t.tx.QueryRowContext(ctx, `INSERT INTO kb_articles (account_id, category_id, internal, position, pages, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
		a.AccountID, kbCategory(a.CategoryID), a.Internal, a.Position, encodeJSON(a.Pages), nullID(a.CreatedBy), ms(t.now)).Scan(&a.ID)
	if err != nil {
		return fmt.Errorf("store: create kb article: %w", err)
	}
	return t.BumpKB(ctx, a.AccountID)
}

func kbCategory(id *int64) sql.NullInt64 {
	if id == nil {
		return sql.NullInt64{}
	}
	return nullID(*id)
}

// UpdateKBArticle saves an article's own fields.
func (t *Tx) UpdateKBArticle(ctx context.Context, a *KBArticle) error {
	a.UpdatedAt = t.now
	res, err := t.tx.ExecContext(ctx, `UPDATE kb_articles SET category_id = $3, internal = $4, position = $5, pages = $6, updated_at = $7
		WHERE account_id = $1 AND id = $2`,
		a.AccountID, a.ID, kbCategory(a.CategoryID), a.Internal, a.Position, encodeJSON(a.Pages), ms(t.now))
	if err != nil {
		return fmt.Errorf("store: update kb article: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sahay.NotFound("article")
	}
	return t.BumpKB(ctx, a.AccountID)
}

// DeleteKBArticle removes an article, its translations and its counts.
func (t *Tx) DeleteKBArticle(ctx context.Context, accountID, id int64) error {
	for _, q := range []string{`DELETE FROM kb_stats WHERE account_id = $1 AND article_id = $2`,
		`DELETE FROM kb_versions WHERE account_id = $1 AND article_id = $2`,
		`DELETE FROM kb_translations WHERE account_id = $1 AND article_id = $2`} {
		if _, err := t.tx.ExecContext(ctx, q, accountID, id); err != nil {
			return fmt.Errorf("store: delete kb article: %w", err)
		}
	}
	res, err := t.tx.ExecContext(ctx, `DELETE FROM kb_articles WHERE account_id = $1 AND id = $2`, accountID, id)
	if err != nil {
		return fmt.Errorf("store: delete kb article: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sahay.NotFound("article")
	}
	return t.BumpKB(ctx, accountID)
}

// SaveKBTranslation inserts or replaces an article's translation: the
// working copy, and the published version as tr.Published says (nil
// withdraws it). The article's updated_at moves with it.
func (t *Tx) SaveKBTranslation(ctx context.Context, accountID, articleID int64, tr *KBTranslation) error {
	tr.UpdatedAt = t.now
	// Published now, not kept from before: a version of the history.
	fresh := tr.Published != nil && tr.PublishedAt == nil
	if tr.Published != nil && tr.PublishedAt == nil {
		now := t.now
		tr.PublishedAt = &now
	}
	if tr.Published == nil {
		tr.PublishedAt = nil
	}
	var pt, pd, pb, ph, px sql.NullString
	if p := tr.Published; p != nil {
		pt, pd, pb, ph, px = sql.NullString{String: p.Title, Valid: true}, sql.NullString{String: p.Description, Valid: true},
			sql.NullString{String: p.Body, Valid: true}, sql.NullString{String: p.HTML, Valid: true}, sql.NullString{String: p.Text, Valid: true}
	}
	_, err := t.tx.ExecContext(ctx, `INSERT INTO kb_translations (article_id, locale, account_id, title, description, body,
			pub_title, pub_description, pub_body, pub_html, pub_text, published_at, updated_by, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		ON CONFLICT (article_id, locale) DO UPDATE SET title = excluded.title, description = excluded.description,
			body = excluded.body, pub_title = excluded.pub_title, pub_description = excluded.pub_description,
			pub_body = excluded.pub_body, pub_html = excluded.pub_html, pub_text = excluded.pub_text,
			published_at = excluded.published_at, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		articleID, tr.Locale, accountID, tr.Title, tr.Description, tr.Body, pt, pd, pb, ph, px, nullMS(tr.PublishedAt),
		nullID(tr.UpdatedBy), ms(t.now))
	if err != nil {
		return fmt.Errorf("store: save kb translation: %w", err)
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE kb_articles SET updated_at = $3 WHERE account_id = $1 AND id = $2`,
		accountID, articleID, ms(t.now)); err != nil {
		return fmt.Errorf("store: save kb translation: %w", err)
	}
	if fresh {
		if err := t.addKBVersion(ctx, accountID, articleID, tr); err != nil {
			return err
		}
	}
	return t.BumpKB(ctx, accountID)
}

// MaxKBVersions is how many published versions a translation's history
// keeps.
const MaxKBVersions = 50

// KBVersionEntry is a version of a translation that was published.
type KBVersionEntry struct {
	ID          int64     `json:"id"`
	ArticleID   int64     `json:"article_id"`
	Locale      string    `json:"locale"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Body        string    `json:"body"`
	PublishedBy int64     `json:"published_by"`
	PublishedAt time.Time `json:"published_at"`
}

// addKBVersion adds the version just published to the translation's
// history, and forgets the oldest past MaxKBVersions.
func (t *Tx) addKBVersion(ctx context.Context, accountID, articleID int64, tr *KBTranslation) error {
	p := tr.Published
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO kb_versions (account_id, article_id, locale, title, description, body, published_by, published_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, accountID, articleID, tr.Locale, p.Title, p.Description, p.Body,
		nullID(tr.UpdatedBy), ms(t.now)); err != nil {
		return fmt.Errorf("store: kb version: %w", err)
	}
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM kb_versions WHERE article_id = $1 AND locale = $2 AND id NOT IN
		(SELECT id FROM kb_versions WHERE article_id = $1 AND locale = $2 ORDER BY id DESC LIMIT $3)`,
		articleID, tr.Locale, MaxKBVersions); err != nil {
		return fmt.Errorf("store: kb version: %w", err)
	}
	return nil
}

// KBVersions lists an article's published versions, newest first: of one
// locale, or of all when locale is "".
func (s *Store) KBVersions(ctx context.Context, accountID, articleID int64, locale string) ([]*KBVersionEntry, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, article_id, locale, title, description, body, COALESCE(published_by, 0), published_at
		FROM kb_versions WHERE account_id = $1 AND article_id = $2 AND ($3 = '' OR locale = $3) ORDER BY id DESC`,
		accountID, articleID, locale)
	if err != nil {
		return nil, fmt.Errorf("store: kb versions: %w", err)
	}
	defer rows.Close()
	out := []*KBVersionEntry{}
	for rows.Next() {
		var v KBVersionEntry
		var at int64
		if err := rows.Scan(&v.ID, &v.ArticleID, &v.Locale, &v.Title, &v.Description, &v.Body, &v.PublishedBy, &at); err != nil {
			return nil, fmt.Errorf("store: kb versions: %w", err)
		}
		v.PublishedAt = fromMS(at)
		out = append(out, &v)
	}
	return out, rows.Err()
}

// DeleteKBTranslation removes an article's translation.
func (t *Tx) DeleteKBTranslation(ctx context.Context, accountID, articleID int64, locale string) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM kb_versions WHERE account_id = $1 AND article_id = $2 AND locale = $3`,
		accountID, articleID, locale); err != nil {
		return fmt.Errorf("store: delete kb translation: %w", err)
	}
	res, err := t.tx.ExecContext(ctx, `DELETE FROM kb_translations WHERE account_id = $1 AND article_id = $2 AND locale = $3`,
		accountID, articleID, locale)
	if err != nil {
		return fmt.Errorf("store: delete kb translation: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sahay.NotFound("translation")
	}
	return t.BumpKB(ctx, accountID)
}

// KBPages reads every published translation of the account, with the
// article's fields and its total views: what a help center shows and
// searches.
func (s *Store) KBPages(ctx context.Context, accountID int64) ([]*KBPage, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT a.id, COALESCE(a.category_id, 0), a.internal, a.position, a.pages,
			t.locale, t.pub_title, t.pub_description, t.pub_body, t.pub_html, COALESCE(t.pub_text, ''), t.published_at, a.updated_at,
			COALESCE(s.views, 0)
		FROM kb_translations t JOIN kb_articles a ON a.id = t.article_id
			LEFT JOIN (SELECT article_id, SUM(views) AS views FROM kb_stats WHERE account_id = $1 GROUP BY article_id) s
			ON s.article_id = a.id
		WHERE t.account_id = $1 AND t.published_at IS NOT NULL ORDER BY a.position, a.id, t.locale`, accountID)
	if err != nil {
		return nil, fmt.Errorf("store: kb pages: %w", err)
	}
	defer rows.Close()
	var out []*KBPage
	for rows.Next() {
		var p KBPage
		var pages string
		var published, updated int64
		if err := rows.Scan(&p.ArticleID, &p.CategoryID, &p.Internal, &p.Position, &pages, &p.Locale, &p.Title,
			&p.Description, &p.Body, &p.HTML, &p.Text, &published, &updated, &p.Views); err != nil {
			return nil, fmt.Errorf("store: kb pages: %w", err)
		}
		json.Unmarshal([]byte(pages), &p.Pages)
		p.PublishedAt, p.UpdatedAt = fromMS(published), fromMS(updated)
		out = append(out, &p)
	}
	return out, rows.Err()
}

// AddKBStats adds views and feedback to the day's counts.
func (t *Tx) AddKBStats(ctx context.Context, stats []KBStat) error {
	for _, st := range stats {
		_, err := t.tx.ExecContext(ctx, `INSERT INTO kb_stats (account_id, day, article_id, locale, views, helpful, not_helpful)
			SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS (SELECT 1 FROM kb_articles WHERE id = $3 AND account_id = $1)
			ON CONFLICT (account_id, day, article_id, locale) DO UPDATE SET views = kb_stats.views + excluded.views,
				helpful = kb_stats.helpful + excluded.helpful, not_helpful = kb_stats.not_helpful + excluded.not_helpful`,
			st.AccountID, st.Day, st.ArticleID, st.Locale, st.Views, st.Helpful, st.NotHelpful)
		if err != nil {
			return fmt.Errorf("store: kb stats: %w", err)
		}
	}
	return nil
}

// AddKBSearches adds searches to the day's counts.
func (t *Tx) AddKBSearches(ctx context.Context, searches []KBSearch) error {
	for _, q := range searches {
		_, err := t.tx.ExecContext(ctx, `INSERT INTO kb_searches (account_id, day, query, locale, searches, no_result, last_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (account_id, day, query, locale) DO UPDATE SET searches = kb_searches.searches + excluded.searches,
				no_result = kb_searches.no_result + excluded.no_result,
				last_at = CASE WHEN excluded.last_at > kb_searches.last_at THEN excluded.last_at ELSE kb_searches.last_at END`,
			q.AccountID, q.Day, q.Query, q.Locale, q.Searches, q.NoResult, ms(q.At))
		if err != nil {
			return fmt.Errorf("store: kb searches: %w", err)
		}
	}
	return nil
}

// KBArticleCount is an article's counts over a period.
type KBArticleCount struct {
	ArticleID  int64 `json:"article_id"`
	Views      int64 `json:"views"`
	Helpful    int64 `json:"helpful"`
	NotHelpful int64 `json:"not_helpful"`
}

// KBQueryCount is a query's counts over a period.
type KBQueryCount struct {
	Query    string    `json:"query"`
	Locale   string    `json:"locale"`
	Count    int64     `json:"count"`
	Searches int64     `json:"searches"`
	LastAt   time.Time `json:"last_at"`
}

// KBStatsBetween sums each article's counts over the days from and to
// (YYYYMMDD, inclusive), most viewed first.
func (s *Store) KBStatsBetween(ctx context.Context, accountID int64, from, to int) ([]KBArticleCount, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT article_id, SUM(views), SUM(helpful), SUM(not_helpful) FROM kb_stats
		WHERE account_id = $1 AND day BETWEEN $2 AND $3 GROUP BY article_id ORDER BY SUM(views) DESC, article_id`,
		accountID, from, to)
	if err != nil {
		return nil, fmt.Errorf("store: kb stats: %w", err)
	}
	defer rows.Close()
	out := []KBArticleCount{}
	for rows.Next() {
		var c KBArticleCount
		if err := rows.Scan(&c.ArticleID, &c.Views, &c.Helpful, &c.NotHelpful); err != nil {
			return nil, fmt.Errorf("store: kb stats: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// KBSearchesBetween sums the searches over the days from and to: their
// total and the queries that found nothing, most frequent first.
func (s *Store) KBSearchesBetween(ctx context.Context, accountID int64, from, to, limit int) (total int64, noResult []KBQueryCount, err error) {
	if err := s.read.QueryRowContext(ctx, `SELECT COALESCE(SUM(searches), 0) FROM kb_searches
		WHERE account_id = $1 AND day BETWEEN $2 AND $3`, accountID, from, to).Scan(&total); err != nil {
		return 0, nil, fmt.Errorf("store: kb searches: %w", err)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT query, locale, SUM(no_result), SUM(searches), MAX(last_at) FROM kb_searches
		WHERE account_id = $1 AND day BETWEEN $2 AND $3 AND no_result > 0
		GROUP BY query, locale ORDER BY SUM(no_result) DESC, MAX(last_at) DESC LIMIT $4`, accountID, from, to, limit)
	if err != nil {
		return 0, nil, fmt.Errorf("store: kb searches: %w", err)
	}
	defer rows.Close()
	noResult = []KBQueryCount{}
	for rows.Next() {
		var q KBQueryCount
		var last int64
		if err := rows.Scan(&q.Query, &q.Locale, &q.Count, &q.Searches, &last); err != nil {
			return 0, nil, fmt.Errorf("store: kb searches: %w", err)
		}
		q.LastAt = fromMS(last)
		noResult = append(noResult, q)
	}
	return total, noResult, rows.Err()
}

// CreateKBFile records an uploaded image.
func (t *Tx) CreateKBFile(ctx context.Context, f *KBFile) error {
	err := t.tx.QueryRowContext(ctx, `INSERT INTO kb_files (account_id, token, blob_key, name, content_type, size, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		f.AccountID, f.Token, f.BlobKey, f.Name, f.ContentType, f.Size, nullID(f.CreatedBy), ms(t.now)).Scan(&f.ID)
	if err != nil {
		return fmt.Errorf("store: create kb file: %w", err)
	}
	return nil
}

// KBFileByToken returns the image a public address names.
func (s *Store) KBFileByToken(ctx context.Context, token string) (*KBFile, error) {
	var f KBFile
	err := s.read.QueryRowContext(ctx, `SELECT id, account_id, token, blob_key, name, content_type, size FROM kb_files WHERE token = $1`,
		strings.TrimSpace(token)).Scan(&f.ID, &f.AccountID, &f.Token, &f.BlobKey, &f.Name, &f.ContentType, &f.Size)
	if err != nil {
		return nil, notFound(err, "file")
	}
	return &f, nil
}
