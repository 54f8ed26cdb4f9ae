package widget

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/httpx"
)

// Shopify webhook headers.
const (
	ShopifyHMACHeader  = "X-Shopify-Hmac-Sha256"
	ShopifyTopicHeader = "X-Shopify-Topic"
)

// ShopifySignature returns the X-Shopify-Hmac-Sha256 value of a body: the
// base64 HMAC-SHA256 of the raw body keyed by the app's secret.
func ShopifySignature(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// shopifyOrder is the part of Shopify's order and checkout payloads that
// Sahay keeps.
type shopifyOrder struct {
	ID                json.Number `json:"id"`
	Token             string      `json:"token"`
	Name              string      `json:"name"`
	Email             string      `json:"email"`
	TotalPrice        string      `json:"total_price"`
	Currency          string      `json:"currency"`
	FinancialStatus   string      `json:"financial_status"`
	FulfillmentStatus *string     `json:"fulfillment_status"`
	CompletedAt       *string     `json:"completed_at"`
	OrderStatusURL    string      `json:"order_status_url"`
	AbandonedURL      string      `json:"abandoned_checkout_url"`
	Customer          *struct {
		Email string `json:"email"`
	} `json:"customer"`
	LineItems []struct {
		Title    string      `json:"title"`
		SKU      string      `json:"sku"`
		Quantity float64     `json:"quantity"`
		Price    json.Number `json:"price"`
	} `json:"line_items"`
}

// handleShopify takes a Shopify webhook (orders/create, orders/updated,
// checkouts/create, checkouts/update) for a widget inbox: POST
// /widget/shopify/{website token}. It answers 401 to a bad signature and
// 2xx once the order is stored.
func (s *Server) handleShopify(w http.ResponseWriter, r *http.Request) error {
	in, err := s.cache.byWebsiteToken(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	secret := in.Secrets[ShopifySecretKey]
	if secret == "" {
		return sahay.Errorf(sahay.EFORBIDDEN, "this inbox has no %s secret; set it to the Shopify app's secret", ShopifySecretKey)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, httpx.MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return sahay.Errorf(sahay.ETOOLARGE, "webhook body is larger than %d bytes", httpx.MaxBody)
		}
		return sahay.Invalid("could not read the body")
	}
	if !hmac.Equal([]byte(r.Header.Get(ShopifyHMACHeader)), []byte(ShopifySignature(secret, body))) {
		return sahay.Errorf(sahay.EUNAUTHORIZED, "the %s signature does not match the body", ShopifyHMACHeader)
	}
	topic := r.Header.Get(ShopifyTopicHeader)
	var kind string
	switch topic {
	case "orders/create", "orders/updated", "orders/paid", "orders/fulfilled", "orders/cancelled":
		kind = "order"
	case "checkouts/create", "checkouts/update":
		kind = "checkout"
	default:
		// Acknowledge topics we do not use so Shopify does not retry them.
		return httpx.OK(w, map[string]string{"ignored": topic})
	}
	var p shopifyOrder
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		return sahay.BadRequest("malformed Shopify payload: %v", err)
	}
	o, err := p.order(in, kind, topic)
	if err != nil {
		return err
	}
	if err := s.svc.RecordOrder(r.Context(), o); err != nil {
		return err
	}
	return httpx.OK(w, map[string]any{"order_id": o.ID, "contact_id": o.ContactID})
}

func (p *shopifyOrder) order(in *widgetInbox, kind, topic string) (*sahay.Order, error) {
	o := &sahay.Order{AccountID: in.AccountID, InboxID: in.ID, Source: "shopify", Kind: kind, Currency: strings.ToUpper(p.Currency)}
	o.ExternalID = p.ID.String()
	if kind == "checkout" && p.Token != "" {
		o.ExternalID = p.Token
	}
	if o.ExternalID == "" || len(o.ExternalID) > 100 {
		return nil, sahay.Invalid("the payload has no id")
	}
	o.Email = p.Email
	if o.Email == "" && p.Customer != nil {
		o.Email = p.Customer.Email
	}
	if _, err := strconv.ParseFloat(p.TotalPrice, 64); err != nil {
		return nil, sahay.Invalid("total_price %q is not a number", p.TotalPrice)
	}
	o.Total = p.TotalPrice
	switch {
	case kind == "checkout" && p.CompletedAt != nil:
		o.Status = "completed"
	case kind == "checkout":
		o.Status, o.URL = "open", p.AbandonedURL
	case topic == "orders/cancelled":
		o.Status, o.URL = "cancelled", p.OrderStatusURL
	case p.FulfillmentStatus != nil && *p.FulfillmentStatus != "":
		o.Status, o.URL = *p.FulfillmentStatus, p.OrderStatusURL
	default:
		o.Status, o.URL = p.FinancialStatus, p.OrderStatusURL
	}
	items := make([]Item, 0, len(p.LineItems))
	for _, li := range p.LineItems {
		price, _ := li.Price.Float64()
		items = append(items, Item{Name: li.Title, SKU: li.SKU, Quantity: li.Quantity, Price: price})
	}
	if err := checkItems(items); err != nil {
		return nil, err
	}
	var err error
	if o.Items, err = json.Marshal(items); err != nil {
		return nil, fmt.Errorf("widget: shopify items: %w", err)
	}
	return o, nil
}
