package core

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/store"
)

// HumanAgentTag is the message tag Meta lets a person answer with for
// days after the standard window closed, when the inbox enables it.
const HumanAgentTag = "HUMAN_AGENT"

// HumanAgentTagSetting is the inbox setting ("on" or "off") that enables
// HumanAgentTag on a channel whose Capabilities.TagWindowHours is set.
const HumanAgentTagSetting = "human_agent_tag"

// WindowClosed is the error of a reply the platform would refuse because
// the customer last wrote too long ago.
func windowClosed(format string, args ...any) error {
	return sahay.Errorf(sahay.EWINDOW, format, args...)
}

// replyDetails checks that a reply in conv may go out on its channel now
// and returns what it is sent with: the template it fills in (its
// content then the template's text) and the tag that lets it past the
// standard window. A public reply has no window.
func (s *Service) replyDetails(ctx context.Context, inbox *sahay.Inbox, conv *sahay.Conversation, use *sahay.TemplateUse, content *string, now time.Time) (*sahay.MessageDetails, error) {
	d, err := s.channels.Describe(inbox.Channel)
	if err != nil {
		return nil, err
	}
	var details *sahay.MessageDetails
	if use != nil {
		if !d.Capabilities.Templates {
			return nil, sahay.Invalid("template: the %s channel has no message templates", inbox.Channel)
		}
		if strings.TrimSpace(*content) != "" {
			return nil, sahay.Invalid("give content or template, not both: a template's text is its own")
		}
		text, err := s.fillTemplate(ctx, inbox.ID, use)
		if err != nil {
			return nil, err
		}
		*content = text
		return &sahay.MessageDetails{Template: use}, nil
	}
	hours := d.Capabilities.WindowHours
	if hours == 0 || conv.Public {
		return details, nil
	}
	if conv.LastIncomingAt == nil {
		if d.Capabilities.Templates {
			return nil, windowClosed("the customer has not written in this conversation yet — send a template")
		}
		return nil, windowClosed("the customer has not written in this conversation yet: on %s they must write first", inbox.Channel)
	}
	since := now.Sub(*conv.LastIncomingAt)
	if since < time.Duration(hours)*time.Hour {
		return details, nil
	}
	if tag := d.Capabilities.TagWindowHours; tag > 0 && humanAgentTag(inbox) && since < time.Duration(tag)*time.Hour {
		return &sahay.MessageDetails{Tag: HumanAgentTag}, nil
	}
	if d.Capabilities.Templates {
		return nil, windowClosed("outside the %d-hour window — send a template", hours)
	}
	if d.Capabilities.TagWindowHours > 0 && !humanAgentTag(inbox) {
		return nil, windowClosed("outside the %d-hour messaging window: the customer must write again (an admin can turn on the human agent tag to answer for %d days)",
			hours, d.Capabilities.TagWindowHours/24)
	}
	return nil, windowClosed("outside the messaging window: the customer must write again")
}

// humanAgentTag reports whether an inbox's settings enable the human agent
// tag.
func humanAgentTag(inbox *sahay.Inbox) bool {
	var settings map[string]any
	if json.Unmarshal(inbox.Settings, &settings) != nil {
		return false
	}
	switch v := settings[HumanAgentTagSetting].(type) {
	case string:
		return v == "on" || v == "true"
	case bool:
		return v
	}
	return false
}

// templateVar is a variable of a template's body: {{1}}, {{2}}….
var templateVar = regexp.MustCompile(`\{\{\s*(\d+)\s*\}\}`)

// maxTemplateParam is the longest value of one template variable, in
// bytes.
const maxTemplateParam = 1024

