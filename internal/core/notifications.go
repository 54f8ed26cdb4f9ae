package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/netguard"
	"github.com/sahayhq/sahay/internal/store"
)

const jobNotify = "notify"

type notifyPayload struct {
	NotificationID int64 `json:"notification_id"`
	UserID         int64 `json:"user_id"`
}

// EmailAvailable reports whether the server can send email: without a
// mailer, email notifications are not offered.
func (s *Service) EmailAvailable() bool { return s.mailer != nil }

// Mailer sends an email notification to an agent.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// ReplyMailer is a [Mailer] whose mail can name the address answers go
// to (Reply-To): a mail to a customer names their conversation's reply
// address, so that their answer returns to the conversation.
type ReplyMailer interface {
	SendReply(ctx context.Context, to, replyTo, subject, body string) error
}

// Pusher delivers a Web Push message to one browser subscription. It
// returns an error wrapping [ErrSubscriptionGone] when the browser has
// unsubscribed.
type Pusher interface {
	Push(ctx context.Context, sub *sahay.PushSubscription, payload []byte) error
	PublicKey() string
}

// ErrSubscriptionGone says a push subscription no longer exists.
var ErrSubscriptionGone = errors.New("push subscription gone")

// notify stores a notification for a user, sends it to their dashboards
// as a private event, and queues its delivery by email and push, all in
// the caller's transaction.
func (s *Service) notify(ctx context.Context, tx *store.Tx, n *sahay.Notification) error {
	if err := tx.InsertNotification(ctx, n); err != nil {
		return err
	}
	if err := tx.EmitTo(ctx, n.AccountID, n.UserID, sahay.NotificationCreated{Notification: n}); err != nil {
		return err
	}
	payload, _ := json.Marshal(notifyPayload{NotificationID: n.ID, UserID: n.UserID})
	_, err := tx.EnqueueJob(ctx, n.AccountID, jobNotify, string(payload), tx.Now())
	return err
}

