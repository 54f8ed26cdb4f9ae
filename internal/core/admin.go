package core

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/auth"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/store"
)

// audit records an administrative action by the actor.
func audit(ctx context.Context, tx *store.Tx, a *Actor, action, targetType string, targetID int64, details any) error {
	var raw json.RawMessage
	if details != nil {
		raw, _ = json.Marshal(details)
	}
	return tx.Audit(ctx, sahay.AuditEntry{AccountID: a.AccountID(), UserID: a.User.ID, Action: action,
		TargetType: targetType, TargetID: targetID, Details: raw})
}

// InboxInput creates or changes an inbox.
type InboxInput struct {
	Name     *string           `json:"name"`
	Channel  string            `json:"channel"`
	Settings json.RawMessage   `json:"settings"`
	Secrets  map[string]string `json:"secrets"`
}

// Inboxes lists the inboxes the actor may see.
func (s *Service) Inboxes(ctx context.Context, a *Actor) ([]*sahay.Inbox, error) {
	all, err := s.store.Inboxes(ctx, a.AccountID())
	if err != nil {
		return nil, err
	}
	out := []*sahay.Inbox{}
	for _, in := range all {
		if a.CanSeeInbox(in.ID) {
			out = append(out, s.withWebhookURL(in))
		}
	}
	return out, nil
}

// withWebhookURL fills in where a platform delivers an inbox's webhooks,
// for a channel that takes them.
func (s *Service) withWebhookURL(in *sahay.Inbox) *sahay.Inbox {
	if adapter, err := s.channels.Get(in.Channel); err == nil && s.publicURL != "" {
		if _, ok := adapter.(channel.Webhooker); ok {
			in.WebhookURL = fmt.Sprintf("%s/webhooks/%d", strings.TrimRight(s.publicURL, "/"), in.ID)
			// A platform that delivers its messages below the inbox's
			// address (Twilio's /sms) names where.
			if p, ok := adapter.(interface{ MessagesWebhookPath() string }); ok {
				in.WebhookURL += p.MessagesWebhookPath()
			}
		}
	}
	return in
}

// Inbox returns an inbox the actor may see.
func (s *Service) Inbox(ctx context.Context, a *Actor, id int64) (*sahay.Inbox, error) {
	in, err := s.store.Inbox(ctx, a.AccountID(), id)
	if err != nil {
		return nil, err
	}
	if !a.CanSeeInbox(id) {
		return nil, sahay.NotFound("inbox")
	}
	return s.withWebhookURL(in), nil
}

// InboxWithSecrets returns an inbox with its decrypted credentials, for
// channel adapters; never hand its Secrets to an API client.
func (s *Service) InboxWithSecrets(ctx context.Context, accountID, id int64) (*sahay.Inbox, error) {
	in, err := s.store.Inbox(ctx, accountID, id)
	if err != nil {
		return nil, err
	}
	return in, s.openSecrets(ctx, in)
}

// openSecrets reads and decrypts an inbox's credentials into its Secrets.
func (s *Service) openSecrets(ctx context.Context, in *sahay.Inbox) error {
	sealed, err := s.store.InboxSecrets(ctx, in.ID)
	if err != nil {
		return err
	}
	in.Secrets = map[string]string{}
	if plain, err := s.box.Open(sealed); err != nil {
		return err
	} else if plain != nil {
		if err := json.Unmarshal(plain, &in.Secrets); err != nil {
			return err
		}
	}
	return nil
}

// InboxByID returns an inbox of any account, without its secrets, for a
// channel that a platform or its own signed token hands an inbox id; never
// for an API client, whose reads go through [Service.Inbox].
func (s *Service) InboxByID(ctx context.Context, id int64) (*sahay.Inbox, error) {
	return s.store.InboxByID(ctx, id)
}

// InboxesOfChannel lists the inboxes of a channel in every account, without
// their secrets or members, oldest first.
func (s *Service) InboxesOfChannel(ctx context.Context, channel string) ([]*sahay.Inbox, error) {
	return s.store.InboxesOfChannel(ctx, channel)
}

func (s *Service) seal(secrets map[string]string) (string, error) {
	if len(secrets) == 0 {
		return "", nil
	}
	b, err := json.Marshal(secrets)
	if err != nil {
		return "", err
	}
	return s.box.Seal(b)
}

