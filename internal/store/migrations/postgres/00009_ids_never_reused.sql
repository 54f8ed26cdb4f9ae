-- +goose Up
-- SQLite's tables get AUTOINCREMENT in this version so that deleted ids are
-- never handed out again. PostgreSQL's identity columns never reuse a
-- value, so nothing changes here; the version exists so both dialects count
-- their migrations alike.
SELECT 1;

-- +goose Down
SELECT 1;
