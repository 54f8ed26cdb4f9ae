package store

import (
	"context"
	"encoding/json"
	"fmt"

	sahay "github.com/sahayhq/sahay"
)

const viewColumns = `id, account_id, user_id, name, filters, visibility, team_id, created_at, updated_at`

func scanView(row interface{ Scan(...any) error }) (*sahay.SavedView, error) {
	var v sahay.SavedView
	var filters string
	var created, updated int64
	if err := row.Scan(&v.ID, &v.AccountID, &v.UserID, &v.Name, &filters, &v.Visibility, &v.TeamID, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(filters), &v.Filters); err != nil {
		return nil, fmt.Errorf("store: view %d filters: %w", v.ID, err)
	}
	v.CreatedAt, v.UpdatedAt = fromMS(created), fromMS(updated)
	return &v, nil
}

// CreateView inserts a saved view. A second view of the same name for the
// same owner is a conflict.
func (t *Tx) CreateView(ctx context.Context, v *sahay.SavedView) error {
	v.CreatedAt, v.UpdatedAt = t.now, t.now
	err := t.tx.QueryRowContext(ctx, `INSERT INTO saved_views (account_id, user_id, name, filters, visibility, team_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
		v.AccountID, v.UserID, v.Name, encodeJSON(v.Filters), v.Visibility, v.TeamID, ms(t.now)).Scan(&v.ID)
	if isUniqueViolation(err) {
		return sahay.Errorf(sahay.ECONFLICT, "a view named %q already exists", v.Name)
	}
	if err != nil {
		return fmt.Errorf("store: create view: %w", err)
	}
	return nil
}

// UpdateView saves a view's name, filters and sharing.
func (t *Tx) UpdateView(ctx context.Context, v *sahay.SavedView) error {
	v.UpdatedAt = t.now
	res, err := t.tx.ExecContext(ctx, `UPDATE saved_views SET name = $3, filters = $4, visibility = $5, team_id = $6, updated_at = $7
		WHERE id = $1 AND account_id = $2`,
		v.ID, v.AccountID, v.Name, encodeJSON(v.Filters), v.Visibility, v.TeamID, ms(t.now))
	if isUniqueViolation(err) {
		return sahay.Errorf(sahay.ECONFLICT, "a view named %q already exists", v.Name)
	}
	if err != nil {
		return fmt.Errorf("store: update view: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sahay.NotFound("view")
	}
	return nil
}

// DeleteView removes a saved view.
func (t *Tx) DeleteView(ctx context.Context, accountID, id int64) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM saved_views WHERE id = $1 AND account_id = $2`, id, accountID)
	if err != nil {
		return fmt.Errorf("store: delete view: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sahay.NotFound("view")
	}
	return nil
}

// View returns a saved view of the account.
func (s *Store) View(ctx context.Context, accountID, id int64) (*sahay.SavedView, error) {
	v, err := scanView(s.read.QueryRowContext(ctx, `SELECT `+viewColumns+` FROM saved_views WHERE id = $1 AND account_id = $2`, id, accountID))
	return v, notFound(err, "view")
}

// ViewsFilter says whose views to list: those userID owns, those shared
// with the account, and those shared with one of teams (every team's when
// AllTeams is set).
type ViewsFilter struct {
	AccountID int64
	UserID    int64
	Teams     []int64
	AllTeams  bool
}

// Views lists the saved views a reader may see, by name.
func (s *Store) Views(ctx context.Context, f ViewsFilter) ([]*sahay.SavedView, error) {
	args := []any{f.AccountID, f.UserID, sahay.ViewAccount, sahay.ViewTeam}
	team := "FALSE"
	switch {
	case f.AllTeams:
		team = "TRUE"
	case len(f.Teams) > 0:
		team = "team_id IN (" + placeholders(len(args)+1, len(f.Teams)) + ")"
		for _, id := range f.Teams {
			args = append(args, id)
		}
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+viewColumns+` FROM saved_views
		WHERE account_id = $1 AND (user_id = $2 OR visibility = $3 OR (visibility = $4 AND `+team+`))
		ORDER BY name, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: views: %w", err)
	}
	defer rows.Close()
	out := []*sahay.SavedView{}
	for rows.Next() {
		v, err := scanView(rows)
		if err != nil {
			return nil, fmt.Errorf("store: views: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// CountViews returns how many views a user owns.
func (t *Tx) CountViews(ctx context.Context, userID int64) (int, error) {
	var n int
	if err := t.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM saved_views WHERE user_id = $1`, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count views: %w", err)
	}
	return n, nil
}