// CreateInbox connects a channel. The API channel gets a webhook signing
// secret generated unless one is given.
func (s *Service) CreateInbox(ctx context.Context, a *Actor, in InboxInput) (*sahay.Inbox, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	if in.Name == nil {
		return nil, sahay.Invalid("name is required")
	}
	name, err := cleanName("name", *in.Name, MaxNameChars)
	if err != nil {
		return nil, err
	}
	adapter, err := s.channels.Get(in.Channel)
	if err != nil {
		return nil, err
	}
	inbox := &sahay.Inbox{AccountID: a.AccountID(), Name: name, Channel: in.Channel, Settings: in.Settings, Secrets: in.Secrets}
	if len(inbox.Settings) == 0 {
		inbox.Settings = json.RawMessage("{}")
	}
	if inbox.Secrets == nil {
		inbox.Secrets = map[string]string{}
	}
	if _, ok := inbox.Secrets["webhook_secret"]; !ok {
		inbox.Secrets["webhook_secret"] = auth.NewToken()
	}
	if err := checkSettings(inbox.Settings); err != nil {
		return nil, err
	}
	if err := s.separateSecrets(inbox); err != nil {
		return nil, err
	}
	if err := validateInbox(ctx, adapter, inbox); err != nil {
		return nil, err
	}
	sealed, err := s.seal(inbox.Secrets)
	if err != nil {
		return nil, err
	}
	err = s.write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateInbox(ctx, inbox, sealed); err != nil {
			return err
		}
		if err := audit(ctx, tx, a, "inbox.create", "inbox", inbox.ID, map[string]string{"name": name, "channel": in.Channel}); err != nil {
			return err
		}
		return tx.Emit(ctx, a.AccountID(), inbox.ID, 0, sahay.InboxChanged{Inbox: inbox})
	})
	if err != nil {
		return nil, err
	}
	inbox.MemberIDs = []int64{}
	s.connect(ctx, inbox)
	return s.withWebhookURL(inbox), nil
}

// validateInbox has an inbox's adapter check its settings, and the
// records of the account they name.
func validateInbox(ctx context.Context, adapter channel.Adapter, inbox *sahay.Inbox) error {
	if err := adapter.Validate(inbox); err != nil {
		return err
	}
	if c, ok := adapter.(channel.ReferenceChecker); ok {
		return c.CheckReferences(ctx, inbox)
	}
	return nil
}

// administerInbox checks that the actor may change an inbox: an inbox they
// cannot see is not found, one they see but may not change is forbidden.
func (s *Service) administerInbox(ctx context.Context, a *Actor, id int64) error {
	if _, err := s.Inbox(ctx, a, id); err != nil {
		return err
	}
	return a.requireAdmin()
}

// InboxSecrets returns an inbox's credentials to an administrator, for
// example the API channel's webhook signing secret.
func (s *Service) InboxSecrets(ctx context.Context, a *Actor, id int64) (map[string]string, error) {
	if err := s.administerInbox(ctx, a, id); err != nil {
		return nil, err
	}
	in, err := s.InboxWithSecrets(ctx, a.AccountID(), id)
	if err != nil {
		return nil, err
	}
	for k, v := range in.Secrets {
		if slices.Contains(s.serverSecrets, v) {
			in.Secrets[k] = ServerSecretShown
		}
	}
	return in.Secrets, nil
}

// ServerSecretShown stands for a secret of the operator's in an inbox's
// secrets (see Config.ServerSecrets).
const ServerSecretShown = "(the server's own: not shown)"

// UpdateInbox changes an inbox's name, settings or credentials.
func (s *Service) UpdateInbox(ctx context.Context, a *Actor, id int64, in InboxInput) (*sahay.Inbox, error) {
	if err := s.administerInbox(ctx, a, id); err != nil {
		return nil, err
	}
	inbox, err := s.InboxWithSecrets(ctx, a.AccountID(), id)
	if err != nil {
		return nil, err
	}
	if in.Channel != "" && in.Channel != inbox.Channel {
		return nil, sahay.Invalid("an inbox's channel cannot change; create another inbox")
	}
	if in.Name != nil {
		if inbox.Name, err = cleanName("name", *in.Name, MaxNameChars); err != nil {
			return nil, err
		}
	}
	if len(in.Settings) > 0 {
		inbox.Settings = in.Settings
	}
	for k, v := range in.Secrets {
		inbox.Secrets[k] = v
	}
	adapter, err := s.channels.Get(inbox.Channel)
	if err != nil {
		return nil, err
	}
	if err := checkSettings(inbox.Settings); err != nil {
		return nil, err
	}
	if err := s.separateSecrets(inbox); err != nil {
		return nil, err
	}
	if err := validateInbox(ctx, adapter, inbox); err != nil {
		return nil, err
	}
	sealed, err := s.seal(inbox.Secrets)
	if err != nil {
		return nil, err
	}
	err = s.write(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateInbox(ctx, inbox, sealed); err != nil {
			return err
		}
		if err := audit(ctx, tx, a, "inbox.update", "inbox", id, nil); err != nil {
			return err
		}
		return tx.Emit(ctx, a.AccountID(), inbox.ID, 0, sahay.InboxChanged{Inbox: inbox})
	})
	if err != nil {
		return nil, err
	}
	s.connect(ctx, inbox)
	return s.withWebhookURL(inbox), nil
}

