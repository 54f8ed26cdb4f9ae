-- +goose Up
-- The ids an inbox's settings name on its platform (settings whose key
-- ends in "_id": a Facebook Page's page_id, an Instagram account's
-- instagram_account_id), so a delivery addressed to an app rather than to
-- one inbox finds its inboxes with an index, on every database, without
-- reading settings as JSON. The store keeps it with the inbox's settings,
-- in the same transaction; the inbox's removal takes its rows.
CREATE TABLE inbox_setting_ids (
    inbox_id INTEGER NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (inbox_id, key)
);
CREATE INDEX inbox_setting_ids_value ON inbox_setting_ids (channel, key, value);

-- The inboxes made before it. A key given twice keeps its last value, as
-- the channels read it.
INSERT INTO inbox_setting_ids (inbox_id, channel, key, value)
SELECT i.id, i.channel, j.key, j.value
FROM inboxes i, json_each(CASE WHEN json_valid(i.settings) AND json_type(i.settings) = 'object' THEN i.settings ELSE '{}' END) j
WHERE j.type = 'text' AND j.key LIKE '%\_id' ESCAPE '\' AND length(j.value) BETWEEN 1 AND 200
ON CONFLICT (inbox_id, key) DO UPDATE SET value = excluded.value;

-- +goose Down
DROP TABLE inbox_setting_ids;
