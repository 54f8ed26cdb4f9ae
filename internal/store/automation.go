package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	sahay "github.com/sahayhq/sahay"
)

// AutomationRule is an account's rule: on an event, when its conditions
// hold, its actions run. Conditions and Actions are JSON that core
// validated before storing.
type AutomationRule struct {
	ID         int64           `json:"id"`
	AccountID  int64           `json:"account_id"`
	Name       string          `json:"name"`
	Enabled    bool            `json:"enabled"`
	Event      string          `json:"event"`
	Conditions json.RawMessage `json:"conditions"`
	Actions    json.RawMessage `json:"actions"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
}

// Outcomes of an automation run.
const (
	RunOK      = "ok"
	RunSkipped = "skipped"
	RunFailed  = "failed"
)

// AutomationRun is what came of one rule whose conditions held for one
// event.
type AutomationRun struct {
	ID             int64     `json:"id"`
	RuleID         int64     `json:"rule_id"`
	ConversationID int64     `json:"conversation_id"`
	EventSeq       int64     `json:"event_seq"`
	Outcome        string    `json:"outcome"`
	Detail         string    `json:"detail"`
	At             time.Time `json:"at"`
}

const automationRuleColumns = `id, account_id, name, enabled, event, conditions, actions, created_at, updated_at`

func scanAutomationRule(row interface{ Scan(...any) error }) (*AutomationRule, error) {
	var r AutomationRule
	var conditions, actions string
	var created, updated int64
	if err := row.Scan(&r.ID, &r.AccountID, &r.Name, &r.Enabled, &r.Event, &conditions, &actions, &created, &updated); err != nil {
		return nil, err
	}
	r.Conditions, r.Actions = json.RawMessage(conditions), json.RawMessage(actions)
	r.CreatedAt, r.UpdatedAt = fromMS(created), fromMS(updated)
	return &r, nil
}

// AutomationRules lists an account's rules, oldest first.
func (s *Store) AutomationRules(ctx context.Context, accountID int64) ([]*AutomationRule, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+automationRuleColumns+` FROM automation_rules WHERE account_id = $1 ORDER BY id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("store: automation rules: %w", err)
	}
	defer rows.Close()
	out := []*AutomationRule{}
	for rows.Next() {
		r, err := scanAutomationRule(rows)
		if err != nil {
			return nil, fmt.Errorf("store: automation rules: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// AutomationRule returns one of an account's rules.
func (s *Store) AutomationRule(ctx context.Context, accountID, id int64) (*AutomationRule, error) {
	r, err := scanAutomationRule(s.read.QueryRowContext(ctx, `SELECT `+automationRuleColumns+` FROM automation_rules
		WHERE account_id = $1 AND id = $2`, accountID, id))
	if err != nil {
		return nil, notFound(err, "automation rule")
	}
	return r, nil
}

// CreateAutomationRule inserts a rule, and starts the account's cursor at
// its latest event the first time it has a rule: rules act on what
// happens from now on.
func (t *Tx) CreateAutomationRule(ctx context.Context, r *AutomationRule) error {
	r.CreatedAt, r.UpdatedAt = t.now, t.now
	err := t.tx.QueryRowContext(ctx, `INSERT INTO automation_rules (account_id, name, enabled, event, conditions, actions, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`, r.AccountID, r.Name, r.Enabled, r.Event, string(r.Conditions), string(r.Actions), ms(t.now)).Scan(&r.ID)
	if err != nil {
		return fmt.Errorf("store: create automation rule: %w", err)
	}
	_, err = t.tx.ExecContext(ctx, `INSERT INTO automation_cursors (account_id, seq) SELECT id, event_seq FROM accounts WHERE id = $1
		ON CONFLICT (account_id) DO NOTHING`, r.AccountID)
	if err != nil {
		return fmt.Errorf("store: start automation cursor: %w", err)
	}
	return nil
}

// UpdateAutomationRule saves a rule's name, state, event, conditions and
// actions.
func (t *Tx) UpdateAutomationRule(ctx context.Context, r *AutomationRule) error {
	r.UpdatedAt = t.now
	res, err := t.tx.ExecContext(ctx, `UPDATE automation_rules SET name = $3, enabled = $4, event = $5, conditions = $6, actions = $7, updated_at = $8
		WHERE account_id = $1 AND id = $2`, r.AccountID, r.ID, r.Name, r.Enabled, r.Event, string(r.Conditions), string(r.Actions), ms(t.now))
	if err != nil {
		return fmt.Errorf("store: update automation rule: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sahay.NotFound("automation rule")
	}
	return nil
}

// DeleteAutomationRule removes a rule and its runs; the account's cursor
// goes with its last rule, so the engine no longer reads its events.
func (t *Tx) DeleteAutomationRule(ctx context.Context, accountID, id int64) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM automation_runs WHERE account_id = $1 AND rule_id = $2`, accountID, id); err != nil {
		return fmt.Errorf("store: delete automation runs: %w", err)
	}
	res, err := t.tx.ExecContext(ctx, `DELETE FROM automation_rules WHERE account_id = $1 AND id = $2`, accountID, id)
	if err != nil {
		return fmt.Errorf("store: delete automation rule: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sahay.NotFound("automation rule")
	}
	_, err = t.tx.ExecContext(ctx, `DELETE FROM automation_cursors WHERE account_id = $1
		AND NOT EXISTS (SELECT 1 FROM automation_rules WHERE account_id = $1)`, accountID)
	if err != nil {
		return fmt.Errorf("store: stop automation cursor: %w", err)
	}
	return nil
}

// AutomationBacklogs returns up to limit accounts with rules and events
// the engine has not read, in id order from after.
func (s *Store) AutomationBacklogs(ctx context.Context, after int64, limit int) ([]AnalysisBacklog, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT c.account_id, c.seq, a.event_seq FROM automation_cursors c
		JOIN accounts a ON a.id = c.account_id WHERE c.account_id > $1 AND a.event_seq > c.seq ORDER BY c.account_id LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: automation backlog: %w", err)
	}
	defer rows.Close()
	var out []AnalysisBacklog
	for rows.Next() {
		var b AnalysisBacklog
		if err := rows.Scan(&b.AccountID, &b.Cursor, &b.Last); err != nil {
			return nil, fmt.Errorf("store: automation backlog: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// AutomationEvents returns the account's events with after < seq <= upTo
// of the given types, in order.
func (s *Store) AutomationEvents(ctx context.Context, accountID, after, upTo int64, types []string) ([]sahay.Event, error) {
	evs, err := s.EventsAfter(ctx, accountID, after, int(upTo-after))
	if err != nil {
		return nil, err
	}
	out := evs[:0]
	for _, ev := range evs {
		if ev.Seq > upTo {
			break
		}
		for _, t := range types {
			if ev.Type == t {
				out = append(out, ev)
				break
			}
		}
	}
	return out, nil
}

// MoveAutomationCursor moves the account's cursor from after to upTo, and
// reports false (changing nothing) when it is no longer at after: another
// node read those events first.
func (s *Store) MoveAutomationCursor(ctx context.Context, accountID, after, upTo int64) (bool, error) {
	var moved bool
	err := s.writeOutside(ctx, func(q queryer) error {
		res, err := q.ExecContext(ctx, `UPDATE automation_cursors SET seq = $3 WHERE account_id = $1 AND seq = $2`, accountID, after, upTo)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		moved = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: move automation cursor: %w", err)
	}
	return moved, nil
}

// RecordAutomationRun stores what came of a run.
func (s *Store) RecordAutomationRun(ctx context.Context, accountID int64, r *AutomationRun) error {
	err := s.writeOutside(ctx, func(q queryer) error {
		return q.QueryRowContext(ctx, `INSERT INTO automation_runs (account_id, rule_id, conversation_id, event_seq, outcome, detail, at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, accountID, r.RuleID, r.ConversationID, r.EventSeq, r.Outcome, r.Detail, ms(r.At)).Scan(&r.ID)
	})
	if err != nil {
		return fmt.Errorf("store: record automation run: %w", err)
	}
	return nil
}

// AutomationRuns lists a rule's latest runs, newest first.
func (s *Store) AutomationRuns(ctx context.Context, accountID, ruleID int64, limit int) ([]*AutomationRun, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, rule_id, conversation_id, event_seq, outcome, detail, at FROM automation_runs
		WHERE account_id = $1 AND rule_id = $2 ORDER BY id DESC LIMIT $3`, accountID, ruleID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: automation runs: %w", err)
	}
	defer rows.Close()
	out := []*AutomationRun{}
	for rows.Next() {
		var r AutomationRun
		var at int64
		if err := rows.Scan(&r.ID, &r.RuleID, &r.ConversationID, &r.EventSeq, &r.Outcome, &r.Detail, &at); err != nil {
			return nil, fmt.Errorf("store: automation runs: %w", err)
		}
		r.At = fromMS(at)
		out = append(out, &r)
	}
	return out, rows.Err()
}

// RecentAutomationRuns counts the runs that acted on a conversation
// since a time, whatever the rule.
func (s *Store) RecentAutomationRuns(ctx context.Context, conversationID int64, since time.Time) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM automation_runs WHERE conversation_id = $1 AND at >= $2 AND outcome = $3`,
		conversationID, ms(since), RunOK).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: recent automation runs: %w", err)
	}
	return n, nil
}

type automationKey struct{}

// ByAutomationRule marks what is written with ctx as a rule's actions: the
// events appended with it carry the rule's id as "automation_rule_id" in
// their data, and the engine does not let them trigger rules again.
func ByAutomationRule(ctx context.Context, ruleID int64) context.Context {
	return context.WithValue(ctx, automationKey{}, ruleID)
}

// withAutomationRule adds the rule that caused an event to its data, when
// ctx is a rule's.
func withAutomationRule(ctx context.Context, data json.RawMessage) (json.RawMessage, error) {
	id, ok := ctx.Value(automationKey{}).(int64)
	if !ok {
		return data, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return nil, fmt.Errorf("store: event data is not an object: %s", data)
	}
	if fields == nil {
		fields = map[string]json.RawMessage{}
	}
	fields["automation_rule_id"] = json.RawMessage(fmt.Sprint(id))
	return json.Marshal(fields)
}
