package core

import (
	"context"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

// RecordOrder stores a cart, checkout or order and keeps a summary of the
// contact's latest ones in its attributes ("cart_value", "last_order_total",
// "orders_count", …), where routing and automation conditions can read
// them. A contact is found by contactID, else by the order's email (created
// with an email identity if new); an order of nobody known is stored alone.
// A change to the contact commits a contact.updated event.
func (s *Service) RecordOrder(ctx context.Context, o *sahay.Order) error {
	o.Email = strings.ToLower(strings.TrimSpace(o.Email))
	return s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, o.AccountID); err != nil {
			return err
		}
		if o.ContactID == 0 && o.Email != "" {
			id, err := tx.ContactIDByEmail(ctx, o.AccountID, o.Email)
			switch {
			case err == nil:
				o.ContactID = id
			case sahay.ErrorCode(err) == sahay.ENOTFOUND:
				c := &sahay.Contact{AccountID: o.AccountID, Name: o.Email, Email: o.Email,
					Identities: []sahay.ContactIdentity{{Namespace: "email", ExternalID: o.Email}}}
				if err := createContact(ctx, tx, c); err != nil {
					return err
				}
				o.ContactID = c.ID
			default:
				return err
			}
		}
		isNew, err := tx.UpsertOrder(ctx, o)
		if err != nil {
			return err
		}
		if o.ContactID == 0 {
			return nil
		}
		c, err := tx.Contact(ctx, o.AccountID, o.ContactID)
		if err != nil {
			return err
		}
		now := tx.Now().Format(time.RFC3339)
		attrs := map[string]any{}
		switch o.Kind {
		case "cart", "checkout":
			attrs["cart_value"], attrs["cart_currency"], attrs["cart_updated_at"] = o.Total, o.Currency, now
		case "order":
			attrs["last_order_id"], attrs["last_order_total"], attrs["last_order_currency"] = o.ExternalID, o.Total, o.Currency
			attrs["last_order_status"], attrs["last_order_at"] = o.Status, now
			n, _ := c.Attributes["orders_count"].(float64)
			if isNew {
				n++
			}
			attrs["orders_count"] = n
			if o.Source == "widget" || o.Source == "shopify" {
				// An order empties the cart it came from.
				attrs["cart_value"] = nil
			}
		}
		if !applyFields(c, ContactFields{Attributes: attrs}, "") {
			return nil
		}
		if err := tx.UpdateContact(ctx, c); err != nil {
			return err
		}
		return tx.Emit(ctx, o.AccountID, 0, 0, sahay.ContactUpdated{Contact: c})
	})
}

// maxContactOrders is how many of a contact's latest carts and orders
// [Service.ContactOrders] returns.
const maxContactOrders = 50

// ContactOrders returns the latest carts and orders of a contact the actor
// may see, newest first.
func (s *Service) ContactOrders(ctx context.Context, a *Actor, contactID int64) ([]*sahay.Order, error) {
	if err := checkContact(ctx, s.store, a, contactID); err != nil {
		return nil, err
	}
	return s.store.ContactOrders(ctx, a.AccountID(), contactID, maxContactOrders)
}
