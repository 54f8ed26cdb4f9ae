// Package demo seeds a new database with a workspace to try Sahay on: an
// owner, agents who speak English, Bengali and Hindi, teams, labels, canned
// responses, and customer conversations in the three languages, all made
// through the same service calls a real workspace uses.
package demo

import (
	"context"
	"encoding/json"
	"fmt"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/auth"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/core"
)

// OwnerEmail is the demo owner's login.
const OwnerEmail = "owner@demo.sahay.local"

// Login is what the demo seeding prints for the person who started Sahay.
type Login struct {
	Email    string
	Password string
}

// ShopName is the demo workspace's shop: its account, and the website inbox
// whose name the chat widget shows as its title.
const ShopName = "Demo Shop"

func ptr[T any](v T) *T { return &v }

// Seed creates the demo workspace. inboxChannel is the website inbox's
// channel ("widget" when the widget channel is registered).
func Seed(ctx context.Context, svc *core.Service, inboxChannel string, inboxSettings json.RawMessage) (*Login, error) {
	password := auth.NewToken()[:16]
	_, owner, err := svc.CreateAccount(ctx, ShopName, OwnerEmail, "Demo Owner", password)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	a, err := svc.Actor(ctx, owner)
	if err != nil {
		return nil, err
	}
	if _, err := svc.UpdateAccount(ctx, a, core.AccountInput{TimeZone: ptr("Asia/Dhaka"), Locales: &[]string{"en", "bn", "hi"}}); err != nil {
		return nil, err
	}
	agents := []struct{ email, name, locale string }{
		{"amina@demo.sahay.local", "Amina Rahman", "bn"},
		{"ravi@demo.sahay.local", "Ravi Sharma", "hi"},
		{"sam@demo.sahay.local", "Sam Carter", "en"},
	}
	var agentIDs []int64
	for _, ag := range agents {
		u, err := svc.CreateUser(ctx, a, core.UserInput{Email: ptr(ag.email), Name: ptr(ag.name), Role: ptr(sahay.RoleAgent),
			Password: ptr(password), Locale: ptr(ag.locale), Languages: &[]string{ag.locale, "en"}})
		if err != nil {
			return nil, fmt.Errorf("demo: agent %s: %w", ag.email, err)
		}
		agentIDs = append(agentIDs, u.ID)
	}
	if _, err := svc.SaveTeam(ctx, a, 0, core.TeamInput{Name: ptr("Billing"), Description: ptr("Payments and refunds"), MemberIDs: &[]int64{agentIDs[0], agentIDs[2]}}); err != nil {
		return nil, err
	}
	if _, err := svc.SaveTeam(ctx, a, 0, core.TeamInput{Name: ptr("Delivery"), Description: ptr("Orders and shipping"), MemberIDs: &[]int64{agentIDs[1]}}); err != nil {
		return nil, err
	}
	for _, l := range []struct{ name, color string }{{"billing", "#1f6feb"}, {"delivery", "#d97706"}, {"refund", "#dc2626"}, {"vip", "#7c3aed"}} {
		if _, err := svc.SaveLabel(ctx, a, 0, core.LabelInput{Name: ptr(l.name), Color: ptr(l.color)}); err != nil {
			return nil, err
		}
	}
	canned := []struct{ code, content string }{
		{"hello", "Hello {{contact.name}}, I'm {{agent.name}}. How can I help you today?"},
		{"refund", "Refunds reach your account within 5–7 working days of approval."},
		{"namaskar", "নমস্কার {{contact.name}}, আমি {{agent.name}}। কীভাবে সাহায্য করতে পারি?"},
		{"namaste", "नमस्ते {{contact.name}}, मैं {{agent.name}} हूँ। मैं आपकी कैसे मदद कर सकता हूँ?"},
		{"thanks", "Thank you for contacting " + ShopName + "! Your reference is #{{conversation.id}}."},
	}
	for _, c := range canned {
		if _, err := svc.SaveCannedResponse(ctx, a, 0, core.CannedInput{ShortCode: ptr(c.code), Content: ptr(c.content)}); err != nil {
			return nil, err
		}
	}
	if err := seedHelpCenter(ctx, svc, a); err != nil {
		return nil, err
	}
	inbox, err := svc.CreateInbox(ctx, a, core.InboxInput{Name: ptr(ShopName), Channel: inboxChannel, Settings: inboxSettings})
	if err != nil {
		return nil, fmt.Errorf("demo: inbox: %w", err)
	}
	if _, err := svc.SetInboxMembers(ctx, a, inbox.ID, agentIDs); err != nil {
		return nil, err
	}
	// The help center's readers chat with the shop from its pages.
	if inbox.Channel == "widget" {
		if _, err := svc.SaveKBSettings(ctx, a, core.KBSettingsInput{ChatInboxID: &inbox.ID}); err != nil {
			return nil, err
		}
	}
	messages := []struct{ id, name, email, text string }{
		{"demo-1", "Rahim Uddin", "rahim@example.com", "আমার অর্ডার এখনও আসেনি। কবে পাব?"},
		{"demo-2", "Priya Verma", "priya@example.com", "मेरा ऑर्डर अभी तक नहीं आया, बहुत गुस्सा आ रहा है"},
		{"demo-3", "John Miles", "john@example.com", "Hi, I was charged twice for order 1042. Can you refund one?"},
		{"demo-4", "Farzana Akter", "farzana@example.com", "রিফান্ড কবে পাব? টাকা এখনও ফেরত আসেনি।"},
		{"demo-5", "Amit Kumar", "amit@example.com", "क्या आप कैश ऑन डिलीवरी देते हैं?"},
		{"demo-6", "Grace Lee", "grace@example.com", "Do you ship to Chittagong? How long does delivery take?"},
	}
	for _, m := range messages {
		if _, err := svc.Receive(ctx, channel.Inbound{InboxID: inbox.ID, ExternalID: m.id, ContactID: m.email,
			Name: m.name, Email: m.email, Content: m.text}); err != nil {
			return nil, fmt.Errorf("demo: message: %w", err)
		}
	}
	return &Login{Email: OwnerEmail, Password: password}, nil
}
