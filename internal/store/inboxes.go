package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	sahay "github.com/sahayhq/sahay"
)

const inboxColumns = `id, account_id, name, channel, settings, created_at`

func scanInbox(row interface{ Scan(...any) error }) (*sahay.Inbox, error) {
	var in sahay.Inbox
	var settings string
	var created int64
	if err := row.Scan(&in.ID, &in.AccountID, &in.Name, &in.Channel, &settings, &created); err != nil {
		return nil, err
	}
	in.Settings = json.RawMessage(settings)
	in.CreatedAt = fromMS(created)
	in.MemberIDs = []int64{}
	return &in, nil
}

func settingsText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "{}"
	}
	return string(raw)
}

// CreateInbox inserts an inbox; sealed is its encrypted credentials.
func (t *Tx) CreateInbox(ctx context.Context, in *sahay.Inbox, sealed string) error {
	in.CreatedAt = t.now
	err := t.tx.QueryRowContext(ctx, `INSERT INTO inboxes (account_id, name, channel, settings, secrets, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		in.AccountID, in.Name, in.Channel, settingsText(in.Settings), sealed, ms(t.now)).Scan(&in.ID)
	if err != nil {
		return fmt.Errorf("store: create inbox: %w", err)
	}
	return t.keepSettingIDs(ctx, in)
}

// UpdateInbox saves an inbox's name, settings and encrypted credentials.
func (t *Tx) UpdateInbox(ctx context.Context, in *sahay.Inbox, sealed string) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE inboxes SET name = $3, settings = $4, secrets = $5 WHERE id = $1 AND account_id = $2`,
		in.ID, in.AccountID, in.Name, settingsText(in.Settings), sealed)
	if err != nil {
		return fmt.Errorf("store: update inbox: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sahay.NotFound("inbox")
	}
	return t.keepSettingIDs(ctx, in)
}

// maxSettingID is the longest setting value [Store.InboxesBySettingID]
// finds: platforms' ids are far shorter.
const maxSettingID = 200

// settingIDs returns the settings of an inbox that name it on its
// platform: the string settings whose key ends in "_id". A key given
// twice keeps its last value, as the channels read it; settings that are
// not a JSON object name nothing.
func settingIDs(raw json.RawMessage) map[string]string {
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil {
		return nil
	}
	out := map[string]string{}
	for k, v := range fields {
		var s string
		if !strings.HasSuffix(k, "_id") || json.Unmarshal(v, &s) != nil || s == "" || len(s) > maxSettingID {
			continue
		}
		out[k] = s
	}
	return out
}

// keepSettingIDs replaces the rows of inbox_setting_ids of an inbox with
// those of its settings.
func (t *Tx) keepSettingIDs(ctx context.Context, in *sahay.Inbox) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM inbox_setting_ids WHERE inbox_id = $1`, in.ID); err != nil {
		return fmt.Errorf("store: inbox setting ids: %w", err)
	}
	for k, v := range settingIDs(in.Settings) {
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO inbox_setting_ids (inbox_id, channel, key, value) VALUES ($1, $2, $3, $4)`,
			in.ID, in.Channel, k, v); err != nil {
			return fmt.Errorf("store: inbox setting ids: %w", err)
		}
	}
	return nil
}

