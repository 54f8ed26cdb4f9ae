package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/textnorm"
)

// chat is a conversation with its account, inbox and contact.
func chat(t *testing.T, st *store.Store, accountID int64, inboxName string) *sahay.Conversation {
	inbox := MustInbox(t, st, accountID, inboxName, "api")
	contact := MustContact(t, st, &sahay.Contact{AccountID: accountID, Name: "Customer of " + inboxName})
	return MustConversation(t, st, &sahay.Conversation{AccountID: accountID, InboxID: inbox.ID, ContactID: contact.ID})
}

func countMessages(t *testing.T, st *store.Store, conversationID int64) int {
	t.Helper()
	var n int
	err := DB(t, st).QueryRowContext(context.Background(), `SELECT COUNT(*) FROM messages WHERE conversation_id = $1`, conversationID).Scan(&n)
	must(t, err, "count messages")
	return n
}

func testMessageDedupe(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	conv := chat(t, st, a.ID, "WhatsApp")
	other := chat(t, st, a.ID, "Messenger")
	first := MustMessage(t, st, conv, &sahay.Message{Content: "first delivery", ExternalID: "wamid.1"})

	_, err := st.Write(ctx, func(tx *store.Tx) error {
		return tx.InsertMessage(ctx, &sahay.Message{AccountID: a.ID, ConversationID: conv.ID, InboxID: conv.InboxID,
			Kind: sahay.MessageIncoming, SenderType: sahay.SenderContact, Content: "redelivery", ExternalID: "wamid.1"})
	})
	if !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("second insert of wamid.1: %v, want store.ErrDuplicate", err)
	}
	// In a savepoint the duplicate fails alone.
	var kept *sahay.Message
	MustWrite(t, st, func(tx *store.Tx) error {
		err := tx.Savepoint(ctx, func() error {
			return tx.InsertMessage(ctx, &sahay.Message{AccountID: a.ID, ConversationID: conv.ID, InboxID: conv.InboxID,
				Kind: sahay.MessageIncoming, SenderType: sahay.SenderContact, Content: "redelivery", ExternalID: "wamid.1"})
		})
		if !errors.Is(err, store.ErrDuplicate) {
			return fmt.Errorf("duplicate in a savepoint: %v, want ErrDuplicate", err)
		}
		kept = &sahay.Message{AccountID: a.ID, ConversationID: conv.ID, InboxID: conv.InboxID,
			Kind: sahay.MessageIncoming, SenderType: sahay.SenderContact, Content: "next one", ExternalID: "wamid.2"}
		return tx.InsertMessage(ctx, kept)
	})
	if n := countMessages(t, st, conv.ID); n != 2 {
		t.Errorf("conversation has %d messages, want 2 (wamid.1 once, wamid.2)", n)
	}
	msgs, err := st.Messages(ctx, a.ID, conv.ID, 0, 10)
	must(t, err, "Messages")
	if len(msgs) != 2 || msgs[0].ID != first.ID || msgs[0].Content != "first delivery" || msgs[1].ID != kept.ID {
		t.Errorf("messages = %+v, want the first delivery kept, then wamid.2", msgs)
	}
	MustWrite(t, st, func(tx *store.Tx) error {
		m, err := tx.MessageByExternalID(ctx, conv.InboxID, "wamid.1")
		if err != nil {
			return err
		}
		if m.ID != first.ID {
			t.Errorf("MessageByExternalID = %d, want %d", m.ID, first.ID)
		}
		_, err = tx.MessageByExternalID(ctx, other.InboxID, "wamid.1")
		if sahay.ErrorCode(err) != sahay.ENOTFOUND {
			t.Errorf("MessageByExternalID in another inbox: %v, want not found", err)
		}
		return nil
	})
	// The same platform id in another inbox is another message; messages
	// without a platform id never collide.
	MustMessage(t, st, other, &sahay.Message{Content: "other inbox", ExternalID: "wamid.1"})
	MustMessage(t, st, conv, &sahay.Message{Content: "no id 1"})
	MustMessage(t, st, conv, &sahay.Message{Content: "no id 2"})
	if n := countMessages(t, st, conv.ID); n != 4 {
		t.Errorf("conversation has %d messages, want 4", n)
	}

	// A delivery receipt may give a sent reply its platform id, but not one
	// another message of the inbox has.
	reply := MustMessage(t, st, conv, &sahay.Message{Kind: sahay.MessageOutgoing, SenderType: sahay.SenderUser, Content: "hi", Status: sahay.DeliveryPending})
	reply.Status, reply.ExternalID = sahay.DeliverySent, "wamid.out"
	MustWrite(t, st, func(tx *store.Tx) error { return tx.SetMessageDelivery(ctx, reply) })
	got, err := st.Message(ctx, a.ID, reply.ID)
	must(t, err, "Message")
	if got.Status != sahay.DeliverySent || got.ExternalID != "wamid.out" {
		t.Errorf("after delivery: %+v", got)
	}
	got.Status, got.ExternalID = sahay.DeliveryRead, ""
	MustWrite(t, st, func(tx *store.Tx) error { return tx.SetMessageDelivery(ctx, got) })
	got, err = st.Message(ctx, a.ID, reply.ID)
	must(t, err, "Message")
	if got.Status != sahay.DeliveryRead || got.ExternalID != "wamid.out" {
		t.Errorf("a receipt without an id dropped the platform id: %+v", got)
	}
	got.ExternalID = "wamid.2"
	_, err = st.Write(ctx, func(tx *store.Tx) error { return tx.SetMessageDelivery(ctx, got) })
	if !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("giving a reply another message's platform id: %v, want ErrDuplicate", err)
	}
}

