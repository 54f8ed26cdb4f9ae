package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

func TestWidgetStore(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		st := open(t)
		ctx := context.Background()
		acc := &sahay.Account{Name: "Shop"}
		widget := &sahay.Inbox{Name: "Site", Channel: "widget", Settings: json.RawMessage(`{"website_token":"0123456789abcdef0123456789abcdef","color":"#000000"}`)}
		other := &sahay.Inbox{Name: "API", Channel: "api", Settings: json.RawMessage(`{"website_token":"fedcba9876543210fedcba9876543210"}`)}
		contact := &sahay.Contact{Name: "Asha", Email: "asha@example.com"}
		conv := &sahay.Conversation{DisplayID: 1, Status: sahay.StatusOpen}
		if _, err := st.Write(ctx, func(tx *store.Tx) error {
			if err := tx.CreateAccount(ctx, acc); err != nil {
				return err
			}
			widget.AccountID, other.AccountID, contact.AccountID, conv.AccountID = acc.ID, acc.ID, acc.ID, acc.ID
			if err := tx.CreateInbox(ctx, widget, ""); err != nil {
				return err
			}
			if err := tx.CreateInbox(ctx, other, ""); err != nil {
				return err
			}
			if err := tx.CreateContact(ctx, contact); err != nil {
				return err
			}
			conv.InboxID, conv.ContactID = widget.ID, contact.ID
			return tx.InsertConversation(ctx, conv)
		}); err != nil {
			t.Fatal(err)
		}

		t.Run("inbox by website token", func(t *testing.T) {
			in, err := st.WidgetInboxByToken(ctx, "0123456789abcdef0123456789abcdef")
			if err != nil || in.ID != widget.ID {
				t.Fatalf("got %v, %v", in, err)
			}
			for _, tok := range []string{"fedcba9876543210fedcba9876543210", "0123456789abcdef%", "%", "0123456789ABCDEF0123456789ABCDEF"} {
				if _, err := st.WidgetInboxByToken(ctx, tok); sahay.ErrorCode(err) != sahay.ENOTFOUND {
					t.Errorf("token %q: %v, want not found", tok, err)
				}
			}
		})

		t.Run("visits count after a pause", func(t *testing.T) {
			var v *store.WidgetVisitor
			for range 3 {
				if _, err := st.Write(ctx, func(tx *store.Tx) error {
					var err error
					v, err = tx.TouchWidgetVisitor(ctx, acc.ID, widget.ID, "v:abc", time.Hour)
					return err
				}); err != nil {
					t.Fatal(err)
				}
			}
			if v.Visits != 1 {
				t.Fatalf("visits within the hour = %d, want 1", v.Visits)
			}
			if _, err := st.Write(ctx, func(tx *store.Tx) error {
				var err error
				v, err = tx.TouchWidgetVisitor(ctx, acc.ID, widget.ID, "v:abc", -time.Second)
				return err
			}); err != nil || v.Visits != 2 {
				t.Fatalf("visits after the pause = %d, %v; want 2", v.Visits, err)
			}
		})

		t.Run("orders upsert and report new ones", func(t *testing.T) {
			o := &sahay.Order{AccountID: acc.ID, InboxID: widget.ID, ContactID: contact.ID, Source: "shopify", Kind: "order", ExternalID: "1001",
				Status: "paid", Total: "10.50", Currency: "USD"}
			var first, second bool
			st.Write(ctx, func(tx *store.Tx) error {
				var err error
				first, err = tx.UpsertOrder(ctx, o)
				return err
			})
			o.Status = "fulfilled"
			st.Write(ctx, func(tx *store.Tx) error {
				var err error
				second, err = tx.UpsertOrder(ctx, o)
				return err
			})
			orders, err := st.ContactOrders(ctx, acc.ID, contact.ID, 10)
			if err != nil || !first || second || len(orders) != 1 || orders[0].Status != "fulfilled" {
				t.Fatalf("first %v second %v orders %+v err %v", first, second, orders, err)
			}
		})

		t.Run("team seen never moves back", func(t *testing.T) {
			for _, upto := range []int64{5, 3, 9} {
				if _, err := st.Write(ctx, func(tx *store.Tx) error {
					_, err := tx.MarkTeamSeen(ctx, acc.ID, conv.ID, upto)
					return err
				}); err != nil {
					t.Fatal(err)
				}
			}
			seen, err := st.TeamSeen(ctx, acc.ID, []int64{conv.ID})
			if err != nil || seen[conv.ID] != 9 {
				t.Fatalf("seen = %v, %v", seen, err)
			}
		})

		t.Run("csat and campaign counts", func(t *testing.T) {
			if _, err := st.Write(ctx, func(tx *store.Tx) error {
				if err := tx.SaveCSAT(ctx, &sahay.CSAT{ConversationID: conv.ID, AccountID: acc.ID, InboxID: widget.ID, ContactID: contact.ID, Rating: 2}); err != nil {
					return err
				}
				if err := tx.SaveCSAT(ctx, &sahay.CSAT{ConversationID: conv.ID, AccountID: acc.ID, InboxID: widget.ID, ContactID: contact.ID, Rating: 5}); err != nil {
					return err
				}
				if err := tx.CountCampaign(ctx, widget.ID, "sale", 3, 0); err != nil {
					return err
				}
				return tx.CountCampaign(ctx, widget.ID, "sale", 0, 1)
			}); err != nil {
				t.Fatal(err)
			}
			list, err := st.InboxCSAT(ctx, acc.ID, widget.ID, 10)
			if err != nil || len(list) != 1 || list[0].Rating != 5 {
				t.Fatalf("csat = %+v, %v", list, err)
			}
			stats, err := st.CampaignStats(ctx, widget.ID)
			if err != nil || len(stats) != 1 || stats[0].Shown != 3 || stats[0].Replied != 1 {
				t.Fatalf("campaign stats = %+v, %v", stats, err)
			}
		})
	})
}
