package core_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/bus"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/secretbox"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// board is a channel of these tests with what Meta's channels have: public
// comments on posts, a private reply to a comment, a 24-hour window with a
// 7-day human agent tag, templates and comment moderation. It records
// what it is asked to do.
type board struct {
	// gate, when set, holds every send until it is closed; externalID,
	// when set, is the id the platform gives the next send.
	gate       chan struct{}
	externalID string
	mu         sync.Mutex
	sent       []channel.Outbound
	moderated  []string
	templates  []sahay.Template
}

const boardName = "board"

func (b *board) Validate(*sahay.Inbox) error { return nil }

func (b *board) Send(ctx context.Context, out channel.Outbound) (channel.SendResult, error) {
	if b.gate != nil {
		<-b.gate
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sent = append(b.sent, out)
	res := channel.SendResult{ExternalID: fmt.Sprintf("board-%d", out.Message.ID)}
	if b.externalID != "" {
		res.ExternalID = b.externalID
	}
	if d := out.Message.Details; d != nil && d.PrivateReplyTo != "" {
		// A private reply reaches the commenter under their messaging id.
		res.Recipient = "dm-" + out.Recipient
	}
	return res, nil
}

func (b *board) Describe() channel.Description {
	return channel.Description{Capabilities: channel.Capabilities{WindowHours: 24, TagWindowHours: 168, Templates: true,
		PublicComments: true, PrivateReply: true},
		Settings: []channel.Setting{{Key: core.HumanAgentTagSetting, Type: "choice", Choices: []string{"off", "on"}}}}
}

func (b *board) Moderate(ctx context.Context, inbox *sahay.Inbox, externalID, action string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.moderated = append(b.moderated, action+" "+externalID)
	return nil
}

func (b *board) Templates(ctx context.Context, inbox *sahay.Inbox) ([]sahay.Template, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.templates, nil
}

// lastSent returns what the channel was last asked to send, waiting for it.
func (b *board) waitSent(t *testing.T, messageID int64) channel.Outbound {
	t.Helper()
	var out channel.Outbound
	storetest.Eventually(t, 10*time.Second, fmt.Sprintf("message %d to be sent", messageID), func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, o := range b.sent {
			if o.Message.ID == messageID {
				out = o
				return true
			}
		}
		return false
	})
	return out
}

type boardFixture struct {
	st    *store.Store
	svc   *core.Service
	board *board
	agent *core.Actor
	inbox *sahay.Inbox
}

