-- +goose Up
-- Every version of a translation that was published, newest last: an
-- article's history, from which an earlier text can be brought back.
CREATE TABLE kb_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    article_id BIGINT NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    locale TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    body TEXT NOT NULL,
    published_by BIGINT,
    published_at BIGINT NOT NULL
);
CREATE INDEX kb_versions_article ON kb_versions(article_id, locale);

-- +goose Down
DROP TABLE kb_versions;
