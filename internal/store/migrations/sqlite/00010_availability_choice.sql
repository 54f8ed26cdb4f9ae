-- +goose Up
-- Availability is now the agent's own choice, and takes effect while they
-- have the dashboard open: "offline" means they chose to be away. It was
-- the default of every user before, not a choice, so everyone starts
-- online.
UPDATE users SET availability = 'online' WHERE availability = 'offline';

-- +goose Down
SELECT 1;