func newBoardFixture(t *testing.T, st *store.Store, settings string) *boardFixture {
	ctx := context.Background()
	key := make([]byte, secretbox.KeySize)
	rand.Read(key)
	box, err := secretbox.New(key)
	if err != nil {
		t.Fatal(err)
	}
	f := &boardFixture{st: st, board: &board{}}
	channels := channel.NewRegistry()
	channels.Register(boardName, f.board)
	f.svc = core.New(core.Config{Store: st, Bus: bus.NewMemory(), Box: box, Channels: channels,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	t.Cleanup(f.svc.Close)
	account := storetest.MustAccount(t, st, "Haat")
	if f.agent, err = f.svc.Actor(ctx, storetest.MustUser(t, st, account.ID, "owner@haat.example", sahay.RoleAdmin)); err != nil {
		t.Fatal(err)
	}
	name := "Page"
	if f.inbox, err = f.svc.CreateInbox(ctx, f.agent, core.InboxInput{Name: &name, Channel: boardName, Settings: json.RawMessage(settings)}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *boardFixture) receive(t *testing.T, in channel.Inbound) *core.Received {
	t.Helper()
	in.InboxID = f.inbox.ID
	got, err := f.svc.Receive(context.Background(), in)
	if err != nil {
		t.Fatalf("Receive %s: %v", in.ExternalID, err)
	}
	return got
}

func comment(id, from, post, text string) channel.Inbound {
	return channel.Inbound{ExternalID: id, ContactID: from, Content: text, Public: true,
		Post: &sahay.Post{ID: post, URL: "https://example.com/posts/" + post, Kind: "post"}}
}

// setLastIncoming moves when the customer last wrote in a conversation.
func (f *boardFixture) setLastIncoming(t *testing.T, convID int64, ago time.Duration) {
	t.Helper()
	ctx := context.Background()
	storetest.MustWrite(t, f.st, func(tx *store.Tx) error {
		c, err := tx.Conversation(ctx, f.agent.AccountID(), convID)
		if err != nil {
			return err
		}
		next := *c
		at := time.Now().Add(-ago)
		next.LastIncomingAt = &at
		return tx.UpdateConversation(ctx, c, &next)
	})
}

func TestCommentsArePublicConversationsPerPost(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		f := newBoardFixture(t, open(t), `{}`)
		first := f.receive(t, comment("c1", "rina", "p1", "Is this in stock?"))
		again := f.receive(t, comment("c2", "rina", "p1", "Hello?"))
		other := f.receive(t, comment("c3", "rina", "p2", "Price?"))
		dm := f.receive(t, channel.Inbound{ExternalID: "m1", ContactID: "rina", Content: "Hi in private"})

		c := first.Conversation
		if !first.Created || !c.Public || c.Post == nil || c.Post.ID != "p1" || c.Post.URL != "https://example.com/posts/p1" {
			t.Fatalf("comment's conversation = %+v, post %+v", c, c.Post)
		}
		if again.Conversation.ID != c.ID || !again.Message.Public {
			t.Errorf("second comment on the post went to %d (public %v), want %d", again.Conversation.ID, again.Message.Public, c.ID)
		}
		if other.Conversation.ID == c.ID || !other.Conversation.Public {
			t.Errorf("a comment on another post joined the first post's conversation")
		}
		if dm.Conversation.ID == c.ID || dm.Conversation.ID == other.Conversation.ID || dm.Conversation.Public || dm.Message.Public {
			t.Errorf("a private message went to a public conversation: %+v", dm.Conversation)
		}
		// Read back, the flags and the post are kept.
		got, err := f.svc.Conversation(context.Background(), f.agent, c.ID)
		if err != nil || !got.Public || got.Post == nil || got.Post.Kind != "post" || got.LastIncomingAt == nil {
			t.Fatalf("conversation read back = %+v, %v", got, err)
		}
		msgs, err := f.st.Messages(context.Background(), f.agent.AccountID(), c.ID, 0, 10)
		if err != nil || len(msgs) != 2 || !msgs[0].Public || !msgs[1].Public {
			t.Fatalf("public conversation's messages = %+v, %v", msgs, err)
		}

		// A public reply is public, has no window, and names the comment it
		// is posted under.
		f.setLastIncoming(t, c.ID, 30*24*time.Hour)
		reply, err := f.svc.PostMessage(context.Background(), f.agent, c.ID, core.NewMessage{Content: "Yes, in stock!"})
		if err != nil {
			t.Fatalf("public reply: %v", err)
		}
		if !reply.Public {
			t.Errorf("public reply is not marked public")
		}
		if out := f.board.waitSent(t, reply.ID); out.ReplyTo != "c2" || !out.Conversation.Public {
			t.Errorf("public reply sent with ReplyTo %q, public %v; want c2, true", out.ReplyTo, out.Conversation.Public)
		}
		note, err := f.svc.PostMessage(context.Background(), f.agent, c.ID, core.NewMessage{Content: "she asked twice", Private: true})
		if err != nil || note.Public {
			t.Errorf("a private note in a public conversation = %+v, %v", note, err)
		}
	})
}

func TestPersonalDataGuardOnPublicReplies(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		f := newBoardFixture(t, open(t), `{}`)
		pub := f.receive(t, comment("c1", "rina", "p1", "My parcel never came")).Conversation
		dm := f.receive(t, channel.Inbound{ExternalID: "m1", ContactID: "rina", Content: "parcel?"}).Conversation
		ctx := context.Background()
		for _, text := range []string{
			"Call us on 01712-345678 please",
			"আপনার অর্ডার নম্বর ১২৩৪৫৬ পাঠানো হয়েছে",
			"हमें support@dokan.example पर लिखें",
		} {
			_, err := f.svc.PostMessage(ctx, f.agent, pub.ID, core.NewMessage{Content: text})
			if sahay.ErrorCode(err) != sahay.EPERSONALDATA {
				t.Errorf("public reply %q: err = %v, want %s", text, err, sahay.EPERSONALDATA)
			}
		}
		var n int
		storetest.DB(t, f.st).QueryRowContext(ctx, `SELECT COUNT(*) FROM messages WHERE conversation_id = $1 AND kind = 'outgoing'`, pub.ID).Scan(&n)
		if n != 0 {
			t.Fatalf("refused public replies stored %d messages", n)
		}
		if _, err := f.svc.PostMessage(ctx, f.agent, pub.ID, core.NewMessage{Content: "Call us on 01712-345678 please", AllowPersonalData: true}); err != nil {
			t.Errorf("confirmed public reply: %v", err)
		}
		if _, err := f.svc.PostMessage(ctx, f.agent, dm.ID, core.NewMessage{Content: "Call us on 01712-345678 please"}); err != nil {
			t.Errorf("the same words in private: %v", err)
		}
		if _, err := f.svc.PostMessage(ctx, f.agent, pub.ID, core.NewMessage{Content: "We open at 10:30 tomorrow, price 1200 taka"}); err != nil {
			t.Errorf("a public reply without personal data: %v", err)
		}
	})
}

