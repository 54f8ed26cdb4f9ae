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
	// LastRunAt and LastOutcome are the rule's latest run, in lists;
	// absent when it has not run.
	LastRunAt   *time.Time `json:"last_run_at,omitempty"`
	LastOutcome string     `json:"last_outcome,omitempty"`
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
	ID             int64 `json:"id"`
	RuleID         int64 `json:"rule_id"`
	ConversationID int64 `json:"conversation_id"`
	// DisplayID is the conversation's number in its account, as agents
	// see it; 0 when the conversation is gone.
	DisplayID int64     `json:"conversation_display_id"`
	EventSeq  int64     `json:"event_seq"`
	Outcome   string    `json:"outcome"`
	Detail    string    `json:"detail"`
	At        time.Time `json:"at"`
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
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.lastAutomationRuns(ctx, accountID, out)
}

// lastAutomationRuns sets the latest run of each of an account's rules.
func (s *Store) lastAutomationRuns(ctx context.Context, accountID int64, rules []*AutomationRule) error {
	if len(rules) == 0 {
		return nil
	}
	rows, err := s.read.QueryContext(ctx, `SELECT r.rule_id, r.at, r.outcome FROM automation_runs r
		JOIN (SELECT rule_id, MAX(id) AS id FROM automation_runs WHERE account_id = $1 GROUP BY rule_id) l ON l.id = r.id`, accountID)
	if err != nil {
		return fmt.Errorf("store: last automation runs: %w", err)
	}
	defer rows.Close()
	byID := make(map[int64]*AutomationRule, len(rules))
	for _, r := range rules {
		byID[r.ID] = r
	}
	for rows.Next() {
		var id, at int64
		var outcome string
		if err := rows.Scan(&id, &at, &outcome); err != nil {
			return fmt.Errorf("store: last automation runs: %w", err)
		}
		if r := byID[id]; r != nil {
			t := fromMS(at)
			r.LastRunAt, r.LastOutcome = &t, outcome
		}
	}
	return rows.Err()
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
	rows, err := s.read.QueryContext(ctx, `SELECT r.id, r.rule_id, r.conversation_id, COALESCE(c.display_id, 0), r.event_seq, r.outcome, r.detail, r.at
		FROM automation_runs r LEFT JOIN conversations c ON c.id = r.conversation_id AND c.account_id = r.account_id
		WHERE r.account_id = $1 AND r.rule_id = $2 ORDER BY r.id DESC LIMIT $3`, accountID, ruleID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: automation runs: %w", err)
	}
	defer rows.Close()
	out := []*AutomationRun{}
	for rows.Next() {
		var r AutomationRun
		var at int64
		if err := rows.Scan(&r.ID, &r.RuleID, &r.ConversationID, &r.DisplayID, &r.EventSeq, &r.Outcome, &r.Detail, &at); err != nil {
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

// automationMark is the rule a context's writes are the actions of.
type automationMark struct {
	id   int64
	name string
}

// ByAutomationRule marks what is written with ctx as a rule's actions: the
// events appended with it carry the rule's id as "automation_rule_id" in
// their data, and the engine does not let them trigger rules again.
func ByAutomationRule(ctx context.Context, ruleID int64) context.Context {
	return ByAutomation(ctx, ruleID, "")
}

// ByAutomation is [ByAutomationRule] with the rule's name, which the
// messages written with ctx carry (details.automation) so that timelines
// name the rule that wrote them.
func ByAutomation(ctx context.Context, ruleID int64, name string) context.Context {
	return context.WithValue(ctx, automationKey{}, automationMark{id: ruleID, name: name})
}

// AutomationRuleOf returns the rule whose actions ctx writes, if any.
func AutomationRuleOf(ctx context.Context) (id int64, name string) {
	mark, _ := ctx.Value(automationKey{}).(automationMark)
	return mark.id, mark.name
}

// markAutomation sets on a message the rule that wrote it, when ctx is a
// rule's.
func markAutomation(ctx context.Context, m *sahay.Message) {
	mark, ok := ctx.Value(automationKey{}).(automationMark)
	if !ok {
		return
	}
	if m.Details == nil {
		m.Details = &sahay.MessageDetails{}
	}
	m.Details.Automation = &sahay.AutomationRef{RuleID: mark.id, Name: mark.name}
}

// withAutomationRule adds the rule that caused an event to its data, when
// ctx is a rule's.
func withAutomationRule(ctx context.Context, data json.RawMessage) (json.RawMessage, error) {
	mark, ok := ctx.Value(automationKey{}).(automationMark)
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
	fields["automation_rule_id"] = json.RawMessage(fmt.Sprint(mark.id))
	return json.Marshal(fields)
}
