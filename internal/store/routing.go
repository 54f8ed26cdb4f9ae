package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	sahay "github.com/sahayhq/sahay"
)

// Routing scopes: whose settings route a conversation.
const (
	ScopeInbox = "inbox"
	ScopeTeam  = "team"
)

// RoutingScope is an inbox's or a team's routing settings.
type RoutingScope struct {
	Scope    string
	ID       int64
	Settings sahay.RoutingSettings
}

// RoutingSettings returns an inbox's or a team's routing settings, or
// [sahay.DefaultRouting] when they were never set.
func (s *Store) RoutingSettings(ctx context.Context, accountID int64, scope string, id int64) (sahay.RoutingSettings, error) {
	var r sahay.RoutingSettings
	err := s.read.QueryRowContext(ctx, `SELECT mode, only_available, language_aware, reassign_after_seconds FROM routing_settings
		WHERE account_id = $1 AND scope = $2 AND scope_id = $3`, accountID, scope, id).
		Scan(&r.Mode, &r.OnlyAvailable, &r.LanguageAware, &r.ReassignAfterSeconds)
	if errors.Is(err, sql.ErrNoRows) {
		return sahay.DefaultRouting(), nil
	}
	if err != nil {
		return r, fmt.Errorf("store: routing settings: %w", err)
	}
	return r, nil
}

// RoutedScopes lists an account's inboxes and teams whose routing is on.
func (s *Store) RoutedScopes(ctx context.Context, accountID int64) ([]RoutingScope, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT scope, scope_id, mode, only_available, language_aware, reassign_after_seconds
		FROM routing_settings WHERE account_id = $1 AND mode <> $2 ORDER BY scope, scope_id`, accountID, sahay.RoutingOff)
	if err != nil {
		return nil, fmt.Errorf("store: routed scopes: %w", err)
	}
	defer rows.Close()
	var out []RoutingScope
	for rows.Next() {
		var r RoutingScope
		if err := rows.Scan(&r.Scope, &r.ID, &r.Settings.Mode, &r.Settings.OnlyAvailable, &r.Settings.LanguageAware, &r.Settings.ReassignAfterSeconds); err != nil {
			return nil, fmt.Errorf("store: routed scopes: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RoutedAccounts lists the accounts with an inbox or team whose routing
// is on.
func (s *Store) RoutedAccounts(ctx context.Context) ([]int64, error) {
	return int64s(ctx, s.read, `SELECT DISTINCT account_id FROM routing_settings WHERE mode <> $1 ORDER BY account_id`, sahay.RoutingOff)
}

// SetRoutingSettings stores an inbox's or a team's routing settings.
func (t *Tx) SetRoutingSettings(ctx context.Context, accountID int64, scope string, id int64, r sahay.RoutingSettings) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO routing_settings (account_id, scope, scope_id, mode, only_available, language_aware, reassign_after_seconds)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (scope, scope_id) DO UPDATE SET mode = excluded.mode, only_available = excluded.only_available,
			language_aware = excluded.language_aware, reassign_after_seconds = excluded.reassign_after_seconds`,
		accountID, scope, id, r.Mode, r.OnlyAvailable, r.LanguageAware, r.ReassignAfterSeconds)
	if err != nil {
		return fmt.Errorf("store: set routing settings: %w", err)
	}
	return nil
}

// forgetRouting removes what routing keeps of a deleted inbox or team.
func (t *Tx) forgetRouting(ctx context.Context, accountID int64, scope string, id int64) error {
	for _, q := range []string{
		`DELETE FROM routing_settings WHERE account_id = $1 AND scope = $2 AND scope_id = $3`,
		`DELETE FROM routing_turns WHERE account_id = $1 AND scope = $2 AND scope_id = $3`,
	} {
		if _, err := t.tx.ExecContext(ctx, q, accountID, scope, id); err != nil {
			return fmt.Errorf("store: forget routing: %w", err)
		}
	}
	return nil
}