func TestPrivateReplyLinksConversations(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		f := newBoardFixture(t, open(t), `{}`)
		ctx := context.Background()
		pub := f.receive(t, comment("c1", "rina", "p1", "My order is late!")).Conversation

		priv, msg, err := f.svc.PrivateReply(ctx, f.agent, pub.ID, "Sorry! Send us your order number here.")
		if err != nil {
			t.Fatalf("PrivateReply: %v", err)
		}
		if priv.Public || priv.ID == pub.ID || priv.LinkedConversationID != pub.ID || priv.ContactID != pub.ContactID {
			t.Fatalf("private conversation = %+v", priv)
		}
		if msg.Details == nil || msg.Details.PrivateReplyTo != "c1" || msg.Public {
			t.Fatalf("private reply = %+v details %+v", msg, msg.Details)
		}
		gotPub, _ := f.svc.Conversation(ctx, f.agent, pub.ID)
		if gotPub.LinkedConversationID != priv.ID {
			t.Errorf("public conversation links to %d, want %d", gotPub.LinkedConversationID, priv.ID)
		}
		out := f.board.waitSent(t, msg.ID)
		if out.Message.Details.PrivateReplyTo != "c1" || out.Recipient != "rina" {
			t.Errorf("private reply sent as %+v to %q", out.Message.Details, out.Recipient)
		}
		storetest.Eventually(t, 10*time.Second, "the private reply to be sent", func() bool {
			m, err := f.st.Message(ctx, f.agent.AccountID(), msg.ID)
			return err == nil && m.Status == sahay.DeliverySent
		})
		// The comment knows its answer, and takes no second one.
		c1, err := f.st.MessageByExternalID(ctx, f.inbox.ID, "c1")
		if err != nil || c1.Details == nil || c1.Details.PrivateReply != msg.ID {
			t.Errorf("comment after the private reply = %+v, %v", c1, err)
		}
		if _, _, err := f.svc.PrivateReply(ctx, f.agent, pub.ID, "Again"); sahay.ErrorCode(err) != sahay.ECONFLICT {
			t.Errorf("second private reply to one comment: err = %v, want conflict", err)
		}
		// The customer answers from the messaging id the platform gave: it
		// lands in the private conversation.
		answer := f.receive(t, channel.Inbound{ExternalID: "m9", ContactID: "dm-rina", Content: "Order 5521"})
		if answer.Conversation.ID != priv.ID {
			t.Errorf("the answer to the private reply went to conversation %d, want %d", answer.Conversation.ID, priv.ID)
		}
		// A private conversation has no private reply; an old comment
		// takes none.
		if _, _, err := f.svc.PrivateReply(ctx, f.agent, priv.ID, "x"); sahay.ErrorCode(err) != sahay.EINVALID {
			t.Errorf("private reply from a private conversation: err = %v", err)
		}
		old := f.receive(t, comment("c2", "kabir", "p1", "Still waiting")).Conversation
		// A comment of eight days ago, as a platform may deliver late.
		storetest.MustWrite(t, f.st, func(tx *store.Tx) error {
			return tx.InsertMessage(ctx, &sahay.Message{AccountID: old.AccountID, ConversationID: old.ID, InboxID: old.InboxID,
				Kind: sahay.MessageIncoming, SenderType: sahay.SenderContact, SenderID: old.ContactID, Content: "Hello??",
				ExternalID: "c3", Public: true, CreatedAt: time.Now().Add(-8 * 24 * time.Hour)})
		})
		if _, _, err := f.svc.PrivateReply(ctx, f.agent, old.ID, "Sorry"); sahay.ErrorCode(err) != sahay.EWINDOW {
			t.Errorf("private reply to an 8-day-old comment: err = %v, want %s", err, sahay.EWINDOW)
		}
	})
}

