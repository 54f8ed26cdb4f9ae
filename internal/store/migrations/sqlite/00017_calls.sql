-- +goose Up
-- An agent's phone number, rung for customers' calls to a phone inbox and
-- called first when the agent calls a customer.
ALTER TABLE users ADD COLUMN phone TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE users DROP COLUMN phone;
