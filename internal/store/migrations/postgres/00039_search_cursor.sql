-- +goose Up
-- SQLite indexes messages for search after they are stored in this
-- version; PostgreSQL keeps each message's search vector in its row, so
-- nothing changes here. The version exists so both dialects count their
-- migrations alike.
SELECT 1;

-- +goose Down
SELECT 1;