func TestModerateCommentIsAudited(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		f := newBoardFixture(t, open(t), `{}`)
		ctx := context.Background()
		got := f.receive(t, comment("c1", "troll", "p1", "abuse"))
		m, err := f.svc.ModerateComment(ctx, f.agent, got.Message.ID, core.ModerateHide)
		if err != nil || m.Details == nil || m.Details.Moderation != "hidden" {
			t.Fatalf("hide = %+v, %v", m, err)
		}
		if _, err := f.svc.ModerateComment(ctx, f.agent, got.Message.ID, "burn"); sahay.ErrorCode(err) != sahay.EINVALID {
			t.Errorf("unknown action: err = %v", err)
		}
		if m, err = f.svc.ModerateComment(ctx, f.agent, got.Message.ID, core.ModerateDelete); err != nil || m.Details.Moderation != "deleted" {
			t.Fatalf("delete = %+v, %v", m, err)
		}
		if f.board.moderated[0] != "hide c1" || f.board.moderated[1] != "delete c1" || len(f.board.moderated) != 2 {
			t.Errorf("platform asked to %v", f.board.moderated)
		}
		entries, err := f.svc.AuditLog(ctx, f.agent, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range entries {
			if e.TargetType == "message" && e.TargetID == got.Message.ID {
				actions = append(actions, e.Action)
			}
		}
		if strings.Join(actions, ",") != "comment.delete,comment.hide" {
			t.Errorf("audit log for the comment = %v", actions)
		}
		dm := f.receive(t, channel.Inbound{ExternalID: "m1", ContactID: "troll", Content: "hi"})
		if _, err := f.svc.ModerateComment(ctx, f.agent, dm.Message.ID, core.ModerateHide); sahay.ErrorCode(err) != sahay.EINVALID {
			t.Errorf("hiding a private message: err = %v", err)
		}
	})
}

func TestMessagingWindowAndHumanAgentTag(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		ctx := context.Background()
		for _, tc := range []struct {
			settings string
			ago      time.Duration
			wantErr  string
			wantTag  string
		}{
			{`{}`, 23 * time.Hour, "", ""},
			{`{}`, 25 * time.Hour, sahay.EWINDOW, ""},
			{`{"human_agent_tag":"on"}`, 25 * time.Hour, "", core.HumanAgentTag},
			{`{"human_agent_tag":"on"}`, 8 * 24 * time.Hour, sahay.EWINDOW, ""},
		} {
			f := newBoardFixture(t, open(t), tc.settings)
			conv := f.receive(t, channel.Inbound{ExternalID: "m1", ContactID: "rina", Content: "hello"}).Conversation
			f.setLastIncoming(t, conv.ID, tc.ago)
			m, err := f.svc.PostMessage(ctx, f.agent, conv.ID, core.NewMessage{Content: "Sorry for the wait"})
			if sahay.ErrorCode(err) != tc.wantErr && !(tc.wantErr == "" && err == nil) {
				t.Errorf("%s after %v: err = %v, want %q", tc.settings, tc.ago, err, tc.wantErr)
				continue
			}
			if err != nil {
				if !strings.Contains(err.Error(), "send a template") {
					t.Errorf("window error %q does not say what to do", err)
				}
				continue
			}
			var tag string
			if m.Details != nil {
				tag = m.Details.Tag
			}
			if tag != tc.wantTag {
				t.Errorf("%s after %v: tag %q, want %q", tc.settings, tc.ago, tag, tc.wantTag)
			}
			if tc.wantTag != "" {
				if out := f.board.waitSent(t, m.ID); out.Message.Details == nil || out.Message.Details.Tag != tc.wantTag {
					t.Errorf("sent without the tag: %+v", out.Message.Details)
				}
			}
		}
	})
}

