-- +goose Up
-- The knowledge base (docs/help-center.md). An account's slug names its
-- public help center (/hc/{slug}); existing accounts get account-<id>.
ALTER TABLE accounts ADD COLUMN slug TEXT;
UPDATE accounts SET slug = 'account-' || id;
CREATE UNIQUE INDEX accounts_slug ON accounts(slug);

-- The help center's settings (JSON), its custom domain and the revision
-- that moves with every change of an article: the search index's key.
CREATE TABLE help_centers (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    settings TEXT NOT NULL,
    domain TEXT UNIQUE,
    revision BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);

CREATE TABLE kb_categories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    names TEXT NOT NULL,
    descriptions TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX kb_categories_account ON kb_categories(account_id);

CREATE TABLE kb_articles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    category_id BIGINT REFERENCES kb_categories(id) ON DELETE SET NULL,
    internal INTEGER NOT NULL DEFAULT 0,
    position INTEGER NOT NULL DEFAULT 0,
    pages TEXT NOT NULL DEFAULT '[]',
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX kb_articles_account ON kb_articles(account_id, category_id);

-- One row per article and locale: the working copy (title, description,
-- body) and, once published, the published version (pub_*), which stays
-- public while the working copy changes.
CREATE TABLE kb_translations (
    article_id BIGINT NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    locale TEXT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    body TEXT NOT NULL,
    pub_title TEXT,
    pub_description TEXT,
    pub_body TEXT,
    pub_html TEXT,
    published_at BIGINT,
    updated_by BIGINT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (article_id, locale)
);
CREATE INDEX kb_translations_account ON kb_translations(account_id);

-- Views and "was this helpful?" answers per article, locale and day
-- (YYYYMMDD in the account's time zone).
CREATE TABLE kb_stats (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    day INTEGER NOT NULL,
    article_id BIGINT NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    locale TEXT NOT NULL,
    views BIGINT NOT NULL DEFAULT 0,
    helpful BIGINT NOT NULL DEFAULT 0,
    not_helpful BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, day, article_id, locale)
) WITHOUT ROWID;

-- What the public searched for per day: the normalized query, how often,
-- and how often it found nothing.
CREATE TABLE kb_searches (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    day INTEGER NOT NULL,
    query TEXT NOT NULL,
    locale TEXT NOT NULL,
    searches BIGINT NOT NULL DEFAULT 0,
    no_result BIGINT NOT NULL DEFAULT 0,
    last_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, day, query, locale)
) WITHOUT ROWID;

-- Images of articles, served without a login under an unguessable token.
CREATE TABLE kb_files (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    token TEXT NOT NULL UNIQUE,
    blob_key TEXT NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE kb_files;
DROP TABLE kb_searches;
DROP TABLE kb_stats;
DROP TABLE kb_translations;
DROP TABLE kb_articles;
DROP TABLE kb_categories;
DROP TABLE help_centers;
DROP INDEX accounts_slug;
ALTER TABLE accounts DROP COLUMN slug;