// Capacities returns an account's capacities by user id; user 0 is the
// account's default, filled in from [sahay.DefaultCapacity] where unset.
func (s *Store) Capacities(ctx context.Context, accountID int64) (map[int64]sahay.Capacity, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT user_id, kind, capacity FROM routing_capacity WHERE account_id = $1`, accountID)
	if err != nil {
		return nil, fmt.Errorf("store: capacities: %w", err)
	}
	defer rows.Close()
	out := map[int64]sahay.Capacity{}
	for rows.Next() {
		var userID int64
		var kind string
		var n int
		if err := rows.Scan(&userID, &kind, &n); err != nil {
			return nil, fmt.Errorf("store: capacities: %w", err)
		}
		c := out[userID]
		switch kind {
		case sahay.KindChat:
			c.Chat = &n
		case sahay.KindEmail:
			c.Email = &n
		}
		out[userID] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: capacities: %w", err)
	}
	def, builtIn := out[0], sahay.DefaultCapacity()
	if def.Chat == nil {
		def.Chat = builtIn.Chat
	}
	if def.Email == nil {
		def.Email = builtIn.Email
	}
	out[0] = def
	return out, nil
}

// SetCapacity replaces a user's capacity (user 0: the account's default);
// a nil kind is left unset.
func (t *Tx) SetCapacity(ctx context.Context, accountID, userID int64, c sahay.Capacity) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM routing_capacity WHERE account_id = $1 AND user_id = $2`, accountID, userID); err != nil {
		return fmt.Errorf("store: set capacity: %w", err)
	}
	for _, kind := range []string{sahay.KindChat, sahay.KindEmail} {
		n, ok := c.Of(kind)
		if !ok {
			continue
		}
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO routing_capacity (account_id, user_id, kind, capacity) VALUES ($1, $2, $3, $4)`,
			accountID, userID, kind, n); err != nil {
			return fmt.Errorf("store: set capacity: %w", err)
		}
	}
	return nil
}

// RoutingQueue returns up to limit of an account's open, unassigned
// conversations in the inboxes or teams given, oldest first from the one
// after id after.
func (s *Store) RoutingQueue(ctx context.Context, accountID int64, inboxIDs, teamIDs []int64, after int64, limit int) ([]*sahay.Conversation, error) {
	if len(inboxIDs)+len(teamIDs) == 0 {
		return nil, nil
	}
	args := []any{accountID, sahay.StatusOpen, limit, after}
	var in []string
	if len(inboxIDs) > 0 {
		in = append(in, `c.inbox_id IN (`+placeholders(len(args)+1, len(inboxIDs))+`)`)
		for _, id := range inboxIDs {
			args = append(args, id)
		}
	}
	if len(teamIDs) > 0 {
		in = append(in, `c.team_id IN (`+placeholders(len(args)+1, len(teamIDs))+`)`)
		for _, id := range teamIDs {
			args = append(args, id)
		}
	}
	where := in[0]
	if len(in) == 2 {
		where = in[0] + ` OR ` + in[1]
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+conversationColumns+` FROM conversations c
		WHERE c.account_id = $1 AND c.assignee_id = 0 AND c.status = $2 AND c.id > $4 AND (`+where+`) ORDER BY c.id LIMIT $3`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: routing queue: %w", err)
	}
	defer rows.Close()
	var out []*sahay.Conversation
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return nil, fmt.Errorf("store: routing queue: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// OpenLoad is how many open conversations of an inbox and team an agent
// is assigned.
type OpenLoad struct {
	AssigneeID, InboxID, TeamID int64
	N                           int
}

// OpenLoads returns the account's open, assigned conversations counted by
// assignee, inbox and team, from the maintained counts, as the
// transaction sees them.
func (t *Tx) OpenLoads(ctx context.Context, accountID int64) ([]OpenLoad, error) {
	return openLoads(ctx, t.tx, accountID)
}

// OpenLoads is [Tx.OpenLoads] outside a transaction.
func (s *Store) OpenLoads(ctx context.Context, accountID int64) ([]OpenLoad, error) {
	return openLoads(ctx, s.read, accountID)
}

func openLoads(ctx context.Context, q queryer, accountID int64) ([]OpenLoad, error) {
	rows, err := q.QueryContext(ctx, `SELECT assignee_id, inbox_id, team_id, n FROM conversation_counts
		WHERE account_id = $1 AND status = $2 AND assignee_id <> 0 AND n > 0`, accountID, sahay.StatusOpen)
	if err != nil {
		return nil, fmt.Errorf("store: open loads: %w", err)
	}
	defer rows.Close()
	var out []OpenLoad
	for rows.Next() {
		var l OpenLoad
		if err := rows.Scan(&l.AssigneeID, &l.InboxID, &l.TeamID, &l.N); err != nil {
			return nil, fmt.Errorf("store: open loads: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// AssignedOpen returns the ids of a user's open conversations, oldest
// first.
func (t *Tx) AssignedOpen(ctx context.Context, accountID, userID int64) ([]int64, error) {
	return int64s(ctx, t.tx, `SELECT id FROM conversations WHERE account_id = $1 AND assignee_id = $2 AND status = $3 ORDER BY id`,
		accountID, userID, sahay.StatusOpen)
}

// RoutingTurns returns the last turn of each agent of a scope, by user id.
func (t *Tx) RoutingTurns(ctx context.Context, accountID int64, scope string, id int64) (map[int64]int64, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT user_id, turn FROM routing_turns WHERE account_id = $1 AND scope = $2 AND scope_id = $3`,
		accountID, scope, id)
	if err != nil {
		return nil, fmt.Errorf("store: routing turns: %w", err)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var user, turn int64
		if err := rows.Scan(&user, &turn); err != nil {
			return nil, fmt.Errorf("store: routing turns: %w", err)
		}
		out[user] = turn
	}
	return out, rows.Err()
}

// SetRoutingTurn records an agent's turn in a scope.
func (t *Tx) SetRoutingTurn(ctx context.Context, accountID int64, scope string, id, userID, turn int64) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO routing_turns (account_id, scope, scope_id, user_id, turn) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (scope, scope_id, user_id) DO UPDATE SET turn = excluded.turn`, accountID, scope, id, userID, turn)
	if err != nil {
		return fmt.Errorf("store: routing turn: %w", err)
	}
	return nil
}