// DeleteInbox removes an inbox and all its conversations.
func (s *Service) DeleteInbox(ctx context.Context, a *Actor, id int64) error {
	if err := s.administerInbox(ctx, a, id); err != nil {
		return err
	}
	return s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, a.AccountID()); err != nil {
			return err
		}
		if err := tx.DeleteInbox(ctx, a.AccountID(), id); err != nil {
			return err
		}
		// The help center may show the inbox's chat.
		if err := tx.BumpKB(ctx, a.AccountID()); err != nil {
			return err
		}
		if err := audit(ctx, tx, a, "inbox.delete", "inbox", id, nil); err != nil {
			return err
		}
		s.inboxes.Delete(id)
		return tx.Emit(ctx, a.AccountID(), id, 0, sahay.InboxChanged{DeletedInboxID: id})
	})
}

// SetInboxMembers replaces the agents who work an inbox.
func (s *Service) SetInboxMembers(ctx context.Context, a *Actor, id int64, userIDs []int64) (*sahay.Inbox, error) {
	if err := s.administerInbox(ctx, a, id); err != nil {
		return nil, err
	}
	if _, err := s.store.Inbox(ctx, a.AccountID(), id); err != nil {
		return nil, err
	}
	if err := s.checkUsers(ctx, a, userIDs); err != nil {
		return nil, err
	}
	err := s.write(ctx, func(tx *store.Tx) error {
		if err := tx.SetInboxMembers(ctx, id, userIDs); err != nil {
			return err
		}
		if err := audit(ctx, tx, a, "inbox.members", "inbox", id, map[string]any{"user_ids": userIDs}); err != nil {
			return err
		}
		return tx.Emit(ctx, a.AccountID(), id, 0, sahay.InboxChanged{InboxID: id, MemberIDs: userIDs})
	})
	if err != nil {
		return nil, err
	}
	return s.store.Inbox(ctx, a.AccountID(), id)
}

func (s *Service) checkUsers(ctx context.Context, a *Actor, ids []int64) error {
	users, err := s.store.Users(ctx, a.AccountID())
	if err != nil {
		return err
	}
	for _, id := range ids {
		if !slices.ContainsFunc(users, func(u *sahay.User) bool { return u.ID == id }) {
			return sahay.Invalid("unknown user %d", id)
		}
	}
	return nil
}

// TeamInput creates or changes a team.
type TeamInput struct {
	Name        *string  `json:"name"`
	Description *string  `json:"description"`
	MemberIDs   *[]int64 `json:"member_ids"`
}

// Teams lists the account's teams.
func (s *Service) Teams(ctx context.Context, a *Actor) ([]*sahay.Team, error) {
	return s.store.Teams(ctx, a.AccountID())
}

// SaveTeam creates a team (id 0) or changes one.
func (s *Service) SaveTeam(ctx context.Context, a *Actor, id int64, in TeamInput) (*sahay.Team, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	team := &sahay.Team{AccountID: a.AccountID(), MemberIDs: []int64{}}
	if id != 0 {
		var err error
		if team, err = s.store.Team(ctx, a.AccountID(), id); err != nil {
			return nil, err
		}
	} else if in.Name == nil {
		return nil, sahay.Invalid("name is required")
	}
	var err error
	if in.Name != nil {
		if team.Name, err = cleanName("name", *in.Name, MaxNameChars); err != nil {
			return nil, err
		}
	}
	if in.Description != nil {
		if team.Description, err = cleanLine("description", *in.Description, MaxDescriptionChars); err != nil {
			return nil, err
		}
	}
	if in.MemberIDs != nil {
		if err := s.checkUsers(ctx, a, *in.MemberIDs); err != nil {
			return nil, err
		}
		team.MemberIDs = *in.MemberIDs
	}
	err = s.write(ctx, func(tx *store.Tx) error {
		action := "team.update"
		if id == 0 {
			action = "team.create"
			if err := tx.CreateTeam(ctx, team); err != nil {
				return err
			}
		} else if err := tx.UpdateTeam(ctx, team); err != nil {
			return err
		}
		return audit(ctx, tx, a, action, "team", team.ID, map[string]any{"name": team.Name})
	})
	return team, err
}