func testMessagePages(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	b := MustAccount(t, st, "B")
	conv := chat(t, st, a.ID, "Web")
	var ids []int64
	for i := range 9 {
		m := &sahay.Message{Content: fmt.Sprintf("message %d", i)}
		if i == 4 {
			m.Attachments = []sahay.Attachment{
				{FileName: "রসিদ.pdf", ContentType: "application/pdf", Size: 1234, StorageKey: "blobs/1"},
				{FileName: "photo.jpg", ContentType: "image/jpeg", Size: 99, StorageKey: "blobs/2"},
			}
		}
		ids = append(ids, MustMessage(t, st, conv, m).ID)
	}
	latest, err := st.Messages(ctx, a.ID, conv.ID, 0, 4)
	must(t, err, "Messages")
	older, err := st.Messages(ctx, a.ID, conv.ID, latest[0].ID, 10)
	must(t, err, "Messages")
	var got []int64
	for _, m := range append(older, latest...) {
		got = append(got, m.ID)
	}
	if !slices.Equal(got, ids) {
		t.Errorf("timeline by pages = %v, want %v oldest first", got, ids)
	}
	m, err := st.Message(ctx, a.ID, ids[4])
	must(t, err, "Message")
	if len(m.Attachments) != 2 || m.Attachments[0].FileName != "রসিদ.pdf" || m.Attachments[0].StorageKey != "blobs/1" || m.Attachments[1].Size != 99 {
		t.Fatalf("attachments = %+v", m.Attachments)
	}
	att, convID, err := st.Attachment(ctx, a.ID, m.Attachments[0].ID)
	must(t, err, "Attachment")
	if convID != conv.ID || att.ContentType != "application/pdf" {
		t.Errorf("Attachment = %+v in conversation %d", att, convID)
	}
	_, _, err = st.Attachment(ctx, b.ID, m.Attachments[0].ID)
	wantCode(t, err, sahay.ENOTFOUND, "Attachment through another account")
	_, err = st.Message(ctx, b.ID, ids[0])
	wantCode(t, err, sahay.ENOTFOUND, "Message through another account")
	msgs, err := st.Messages(ctx, b.ID, conv.ID, 0, 10)
	must(t, err, "Messages")
	if len(msgs) != 0 {
		t.Errorf("another account reads %d messages of the conversation", len(msgs))
	}
}

