package whatsapp_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/meta/metatest"
	"github.com/sahayhq/sahay/internal/channel/whatsapp"
)

// simInbox is a WhatsApp inbox of the simulator, as core hands it to the
// adapter.
func simInbox(sim *metatest.Sim, waba string) *sahay.Inbox {
	settings, _ := json.Marshal(map[string]string{"phone_number_id": phoneID, "business_account_id": waba, "api_base_url": sim.URL})
	return &sahay.Inbox{ID: 7, Channel: whatsapp.Name, Settings: settings,
		Secrets: map[string]string{"access_token": metatest.Token, "app_secret": appSecret, "verify_token": verifyToken}}
}

// Every page of the account's templates is listed, each with its header,
// body, footer and buttons, and the number of its body's variables.
func TestTemplates(t *testing.T) {
	t.Parallel()
	sim := metatest.New(t, appSecret)
	sim.AddTemplate(wabaID, metatest.Template{Name: "order_update", Language: "en_US", Status: "APPROVED", Category: "UTILITY",
		Components: []metatest.Component{
			{Type: "HEADER", Format: "TEXT", Text: "Order {{1}}"},
			{Type: "BODY", Text: "Hello {{1}}, your order {{2}} ships on {{3}}. Order {{2}} can be tracked online."},
			{Type: "FOOTER", Text: "Reply STOP to opt out"},
			{Type: "BUTTONS", Buttons: []metatest.Button{{Type: "QUICK_REPLY", Text: "Track"}, {Type: "URL", Text: "Open shop", URL: "https://shop.example/{{1}}"}}},
		}})
	sim.AddTemplate(wabaID, metatest.Template{Name: "receipt", Language: "bn", Status: "PENDING", Category: "UTILITY",
		Components: []metatest.Component{{Type: "HEADER", Format: "DOCUMENT"}, {Type: "BODY", Text: "আপনার রসিদ সংযুক্ত।"}}})
	for i := range 150 {
		sim.AddTemplate(wabaID, metatest.Template{Name: fmt.Sprintf("promo_%03d", i), Language: "en", Status: "APPROVED", Category: "MARKETING",
			Components: []metatest.Component{{Type: "BODY", Text: "Sale {{1}}"}}})
	}
	a := whatsapp.New(true)
	inbox := simInbox(sim, wabaID)
	ts, err := a.Templates(context.Background(), inbox)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 152 || len(sim.Find(http.MethodGet, "/"+wabaID+"/message_templates")) != 2 {
		t.Fatalf("%d templates in %d pages, want 152 in 2", len(ts), len(sim.Find(http.MethodGet, "/"+wabaID+"/message_templates")))
	}
	want := []sahay.Template{
		{InboxID: 7, Name: "order_update", Language: "en_US", Category: "UTILITY", Status: "APPROVED", Header: "Order {{1}}",
			Body:   "Hello {{1}}, your order {{2}} ships on {{3}}. Order {{2}} can be tracked online.",
			Footer: "Reply STOP to opt out", Buttons: []string{"Track", "Open shop"}, Params: 3},
		{InboxID: 7, Name: "receipt", Language: "bn", Category: "UTILITY", Status: "PENDING", Body: "আপনার রসিদ সংযুক্ত।"},
	}
	if !reflect.DeepEqual(ts[:2], want) || ts[151].Name != "promo_149" || ts[151].Params != 1 {
		t.Fatalf("templates %+v … %+v", ts[:2], ts[151])
	}
	if _, err := a.Templates(context.Background(), simInbox(sim, "")); err == nil || !strings.Contains(err.Error(), "business_account_id") {
		t.Fatalf("templates without an account id: %v", err)
	}
	sim.SetToken("another")
	if _, err := a.Templates(context.Background(), inbox); err == nil || !strings.Contains(err.Error(), "access token") {
		t.Fatalf("templates with a refused token: %v", err)
	}
}

