-- +goose Up
-- Serve the priority and waiting-longest sorts from an index, as the
-- last-activity sort is; without them every page sorted all open
-- conversations. The waiting expression must stay identical to the sort key
-- in Store.Conversations.
CREATE INDEX conversations_status_priority ON conversations(account_id, status, priority, last_activity_at, id);
CREATE INDEX conversations_status_waiting ON conversations(account_id, status, (-COALESCE(waiting_since, 9007199254740992)), id);

-- +goose Down
DROP INDEX conversations_status_waiting;
DROP INDEX conversations_status_priority;
