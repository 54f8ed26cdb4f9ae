package store

import (
	"context"
	"fmt"

	sahay "github.com/sahayhq/sahay"
)

// CreateLabel inserts a label.
func (t *Tx) CreateLabel(ctx context.Context, l *sahay.Label) error {
	err := t.tx.QueryRowContext(ctx, `INSERT INTO labels (account_id, name, color, description) VALUES ($1, $2, $3, $4) RETURNING id`,
		l.AccountID, l.Name, l.Color, l.Description).Scan(&l.ID)
	if isUniqueViolation(err) {
		return sahay.Errorf(sahay.ECONFLICT, "a label named %q already exists", l.Name)
	}
	if err != nil {
		return fmt.Errorf("store: create label: %w", err)
	}
	return nil
}

// UpdateLabel saves a label.
func (t *Tx) UpdateLabel(ctx context.Context, l *sahay.Label) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE labels SET name = $3, color = $4, description = $5 WHERE id = $1 AND account_id = $2`,
		l.ID, l.AccountID, l.Name, l.Color, l.Description)
	if isUniqueViolation(err) {
		return sahay.Errorf(sahay.ECONFLICT, "a label named %q already exists", l.Name)
	}
	if err != nil {
		return fmt.Errorf("store: update label: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sahay.NotFound("label")
	}
	return nil
}

// DeleteLabel removes a label from the account and its conversations.
func (t *Tx) DeleteLabel(ctx context.Context, accountID, id int64) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM labels WHERE id = $1 AND account_id = $2`, id, accountID)
	if err != nil {
		return fmt.Errorf("store: delete label: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sahay.NotFound("label")
	}
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM label_counts WHERE account_id = $1 AND label_id = $2`, accountID, id); err != nil {
		return fmt.Errorf("store: delete label counts: %w", err)
	}
	return nil
}

// Labels lists an account's labels by name.
func (s *Store) Labels(ctx context.Context, accountID int64) ([]*sahay.Label, error) {
	return labels(ctx, s.read, accountID)
}

func labels(ctx context.Context, q queryer, accountID int64) ([]*sahay.Label, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, account_id, name, color, description FROM labels WHERE account_id = $1 ORDER BY name`, accountID)
	if err != nil {
		return nil, fmt.Errorf("store: labels: %w", err)
	}
	defer rows.Close()
	out := []*sahay.Label{}
	for rows.Next() {
		l := &sahay.Label{}
		if err := rows.Scan(&l.ID, &l.AccountID, &l.Name, &l.Color, &l.Description); err != nil {
			return nil, fmt.Errorf("store: labels: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// Labels lists an account's labels, read in the transaction.
func (t *Tx) Labels(ctx context.Context, accountID int64) ([]*sahay.Label, error) {
	return labels(ctx, t.tx, accountID)
}

// CreateCannedResponse inserts a canned response.
func (t *Tx) CreateCannedResponse(ctx context.Context, c *sahay.CannedResponse) error {
	err := t.tx.QueryRowContext(ctx, `INSERT INTO canned_responses (account_id, short_code, content) VALUES ($1, $2, $3) RETURNING id`,
		c.AccountID, c.ShortCode, c.Content).Scan(&c.ID)
	if isUniqueViolation(err) {
		return sahay.Errorf(sahay.ECONFLICT, "a canned response with short code %q already exists", c.ShortCode)
	}
	if err != nil {
		return fmt.Errorf("store: create canned response: %w", err)
	}
	return nil
}

// UpdateCannedResponse saves a canned response.
func (t *Tx) UpdateCannedResponse(ctx context.Context, c *sahay.CannedResponse) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE canned_responses SET short_code = $3, content = $4 WHERE id = $1 AND account_id = $2`,
		c.ID, c.AccountID, c.ShortCode, c.Content)
	if isUniqueViolation(err) {
		return sahay.Errorf(sahay.ECONFLICT, "a canned response with short code %q already exists", c.ShortCode)
	}
	if err != nil {
		return fmt.Errorf("store: update canned response: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sahay.NotFound("canned response")
	}
	return nil
}

// DeleteCannedResponse removes a canned response.
func (t *Tx) DeleteCannedResponse(ctx context.Context, accountID, id int64) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM canned_responses WHERE id = $1 AND account_id = $2`, id, accountID)
	if err != nil {
		return fmt.Errorf("store: delete canned response: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sahay.NotFound("canned response")
	}
	return nil
}

// CannedResponses lists an account's canned responses by short code.
func (s *Store) CannedResponses(ctx context.Context, accountID int64) ([]*sahay.CannedResponse, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, account_id, short_code, content FROM canned_responses WHERE account_id = $1 ORDER BY short_code`, accountID)
	if err != nil {
		return nil, fmt.Errorf("store: canned responses: %w", err)
	}
	defer rows.Close()
	out := []*sahay.CannedResponse{}
	for rows.Next() {
		c := &sahay.CannedResponse{}
		if err := rows.Scan(&c.ID, &c.AccountID, &c.ShortCode, &c.Content); err != nil {
			return nil, fmt.Errorf("store: canned responses: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