func TestTemplatesSyncAndSend(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		f := newBoardFixture(t, open(t), `{}`)
		ctx := context.Background()
		f.board.templates = []sahay.Template{
			{Name: "order_update", Language: "bn", Category: "UTILITY", Status: "APPROVED", Body: "আপনার অর্ডার {{1}} {{2}} তারিখে পৌঁছাবে।", Params: 2},
			{Name: "order_update", Language: "en_US", Category: "UTILITY", Status: "APPROVED", Header: "Order", Body: "Your order {{1}} arrives on {{2}}.", Footer: "Haat", Params: 2},
			{Name: "promo", Language: "en_US", Category: "MARKETING", Status: "PENDING", Body: "Sale!", Params: 0},
		}
		list, err := f.svc.SyncTemplates(ctx, f.agent, f.inbox.ID)
		if err != nil || len(list) != 3 || list[0].Name != "order_update" || list[0].Language != "bn" || list[0].Params != 2 {
			t.Fatalf("SyncTemplates = %+v, %v", list, err)
		}
		conv := f.receive(t, channel.Inbound{ExternalID: "m1", ContactID: "rina", Content: "hello"}).Conversation
		f.setLastIncoming(t, conv.ID, 3*24*time.Hour)

		for _, tc := range []struct {
			use     sahay.TemplateUse
			content string
		}{
			{sahay.TemplateUse{Name: "order_update", Language: "en_US", Params: []string{"#1234"}}, ""},
			{sahay.TemplateUse{Name: "order_update", Language: "en_US", Params: []string{"#1234", "two\nlines"}}, ""},
			{sahay.TemplateUse{Name: "promo", Language: "en_US"}, ""},
			{sahay.TemplateUse{Name: "nope", Language: "en_US"}, ""},
			{sahay.TemplateUse{Name: "order_update", Language: "en_US", Params: []string{"#1234", "Friday"}}, "and words"},
		} {
			use := tc.use
			if _, err := f.svc.PostMessage(ctx, f.agent, conv.ID, core.NewMessage{Template: &use, Content: tc.content}); sahay.ErrorCode(err) != sahay.EINVALID {
				t.Errorf("template %+v with %q: err = %v, want invalid", tc.use, tc.content, err)
			}
		}
		m, err := f.svc.PostMessage(ctx, f.agent, conv.ID, core.NewMessage{Template: &sahay.TemplateUse{Name: "order_update", Language: "bn",
			Params: []string{"#১২৩৪", "শুক্রবার"}}})
		if err != nil {
			t.Fatalf("template outside the window: %v", err)
		}
		if m.Content != "আপনার অর্ডার #১২৩৪ শুক্রবার তারিখে পৌঁছাবে।" || m.Details == nil || m.Details.Template == nil ||
			m.Details.Template.Language != "bn" || len(m.Details.Template.Params) != 2 {
			t.Fatalf("template message = %q %+v", m.Content, m.Details)
		}
		out := f.board.waitSent(t, m.ID)
		if out.Message.Details.Template.Name != "order_update" {
			t.Errorf("sent template = %+v", out.Message.Details.Template)
		}
		en, err := f.svc.PostMessage(ctx, f.agent, conv.ID, core.NewMessage{Template: &sahay.TemplateUse{Name: "order_update", Language: "en_US",
			Params: []string{"#1234", "Friday"}}})
		if err != nil || en.Content != "Order\n\nYour order #1234 arrives on Friday.\n\nHaat" {
			t.Errorf("template with header and footer = %q, %v", en.Content, err)
		}
	})
}

func TestWatermarkReceiptsMoveRepliesUp(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		f := newRelayFixture(t, open(t))
		ctx := context.Background()
		time.Sleep(5 * time.Millisecond)
		second, err := f.svc.PostMessage(ctx, f.admin, f.reply.ConversationID, core.NewMessage{Content: "It arrives today."})
		if err != nil {
			t.Fatal(err)
		}
		f.waitMessage(t, second.ID, func(m *sahay.Message) bool { return m.Status == sahay.DeliverySent })
		if !second.CreatedAt.After(f.reply.CreatedAt) {
			t.Fatalf("second reply at %v, not after the first at %v", second.CreatedAt, f.reply.CreatedAt)
		}
		// The first reply is read, the second only delivered, in the
		// order a platform may report them: read first.
		if state := f.deliver(t, relayEvent{ID: "wm-1", Receipts: []channel.Receipt{
			{Status: sahay.DeliveryRead, Watermark: f.reply.CreatedAt, Recipient: "rina"},
			{Status: sahay.DeliveryDelivered, Watermark: second.CreatedAt, Recipient: "rina"},
			{Status: sahay.DeliveryDelivered, Watermark: second.CreatedAt.Add(time.Hour), Recipient: "someone-else"},
		}}); state != store.RawDone {
			t.Fatalf("watermark event ended %s", state)
		}
		if m := f.message(t, f.reply.ID); m.Status != sahay.DeliveryRead {
			t.Errorf("first reply = %s, want read (a later delivered watermark must not move it back)", m.Status)
		}
		if m := f.message(t, second.ID); m.Status != sahay.DeliveryDelivered {
			t.Errorf("second reply = %s, want delivered", m.Status)
		}
	})
}

