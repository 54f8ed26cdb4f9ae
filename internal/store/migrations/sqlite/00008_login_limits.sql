-- +goose Up
-- Wrong passwords in a row since the last successful sign-in, and until
-- when (Unix milliseconds) sign-in is refused. Kept in the database so
-- every node refuses alike.
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN login_locked_until BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE users DROP COLUMN login_locked_until;
ALTER TABLE users DROP COLUMN failed_logins;
