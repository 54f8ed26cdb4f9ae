package whatsapp

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel/meta"
)

// Client calls the Cloud API for one business number, through a Graph
// API client whose errors are classified for the retry rules.
type Client struct {
	Graph *meta.Client
	// PhoneNumberID is the business number's id (not the number itself).
	PhoneNumberID string
}

// Send sends a message and returns its wamid, with the customer's wa_id
// as WhatsApp answered it.
func (c *Client) Send(ctx context.Context, m OutgoingMessage) (SendAnswer, error) {
	m.MessagingProduct, m.RecipientType = "whatsapp", "individual"
	var a SendAnswer
	if err := c.Graph.Do(ctx, http.MethodPost, meta.Path(c.PhoneNumberID, "messages"), nil, m, &a); err != nil {
		return SendAnswer{}, err
	}
	if len(a.Messages) == 0 || a.Messages[0].ID == "" {
		return SendAnswer{}, fmt.Errorf("whatsapp: send: the answer names no message id")
	}
	return a, nil
}

// Upload stores a file with WhatsApp for sending and returns its media id.
func (c *Client) Upload(ctx context.Context, name, contentType string, content io.Reader) (string, error) {
	var a struct {
		ID string `json:"id"`
	}
	fields := url.Values{"messaging_product": {"whatsapp"}, "type": {contentType}}
	file := meta.FilePart{Field: "file", Name: name, ContentType: contentType, Content: content}
	if err := c.Graph.Upload(ctx, meta.Path(c.PhoneNumberID, "media"), fields, file, &a); err != nil {
		return "", err
	}
	if a.ID == "" {
		return "", fmt.Errorf("whatsapp: upload %s: the answer names no media id", name)
	}
	return a.ID, nil
}

// Download fetches a customer's file by its media id: GET /{media-id}
// says where it is, then the file is read with the token, refused over
// limit bytes with an error wrapping channel.ErrTooLarge.
func (c *Client) Download(ctx context.Context, mediaID string, limit int64) ([]byte, error) {
	m, err := c.Graph.Media(ctx, mediaID)
	if err != nil {
		return nil, err
	}
	return c.Graph.Download(ctx, m.URL, limit)
}

// PhoneNumber is what "test connection" reads of the business number.
type PhoneNumber struct {
	ID                 string `json:"id"`
	DisplayPhoneNumber string `json:"display_phone_number"`
	VerifiedName       string `json:"verified_name"`
}

// Test reads the business number with the token.
func (c *Client) Test(ctx context.Context) (PhoneNumber, error) {
	var p PhoneNumber
	err := c.Graph.Test(ctx, c.PhoneNumberID, meta.TestFieldsPhone, &p)
	return p, err
}

// templatePage bounds the templates one call lists.
const templatePage = 100

// maxTemplates bounds how many templates are listed in all: far more than
// a business has.
const maxTemplates = 5000

// Templates lists the message templates of a WhatsApp Business account,
// every page of them, following the "after" cursor on the same path (the
// token is never sent to an address the answer names).
func (c *Client) Templates(ctx context.Context, businessAccountID string) ([]sahay.Template, error) {
	var out []sahay.Template
	q := url.Values{"fields": {"name,language,status,category,components"}, "limit": {strconv.Itoa(templatePage)}}
	for {
		var page templateList
		if err := c.Graph.Do(ctx, http.MethodGet, meta.Path(businessAccountID, "message_templates"), q, nil, &page); err != nil {
			return nil, err
		}
		for _, t := range page.Data {
			out = append(out, t.template())
		}
		after := page.Paging.Cursors.After
		if page.Paging.Next == "" || after == "" || after == q.Get("after") || len(page.Data) == 0 {
			return out, nil
		}
		if len(out) >= maxTemplates {
			return nil, fmt.Errorf("whatsapp: templates: more than %d", maxTemplates)
		}
		q.Set("after", after)
	}
}

// templateList is a page of GET /{waba-id}/message_templates.
type templateList struct {
	Data   []MessageTemplate `json:"data"`
	Paging struct {
		Cursors struct {
			After string `json:"after"`
		} `json:"cursors"`
		Next string `json:"next"`
	} `json:"paging"`
}

// template reads a template's components: the text of its header, body
// and footer, its buttons' words, and how many variables its body has.
func (t MessageTemplate) template() sahay.Template {
	out := sahay.Template{Name: t.Name, Language: t.Language, Category: t.Category, Status: t.Status}
	for _, c := range t.Components {
		switch strings.ToUpper(c.Type) {
		case "HEADER":
			// A header of an image, video or document has no text.
			if strings.EqualFold(c.Format, "TEXT") || c.Format == "" {
				out.Header = c.Text
			}
		case "BODY":
			out.Body = c.Text
			out.Params = countParams(c.Text)
		case "FOOTER":
			out.Footer = c.Text
		case "BUTTONS":
			for _, b := range c.Buttons {
				out.Buttons = append(out.Buttons, b.Text)
			}
		}
	}
	return out
}

// countParams is how many variables a template's text has: the highest
// {{n}}, since WhatsApp numbers them from 1 without gaps and a variable
// may appear twice. Named variables ({{name}}) are not counted: they are
// sent by name, which a template use does not carry.
func countParams(text string) int {
	highest := 0
	for {
		start := strings.Index(text, "{{")
		if start < 0 {
			return highest
		}
		end := strings.Index(text[start:], "}}")
		if end < 0 {
			return highest
		}
		if n, err := strconv.Atoi(strings.TrimSpace(text[start+2 : start+end])); err == nil && n > 0 && n <= 100 {
			highest = max(highest, n)
		}
		text = text[start+end+2:]
	}
}