func TestStartingAConversationInsideAWindowTakesATemplate(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		f := newBoardFixture(t, open(t), `{}`)
		ctx := context.Background()
		f.board.templates = []sahay.Template{{Name: "hello", Language: "hi", Status: "APPROVED", Body: "नमस्ते {{1}}!", Params: 1}}
		if _, err := f.svc.SyncTemplates(ctx, f.agent, f.inbox.ID); err != nil {
			t.Fatal(err)
		}
		old := f.receive(t, channel.Inbound{ExternalID: "m1", ContactID: "rina", Content: "hello"})
		_, _, err := f.svc.StartOutgoing(ctx, f.agent, core.NewConversation{InboxID: f.inbox.ID, ContactID: old.Conversation.ContactID, Content: "Hi again"})
		if sahay.ErrorCode(err) != sahay.EWINDOW || !strings.Contains(err.Error(), "send a template") {
			t.Fatalf("starting with text: err = %v, want %s", err, sahay.EWINDOW)
		}
		conv, m, err := f.svc.StartOutgoing(ctx, f.agent, core.NewConversation{InboxID: f.inbox.ID, ContactID: old.Conversation.ContactID,
			Template: &sahay.TemplateUse{Name: "hello", Language: "hi", Params: []string{"रीना"}}})
		if err != nil {
			t.Fatalf("starting with a template: %v", err)
		}
		if conv.ID == old.Conversation.ID || m.Content != "नमस्ते रीना!" || m.Details == nil || m.Details.Template.Name != "hello" {
			t.Fatalf("started %+v with %q %+v", conv, m.Content, m.Details)
		}
		f.board.waitSent(t, m.ID)
	})
}

func TestEchoOfAReplyStillBeingSentIsThatReply(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		f := newBoardFixture(t, open(t), `{}`)
		ctx := context.Background()
		pub := f.receive(t, comment("c1", "rina", "p1", "Open on Friday?")).Conversation
		f.board.gate, f.board.externalID = make(chan struct{}), "c-reply-1"
		reply, err := f.svc.PostMessage(ctx, f.agent, pub.ID, core.NewMessage{Content: "Yes, 10 to 8."})
		if err != nil {
			t.Fatal(err)
		}
		// The platform reports the reply under its comment before the
		// send job has recorded the comment's id.
		echo := comment("c-reply-1", "rina", "p1", "Yes, 10 to 8.")
		echo.Echo = true
		got := f.receive(t, echo)
		if !got.Duplicate || got.Message.ID != reply.ID {
			t.Fatalf("echo stored as message %d (duplicate %v), want reply %d", got.Message.ID, got.Duplicate, reply.ID)
		}
		close(f.board.gate)
		storetest.Eventually(t, 10*time.Second, "the reply to be sent", func() bool {
			m, err := f.st.Message(ctx, f.agent.AccountID(), reply.ID)
			return err == nil && m.Status == sahay.DeliverySent && m.ExternalID == "c-reply-1"
		})
		msgs, err := f.st.Messages(ctx, f.agent.AccountID(), pub.ID, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		outgoing := 0
		for _, m := range msgs {
			if m.Kind == sahay.MessageOutgoing {
				outgoing++
			}
		}
		if outgoing != 1 {
			t.Errorf("%d outgoing messages after the echo, want 1", outgoing)
		}
		// A teammate's own comment on the platform is still kept.
		own := comment("c-team-2", "rina", "p1", "Closed on Sunday.")
		own.Echo = true
		if got := f.receive(t, own); got.Duplicate || got.Message.Kind != sahay.MessageOutgoing {
			t.Errorf("a teammate's comment = %+v (duplicate %v)", got.Message, got.Duplicate)
		}
	})
}

