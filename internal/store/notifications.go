package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	sahay "github.com/sahayhq/sahay"
)

// InsertNotification stores a notification for its user.
func (t *Tx) InsertNotification(ctx context.Context, n *sahay.Notification) error {
	n.CreatedAt = t.now
	err := t.tx.QueryRowContext(ctx, `INSERT INTO notifications (account_id, user_id, kind, conversation_id, message_id, actor_id, body, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		n.AccountID, n.UserID, n.Kind, n.ConversationID, n.MessageID, n.ActorID, n.Body, ms(t.now)).Scan(&n.ID)
	if err != nil {
		return fmt.Errorf("store: insert notification: %w", err)
	}
	return nil
}

// Notifications returns a user's notifications, newest first, with id <
// before (0 for the newest).
func (s *Store) Notifications(ctx context.Context, userID, before int64, limit int) ([]*sahay.Notification, error) {
	if before <= 0 {
		before = 1 << 62
	}
	rows, err := s.read.QueryContext(ctx, `SELECT id, account_id, user_id, kind, conversation_id, message_id, actor_id, body, read_at, created_at
		FROM notifications WHERE user_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3`, userID, before, limit)
	if err != nil {
		return nil, fmt.Errorf("store: notifications: %w", err)
	}
	defer rows.Close()
	out := []*sahay.Notification{}
	for rows.Next() {
		n := &sahay.Notification{}
		var read sql.NullInt64
		var created int64
		if err := rows.Scan(&n.ID, &n.AccountID, &n.UserID, &n.Kind, &n.ConversationID, &n.MessageID, &n.ActorID, &n.Body, &read, &created); err != nil {
			return nil, fmt.Errorf("store: notifications: %w", err)
		}
		n.ReadAt, n.CreatedAt = fromNullMS(read), fromMS(created)
		out = append(out, n)
	}
	return out, rows.Err()
}

// Notification returns one notification of a user.
func (s *Store) Notification(ctx context.Context, userID, id int64) (*sahay.Notification, error) {
	list, err := s.Notifications(ctx, userID, id+1, 1)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 || list[0].ID != id {
		return nil, sahay.NotFound("notification")
	}
	return list[0], nil
}

// UnreadNotifications counts a user's unread notifications.
func (s *Store) UnreadNotifications(ctx context.Context, userID int64) (int64, error) {
	var n int64
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`, userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: unread notifications: %w", err)
	}
	return n, nil
}

// MarkNotificationsRead marks a user's notifications with id ≤ upTo read.
func (t *Tx) MarkNotificationsRead(ctx context.Context, userID, upTo int64) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE notifications SET read_at = $3 WHERE user_id = $1 AND id <= $2 AND read_at IS NULL`, userID, upTo, ms(t.now))
	if err != nil {
		return fmt.Errorf("store: mark notifications read: %w", err)
	}
	return nil
}

// NotifyPrefs returns a user's notification preferences.
func (s *Store) NotifyPrefs(ctx context.Context, userID int64) (sahay.NotifyPrefs, error) {
	var raw string
	if err := s.read.QueryRowContext(ctx, `SELECT notify_prefs FROM users WHERE id = $1`, userID).Scan(&raw); err != nil {
		return nil, notFound(err, "user")
	}
	prefs := sahay.NotifyPrefs{}
	json.Unmarshal([]byte(raw), &prefs)
	return prefs, nil
}

// SetNotifyPrefs saves a user's notification preferences.
func (t *Tx) SetNotifyPrefs(ctx context.Context, userID int64, prefs sahay.NotifyPrefs) error {
	if _, err := t.tx.ExecContext(ctx, `UPDATE users SET notify_prefs = $2 WHERE id = $1`, userID, encodeJSON(prefs)); err != nil {
		return fmt.Errorf("store: notify prefs: %w", err)
	}
	return nil
}

// SavePushSubscription stores a browser's push subscription for a user; the
// same endpoint again replaces the earlier one.
func (t *Tx) SavePushSubscription(ctx context.Context, p *sahay.PushSubscription) error {
	p.CreatedAt = t.now
	err := t.tx.QueryRowContext(ctx, `INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth
		RETURNING id`, p.UserID, p.Endpoint, p.P256dh, p.Auth, ms(t.now)).Scan(&p.ID)
	if err != nil {
		return fmt.Errorf("store: push subscription: %w", err)
	}
	return nil
}

// DeletePushSubscription removes a subscription by endpoint (for any user,
// when the push service says it is gone) or by id for one user.
func (s *Store) DeletePushSubscription(ctx context.Context, userID int64, endpoint string) error {
	err := s.writeOutside(ctx, func(q queryer) error {
		_, err := q.ExecContext(ctx, `DELETE FROM push_subscriptions WHERE endpoint = $1 AND ($2 = 0 OR user_id = $2)`, endpoint, userID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: delete push subscription: %w", err)
	}
	return nil
}

// PushSubscriptions lists a user's push subscriptions.
func (s *Store) PushSubscriptions(ctx context.Context, userID int64) ([]*sahay.PushSubscription, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, user_id, endpoint, p256dh, auth, created_at FROM push_subscriptions WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: push subscriptions: %w", err)
	}
	defer rows.Close()
	out := []*sahay.PushSubscription{}
	for rows.Next() {
		p := &sahay.PushSubscription{}
		var created int64
		if err := rows.Scan(&p.ID, &p.UserID, &p.Endpoint, &p.P256dh, &p.Auth, &created); err != nil {
			return nil, fmt.Errorf("store: push subscriptions: %w", err)
		}
		p.CreatedAt = fromMS(created)
		out = append(out, p)
	}
	return out, rows.Err()
}

// ServerSetting returns a shared setting, creating it with make() the first
// time; every node then reads the same value.
func (s *Store) ServerSetting(ctx context.Context, name string, make func() (string, error)) (string, error) {
	var v string
	err := s.read.QueryRowContext(ctx, `SELECT value FROM server_settings WHERE name = $1`, name).Scan(&v)
	if err == nil {
		return v, nil
	}
	if err != sql.ErrNoRows {
		return "", fmt.Errorf("store: setting %s: %w", name, err)
	}
	nv, err := make()
	if err != nil {
		return "", err
	}
	err = s.writeOutside(ctx, func(q queryer) error {
		if _, err := q.ExecContext(ctx, `INSERT INTO server_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, nv); err != nil {
			return err
		}
		// Another node may have stored its value first.
		return q.QueryRowContext(ctx, `SELECT value FROM server_settings WHERE name = $1`, name).Scan(&v)
	})
	if err != nil {
		return "", fmt.Errorf("store: setting %s: %w", name, err)
	}
	return v, nil
}
