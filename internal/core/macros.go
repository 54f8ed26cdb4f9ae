package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

// Macros: a named list of the automation rules' actions that an agent
// runs on a conversation with one click. Unlike a rule, a macro runs as
// the agent who runs it: every action with their permissions, its
// messages theirs. A personal macro is its owner's alone; an account
// macro is everyone's to run and the administrators' to change.
//
// A run is checked as a whole before anything changes (the conversation
// and the macro visible to the agent, its labels, users and teams still
// there, an assignee a member of the inbox, a message the channel would
// take now); then the timeline records that the macro ran and its
// actions apply in order, each in its own transaction. An action that
// still fails (another change came first) stops the run: the error names
// it and the actions applied before it, which stay applied.
const (
	// MaxMacros bounds an account's macros, and each user's personal ones.
	MaxMacros = 100
	// MaxMacroActions bounds a macro's actions.
	MaxMacroActions = maxRuleActions
)

// macroActions are the actions a macro may take: the rules' actions on
// the conversation at hand. Emailing someone else and calling a webhook
// stay the rules' own.
var macroActions = []string{"add_label", "remove_label", "set_priority", "assign_agent", "assign_team",
	"send_message", "send_canned_response", "add_private_note", "snooze", "resolve"}

// macroActivity starts the timeline line saying who ran which macro:
// "macro:<name>".
const macroActivity = "macro:"

// MacroInput creates or changes a macro; nil fields stay as they are.
type MacroInput struct {
	Name *string `json:"name"`
	// Visibility is "personal" (the default) or "account".
	Visibility *string         `json:"visibility"`
	Actions    json.RawMessage `json:"actions"`
}

// Macros lists the macros the actor may run: the account's and their own
// personal ones, oldest first.
func (s *Service) Macros(ctx context.Context, a *Actor) ([]*store.Macro, error) {
	if a.IsBot() {
		return nil, sahay.Errorf(sahay.EFORBIDDEN, "an agent bot has no macros")
	}
	return s.store.Macros(ctx, a.AccountID(), a.User.ID)
}

// Macro returns a macro the actor may run. Another user's personal macro
// is not found.
func (s *Service) Macro(ctx context.Context, a *Actor, id int64) (*store.Macro, error) {
	if a.IsBot() {
		return nil, sahay.NotFound("macro")
	}
	m, err := s.store.Macro(ctx, a.AccountID(), id)
	if err != nil {
		return nil, err
	}
	if m.Visibility == store.MacroPersonal && m.UserID != a.User.ID {
		return nil, sahay.NotFound("macro")
	}
	return m, nil
}

// mayChangeMacro: an account macro is changed by administrators, a
// personal one by its owner.
func (a *Actor) mayChangeMacro(m *store.Macro) error {
	if m.Visibility == store.MacroAccount {
		if err := a.requireAdmin(); err != nil {
			return sahay.Errorf(sahay.EFORBIDDEN, "only administrators change the account's macros")
		}
	}
	return nil
}