// DeleteTeam removes a team.
func (s *Service) DeleteTeam(ctx context.Context, a *Actor, id int64) error {
	if err := a.requireAdmin(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, a.AccountID()); err != nil {
			return err
		}
		if err := tx.DeleteTeam(ctx, a.AccountID(), id); err != nil {
			return err
		}
		return audit(ctx, tx, a, "team.delete", "team", id, nil)
	})
}

var colorPattern = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// LabelInput creates or changes a label.
type LabelInput struct {
	Name        *string `json:"name"`
	Color       *string `json:"color"`
	Description *string `json:"description"`
}

// Labels lists the account's labels.
func (s *Service) Labels(ctx context.Context, a *Actor) ([]*sahay.Label, error) {
	return s.store.Labels(ctx, a.AccountID())
}

// SaveLabel creates a label (id 0) or changes one.
func (s *Service) SaveLabel(ctx context.Context, a *Actor, id int64, in LabelInput) (*sahay.Label, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	l := &sahay.Label{AccountID: a.AccountID(), Color: "#6b7280"}
	if id != 0 {
		labels, err := s.store.Labels(ctx, a.AccountID())
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(labels, func(l *sahay.Label) bool { return l.ID == id })
		if i < 0 {
			return nil, sahay.NotFound("label")
		}
		l = labels[i]
	} else if in.Name == nil {
		return nil, sahay.Invalid("name is required")
	}
	if in.Name != nil {
		name, err := cleanName("name", strings.ToLower(*in.Name), MaxLabelChars)
		if err != nil {
			return nil, err
		}
		if strings.ContainsAny(name, " ,") {
			return nil, sahay.Invalid("a label name has no spaces or commas; use - or _")
		}
		l.Name = name
	}
	if in.Color != nil {
		if !colorPattern.MatchString(*in.Color) {
			return nil, sahay.Invalid("color must look like #1f6feb")
		}
		l.Color = *in.Color
	}
	if in.Description != nil {
		description, err := cleanLine("description", *in.Description, MaxDescriptionChars)
		if err != nil {
			return nil, err
		}
		l.Description = description
	}
	err := s.write(ctx, func(tx *store.Tx) error {
		action := "label.update"
		if id == 0 {
			action = "label.create"
			if err := tx.CreateLabel(ctx, l); err != nil {
				return err
			}
		} else if err := tx.UpdateLabel(ctx, l); err != nil {
			return err
		}
		if err := audit(ctx, tx, a, action, "label", l.ID, map[string]any{"name": l.Name}); err != nil {
			return err
		}
		return tx.Emit(ctx, a.AccountID(), 0, 0, sahay.LabelChanged{Label: l})
	})
	return l, err
}

// DeleteLabel removes a label from the account and its conversations.
func (s *Service) DeleteLabel(ctx context.Context, a *Actor, id int64) error {
	if err := a.requireAdmin(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, a.AccountID()); err != nil {
			return err
		}
		if err := tx.DeleteLabel(ctx, a.AccountID(), id); err != nil {
			return err
		}
		if err := audit(ctx, tx, a, "label.delete", "label", id, nil); err != nil {
			return err
		}
		return tx.Emit(ctx, a.AccountID(), 0, 0, sahay.LabelChanged{DeletedLabelID: id})
	})
}

// CannedInput creates or changes a canned response.
type CannedInput struct {
	ShortCode *string `json:"short_code"`
	Content   *string `json:"content"`
}

var shortCodePattern = regexp.MustCompile(`^[\p{L}\p{M}\p{N}_-]{1,40}$`)

// CannedResponses lists the account's canned responses.
func (s *Service) CannedResponses(ctx context.Context, a *Actor) ([]*sahay.CannedResponse, error) {
	return s.store.CannedResponses(ctx, a.AccountID())
}

