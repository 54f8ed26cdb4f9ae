package apichannel

import (
	"net/http"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
)

var _ channel.Router[*core.Actor] = (*Adapter)(nil)

// Routes implements [channel.Router]: an integration posts its customers'
// messages, and the receipts of the replies it delivered, with an
// administrator's API token.
//
//	POST /api/v1/inboxes/{id}/messages   a customer's message (see [Message])
//	POST /api/v1/inboxes/{id}/statuses   a reply's receipt (see [Status])
func (a *Adapter) Routes(mux channel.Mux[*core.Actor]) {
	mux.HandleAuthed("POST /api/v1/inboxes/{id}/messages", a.receiveMessage)
	mux.HandleAuthed("POST /api/v1/inboxes/{id}/statuses", a.receiveStatus)
}

// Message is the body of POST /api/v1/inboxes/{id}/messages: a customer's
// message arriving through an API inbox. The same ExternalID twice in an
// inbox stores one message.
type Message struct {
	Contact struct {
		Identifier string `json:"identifier"`
		Name       string `json:"name"`
		Email      string `json:"email"`
		Phone      string `json:"phone"`
	} `json:"contact"`
	Content    string `json:"content"`
	ExternalID string `json:"external_id"`
}

// Status is the body of POST /api/v1/inboxes/{id}/statuses: what the
// integration's platform reported of a reply, named by the external id
// the reply's webhook carried ("sahay-<message id>").
type Status struct {
	ExternalID string `json:"external_id"`
	Status     string `json:"status"`
	Error      string `json:"error"`
}

// inbox returns the API inbox of the request's path, if the caller may
// speak for its customers.
func (a *Adapter) inbox(r *http.Request, caller *core.Actor) (*sahay.Inbox, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	inbox, err := a.svc.Inbox(r.Context(), caller, id)
	if err != nil {
		return nil, err
	}
	if !caller.User.IsAdmin() {
		// Agents answer customers; only an integration (an administrator's
		// token) may speak for them.
		return nil, sahay.Errorf(sahay.EFORBIDDEN, "only an administrator's token may post customer messages")
	}
	if inbox.Channel != Name {
		return nil, sahay.Invalid("inbox %d is a %s inbox; only api inboxes take messages here", id, inbox.Channel)
	}
	return inbox, nil
}

// receiveMessage stores a customer's message and answers 201 with it and
// its conversation, or 200 when it was stored before.
func (a *Adapter) receiveMessage(w http.ResponseWriter, r *http.Request, caller *core.Actor) error {
	inbox, err := a.inbox(r, caller)
	if err != nil {
		return err
	}
	var in Message
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	res, err := a.svc.Receive(r.Context(), channel.Inbound{InboxID: inbox.ID, ExternalID: in.ExternalID,
		ContactID: in.Contact.Identifier, Name: in.Contact.Name, Email: in.Contact.Email, Phone: in.Contact.Phone, Content: in.Content})
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if res.Duplicate {
		status = http.StatusOK
	}
	return httpx.WriteJSON(w, status, map[string]any{"message": res.Message, "conversation": res.Conversation, "duplicate": res.Duplicate})
}

// receiveStatus applies a reply's receipt, as core applies every channel's
// receipts, and answers 204.
func (a *Adapter) receiveStatus(w http.ResponseWriter, r *http.Request, caller *core.Actor) error {
	inbox, err := a.inbox(r, caller)
	if err != nil {
		return err
	}
	var in Status
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	if err := a.svc.UpdateDelivery(r.Context(), inbox.ID, in.ExternalID, in.Status, in.Error); err != nil {
		return err
	}
	return httpx.NoContent(w)
}
