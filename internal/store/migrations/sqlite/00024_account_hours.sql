-- +goose Up
-- An account's business hours, as JSON (sahay.BusinessHours), in the
-- account's time zone: the hours of every inbox that has none of its
-- own. Empty: none.
ALTER TABLE accounts ADD COLUMN business_hours TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE accounts DROP COLUMN business_hours;