// fillTemplate checks a use of one of an inbox's templates and returns
// its text with the variables filled in.
func (s *Service) fillTemplate(ctx context.Context, inboxID int64, use *sahay.TemplateUse) (string, error) {
	use.Name, use.Language = strings.TrimSpace(use.Name), strings.TrimSpace(use.Language)
	if use.Name == "" || use.Language == "" {
		return "", sahay.Invalid("template.name and template.language are required")
	}
	tp, err := s.store.Template(ctx, inboxID, use.Name, use.Language)
	if sahay.ErrorCode(err) == sahay.ENOTFOUND {
		return "", sahay.Invalid("template %q in %q is not among this inbox's templates: sync them, or check its name and language", use.Name, use.Language)
	}
	if err != nil {
		return "", err
	}
	if !strings.EqualFold(tp.Status, "APPROVED") {
		return "", sahay.Invalid("template %q is %s, not approved: only approved templates can be sent", tp.Name, strings.ToLower(tp.Status))
	}
	if len(use.Params) != tp.Params {
		return "", sahay.Invalid("template %q takes %d values, %d were given", tp.Name, tp.Params, len(use.Params))
	}
	for i, p := range use.Params {
		p = strings.TrimSpace(p)
		switch {
		case p == "":
			return "", sahay.Invalid("template value %d is empty", i+1)
		case len(p) > maxTemplateParam:
			return "", sahay.Invalid("template value %d is longer than %d bytes", i+1, maxTemplateParam)
		case strings.ContainsAny(p, "\n\t") || strings.Contains(p, "    "):
			// WhatsApp refuses new lines, tabs and runs of spaces in a
			// variable.
			return "", sahay.Invalid("template value %d may not hold new lines, tabs or more than three spaces in a row", i+1)
		}
		if _, err := CleanText(fmt.Sprintf("template value %d", i+1), p, maxTemplateParam); err != nil {
			return "", err
		}
		use.Params[i] = p
	}
	text := templateVar.ReplaceAllStringFunc(tp.Body, func(v string) string {
		n, _ := strconv.Atoi(templateVar.FindStringSubmatch(v)[1])
		if n < 1 || n > len(use.Params) {
			return v
		}
		return use.Params[n-1]
	})
	parts := []string{}
	for _, p := range []string{tp.Header, text, tp.Footer} {
		if strings.TrimSpace(p) != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "\n\n"), nil
}

// Templates lists the message templates of an inbox as last synced.
func (s *Service) Templates(ctx context.Context, a *Actor, inboxID int64) ([]sahay.Template, error) {
	if !a.CanSeeInbox(inboxID) {
		return nil, sahay.NotFound("inbox")
	}
	return s.store.Templates(ctx, inboxID)
}

// SyncTemplates fetches an inbox's templates from its platform and keeps
// them, replacing those synced before.
func (s *Service) SyncTemplates(ctx context.Context, a *Actor, inboxID int64) ([]sahay.Template, error) {
	if !a.CanSeeInbox(inboxID) {
		return nil, sahay.NotFound("inbox")
	}
	inbox, err := s.InboxWithSecrets(ctx, a.AccountID(), inboxID)
	if err != nil {
		return nil, err
	}
	adapter, err := s.channels.Get(inbox.Channel)
	if err != nil {
		return nil, err
	}
	src, ok := adapter.(channel.TemplateSource)
	if !ok {
		return nil, sahay.Invalid("the %s channel has no message templates", inbox.Channel)
	}
	ctx, cancel := context.WithTimeout(ctx, platformTimeout)
	defer cancel()
	list, err := src.Templates(ctx, inbox)
	if err != nil {
		return nil, sahay.Errorf(sahay.EUNAVAILABLE, "the platform did not list the templates: %s", platformReason(err))
	}
	seen := map[[2]string]bool{}
	kept := []sahay.Template{}
	for _, tp := range list {
		key := [2]string{tp.Name, tp.Language}
		if tp.Name == "" || tp.Language == "" || seen[key] {
			continue
		}
		seen[key] = true
		kept = append(kept, tp)
	}
	err = s.write(ctx, func(tx *store.Tx) error {
		return tx.ReplaceTemplates(ctx, inboxID, kept)
	})
	if err != nil {
		return nil, err
	}
	return s.store.Templates(ctx, inboxID)
}

// platformTimeout bounds a call an agent waits for on a platform (a
// template sync, hiding a comment).
const platformTimeout = 20 * time.Second

// platformReason is what an agent is told of a platform's failure.
func platformReason(err error) string {
	msg := err.Error()
	if len(msg) > 300 {
		msg = msg[:300]
	}
	return msg
}
