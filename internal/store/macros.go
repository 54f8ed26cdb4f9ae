package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	sahay "github.com/sahayhq/sahay"
)

// Who may see and run a macro.
const (
	// MacroPersonal is a macro its owner alone sees, runs and changes.
	MacroPersonal = "personal"
	// MacroAccount is a macro every user of the account sees and runs,
	// and administrators change.
	MacroAccount = "account"
)

// Macro is a named list of actions an agent runs on a conversation.
// Actions is JSON that core validated before storing.
type Macro struct {
	ID         int64  `json:"id"`
	AccountID  int64  `json:"account_id"`
	Name       string `json:"name"`
	Visibility string `json:"visibility"`
	// UserID is the owner of a personal macro; 0 for an account macro.
	UserID int64 `json:"user_id"`
	// CreatedBy is the user who made the macro.
	CreatedBy int64           `json:"created_by"`
	Actions   json.RawMessage `json:"actions"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
}

const macroColumns = `id, account_id, user_id, created_by, name, actions, created_at, updated_at`

func scanMacro(row interface{ Scan(...any) error }) (*Macro, error) {
	var m Macro
	var owner sql.NullInt64
	var actions string
	var created, updated int64
	if err := row.Scan(&m.ID, &m.AccountID, &owner, &m.CreatedBy, &m.Name, &actions, &created, &updated); err != nil {
		return nil, err
	}
	m.UserID, m.Visibility = owner.Int64, MacroAccount
	if owner.Valid {
		m.Visibility = MacroPersonal
	}
	m.Actions = json.RawMessage(actions)
	m.CreatedAt, m.UpdatedAt = fromMS(created), fromMS(updated)
	return &m, nil
}

// owner is the user_id column of a macro: NULL for an account macro.
func (m *Macro) owner() any {
	if m.Visibility == MacroAccount {
		return nil
	}
	return m.UserID
}

// Macros lists the account's macros that userID may see: the account's
// and userID's personal ones, oldest first.
func (s *Store) Macros(ctx context.Context, accountID, userID int64) ([]*Macro, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+macroColumns+` FROM macros
		WHERE account_id = $1 AND (user_id IS NULL OR user_id = $2) ORDER BY id`, accountID, userID)
	if err != nil {
		return nil, fmt.Errorf("store: macros: %w", err)
	}
	defer rows.Close()
	out := []*Macro{}
	for rows.Next() {
		m, err := scanMacro(rows)
		if err != nil {
			return nil, fmt.Errorf("store: macros: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Macro returns one of the account's macros, whoever owns it.
func (s *Store) Macro(ctx context.Context, accountID, id int64) (*Macro, error) {
	m, err := scanMacro(s.read.QueryRowContext(ctx, `SELECT `+macroColumns+` FROM macros
		WHERE account_id = $1 AND id = $2`, accountID, id))
	if err != nil {
		return nil, notFound(err, "macro")
	}
	return m, nil
}

// CountMacros counts the account's macros (userID 0) or a user's
// personal macros.
func (s *Store) CountMacros(ctx context.Context, accountID, userID int64) (int, error) {
	q := `SELECT COUNT(*) FROM macros WHERE account_id = $1 AND user_id IS NULL`
	args := []any{accountID}
	if userID != 0 {
		q, args = `SELECT COUNT(*) FROM macros WHERE account_id = $1 AND user_id = $2`, append(args, userID)
	}
	var n int
	if err := s.read.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count macros: %w", err)
	}
	return n, nil
}

// CreateMacro inserts a macro.
func (t *Tx) CreateMacro(ctx context.Context, m *Macro) error {
	m.CreatedAt, m.UpdatedAt = t.now, t.now
	err := t.tx.QueryRowContext(ctx, `INSERT INTO macros (account_id, user_id, created_by, name, actions, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, m.AccountID, m.owner(), m.CreatedBy, m.Name, string(m.Actions), ms(t.now)).Scan(&m.ID)
	if err != nil {
		return fmt.Errorf("store: create macro: %w", err)
	}
	return nil
}

// UpdateMacro saves a macro's name, owner and actions.
func (t *Tx) UpdateMacro(ctx context.Context, m *Macro) error {
	m.UpdatedAt = t.now
	res, err := t.tx.ExecContext(ctx, `UPDATE macros SET user_id = $3, name = $4, actions = $5, updated_at = $6
		WHERE account_id = $1 AND id = $2`, m.AccountID, m.ID, m.owner(), m.Name, string(m.Actions), ms(t.now))
	if err != nil {
		return fmt.Errorf("store: update macro: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sahay.NotFound("macro")
	}
	return nil
}

// DeleteMacro removes a macro.
func (t *Tx) DeleteMacro(ctx context.Context, accountID, id int64) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM macros WHERE account_id = $1 AND id = $2`, accountID, id)
	if err != nil {
		return fmt.Errorf("store: delete macro: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sahay.NotFound("macro")
	}
	return nil
}
