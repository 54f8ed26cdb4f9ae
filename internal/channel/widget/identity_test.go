package widget

import (
	"context"
	"testing"

	"github.com/sahayhq/sahay/internal/core"
)

func TestSetUserIdentityVerification(t *testing.T) {
	e := newEnv(t, `{}`, Limits{})
	in, err := e.svc.InboxWithSecrets(context.Background(), e.agent.AccountID(), e.inbox.ID)
	if err != nil {
		t.Fatal(err)
	}
	secret := in.Secrets[IdentitySecretKey]
	good := IdentityHash(secret, "cust-42")

	// The real user writes.
	s := e.session(SessionRequest{User: &UserInfo{ID: "cust-42", Name: "Rahim", Email: "rahim@example.com", Hash: good}})
	if !s.Visitor.Verified || s.Visitor.ID != "u:cust-42" || s.Visitor.Name != "Rahim" {
		t.Fatalf("verified visitor = %+v", s.Visitor)
	}
	if code, _ := e.call("POST", "/widget/v1/messages", s.Token, SendRequest{ClientID: "c-000001", Text: "my order"}, nil); code != 200 {
		t.Fatalf("send: %d", code)
	}

	// Someone guessing the id without the hash gets an anonymous session,
	// never the user's conversations; a forged hash is refused.
	guess := e.session(SessionRequest{User: &UserInfo{ID: "cust-42"}})
	if guess.Visitor.Verified || guess.Visitor.ID == "u:cust-42" || len(guess.Conversations) != 0 {
		t.Fatalf("unverified setUser got %+v with %d conversations", guess.Visitor, len(guess.Conversations))
	}
	code, ecode := e.call("POST", "/widget/v1/session", "", SessionRequest{Inbox: e.token, User: &UserInfo{ID: "cust-42", Hash: IdentityHash("wrong", "cust-42")}}, nil)
	if code != 401 || ecode != "unauthorized" {
		t.Fatalf("forged hash: %d %s", code, ecode)
	}

	// The user on another device, with the hash, sees their history.
	again := e.session(SessionRequest{User: &UserInfo{ID: "cust-42", Hash: good}})
	if len(again.Conversations) != 1 {
		t.Fatalf("verified user's conversations = %d", len(again.Conversations))
	}
}

func TestIdentityRequired(t *testing.T) {
	e := newEnv(t, `{"identity_verification_required":true}`, Limits{})
	code, ecode := e.call("POST", "/widget/v1/session", "", SessionRequest{Inbox: e.token, User: &UserInfo{ID: "cust-42", Name: "Mallory"}}, nil)
	if code != 401 || ecode != "unauthorized" {
		t.Fatalf("setUser without hash on a strict inbox: %d %s", code, ecode)
	}
	code, ecode = e.call("POST", "/widget/v1/session", "", SessionRequest{Inbox: e.token, User: &UserInfo{Name: "Mallory"}}, nil)
	if code != 401 || ecode != "unauthorized" {
		t.Fatalf("setUser without id on a strict inbox: %d %s", code, ecode)
	}
}

// TestSetUserWithoutID: details without an id are the current visitor's;
// a call that gives nothing, or a hash with no id, is refused.
func TestSetUserWithoutID(t *testing.T) {
	e := newEnv(t, `{}`, Limits{})
	first := e.session(SessionRequest{})
	s := e.session(SessionRequest{Token: first.Token, User: &UserInfo{Name: "Rahim Uddin", Email: "rahim@example.com"}})
	if s.Visitor.ID != first.Visitor.ID || s.Visitor.Verified {
		t.Fatalf("setUser without id changed the visitor: %+v, was %s", s.Visitor, first.Visitor.ID)
	}
	if s.Visitor.Name != "Rahim Uddin" || s.Visitor.Email != "rahim@example.com" {
		t.Fatalf("visitor after setUser = %+v", s.Visitor)
	}
	for name, u := range map[string]*UserInfo{
		"nothing":       {},
		"a hash, no id": {Name: "Mallory", Hash: "00ff"},
	} {
		if code, ecode := e.call("POST", "/widget/v1/session", "", SessionRequest{Inbox: e.token, Token: first.Token, User: u}, nil); code != 422 || ecode != "invalid" {
			t.Errorf("%s: %d %s", name, code, ecode)
		}
	}
}

func TestSettingsKeepTokenAndSecretAcrossUpdates(t *testing.T) {
	e := newEnv(t, `{"color":"#aa3300"}`, Limits{})
	name := "Website"
	// The dashboard saves settings without the token: it must not change.
	up, err := e.svc.UpdateInbox(context.Background(), e.agent, e.inbox.ID, core.InboxInput{Name: &name, Settings: []byte(`{"color":"#113355","position":"left"}`)})
	if err != nil {
		t.Fatal(err)
	}
	set, _ := ParseSettings(up.Settings)
	if set.WebsiteToken != e.token || set.Color != "#113355" || set.Position != "left" || !set.CSAT {
		t.Fatalf("after update: %+v", set)
	}
	for _, bad := range []string{`{"color":"red"}`, `{"position":"top"}`, `{"nope":1}`, `{"locale":"xx"}`,
		`{"business_hours":{"enabled":true,"time_zone":"Mars/Base","days":{}}}`, `{"pre_chat":{"fields":[{"name":"age"}]}}`,
		`{"allowed_domains":["https://x.com/path"]}`, `{"campaigns":[{"id":"a b","message":"hi"}]}`} {
		if _, err := e.svc.UpdateInbox(context.Background(), e.agent, e.inbox.ID, core.InboxInput{Settings: []byte(bad)}); err == nil {
			t.Errorf("settings %s were accepted", bad)
		}
	}
}
