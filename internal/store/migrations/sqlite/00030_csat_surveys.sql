-- +goose Up
-- Satisfaction surveys sent on resolve: one row per conversation, made
-- in the transaction that resolves it, so a reopen and a second resolve
-- send nothing more. status is queued, sent or skipped; reason says why
-- a survey was skipped (window_closed, reopened, no_recipient…);
-- message_id is the survey's message once sent; answered_at is when the
-- customer first answered on the survey page. Times are Unix
-- milliseconds.
CREATE TABLE csat_surveys (
    conversation_id BIGINT PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    inbox_id BIGINT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    message_id BIGINT NOT NULL DEFAULT 0,
    language TEXT NOT NULL DEFAULT '',
    answered_at BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX csat_surveys_account ON csat_surveys(account_id, created_at);

-- Inboxes that send a survey on resolve (an inbox without a row sends
-- none; the widget asks in the chat instead).
CREATE TABLE csat_inbox_settings (
    inbox_id BIGINT PRIMARY KEY REFERENCES inboxes(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    survey_on_resolve BOOLEAN NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX widget_csat_account ON widget_csat(account_id, created_at);

-- +goose Down
DROP INDEX widget_csat_account;
DROP TABLE csat_inbox_settings;
DROP TABLE csat_surveys;