func testSearchMessages(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	b := MustAccount(t, st, "B")
	shop := chat(t, st, a.ID, "Shop")
	support := chat(t, st, a.ID, "Support")
	stranger := chat(t, st, b.ID, "Stranger")
	msg := func(conv *sahay.Conversation, kind, content string) int64 {
		m := &sahay.Message{Content: content, Kind: kind}
		if kind == sahay.MessageActivity {
			m.SenderType = sahay.SenderSystem
		}
		return MustMessage(t, st, conv, m).ID
	}
	din := msg(shop, "", "আমার অর্ডার কবে আসবে? তিন দিন হয়ে গেল")
	daan := msg(shop, "", "দান করতে চাই")
	dil := msg(shop, "", "मेरा दिल टूट गया")
	daal := msg(shop, "", "दाल का ऑर्डर कब आएगा")
	refund := msg(shop, "", "Where is my REFUND?")
	// Decomposed vowel sign o, as some Bengali keyboards type it.
	bon := msg(shop, "", "আমার ব\u09C7\u09BEন অসুস্থ")
	// Devanagari za typed as ja + nukta.
	zaruri := msg(shop, "", "यह ज\u093Cरूरी है")
	note := msg(shop, sahay.MessageNote, "internal: refund approved")
	msg(shop, sahay.MessageActivity, "status:resolved")
	otherInbox := msg(support, "", "refund দিন please")
	msg(stranger, "", "refund দিন দাল दिल")

	for _, tc := range []struct {
		query   string
		inboxes []int64
		want    []int64
	}{
		{"দিন", nil, []int64{otherInbox, din}},
		{"দান", nil, []int64{daan}},
		{"दिल", nil, []int64{dil}},
		{"दाल", nil, []int64{daal}},
		// The last term matches as a prefix, in every script.
		{"দি", nil, []int64{otherInbox, din}},
		{"दि", nil, []int64{dil}},
		{"refu", nil, []int64{otherInbox, note, refund}},
		{"refund", nil, []int64{otherInbox, note, refund}},
		{"Refund", nil, []int64{otherInbox, note, refund}},
		{"where refu", nil, []int64{refund}},
		// Earlier terms are whole words.
		{"ref where", nil, nil},
		{"তিন দিন", nil, []int64{din}},
		// Precomposed query finds the decomposed text, and the other way.
		{"ব\u09CBন", nil, []int64{bon}},
		{"ব\u09C7\u09BEন", nil, []int64{bon}},
		{"\u095Bरूरी", nil, []int64{zaruri}},
		{"जरूरी", nil, []int64{zaruri}},
		// Activity lines are not searchable text.
		{"status", nil, nil},
		{"resolved", nil, nil},
		// The inbox filter: an agent's inboxes only.
		{"দিন", []int64{shop.InboxID}, []int64{din}},
		{"দিন", []int64{support.InboxID}, []int64{otherInbox}},
		{"দিন", []int64{}, nil},
		{"দিন", []int64{stranger.InboxID}, nil},
		{"refund", []int64{shop.InboxID, support.InboxID}, []int64{otherInbox, note, refund}},
	} {
		hits, err := st.SearchMessages(ctx, a.ID, tc.inboxes, textnorm.Terms(tc.query), 50)
		must(t, err, "SearchMessages "+tc.query)
		got := []int64{}
		for _, h := range hits {
			got = append(got, h.Message.ID)
			if h.Message.AccountID != a.ID {
				t.Errorf("search %q found message %d of account %d", tc.query, h.Message.ID, h.Message.AccountID)
			}
		}
		if !slices.Equal(got, append([]int64{}, tc.want...)) {
			t.Errorf("SearchMessages(%q, inboxes %v) = %v, want %v (newest first)", tc.query, tc.inboxes, got, tc.want)
		}
	}
	hits, err := st.SearchMessages(ctx, a.ID, nil, textnorm.Terms("দান"), 10)
	must(t, err, "SearchMessages")
	if len(hits) == 1 && (hits[0].DisplayID != shop.DisplayID || hits[0].ContactID != shop.ContactID || hits[0].Message.Content != "দান করতে চাই") {
		t.Errorf("hit = %+v, want the message with its conversation's number and contact", hits[0])
	}
	hits, err = st.SearchMessages(ctx, a.ID, nil, textnorm.Terms("refund"), 2)
	must(t, err, "SearchMessages")
	if len(hits) != 2 {
		t.Errorf("limit 2 gave %d hits", len(hits))
	}
}

