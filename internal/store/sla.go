package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
)

// SLAPolicy is a set of response and resolution targets and the
// conversations they apply to. A target of 0 seconds is not set; an empty
// list matches every value.
type SLAPolicy struct {
	ID        int64  `json:"id"`
	AccountID int64  `json:"account_id"`
	Name      string `json:"name"`
	// Position orders the policies: of those that match a conversation,
	// the lowest position wins.
	Position   int      `json:"position"`
	InboxIDs   []int64  `json:"inbox_ids"`
	TeamIDs    []int64  `json:"team_ids"`
	Labels     []string `json:"labels"`
	Priorities []int    `json:"priorities"`
	// Targets in seconds.
	FirstResponseSeconds int64 `json:"first_response_seconds"`
	NextResponseSeconds  int64 `json:"next_response_seconds"`
	ResolutionSeconds    int64 `json:"resolution_seconds"`
	// BusinessHours counts only the time the conversation's inbox is
	// open; otherwise calendar time.
	BusinessHours bool `json:"business_hours"`
	// A warning comes when WarnPercent of a target has passed, or
	// WarnSeconds before it is due, whichever is sooner; 0: none.
	WarnPercent int       `json:"warn_percent"`
	WarnSeconds int64     `json:"warn_seconds"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// DefaultSLAName names the policy every account starts with.
const DefaultSLAName = "First response within one hour"

const slaColumns = `id, account_id, name, position, inbox_ids, team_ids, labels, priorities,
	first_response_seconds, next_response_seconds, resolution_seconds, business_hours, warn_percent, warn_seconds, created_at, updated_at`

func scanSLAPolicy(row interface{ Scan(...any) error }) (*SLAPolicy, error) {
	var p SLAPolicy
	var inboxes, teams, labels, priorities string
	var created, updated int64
	if err := row.Scan(&p.ID, &p.AccountID, &p.Name, &p.Position, &inboxes, &teams, &labels, &priorities,
		&p.FirstResponseSeconds, &p.NextResponseSeconds, &p.ResolutionSeconds, &p.BusinessHours, &p.WarnPercent, &p.WarnSeconds,
		&created, &updated); err != nil {
		return nil, err
	}
	for _, l := range []struct {
		raw string
		v   any
	}{{inboxes, &p.InboxIDs}, {teams, &p.TeamIDs}, {labels, &p.Labels}, {priorities, &p.Priorities}} {
		if err := json.Unmarshal([]byte(l.raw), l.v); err != nil {
			return nil, fmt.Errorf("sla policy %d: %w", p.ID, err)
		}
	}
	p.normalize()
	p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
	return &p, nil
}

// normalize makes nil lists empty, so they encode as [].
func (p *SLAPolicy) normalize() {
	if p.InboxIDs == nil {
		p.InboxIDs = []int64{}
	}
	if p.TeamIDs == nil {
		p.TeamIDs = []int64{}
	}
	if p.Labels == nil {
		p.Labels = []string{}
	}
	if p.Priorities == nil {
		p.Priorities = []int{}
	}
}

// SLAPolicies lists the account's policies in the order they are tried.
func (s *Store) SLAPolicies(ctx context.Context, accountID int64) ([]*SLAPolicy, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+slaColumns+` FROM sla_policies
		WHERE account_id = $1 ORDER BY position, id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("store: sla policies: %w", err)
	}
	defer rows.Close()
	out := []*SLAPolicy{}
	for rows.Next() {
		p, err := scanSLAPolicy(rows)
		if err != nil {
			return nil, fmt.Errorf("store: sla policies: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// SLAPolicy returns one of the account's policies.
func (s *Store) SLAPolicy(ctx context.Context, accountID, id int64) (*SLAPolicy, error) {
	p, err := scanSLAPolicy(s.read.QueryRowContext(ctx, `SELECT `+slaColumns+` FROM sla_policies
		WHERE account_id = $1 AND id = $2`, accountID, id))
	if err != nil {
		return nil, notFound(err, "sla policy")
	}
	return p, nil
}

// CreateSLAPolicy inserts a policy.
func (t *Tx) CreateSLAPolicy(ctx context.Context, p *SLAPolicy) error {
	p.normalize()
	p.CreatedAt, p.UpdatedAt = t.now, t.now
	err := t.tx.QueryRowContext(ctx, `INSERT INTO sla_policies (account_id, name, position, inbox_ids, team_ids, labels, priorities,
		first_response_seconds, next_response_seconds, resolution_seconds, business_hours, warn_percent, warn_seconds, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id`,
		p.AccountID, p.Name, p.Position, encodeJSON(p.InboxIDs), encodeJSON(p.TeamIDs), encodeJSON(p.Labels), encodeJSON(p.Priorities),
		p.FirstResponseSeconds, p.NextResponseSeconds, p.ResolutionSeconds, p.BusinessHours, p.WarnPercent, p.WarnSeconds, ms(t.now)).Scan(&p.ID)
	if err != nil {
		return fmt.Errorf("store: create sla policy: %w", err)
	}
	return nil
}

// CreateDefaultSLA gives a new account its first policy: first response
// within one hour, warned at 80%.
func (t *Tx) CreateDefaultSLA(ctx context.Context, accountID int64) error {
	return t.CreateSLAPolicy(ctx, &SLAPolicy{AccountID: accountID, Name: DefaultSLAName, FirstResponseSeconds: 3600, WarnPercent: 80})
}

// UpdateSLAPolicy saves a policy.
func (t *Tx) UpdateSLAPolicy(ctx context.Context, p *SLAPolicy) error {
	p.normalize()
	p.UpdatedAt = t.now
	res, err := t.tx.ExecContext(ctx, `UPDATE sla_policies SET name = $3, position = $4, inbox_ids = $5, team_ids = $6, labels = $7, priorities = $8,
		first_response_seconds = $9, next_response_seconds = $10, resolution_seconds = $11, business_hours = $12, warn_percent = $13, warn_seconds = $14,
		updated_at = $15 WHERE account_id = $1 AND id = $2`,
		p.AccountID, p.ID, p.Name, p.Position, encodeJSON(p.InboxIDs), encodeJSON(p.TeamIDs), encodeJSON(p.Labels), encodeJSON(p.Priorities),
		p.FirstResponseSeconds, p.NextResponseSeconds, p.ResolutionSeconds, p.BusinessHours, p.WarnPercent, p.WarnSeconds, ms(t.now))
	if err != nil {
		return fmt.Errorf("store: update sla policy: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sahay.NotFound("sla policy")
	}
	return nil
}

// DeleteSLAPolicy removes a policy; conversations it was applied to by a
// rule fall back to the matching policies.
func (t *Tx) DeleteSLAPolicy(ctx context.Context, accountID, id int64) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM sla_policies WHERE account_id = $1 AND id = $2`, accountID, id)
	if err != nil {
		return fmt.Errorf("store: delete sla policy: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sahay.NotFound("sla policy")
	}
	return nil
}

// ApplySLAPolicy sets the policy of a conversation, overriding the
// matching ones.
func (t *Tx) ApplySLAPolicy(ctx context.Context, accountID, conversationID, policyID int64) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO conversation_slas (conversation_id, account_id, policy_id, created_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (conversation_id) DO UPDATE SET policy_id = excluded.policy_id, created_at = excluded.created_at`,
		conversationID, accountID, policyID, ms(t.now))
	if err != nil {
		return fmt.Errorf("store: apply sla policy: %w", err)
	}
	return nil
}

// AppliedSLAPolicy returns the id of the policy a rule set on a
// conversation, 0 when none.
func (s *Store) AppliedSLAPolicy(ctx context.Context, accountID, conversationID int64) (int64, error) {
	var id int64
	err := s.read.QueryRowContext(ctx, `SELECT policy_id FROM conversation_slas WHERE account_id = $1 AND conversation_id = $2`,
		accountID, conversationID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: applied sla policy: %w", err)
	}
	return id, nil
}

// SLAEvent is a warning or a breach of one target of a conversation.
type SLAEvent struct {
	ID             int64     `json:"id"`
	ConversationID int64     `json:"conversation_id"`
	PolicyID       int64     `json:"policy_id"`
	Kind           string    `json:"kind"`
	Target         string    `json:"target"`
	DueAt          time.Time `json:"due_at"`
	CreatedAt      time.Time `json:"created_at"`
}

// RecordSLAEvent records a warning or breach and reports whether it is
// new: false when it was recorded before, on this node or another.
func (t *Tx) RecordSLAEvent(ctx context.Context, accountID int64, e *SLAEvent) (bool, error) {
	e.CreatedAt = t.now
	res, err := t.tx.ExecContext(ctx, `INSERT INTO sla_events (account_id, conversation_id, policy_id, kind, target, due_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (conversation_id, kind, target, due_at) DO NOTHING`,
		accountID, e.ConversationID, e.PolicyID, e.Kind, e.Target, ms(e.DueAt), ms(t.now))
	if err != nil {
		return false, fmt.Errorf("store: record sla event: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// SLAEvents lists a conversation's warnings and breaches, oldest first.
func (s *Store) SLAEvents(ctx context.Context, accountID, conversationID int64) ([]*SLAEvent, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, conversation_id, policy_id, kind, target, due_at, created_at FROM sla_events
		WHERE account_id = $1 AND conversation_id = $2 ORDER BY id`, accountID, conversationID)
	if err != nil {
		return nil, fmt.Errorf("store: sla events: %w", err)
	}
	defer rows.Close()
	out := []*SLAEvent{}
	for rows.Next() {
		var e SLAEvent
		var due, created int64
		if err := rows.Scan(&e.ID, &e.ConversationID, &e.PolicyID, &e.Kind, &e.Target, &due, &created); err != nil {
			return nil, fmt.Errorf("store: sla events: %w", err)
		}
		e.DueAt, e.CreatedAt = fromMS(due), fromMS(created)
		out = append(out, &e)
	}
	return out, rows.Err()
}

// SLAAccounts lists the accounts with SLA policies.
func (s *Store) SLAAccounts(ctx context.Context) ([]int64, error) {
	return int64s(ctx, s.read, `SELECT DISTINCT account_id FROM sla_policies ORDER BY account_id`)
}

// UnresolvedConversations returns up to limit of the account's
// conversations not resolved, with ids above afterID, in id order: the
// ones whose SLA clocks run.
func (s *Store) UnresolvedConversations(ctx context.Context, accountID, afterID int64, limit int) ([]*sahay.Conversation, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+conversationColumns+` FROM conversations c
		WHERE c.account_id = $1 AND c.id > $2 AND c.status <> $3 ORDER BY c.id LIMIT $4`, accountID, afterID, sahay.StatusResolved, limit)
	if err != nil {
		return nil, fmt.Errorf("store: unresolved conversations: %w", err)
	}
	defer rows.Close()
	var out []*sahay.Conversation
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unresolved conversations: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := attachConversationDetails(ctx, s.read, out); err != nil {
		return nil, err
	}
	return out, nil
}

// UnresolvedConversationsByID returns those of the account's conversations
// among ids that are not resolved, in id order.
func (s *Store) UnresolvedConversationsByID(ctx context.Context, accountID int64, ids []int64) ([]*sahay.Conversation, error) {
	var out []*sahay.Conversation
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(start+500, len(ids))]
		args := []any{accountID, sahay.StatusResolved}
		marks := make([]string, len(part))
		for i, id := range part {
			args = append(args, id)
			marks[i] = fmt.Sprintf("$%d", i+3)
		}
		rows, err := s.read.QueryContext(ctx, `SELECT `+conversationColumns+` FROM conversations c
			WHERE c.account_id = $1 AND c.status <> $2 AND c.id IN (`+strings.Join(marks, ",")+`) ORDER BY c.id`, args...)
		if err != nil {
			return nil, fmt.Errorf("store: unresolved conversations: %w", err)
		}
		for rows.Next() {
			c, err := scanConversation(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: unresolved conversations: %w", err)
			}
			out = append(out, c)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: unresolved conversations: %w", err)
		}
	}
	if err := attachConversationDetails(ctx, s.read, out); err != nil {
		return nil, err
	}
	return out, nil
}

// AppliedSLAPolicies maps the account's conversations that a rule set a
// policy on to that policy.
func (s *Store) AppliedSLAPolicies(ctx context.Context, accountID int64) (map[int64]int64, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT conversation_id, policy_id FROM conversation_slas WHERE account_id = $1`, accountID)
	if err != nil {
		return nil, fmt.Errorf("store: applied sla policies: %w", err)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var c, p int64
		if err := rows.Scan(&c, &p); err != nil {
			return nil, fmt.Errorf("store: applied sla policies: %w", err)
		}
		out[c] = p
	}
	return out, rows.Err()
}