func TestMessagesWithoutWordsAndQuotes(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		f := newBoardFixture(t, open(t), `{}`)
		ctx := context.Background()
		first := f.receive(t, channel.Inbound{ExternalID: "m1", ContactID: "rina", Content: "Here is my story"})
		mention := f.receive(t, channel.Inbound{ExternalID: "m2", ContactID: "rina",
			Details: &sahay.MessageDetails{Story: &sahay.Story{Kind: "mention", URL: "https://example.com/s/1"}}})
		if mention.Message.Details == nil || mention.Message.Details.Story.Kind != "mention" {
			t.Errorf("story mention stored as %+v", mention.Message)
		}
		unreact := f.receive(t, channel.Inbound{ExternalID: "m3", ContactID: "rina", Details: &sahay.MessageDetails{ReactionTo: "m1"}})
		if unreact.Message.Details == nil || unreact.Message.Details.ReactionTo != "m1" || unreact.Message.Content != "" {
			t.Errorf("reaction taken back stored as %+v", unreact.Message)
		}
		if _, err := f.svc.Receive(ctx, channel.Inbound{InboxID: f.inbox.ID, ExternalID: "m4", ContactID: "rina"}); sahay.ErrorCode(err) != sahay.EINVALID {
			t.Errorf("a message with nothing in it: err = %v, want invalid", err)
		}

		reply, err := f.svc.PostMessage(ctx, f.agent, first.Conversation.ID, core.NewMessage{Content: "Lovely!", ReplyTo: first.Message.ID})
		if err != nil {
			t.Fatal(err)
		}
		if out := f.board.waitSent(t, reply.ID); out.Message.Details == nil || out.Message.Details.ReplyTo != "m1" {
			t.Errorf("quoting reply sent with %+v", out.Message.Details)
		}
		other := f.receive(t, channel.Inbound{ExternalID: "k1", ContactID: "kabir", Content: "hi"})
		for _, id := range []int64{other.Message.ID, 999999} {
			if _, err := f.svc.PostMessage(ctx, f.agent, first.Conversation.ID, core.NewMessage{Content: "x", ReplyTo: id}); sahay.ErrorCode(err) != sahay.EINVALID {
				t.Errorf("quoting message %d of another conversation: err = %v", id, err)
			}
		}
	})
}

func TestInboxesSayWhereTheirWebhooksGo(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	key := make([]byte, secretbox.KeySize)
	rand.Read(key)
	box, err := secretbox.New(key)
	if err != nil {
		t.Fatal(err)
	}
	channels := channel.NewRegistry()
	channels.Register(relayName, relay{})
	channels.Register(boardName, &board{})
	svc := core.New(core.Config{Store: st, Bus: bus.NewMemory(), Box: box, Channels: channels, PublicURL: "https://support.example/",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	t.Cleanup(svc.Close)
	account := storetest.MustAccount(t, st, "Haat")
	admin, err := svc.Actor(ctx, storetest.MustUser(t, st, account.ID, "owner@haat.example", sahay.RoleAdmin))
	if err != nil {
		t.Fatal(err)
	}
	hooked, plain := "Relay", "Board"
	relayInbox, err := svc.CreateInbox(ctx, admin, core.InboxInput{Name: &hooked, Channel: relayName})
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("https://support.example/webhooks/%d", relayInbox.ID); relayInbox.WebhookURL != want {
		t.Errorf("created inbox's webhook_url = %q, want %q", relayInbox.WebhookURL, want)
	}
	boardInbox, err := svc.CreateInbox(ctx, admin, core.InboxInput{Name: &plain, Channel: boardName})
	if err != nil {
		t.Fatal(err)
	}
	list, err := svc.Inboxes(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range list {
		if (in.ID == relayInbox.ID) != (in.WebhookURL != "") {
			t.Errorf("inbox %d (%s) has webhook_url %q", in.ID, in.Channel, in.WebhookURL)
		}
	}
	if got, err := svc.Inbox(ctx, admin, boardInbox.ID); err != nil || got.WebhookURL != "" {
		t.Errorf("a channel without webhooks: %+v %v", got, err)
	}
}