// InboxesBySettingID lists the inboxes of a channel, in every account,
// whose setting key (one ending in "_id", such as "page_id") is value,
// without their members: where a delivery addressed to an app rather than
// to one inbox belongs.
func (s *Store) InboxesBySettingID(ctx context.Context, channel, key, value string) ([]*sahay.Inbox, error) {
	if !strings.HasSuffix(key, "_id") {
		return nil, fmt.Errorf("store: inboxes by setting: %q does not end in _id, so it is not indexed", key)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+inboxColumns+` FROM inboxes WHERE id IN
		(SELECT inbox_id FROM inbox_setting_ids WHERE channel = $1 AND key = $2 AND value = $3) ORDER BY id`, channel, key, value)
	if err != nil {
		return nil, fmt.Errorf("store: inboxes by %s: %w", key, err)
	}
	defer rows.Close()
	out := []*sahay.Inbox{}
	for rows.Next() {
		in, err := scanInbox(rows)
		if err != nil {
			return nil, fmt.Errorf("store: inboxes by %s: %w", key, err)
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// DeleteInbox removes an inbox with its conversations.
func (t *Tx) DeleteInbox(ctx context.Context, accountID, id int64) error {
	if t.s.dialect == SQLite {
		// The cascade removes the messages but not their index entries.
		if err := t.indexMessages(ctx); err != nil {
			return err
		}
		if _, err := t.tx.ExecContext(ctx, `DELETE FROM messages_fts WHERE rowid IN (SELECT id FROM messages WHERE inbox_id = $1 AND account_id = $2)`, id, accountID); err != nil {
			return fmt.Errorf("store: unindex inbox messages: %w", err)
		}
	}
	res, err := t.tx.ExecContext(ctx, `DELETE FROM inboxes WHERE id = $1 AND account_id = $2`, id, accountID)
	if err != nil {
		return fmt.Errorf("store: delete inbox: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sahay.NotFound("inbox")
	}
	for _, q := range []string{
		`DELETE FROM conversation_counts WHERE account_id = $1 AND inbox_id = $2`,
		`DELETE FROM label_counts WHERE account_id = $1 AND inbox_id = $2`,
	} {
		if _, err := t.tx.ExecContext(ctx, q, accountID, id); err != nil {
			return fmt.Errorf("store: delete inbox counts: %w", err)
		}
	}
	return t.forgetRouting(ctx, accountID, ScopeInbox, id)
}

// SetInboxMembers replaces the agents of an inbox.
func (t *Tx) SetInboxMembers(ctx context.Context, inboxID int64, userIDs []int64) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM inbox_members WHERE inbox_id = $1`, inboxID); err != nil {
		return fmt.Errorf("store: inbox members: %w", err)
	}
	for _, u := range userIDs {
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO inbox_members (inbox_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, inboxID, u); err != nil {
			return fmt.Errorf("store: inbox members: %w", err)
		}
	}
	return nil
}

// Inbox returns an inbox of an account with its members.
func (s *Store) Inbox(ctx context.Context, accountID, id int64) (*sahay.Inbox, error) {
	in, err := scanInbox(s.read.QueryRowContext(ctx, `SELECT `+inboxColumns+` FROM inboxes WHERE id = $1 AND account_id = $2`, id, accountID))
	if err != nil {
		return nil, notFound(err, "inbox")
	}
	in.MemberIDs, err = int64s(ctx, s.read, `SELECT user_id FROM inbox_members WHERE inbox_id = $1 ORDER BY user_id`, id)
	return in, err
}

// InboxByID returns an inbox of any account, for channel endpoints that
// arrive without a user.
func (s *Store) InboxByID(ctx context.Context, id int64) (*sahay.Inbox, error) {
	in, err := scanInbox(s.read.QueryRowContext(ctx, `SELECT `+inboxColumns+` FROM inboxes WHERE id = $1`, id))
	return in, notFound(err, "inbox")
}

// InboxSecrets returns an inbox's encrypted credentials.
func (s *Store) InboxSecrets(ctx context.Context, id int64) (string, error) {
	var sealed string
	err := s.read.QueryRowContext(ctx, `SELECT secrets FROM inboxes WHERE id = $1`, id).Scan(&sealed)
	return sealed, notFound(err, "inbox")
}

// Inboxes lists an account's inboxes with their members.
func (s *Store) Inboxes(ctx context.Context, accountID int64) ([]*sahay.Inbox, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+inboxColumns+` FROM inboxes WHERE account_id = $1 ORDER BY id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("store: inboxes: %w", err)
	}
	out := []*sahay.Inbox{}
	byID := map[int64]*sahay.Inbox{}
	for rows.Next() {
		in, err := scanInbox(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: inboxes: %w", err)
		}
		out = append(out, in)
		byID[in.ID] = in
	}
	rows.Close()
	members, err := s.read.QueryContext(ctx, `SELECT m.inbox_id, m.user_id FROM inbox_members m JOIN inboxes i ON i.id = m.inbox_id
		WHERE i.account_id = $1 ORDER BY m.user_id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("store: inbox members: %w", err)
	}
	defer members.Close()
	for members.Next() {
		var inboxID, userID int64
		if err := members.Scan(&inboxID, &userID); err != nil {
			return nil, fmt.Errorf("store: inbox members: %w", err)
		}
		if in := byID[inboxID]; in != nil {
			in.MemberIDs = append(in.MemberIDs, userID)
		}
	}
	return out, members.Err()
}

// CreateTeam inserts a team.
func (t *Tx) CreateTeam(ctx context.Context, team *sahay.Team) error {
	err := t.tx.QueryRowContext(ctx, `INSERT INTO teams (account_id, name, description) VALUES ($1, $2, $3) RETURNING id`,
		team.AccountID, team.Name, team.Description).Scan(&team.ID)
	if isUniqueViolation(err) {
		return sahay.Errorf(sahay.ECONFLICT, "a team named %q already exists", team.Name)
	}
	if err != nil {
		return fmt.Errorf("store: create team: %w", err)
	}
	return t.setTeamMembers(ctx, team.ID, team.MemberIDs)
}

// UpdateTeam saves a team and its members.
func (t *Tx) UpdateTeam(ctx context.Context, team *sahay.Team) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE teams SET name = $3, description = $4 WHERE id = $1 AND account_id = $2`,
		team.ID, team.AccountID, team.Name, team.Description)
	if isUniqueViolation(err) {
		return sahay.Errorf(sahay.ECONFLICT, "a team named %q already exists", team.Name)
	}
	if err != nil {
		return fmt.Errorf("store: update team: %w", err)
	}
	return t.setTeamMembers(ctx, team.ID, team.MemberIDs)
}

func (t *Tx) setTeamMembers(ctx context.Context, teamID int64, userIDs []int64) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM team_members WHERE team_id = $1`, teamID); err != nil {
		return fmt.Errorf("store: team members: %w", err)
	}
	for _, u := range userIDs {
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO team_members (team_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, teamID, u); err != nil {
			return fmt.Errorf("store: team members: %w", err)
		}
	}
	return nil
}

// DeleteTeam removes a team; its conversations keep no team.
func (t *Tx) DeleteTeam(ctx context.Context, accountID, id int64) error {
	ids, err := int64s(ctx, t.tx, `SELECT id FROM conversations WHERE account_id = $1 AND team_id = $2`, accountID, id)
	if err != nil {
		return err
	}
	for _, cid := range ids {
		c, err := t.Conversation(ctx, accountID, cid)
		if err != nil {
			return err
		}
		next := *c
		next.TeamID = 0
		if err := t.UpdateConversation(ctx, c, &next); err != nil {
			return err
		}
	}
	res, err := t.tx.ExecContext(ctx, `DELETE FROM teams WHERE id = $1 AND account_id = $2`, id, accountID)
	if err != nil {
		return fmt.Errorf("store: delete team: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sahay.NotFound("team")
	}
	return t.forgetRouting(ctx, accountID, ScopeTeam, id)
}

// Teams lists an account's teams with their members.
func (s *Store) Teams(ctx context.Context, accountID int64) ([]*sahay.Team, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, account_id, name, description FROM teams WHERE account_id = $1 ORDER BY name`, accountID)
	if err != nil {
		return nil, fmt.Errorf("store: teams: %w", err)
	}
	out := []*sahay.Team{}
	byID := map[int64]*sahay.Team{}
	for rows.Next() {
		team := &sahay.Team{MemberIDs: []int64{}}
		if err := rows.Scan(&team.ID, &team.AccountID, &team.Name, &team.Description); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: teams: %w", err)
		}
		out = append(out, team)
		byID[team.ID] = team
	}
	rows.Close()
	members, err := s.read.QueryContext(ctx, `SELECT m.team_id, m.user_id FROM team_members m JOIN teams t ON t.id = m.team_id
		WHERE t.account_id = $1 ORDER BY m.user_id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("store: team members: %w", err)
	}
	defer members.Close()
	for members.Next() {
		var teamID, userID int64
		if err := members.Scan(&teamID, &userID); err != nil {
			return nil, fmt.Errorf("store: team members: %w", err)
		}
		if team := byID[teamID]; team != nil {
			team.MemberIDs = append(team.MemberIDs, userID)
		}
	}
	return out, members.Err()
}

// Team returns one team.
func (s *Store) Team(ctx context.Context, accountID, id int64) (*sahay.Team, error) {
	teams, err := s.Teams(ctx, accountID)
	if err != nil {
		return nil, err
	}
	for _, team := range teams {
		if team.ID == id {
			return team, nil
		}
	}
	return nil, sahay.NotFound("team")
}

// InboxesOfChannel lists the inboxes of a channel in every account, without
// their members: the inboxes a channel's background work serves.
func (s *Store) InboxesOfChannel(ctx context.Context, channel string) ([]*sahay.Inbox, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+inboxColumns+` FROM inboxes WHERE channel = $1 ORDER BY id`, channel)
	if err != nil {
		return nil, fmt.Errorf("store: inboxes of %s: %w", channel, err)
	}
	defer rows.Close()
	out := []*sahay.Inbox{}
	for rows.Next() {
		in, err := scanInbox(rows)
		if err != nil {
			return nil, fmt.Errorf("store: inboxes of %s: %w", channel, err)
		}
		out = append(out, in)
	}
	return out, rows.Err()
}
