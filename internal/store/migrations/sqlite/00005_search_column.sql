-- +goose Up
-- PostgreSQL stores each message's search vector in this version. SQLite's
-- messages_fts already holds the index rows, so nothing changes here; the
-- version exists so both dialects count their migrations alike.
SELECT 1;

-- +goose Down
SELECT 1;
