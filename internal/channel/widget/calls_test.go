package widget

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/store"
)

// phoneLine is a phone channel of these tests: a line with a number,
// open or closed.
type phoneLine struct {
	number string
	closed atomic.Bool
}

const (
	phoneChannel = "testphone"
	lineNumber   = "+8809612345678"
)

func (p *phoneLine) Validate(*sahay.Inbox) error { return nil }

func (p *phoneLine) Send(context.Context, channel.Outbound) (channel.SendResult, error) {
	return channel.SendResult{}, channel.Permanent(errors.New("a phone line sends no messages"))
}

func (p *phoneLine) Namespace() string { return "phone" }

func (p *phoneLine) Describe() channel.Description {
	return channel.Description{Capabilities: channel.Capabilities{Calls: true}}
}

func (p *phoneLine) Line(*sahay.Inbox, time.Time) (string, bool) { return p.number, !p.closed.Load() }

func (p *phoneLine) Call(context.Context, *sahay.Inbox, channel.CallRequest) (string, error) {
	return "", errors.New("these tests place no calls")
}

// withPhone registers the phone channel and makes a phone inbox in the
// env's account.
func (e *env) withPhone(t *testing.T) (*phoneLine, *sahay.Inbox) {
	t.Helper()
	line := &phoneLine{number: lineNumber}
	e.channels.Register(phoneChannel, line)
	name := "Hotline"
	inbox, err := e.svc.CreateInbox(context.Background(), e.agent, core.InboxInput{Name: &name, Channel: phoneChannel, Settings: json.RawMessage(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	return line, inbox
}

// setWidget saves the widget inbox's settings and has the next visitor
// request read them.
func (e *env) setWidget(settings string) error {
	_, err := e.svc.UpdateInbox(context.Background(), e.agent, e.inbox.ID, core.InboxInput{Settings: json.RawMessage(settings)})
	e.widget.cache.reset()
	return err
}

func (e *env) mustSetWidget(t *testing.T, settings string) {
	t.Helper()
	if err := e.setWidget(settings); err != nil {
		t.Fatalf("save %s: %v", settings, err)
	}
}

func TestPhoneSettings(t *testing.T) {
	if s, err := ParseSettings(json.RawMessage(`{}`)); err != nil || s.PhoneInboxID != 0 || s.CallUs || s.CallMeBack {
		t.Fatalf("defaults = %d %v %v, %v; want no phone inbox and no calls", s.PhoneInboxID, s.CallUs, s.CallMeBack, err)
	}
	for _, c := range []struct{ settings, reason string }{
		{`{"phone_inbox_id": -1}`, "phone_inbox_id is the id of a phone inbox, or 0"},
		{`{"call_us": true}`, "call_us and call_me_back need phone_inbox_id"},
		{`{"call_me_back": true, "phone_inbox_id": 0}`, "call_us and call_me_back need phone_inbox_id"},
		{`{"phone_inbox_id": "7"}`, "phone_inbox_id"},
	} {
		if _, err := ParseSettings(json.RawMessage(c.settings)); sahay.ErrorCode(err) != sahay.EINVALID || !strings.Contains(sahay.ErrorMessage(err), c.reason) {
			t.Errorf("%s: %v, want invalid with %q", c.settings, err, c.reason)
		}
	}

	e := newEnv(t, `{}`, Limits{})
	ctx := context.Background()
	_, phone := e.withPhone(t)

	// A phone inbox of another account.
	var other sahay.Account
	other.Name = "Elsewhere"
	if _, err := e.store.Write(ctx, func(tx *store.Tx) error { return tx.CreateAccount(ctx, &other) }); err != nil {
		t.Fatal(err)
	}
	u, err := e.svc.CreateUserCLI(ctx, other.ID, "owner@elsewhere.example", "Owner", sahay.RoleOwner, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := e.svc.Actor(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	name := "Their line"
	theirs, err := e.svc.CreateInbox(ctx, stranger, core.InboxInput{Name: &name, Channel: phoneChannel, Settings: json.RawMessage(`{}`)})
	if err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		what   string
		id     int64
		reason string
	}{
		{"another account's phone inbox", theirs.ID, fmt.Sprintf("phone_inbox_id %d is not an inbox of this account", theirs.ID)},
		{"a missing inbox", theirs.ID + 100, "is not an inbox of this account"},
		{"an inbox that takes no calls", e.inbox.ID, "takes no phone calls; choose a phone inbox"},
	} {
		err := e.setWidget(fmt.Sprintf(`{"phone_inbox_id": %d, "call_us": true}`, c.id))
		if sahay.ErrorCode(err) != sahay.EINVALID || !strings.Contains(sahay.ErrorMessage(err), c.reason) {
			t.Errorf("%s: %v, want invalid with %q", c.what, err, c.reason)
		}
		name := "Website 2"
		_, err = e.svc.CreateInbox(ctx, e.agent, core.InboxInput{Name: &name, Channel: Name,
			Settings: json.RawMessage(fmt.Sprintf(`{"phone_inbox_id": %d, "call_me_back": true}`, c.id))})
		if sahay.ErrorCode(err) != sahay.EINVALID || !strings.Contains(sahay.ErrorMessage(err), c.reason) {
			t.Errorf("a new widget inbox naming %s: %v, want invalid with %q", c.what, err, c.reason)
		}
	}
	if got := widgetSettings(t, e); got.PhoneInboxID != 0 || got.CallUs {
		t.Fatalf("refused settings were saved: %+v", got)
	}
	inboxes, err := e.svc.Inboxes(ctx, e.agent)
	if err != nil || len(inboxes) != 2 {
		t.Fatalf("inboxes after refused creations = %d, %v; want the widget and the phone inbox", len(inboxes), err)
	}

	e.mustSetWidget(t, fmt.Sprintf(`{"phone_inbox_id": %d, "call_me_back": true}`, phone.ID))
	if got := widgetSettings(t, e); got.PhoneInboxID != phone.ID || got.CallUs || !got.CallMeBack {
		t.Fatalf("saved settings = %+v", got)
	}
}

func widgetSettings(t *testing.T, e *env) Settings {
	t.Helper()
	in, err := e.svc.InboxWithSecrets(context.Background(), e.agent.AccountID(), e.inbox.ID)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseSettings(in.Settings)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