// A message sent as a template goes out as WhatsApp's template message,
// its parameters filling the body's variables in order; a refused
// template fails for good with the reason.
func TestSendTemplate(t *testing.T) {
	t.Parallel()
	sim := metatest.New(t, appSecret)
	a := whatsapp.New(true)
	out := channel.Outbound{Inbox: simInbox(sim, wabaID), Recipient: customer, Message: &sahay.Message{
		Content: "Hello Rahim, your order #1234 ships on Monday.",
		Details: &sahay.MessageDetails{Template: &sahay.TemplateUse{Name: "order_update", Language: "en_US", Params: []string{"Rahim", "#1234", "Monday"}}}}}
	res, err := a.Send(context.Background(), out)
	if err != nil || !strings.HasPrefix(res.ExternalID, "wamid.") {
		t.Fatalf("send: %+v %v", res, err)
	}
	sent := sim.Find(http.MethodPost, "/"+phoneID+"/messages")
	want := `{"messaging_product":"whatsapp","recipient_type":"individual","to":"8801711223344","type":"template",` +
		`"template":{"name":"order_update","language":{"code":"en_US"},"components":[{"type":"body","parameters":[` +
		`{"type":"text","text":"Rahim"},{"type":"text","text":"#1234"},{"type":"text","text":"Monday"}]}]}}`
	if len(sent) != 1 || string(sent[0].Body) != want {
		t.Fatalf("sent %d: %s\nwant %s", len(sent), sent[0].Body, want)
	}

	out.Message.Details.Template = &sahay.TemplateUse{Name: "welcome", Language: "bn"}
	if _, err := a.Send(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	if body := string(sim.Find(http.MethodPost, "/"+phoneID+"/messages")[1].Body); !strings.HasSuffix(body, `"template":{"name":"welcome","language":{"code":"bn"}}}`) {
		t.Fatalf("a template without variables: %s", body)
	}

	sim.Fail("/*/messages", metatest.Failure{Code: 132001, Message: "(#132001) Template name does not exist in the translation"})
	_, err = a.Send(context.Background(), out)
	if !errors.Is(err, channel.ErrPermanent) || !strings.Contains(err.Error(), "the template was refused") {
		t.Fatalf("a refused template: %v", err)
	}
}

// A reply that quotes a message names it as its context; a file too large
// to play as video goes as a document, with its name.
func TestSendContextAndDocument(t *testing.T) {
	t.Parallel()
	sim := metatest.New(t, appSecret)
	a := whatsapp.New(true)
	files := map[string]string{"big.mp4": "video bytes", "notes.txt": "plain notes"}
	out := channel.Outbound{Inbox: simInbox(sim, wabaID), Recipient: customer, Message: &sahay.Message{
		Content: "see the video", Details: &sahay.MessageDetails{ReplyTo: "wamid.customer1"},
		Attachments: []sahay.Attachment{{FileName: "big.mp4", ContentType: "video/mp4", Size: 20 << 20}, {FileName: "notes.txt", ContentType: "text/plain", Size: 11}}},
		Open: func(_ context.Context, att sahay.Attachment) (io.ReadCloser, error) {
			return io.NopCloser(strings.NewReader(files[att.FileName])), nil
		}}
	if _, err := a.Send(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	sent := sim.Find(http.MethodPost, "/"+phoneID+"/messages")
	if len(sent) != 2 {
		t.Fatalf("%d sends, want 2", len(sent))
	}
	var first, second whatsapp.OutgoingMessage
	json.Unmarshal(sent[0].Body, &first)
	json.Unmarshal(sent[1].Body, &second)
	if first.Type != "document" || first.Document == nil || first.Document.Filename != "big.mp4" || first.Document.Caption != "see the video" ||
		first.Context == nil || first.Context.MessageID != "wamid.customer1" {
		t.Fatalf("first %s", sent[0].Body)
	}
	if second.Type != "document" || second.Document.Caption != "" || second.Context != nil || second.Document.Filename != "notes.txt" {
		t.Fatalf("second %s", sent[1].Body)
	}
}