// mentionedUsers finds "@Name" mentions of the account's users in a note.
// Longer names win, so "@Amina Rahman" is not read as "@Amina".
func mentionedUsers(content string, users []*sahay.User) []*sahay.User {
	sorted := slices.Clone(users)
	sort.SliceStable(sorted, func(i, j int) bool { return len(sorted[i].Name) > len(sorted[j].Name) })
	lower := strings.ToLower(content)
	var out []*sahay.User
	for i := strings.IndexByte(lower, '@'); i >= 0; {
		rest := lower[i+1:]
		for _, u := range sorted {
			name := strings.ToLower(u.Name)
			if name == "" || !strings.HasPrefix(rest, name) {
				continue
			}
			// The name must end there: "@Amina" is not "@Aminata".
			if next, _ := utf8.DecodeRuneInString(rest[len(name):]); len(rest) > len(name) && (unicode.IsLetter(next) || unicode.IsDigit(next)) {
				continue
			}
			if !slices.Contains(out, u) {
				out = append(out, u)
			}
			break
		}
		j := strings.IndexByte(rest, '@')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return out
}

// notifyMentions notifies the agents mentioned in a private note who may
// see its conversation.
func (s *Service) notifyMentions(ctx context.Context, tx *store.Tx, a *Actor, c *sahay.Conversation, m *sahay.Message) error {
	if !strings.Contains(m.Content, "@") {
		return nil
	}
	users, err := tx.Users(ctx, c.AccountID)
	if err != nil {
		return err
	}
	members, err := tx.InboxMemberIDs(ctx, c.InboxID)
	if err != nil {
		return err
	}
	for _, u := range mentionedUsers(m.Content, users) {
		if u.ID == a.User.ID || (!u.IsAdmin() && !slices.Contains(members, u.ID)) {
			continue
		}
		if err := s.notify(ctx, tx, &sahay.Notification{AccountID: c.AccountID, UserID: u.ID, Kind: sahay.NotifyMentioned,
			ConversationID: c.ID, MessageID: m.ID, ActorID: a.User.ID, Body: preview(m.Content)}); err != nil {
			return err
		}
	}
	return nil
}

// runNotify delivers a notification by email and push, as its user wants.
func (s *Service) runNotify(ctx context.Context, job *store.Job) error {
	var p notifyPayload
	if err := json.Unmarshal([]byte(job.Payload), &p); err != nil {
		return channel.Permanent(err)
	}
	n, err := s.store.Notification(ctx, p.UserID, p.NotificationID)
	if sahay.ErrorCode(err) == sahay.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	user, err := s.store.UserByID(ctx, p.UserID)
	if err != nil {
		return nil // the user is gone
	}
	prefs, err := s.store.NotifyPrefs(ctx, user.ID)
	if err != nil {
		return err
	}
	title, body, link := s.describe(ctx, n)
	if s.mailer != nil && prefs.Wants(n.Kind, sahay.NotifyByEmail) {
		if err := s.mailer.Send(ctx, user.Email, title, body+"\n\n"+link+"\n"); err != nil {
			return fmt.Errorf("email notification: %w", err)
		}
	}
	if s.pusher != nil && prefs.Wants(n.Kind, sahay.NotifyByPush) {
		subs, err := s.store.PushSubscriptions(ctx, user.ID)
		if err != nil {
			return err
		}
		payload, _ := json.Marshal(map[string]any{"title": title, "body": body, "url": link, "notification_id": n.ID})
		for _, sub := range subs {
			err := s.pusher.Push(ctx, sub, payload)
			if errors.Is(err, ErrSubscriptionGone) {
				s.store.DeletePushSubscription(ctx, 0, sub.Endpoint)
				continue
			}
			if err != nil {
				s.log.Warn("web push", "user", user.ID, "err", err)
			}
		}
	}
	return nil
}

// describe renders a notification for email and push.
func (s *Service) describe(ctx context.Context, n *sahay.Notification) (title, body, link string) {
	if n.Kind == sahay.NotifyLoginLocked {
		return "Sign-in paused after wrong passwords", n.Body, s.publicURL + "/"
	}
	if n.Kind == sahay.NotifySwap {
		who := "Someone"
		if u, err := s.store.UserByID(ctx, n.ActorID); err == nil {
			who = u.Name
		}
		return "Rota: a shift swap", swapWords(who, n.Body), s.publicURL + "/rota"
	}
	who := "Someone"
	if n.ActorID != 0 {
		if u, err := s.store.UserByID(ctx, n.ActorID); err == nil {
			who = u.Name
		}
	}
	number, last := n.ConversationID, ""
	if c, err := s.store.Conversation(ctx, n.AccountID, n.ConversationID); err == nil {
		number, last = c.DisplayID, c.LastMessage
	}
	link = fmt.Sprintf("%s/conversations/%d", s.publicURL, n.ConversationID)
	switch n.Kind {
	case sahay.NotifyMentioned:
		return fmt.Sprintf("%s mentioned you in #%d", who, number), n.Body, link
	case sahay.NotifyAssigned:
		if n.ActorID == 0 {
			// Routing or a rule, not a person.
			return fmt.Sprintf("#%d was assigned to you", number), n.Body, link
		}
		return fmt.Sprintf("%s assigned #%d to you", who, number), n.Body, link
	case sahay.NotifyHandoff:
		return fmt.Sprintf("#%d needs a person: %s", number, handoffWords[n.Body]), last, link
	case NotifySLAWarning:
		return fmt.Sprintf("#%d: %s due soon", number, slaTargetWords[n.Body]), last, link
	case NotifySLABreached:
		return fmt.Sprintf("#%d: %s SLA breached", number, slaTargetWords[n.Body]), last, link
	}
	return fmt.Sprintf("New conversation #%d", number), n.Body, link
}

// Notifications lists the actor's notifications and how many are unread.
func (s *Service) Notifications(ctx context.Context, a *Actor, before int64) ([]*sahay.Notification, int64, error) {
	list, err := s.store.Notifications(ctx, a.User.ID, before, 50)
	if err != nil {
		return nil, 0, err
	}
	unread, err := s.store.UnreadNotifications(ctx, a.User.ID)
	return list, unread, err
}

// MarkNotificationsRead marks the actor's notifications up to an id read.
func (s *Service) MarkNotificationsRead(ctx context.Context, a *Actor, upTo int64) error {
	if upTo <= 0 {
		return sahay.Invalid("up_to must be a notification id")
	}
	return s.write(ctx, func(tx *store.Tx) error { return tx.MarkNotificationsRead(ctx, a.User.ID, upTo) })
}

var notifyKinds = []string{sahay.NotifyAssigned, sahay.NotifyMentioned, sahay.NotifyHandoff, sahay.NotifyNewConversation, sahay.NotifySwap, NotifySLAWarning, NotifySLABreached}

// NotifyPrefs returns the actor's preferences with every default filled in.
func (s *Service) NotifyPrefs(ctx context.Context, a *Actor) (sahay.NotifyPrefs, error) {
	prefs, err := s.store.NotifyPrefs(ctx, a.User.ID)
	if err != nil {
		return nil, err
	}
	out := sahay.NotifyPrefs{}
	for _, k := range notifyKinds {
		out[k] = map[string]bool{sahay.NotifyByEmail: prefs.Wants(k, sahay.NotifyByEmail), sahay.NotifyByPush: prefs.Wants(k, sahay.NotifyByPush)}
	}
	return out, nil
}

// SetNotifyPrefs changes the actor's preferences: the kinds and ways change
// names; the others stay as they were.
func (s *Service) SetNotifyPrefs(ctx context.Context, a *Actor, change sahay.NotifyPrefs) (sahay.NotifyPrefs, error) {
	for kind, ways := range change {
		if !slices.Contains(notifyKinds, kind) {
			return nil, sahay.Invalid("unknown notification kind %q: use %v", kind, notifyKinds)
		}
		for way := range ways {
			if way != sahay.NotifyByEmail && way != sahay.NotifyByPush {
				return nil, sahay.Invalid("unknown notification way %q: use email or push", way)
			}
		}
	}
	prefs, err := s.NotifyPrefs(ctx, a)
	if err != nil {
		return nil, err
	}
	for kind, ways := range change {
		for way, on := range ways {
			prefs[kind][way] = on
		}
	}
	if err := s.write(ctx, func(tx *store.Tx) error { return tx.SetNotifyPrefs(ctx, a.User.ID, prefs) }); err != nil {
		return nil, err
	}
	return s.NotifyPrefs(ctx, a)
}

// PushPublicKey returns the VAPID public key browsers subscribe with, or ""
// when Web Push is not set up.
func (s *Service) PushPublicKey() string {
	if s.pusher == nil {
		return ""
	}
	return s.pusher.PublicKey()
}

// SavePushSubscription records a browser subscription of the actor's.
func (s *Service) SavePushSubscription(ctx context.Context, a *Actor, sub sahay.PushSubscription) error {
	if !strings.HasPrefix(sub.Endpoint, "https://") || len(sub.Endpoint) > 2048 {
		return sahay.Invalid("endpoint must be an https URL")
	}
	if err := netguard.CheckURL(sub.Endpoint, s.allowPrivateURLs); err != nil {
		return sahay.Invalid("endpoint: %v", err)
	}
	if sub.P256dh == "" || sub.Auth == "" {
		return sahay.Invalid("keys.p256dh and keys.auth are required")
	}
	sub.UserID = a.User.ID
	return s.write(ctx, func(tx *store.Tx) error { return tx.SavePushSubscription(ctx, &sub) })
}

// DeletePushSubscription forgets a browser subscription of the actor's.
func (s *Service) DeletePushSubscription(ctx context.Context, a *Actor, endpoint string) error {
	return s.store.DeletePushSubscription(ctx, a.User.ID, endpoint)
}

const jobNewConversation = "new_conversation"

type conversationPayload struct {
	ConversationID int64 `json:"conversation_id"`
}

// runNewConversation notifies the inbox's agents who asked to hear of new
// conversations. It runs as a job so that ingestion does not read every
// agent's preferences.
func (s *Service) runNewConversation(ctx context.Context, job *store.Job) error {
	var p conversationPayload
	if err := json.Unmarshal([]byte(job.Payload), &p); err != nil {
		return channel.Permanent(err)
	}
	c, err := s.store.Conversation(ctx, job.AccountID, p.ConversationID)
	if sahay.ErrorCode(err) == sahay.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if c.Status == sahay.StatusPending {
		// The bot has it: the agents hear of it when it hands it off.
		return nil
	}
	inbox, err := s.store.Inbox(ctx, c.AccountID, c.InboxID)
	if err != nil {
		return err
	}
	var wanting []int64
	for _, id := range inbox.MemberIDs {
		prefs, err := s.store.NotifyPrefs(ctx, id)
		if err != nil {
			continue
		}
		if prefs.Wants(sahay.NotifyNewConversation, sahay.NotifyByEmail) || prefs.Wants(sahay.NotifyNewConversation, sahay.NotifyByPush) {
			wanting = append(wanting, id)
		}
	}
	if len(wanting) == 0 {
		return nil
	}
	return s.write(ctx, func(tx *store.Tx) error {
		for _, id := range wanting {
			if err := s.notify(ctx, tx, &sahay.Notification{AccountID: c.AccountID, UserID: id, Kind: sahay.NotifyNewConversation,
				ConversationID: c.ID, Body: c.LastMessage}); err != nil {
				return err
			}
		}
		return nil
	})
}
