-- +goose Up
-- How new conversations of an inbox, or of a team, find an agent
-- (sahay.RoutingSettings): scope is "inbox" or "team", scope_id its id.
-- An inbox or team without a row is not routed.
CREATE TABLE routing_settings (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    scope_id BIGINT NOT NULL,
    mode TEXT NOT NULL,
    only_available BOOLEAN NOT NULL,
    language_aware BOOLEAN NOT NULL,
    reassign_after_seconds INTEGER NOT NULL,
    PRIMARY KEY (scope, scope_id)
);
CREATE INDEX routing_settings_account ON routing_settings(account_id);

-- How many open conversations of a channel kind ("chat", "email") an
-- agent takes at once from routing; user_id 0 holds the account's
-- default.
CREATE TABLE routing_capacity (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    capacity INTEGER NOT NULL,
    PRIMARY KEY (account_id, user_id, kind)
);

-- Round robin's turns: the number of the last conversation routed to
-- each agent in a scope; the agent with the lowest goes next.
CREATE TABLE routing_turns (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    scope_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    turn BIGINT NOT NULL,
    PRIMARY KEY (scope, scope_id, user_id)
);

-- +goose Down
DROP TABLE routing_turns;
DROP TABLE routing_capacity;
DROP TABLE routing_settings;