// SaveMacro creates a macro (id 0) or changes one. Everything is
// validated before anything is stored.
func (s *Service) SaveMacro(ctx context.Context, a *Actor, id int64, in MacroInput) (*store.Macro, error) {
	if a.IsBot() {
		return nil, sahay.Errorf(sahay.EFORBIDDEN, "an agent bot has no macros")
	}
	m := &store.Macro{AccountID: a.AccountID(), Visibility: store.MacroPersonal, UserID: a.User.ID, CreatedBy: a.User.ID}
	if id != 0 {
		var err error
		if m, err = s.Macro(ctx, a, id); err != nil {
			return nil, err
		}
		if err := a.mayChangeMacro(m); err != nil {
			return nil, err
		}
	} else if in.Name == nil || len(in.Actions) == 0 {
		return nil, sahay.Invalid("name and actions are required")
	}
	was := m.Visibility
	if in.Visibility != nil {
		switch *in.Visibility {
		case store.MacroPersonal:
			// An account macro made personal becomes the administrator's.
			if m.Visibility == store.MacroAccount {
				m.Visibility, m.UserID = store.MacroPersonal, a.User.ID
			}
		case store.MacroAccount:
			m.Visibility, m.UserID = store.MacroAccount, 0
			if err := a.mayChangeMacro(m); err != nil {
				return nil, err
			}
		default:
			return nil, sahay.Invalid("visibility is personal or account, not %q", *in.Visibility)
		}
	}
	if id == 0 || m.Visibility != was {
		n, err := s.store.CountMacros(ctx, a.AccountID(), m.UserID)
		if err != nil {
			return nil, err
		}
		if n >= MaxMacros {
			if m.Visibility == store.MacroAccount {
				return nil, sahay.Invalid("an account has at most %d account macros", MaxMacros)
			}
			return nil, sahay.Invalid("a user has at most %d personal macros", MaxMacros)
		}
	}
	if in.Name != nil {
		name, err := cleanName("name", *in.Name, 80)
		if err != nil {
			return nil, err
		}
		m.Name = name
	}
	if in.Actions != nil {
		actions, err := s.checkMacroActions(ctx, a, in.Actions)
		if err != nil {
			return nil, err
		}
		if m.Actions, err = json.Marshal(actions); err != nil {
			return nil, err
		}
	}
	err := s.write(ctx, func(tx *store.Tx) error {
		action := "macro.update"
		if id == 0 {
			action = "macro.create"
			if err := tx.CreateMacro(ctx, m); err != nil {
				return err
			}
		} else if err := tx.UpdateMacro(ctx, m); err != nil {
			return err
		}
		// What everyone runs is an administrative change.
		if m.Visibility == store.MacroAccount || was == store.MacroAccount {
			return audit(ctx, tx, a, action, "macro", m.ID, map[string]any{"name": m.Name, "visibility": m.Visibility})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// checkMacroActions validates a macro's actions with the rules'
// vocabulary, less the actions that reach beyond the conversation.
func (s *Service) checkMacroActions(ctx context.Context, a *Actor, raw json.RawMessage) ([]RuleAction, error) {
	var list []struct {
		Action string `json:"action"`
	}
	if err := json.Unmarshal(raw, &list); err == nil {
		if len(list) == 0 {
			return nil, sahay.Invalid("a macro has at least one action")
		}
		if len(list) > MaxMacroActions {
			return nil, sahay.Invalid("a macro has at most %d actions", MaxMacroActions)
		}
		for i, act := range list {
			if !slices.Contains(macroActions, act.Action) {
				return nil, sahay.Invalid("action %d: a macro's actions are %s, not %q", i+1, strings.Join(macroActions, ", "), act.Action)
			}
		}
	}
	return s.checkActions(ctx, a, raw)
}

// DeleteMacro removes a macro: a personal one by its owner, an account
// one by an administrator.
func (s *Service) DeleteMacro(ctx context.Context, a *Actor, id int64) error {
	m, err := s.Macro(ctx, a, id)
	if err != nil {
		return err
	}
	if err := a.mayChangeMacro(m); err != nil {
		return err
	}
	return s.write(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteMacro(ctx, a.AccountID(), id); err != nil {
			return err
		}
		if m.Visibility == store.MacroAccount {
			return audit(ctx, tx, a, "macro.delete", "macro", id, map[string]any{"name": m.Name})
		}
		return nil
	})
}

// RunMacro runs a macro on a conversation as the actor and returns the
// conversation as the macro left it. Nothing changes when the
// conversation or the macro is not the actor's to see, or when an action
// could not apply now; see the package's note on macros for an action
// that fails midway.
func (s *Service) RunMacro(ctx context.Context, a *Actor, conversationID, macroID int64) (*sahay.Conversation, error) {
	c, err := s.visibleConversation(ctx, a, conversationID)
	if err != nil {
		return nil, err
	}
	m, err := s.Macro(ctx, a, macroID)
	if err != nil {
		return nil, err
	}
	actions, err := s.checkMacroActions(ctx, a, m.Actions)
	if err != nil {
		return nil, sahay.Invalid("macro %q cannot run as it is: %s", m.Name, sahay.ErrorMessage(err))
	}
	for i, act := range actions {
		if err := s.checkMacroAction(ctx, a, c, act); err != nil {
			return nil, &sahay.Error{Code: sahay.ErrorCode(err),
				Message: fmt.Sprintf("macro %q: action %d (%s) cannot apply to this conversation, so nothing was done: %s", m.Name, i+1, act.Action, sahay.ErrorMessage(err))}
		}
	}
	err = s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, a.AccountID()); err != nil {
			return err
		}
		c, err := tx.Conversation(ctx, a.AccountID(), conversationID)
		if err != nil {
			return err
		}
		return s.activity(ctx, tx, c, a.User.ID, macroActivity+m.Name)
	})
	if err != nil {
		return nil, err
	}
	for i, act := range actions {
		if err := s.runAction(ctx, a, conversationID, act); err != nil {
			return nil, macroStopped(m.Name, actions, i, err)
		}
	}
	return s.visibleConversation(ctx, a, conversationID)
}

// checkMacroAction refuses, before anything runs, an action that would
// fail on this conversation now.
func (s *Service) checkMacroAction(ctx context.Context, a *Actor, c *sahay.Conversation, act RuleAction) error {
	switch act.Action {
	case "assign_agent":
		var id int64
		if err := json.Unmarshal(act.Value, &id); err != nil {
			return err
		}
		u, err := s.store.User(ctx, a.AccountID(), id)
		if err != nil {
			return sahay.Invalid("unknown user %d", id)
		}
		if u.IsAdmin() {
			return nil
		}
		inboxes, err := s.store.UserInboxIDs(ctx, u.ID)
		if err != nil {
			return err
		}
		if !slices.Contains(inboxes, c.InboxID) {
			return sahay.Invalid("%s is not a member of this conversation's inbox", u.Name)
		}
	case "send_message", "send_canned_response":
		var text string
		if act.Action == "send_canned_response" {
			var id int64
			if err := json.Unmarshal(act.Value, &id); err != nil {
				return err
			}
			canned, err := s.cannedResponse(ctx, a.AccountID(), id)
			if err != nil {
				return sahay.Invalid("unknown canned response %d", id)
			}
			text = canned.Content
		} else if err := json.Unmarshal(act.Value, &text); err != nil {
			return err
		}
		inbox, err := s.store.Inbox(ctx, a.AccountID(), c.InboxID)
		if err != nil {
			return err
		}
		if _, err := s.replyDetails(ctx, inbox, c, nil, &text, time.Now()); err != nil {
			return err
		}
		if c.Public {
			return checkPublicReply(text)
		}
	}
	return nil
}

// macroStopped is the error of a run whose action i failed: which one,
// and what was applied before it.
func macroStopped(name string, actions []RuleAction, i int, err error) error {
	var e *sahay.Error
	if !errors.As(err, &e) {
		return fmt.Errorf("macro %q: action %d (%s): %w", name, i+1, actions[i].Action, err)
	}
	applied := "nothing was applied"
	if i > 0 {
		names := make([]string, i)
		for j := range i {
			names[j] = actions[j].Action
		}
		applied = "applied before it: " + strings.Join(names, ", ")
	}
	return &sahay.Error{Code: e.Code, RetryAfter: e.RetryAfter,
		Message: fmt.Sprintf("macro %q stopped at action %d (%s): %s; %s", name, i+1, actions[i].Action, e.Message, applied)}
}
