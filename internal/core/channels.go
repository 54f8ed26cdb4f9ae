package core

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/auth"
	"github.com/sahayhq/sahay/internal/channel"
)

// ChannelDescriptions lists every registered channel with its capabilities
// and settings schema.
func (s *Service) ChannelDescriptions() []channel.Description {
	out := []channel.Description{}
	for _, name := range s.channels.Names() {
		if d, err := s.channels.Describe(name); err == nil {
			out = append(out, d)
		}
	}
	return out
}

// separateSecrets moves the settings a channel declares secret out of an
// inbox's settings into its secrets, which are stored encrypted, makes
// the secrets the channel generates when none is given, and checks the
// settings against the channel's schema (see [checkSchema]).
func (s *Service) separateSecrets(inbox *sahay.Inbox) error {
	d, err := s.channels.Describe(inbox.Channel)
	if err != nil {
		return err
	}
	var settings map[string]any
	if len(inbox.Settings) > 0 {
		if err := json.Unmarshal(inbox.Settings, &settings); err != nil || settings == nil {
			return sahay.Invalid("settings must be a JSON object")
		}
	}
	moved := false
	for _, st := range d.Settings {
		if !st.Secret {
			continue
		}
		if v, ok := settings[st.Key]; ok {
			str, isString := v.(string)
			if !isString {
				return sahay.Invalid("settings.%s must be a string", st.Key)
			}
			delete(settings, st.Key)
			moved = true
			// The stand-in for a server's secret, sent back as it was
			// shown, leaves the secret as it is.
			if str != "" && str != ServerSecretShown {
				inbox.Secrets[st.Key] = str
			}
		}
		if st.Generated && inbox.Secrets[st.Key] == "" {
			inbox.Secrets[st.Key] = auth.NewToken()
		}
	}
	if err := checkSchema(d.Settings, settings, inbox.Secrets); err != nil {
		return err
	}
	if moved {
		b, err := json.Marshal(settings)
		if err != nil {
			return err
		}
		inbox.Settings = b
	}
	return nil
}

// checkSchema checks the settings a channel declares: each is a string (an
// integer a whole number, business hours an object of
// [sahay.BusinessHours]), a url is an absolute http or https address, a
// choice one of its choices, and a required one is given (a secret one among the secrets, where a
// saved value is kept). Keys it does not declare are the adapter's to
// check.
func checkSchema(schema []channel.Setting, settings map[string]any, secrets map[string]string) error {
	for _, st := range schema {
		if st.Secret {
			if st.Required && secrets[st.Key] == "" {
				return sahay.Invalid("settings.%s (%s) is required", st.Key, st.Label)
			}
			continue
		}
		v, given := settings[st.Key]
		switch st.Type {
		case "integer":
			if err := checkInteger(st, v); err != nil {
				return err
			}
			continue
		case "business_hours":
			if err := checkBusinessHours(st, v); err != nil {
				return err
			}
			continue
		}
		str, isString := v.(string)
		if given && v != nil && !isString {
			return sahay.Invalid("settings.%s (%s) must be a string", st.Key, st.Label)
		}
		if str == "" {
			if st.Required {
				return sahay.Invalid("settings.%s (%s) is required", st.Key, st.Label)
			}
			continue
		}
		switch st.Type {
		case "url":
			if u, err := url.Parse(str); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return sahay.Invalid("settings.%s (%s) must be an http or https address, such as https://example.com/hook", st.Key, st.Label)
			}
		case "choice":
			if !slices.Contains(st.Choices, str) {
				return sahay.Invalid("settings.%s (%s) must be one of %s", st.Key, st.Label, strings.Join(st.Choices, ", "))
			}
		}
	}
	return nil
}

// checkInteger checks an integer setting: a whole JSON number, or a
// string of digits as a form sends it.
func checkInteger(st channel.Setting, v any) error {
	switch n := v.(type) {
	case nil:
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return nil
		}
	case string:
		if n == "" {
			break
		}
		if _, err := strconv.ParseInt(n, 10, 64); err == nil {
			return nil
		}
	}
	if v == nil || v == "" {
		if st.Required {
			return sahay.Invalid("settings.%s (%s) is required", st.Key, st.Label)
		}
		return nil
	}
	return sahay.Invalid("settings.%s (%s) must be a whole number", st.Key, st.Label)
}

// checkBusinessHours checks a business hours setting: an object of
// [sahay.BusinessHours], strictly.
func checkBusinessHours(st channel.Setting, v any) error {
	if v == nil {
		if st.Required {
			return sahay.Invalid("settings.%s (%s) is required", st.Key, st.Label)
		}
		return nil
	}
	if _, ok := v.(map[string]any); !ok {
		return sahay.Invalid(`settings.%s (%s) must be an object like {"enabled":true,"time_zone":"Asia/Dhaka","days":{"mon":"09:00-17:00"}}`, st.Key, st.Label)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var hours sahay.BusinessHours
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&hours); err != nil {
		return sahay.Invalid("settings.%s (%s): %s", st.Key, st.Label, strings.TrimPrefix(err.Error(), "json: "))
	}
	return hours.Check()
}

// connect tells the platform about a saved inbox. Its failure does not
// undo the save: the inbox carries the warning for the admin.
func (s *Service) connect(ctx context.Context, inbox *sahay.Inbox) {
	adapter, err := s.channels.Get(inbox.Channel)
	if err != nil {
		return
	}
	c, ok := adapter.(channel.Connector)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := c.Connect(ctx, inbox); err != nil {
		s.log.Warn("connect inbox", "inbox", inbox.ID, "channel", inbox.Channel, "err", err)
		inbox.Warning = "Saved, but the platform could not be told about it: " + err.Error() + ". Use \"Test connection\" once it is fixed, then save again."
	}
}

// TestResult is the outcome of a connection test.
type TestResult struct {
	OK bool `json:"ok"`
	// Error says what failed, in the platform's words where it gave some.
	Error string `json:"error,omitempty"`
}

// TestInbox checks an inbox's credentials against its platform.
func (s *Service) TestInbox(ctx context.Context, a *Actor, id int64) (TestResult, error) {
	if err := s.administerInbox(ctx, a, id); err != nil {
		return TestResult{}, err
	}
	inbox, err := s.InboxWithSecrets(ctx, a.AccountID(), id)
	if err != nil {
		return TestResult{}, err
	}
	adapter, err := s.channels.Get(inbox.Channel)
	if err != nil {
		return TestResult{}, err
	}
	t, ok := adapter.(channel.Tester)
	if !ok {
		return TestResult{OK: true}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := t.Test(ctx, inbox); err != nil {
		return TestResult{Error: err.Error()}, nil
	}
	return TestResult{OK: true}, nil
}