// testSearchForgetsDeleted deletes messages every way there is and checks
// search neither finds them nor mistakes newer messages for them.
func testSearchForgetsDeleted(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	keep := chat(t, st, a.ID, "Keep")
	search := func(q string) []int64 {
		hits, err := st.SearchMessages(ctx, a.ID, nil, textnorm.Terms(q), 50)
		must(t, err, "SearchMessages")
		ids := []int64{}
		for _, h := range hits {
			ids = append(ids, h.Message.ID)
		}
		return ids
	}
	for _, way := range []struct {
		name string
		del  func(tx *store.Tx, c *sahay.Conversation) error
	}{
		{"conversation", func(tx *store.Tx, c *sahay.Conversation) error { return tx.DeleteConversation(ctx, a.ID, c.ID) }},
		{"contact", func(tx *store.Tx, c *sahay.Conversation) error { return tx.DeleteContact(ctx, a.ID, c.ContactID) }},
		{"inbox", func(tx *store.Tx, c *sahay.Conversation) error { return tx.DeleteInbox(ctx, a.ID, c.InboxID) }},
	} {
		gone := chat(t, st, a.ID, "Gone by "+way.name)
		// The deleted message has the highest id, which SQLite may hand out
		// again.
		MustMessage(t, st, gone, &sahay.Message{Content: "zebra " + way.name})
		MustWrite(t, st, func(tx *store.Tx) error { return way.del(tx, gone) })
		if got := search("zebra"); len(got) != 0 {
			t.Errorf("after deleting its %s, search still finds the message: %v", way.name, got)
		}
		var fresh *sahay.Message
		_, err := st.Write(ctx, func(tx *store.Tx) error {
			fresh = &sahay.Message{AccountID: a.ID, ConversationID: keep.ID, InboxID: keep.InboxID, Kind: sahay.MessageIncoming,
				SenderType: sahay.SenderContact, Content: "apple " + way.name}
			return tx.InsertMessage(ctx, fresh)
		})
		if err != nil {
			t.Errorf("after deleting a %s, storing a new message fails: %v", way.name, err)
			continue
		}
		if got := search("zebra"); len(got) != 0 {
			t.Errorf("after deleting a %s, search for its word finds the newer message(s) %v", way.name, got)
		}
		if got := search("apple " + way.name); !slices.Equal(got, []int64{fresh.ID}) {
			t.Errorf("after deleting a %s, the new message is found as %v, want [%d]", way.name, got, fresh.ID)
		}
	}
}