// SaveCannedResponse creates (id 0) or changes a canned response. Any agent
// may: canned responses are the team's shared phrasebook.
func (s *Service) SaveCannedResponse(ctx context.Context, a *Actor, id int64, in CannedInput) (*sahay.CannedResponse, error) {
	c := &sahay.CannedResponse{AccountID: a.AccountID()}
	if id != 0 {
		all, err := s.store.CannedResponses(ctx, a.AccountID())
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(all, func(c *sahay.CannedResponse) bool { return c.ID == id })
		if i < 0 {
			return nil, sahay.NotFound("canned response")
		}
		c = all[i]
	} else if in.ShortCode == nil || in.Content == nil {
		return nil, sahay.Invalid("short_code and content are required")
	}
	if in.ShortCode != nil {
		code := strings.TrimSpace(*in.ShortCode)
		if !shortCodePattern.MatchString(code) {
			return nil, sahay.Invalid("short_code is 1 to 40 letters, digits, - or _")
		}
		c.ShortCode = code
	}
	if in.Content != nil {
		content, err := CleanText("content", *in.Content, MaxContentBytes)
		if err != nil {
			return nil, err
		}
		if content == "" {
			return nil, sahay.Invalid("content is required")
		}
		c.Content = content
	}
	err := s.write(ctx, func(tx *store.Tx) error {
		if id == 0 {
			return tx.CreateCannedResponse(ctx, c)
		}
		return tx.UpdateCannedResponse(ctx, c)
	})
	return c, err
}

// DeleteCannedResponse removes a canned response.
func (s *Service) DeleteCannedResponse(ctx context.Context, a *Actor, id int64) error {
	return s.write(ctx, func(tx *store.Tx) error { return tx.DeleteCannedResponse(ctx, a.AccountID(), id) })
}

// AccountInput changes account settings.
type AccountInput struct {
	Name                *string   `json:"name"`
	TimeZone            *string   `json:"time_zone"`
	Locales             *[]string `json:"locales"`
	ReopenWindowSeconds *int64    `json:"reopen_window_seconds"`
	// BusinessHours replace the account's hours; their time_zone is the
	// account's whatever the input says.
	BusinessHours *sahay.BusinessHours `json:"business_hours"`
	// Slug names the public help center, /hc/{slug}.
	Slug *string `json:"slug"`
}

// Account returns the actor's account.
func (s *Service) Account(ctx context.Context, a *Actor) (*sahay.Account, error) {
	return s.store.Account(ctx, a.AccountID())
}

// UpdateAccount changes the account's settings.
func (s *Service) UpdateAccount(ctx context.Context, a *Actor, in AccountInput) (*sahay.Account, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	acc, err := s.store.Account(ctx, a.AccountID())
	if err != nil {
		return nil, err
	}
	if in.Name != nil {
		if acc.Name, err = cleanName("name", *in.Name, MaxNameChars); err != nil {
			return nil, err
		}
	}
	if in.TimeZone != nil {
		if _, err := time.LoadLocation(*in.TimeZone); err != nil || *in.TimeZone == "" {
			return nil, sahay.Invalid("unknown time zone %q", *in.TimeZone)
		}
		acc.TimeZone = *in.TimeZone
	}
	if in.Locales != nil {
		if len(*in.Locales) == 0 {
			return nil, sahay.Invalid("locales needs at least one language")
		}
		if err := checkLanguages("locales", *in.Locales); err != nil {
			return nil, err
		}
		acc.Locales = *in.Locales
	}
	if in.ReopenWindowSeconds != nil {
		if *in.ReopenWindowSeconds < 0 {
			return nil, sahay.Invalid("reopen_window_seconds cannot be negative")
		}
		acc.ReopenWindowSeconds = *in.ReopenWindowSeconds
	}
	if in.Slug != nil {
		if err := checkSlug(*in.Slug); err != nil {
			return nil, err
		}
		acc.Slug = *in.Slug
	}
	if in.BusinessHours != nil {
		hours := *in.BusinessHours
		hours.TimeZone = acc.TimeZone
		if err := hours.Check(); err != nil {
			return nil, err
		}
		acc.BusinessHours = hours
	} else {
		acc.BusinessHours.TimeZone = acc.TimeZone
	}
	err = s.write(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateAccount(ctx, acc); err != nil {
			return err
		}
		// The help center shows the account's name under its slug.
		if err := tx.BumpKB(ctx, acc.ID); err != nil {
			return err
		}
		return audit(ctx, tx, a, "account.update", "account", acc.ID, in)
	})
	return acc, err
}

// AuditLog returns the account's audit entries to an administrator.
func (s *Service) AuditLog(ctx context.Context, a *Actor, before int64, limit int) ([]sahay.AuditEntry, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	return s.store.AuditLog(ctx, a.AccountID(), before, limit)
}
