package store

import (
	"context"
	"fmt"

	sahay "github.com/sahayhq/sahay"
)

// EmitTo appends an event carrying p meant only for one user.
func (t *Tx) EmitTo(ctx context.Context, accountID, userID int64, p sahay.Payload) error {
	ev, err := sahay.NewEvent(accountID, 0, 0, p)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	ev.UserID = userID
	return t.AppendEvent(ctx, ev)
}

// InboxMemberIDs returns the agents of an inbox, read in the transaction.
func (t *Tx) InboxMemberIDs(ctx context.Context, inboxID int64) ([]int64, error) {
	return int64s(ctx, t.tx, `SELECT user_id FROM inbox_members WHERE inbox_id = $1 ORDER BY user_id`, inboxID)
}

// Users lists an account's users, read in the transaction.
func (t *Tx) Users(ctx context.Context, accountID int64) ([]*sahay.User, error) {
	return users(ctx, t.tx, accountID)
}

// MoveMessages moves every message of conversation from into conversation
// into (merging two conversations of one contact).
func (t *Tx) MoveMessages(ctx context.Context, from, into int64) error {
	if _, err := t.tx.ExecContext(ctx, `UPDATE messages SET conversation_id = $2 WHERE conversation_id = $1`, from, into); err != nil {
		return fmt.Errorf("store: move messages: %w", err)
	}
	return nil
}