// testSearchLastTermPrefix checks that the last term matches every word it
// starts and only those, however many there are, in every script and
// spelling, in messages stored every way there is: in a batch with a failed
// savepoint, edited, and in another account.
func testSearchLastTermPrefix(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	b := MustAccount(t, st, "B")
	conv := chat(t, st, a.ID, "Shop")
	stranger := chat(t, st, b.ID, "Stranger")
	msg := func(conv *sahay.Conversation, content string) int64 {
		return MustMessage(t, st, conv, &sahay.Message{Content: content}).ID
	}
	// More words starting "zork" than a prefix is spelled out as, and a
	// few starting "zork1".
	var zork, zork1 []int64
	MustWrite(t, st, func(tx *store.Tx) error {
		for i := range 80 {
			m := newMessage(conv, fmt.Sprintf("parcel zork%d", i))
			if err := tx.InsertMessage(ctx, m); err != nil {
				return err
			}
			zork = append([]int64{m.ID}, zork...)
			if fmt.Sprint(i)[0] == '1' {
				zork1 = append([]int64{m.ID}, zork1...)
			}
		}
		return nil
	})
	cafe := msg(conv, "Café crème at the RÉSUMÉ desk")
	// Bengali kṣa written with ZWJ after the virama, and decomposed o.
	ksh := msg(conv, "ক্\u200Dষমা করবেন, ব\u09C7\u09BEনের অর্ডার")
	// Hindi za typed as ja + nukta, and a ZWNJ inside a word.
	zar := msg(conv, "ज\u093Cरूरत है, क्\u200Cष")
	deliv := msg(conv, "delivery delivered deliverable")
	msg(stranger, "deliverance zork1000 ক্ষমা")

	// A batch in which one message's savepoint fails: its words are not
	// found, the others' are.
	var kept int64
	MustWrite(t, st, func(tx *store.Tx) error {
		for i, text := range []string{"quokka kept", "quagga lost"} {
			m := newMessage(conv, text)
			err := tx.Savepoint(ctx, func() error {
				if err := tx.InsertMessage(ctx, m); err != nil {
					return err
				}
				if i == 1 {
					return errors.New("boom")
				}
				return nil
			})
			if i == 0 {
				must(t, err, "InsertMessage")
				kept = m.ID
			}
		}
		return nil
	})
	// An edited message is found by its new words only.
	edited := msg(conv, "walrus tusk")
	MustWrite(t, st, func(tx *store.Tx) error {
		m, err := tx.Message(ctx, a.ID, edited)
		if err != nil {
			return err
		}
		m.Content = "narwhal horn"
		return tx.SetMessageContent(ctx, m)
	})

	for _, tc := range []struct {
		query string
		want  []int64
	}{
		{"zork", zork},
		{"zork1", zork1},
		{"zork79", zork[:1]},
		{"parcel zork1", zork1},
		{"zork7 parc", zork[79-7 : 79-7+1]},
		{"zork parcel", nil}, // earlier terms are whole words
		{"zorkz", nil},
		{"deliv", []int64{deliv}},
		{"deliverab", []int64{deliv}},
		{"delivery", []int64{deliv}},
		{"deliverance", nil}, // another account's word
		// Case folds. (SQLite also folds Latin diacritics, "cafe" finding
		// "Café"; PostgreSQL's 'simple' configuration does not.)
		{"caf", []int64{cafe}},
		{"CAFÉ", []int64{cafe}},
		{"café crè", []int64{cafe}},
		{"résu", []int64{cafe}},
		// Joiners, nukta and decomposed vowel signs fold away in prefixes.
		{"ক্ষ", []int64{ksh}},
		{"ক্\u200Cষম", []int64{ksh}},
		{"বো", []int64{ksh}},
		{"ব\u09C7\u09BE", []int64{ksh}},
		{"ক্ষমা অর্", []int64{ksh}},
		{"ज़रू", []int64{zar}},
		{"जरू", []int64{zar}},
		{"क्ष", []int64{zar}},
		{"qu", []int64{kept}},
		{"quag", nil},
		{"narw", []int64{edited}},
		{"walr", nil},
	} {
		got := searchIDs(t, st, a.ID, tc.query)
		if !slices.Equal(got, append([]int64{}, tc.want...)) {
			t.Errorf("SearchMessages(%q) = %v, want %v (newest first)", tc.query, got, tc.want)
		}
	}
	// A page smaller than the matches is their newest.
	for _, tc := range []struct {
		query string
		limit int
		want  []int64
	}{
		{"zork", 5, zork[:5]},
		{"zork1", 3, zork1[:3]},
		{"parcel zork", 7, zork[:7]},
		{"parcel", 2, zork[:2]},
	} {
		hits, err := st.SearchMessages(ctx, a.ID, nil, textnorm.Terms(tc.query), tc.limit)
		must(t, err, "SearchMessages")
		got := []int64{}
		for _, h := range hits {
			got = append(got, h.Message.ID)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("SearchMessages(%q, limit %d) = %v, want %v", tc.query, tc.limit, got, tc.want)
		}
	}
}
