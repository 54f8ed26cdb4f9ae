-- +goose Up
-- The support rota: each user's weekly shifts of a kind (chat, phone,
-- social) on a weekday, from start to end ("HH:MM", in the account's time
-- zone; an end before the start runs past midnight).
CREATE TABLE rota_shifts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    weekday TEXT NOT NULL,
    start_time TEXT NOT NULL,
    end_time TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX rota_shifts_account ON rota_shifts(account_id, kind);

-- A swap hands one dated occurrence of a shift (the local date it starts
-- on) from its user to a colleague. At most one swap of an occurrence is
-- pending or accepted at a time.
CREATE TABLE rota_swaps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    shift_id BIGINT NOT NULL REFERENCES rota_shifts(id) ON DELETE CASCADE,
    occurs_on TEXT NOT NULL,
    from_user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    to_user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    requested_by BIGINT NOT NULL,
    status TEXT NOT NULL,
    decided_by BIGINT NOT NULL DEFAULT 0,
    decided_at BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX rota_swaps_open ON rota_swaps(shift_id, occurs_on) WHERE status IN ('pending', 'accepted');
CREATE INDEX rota_swaps_account ON rota_swaps(account_id, occurs_on);

-- +goose Down
DROP TABLE rota_swaps;
DROP TABLE rota_shifts;
