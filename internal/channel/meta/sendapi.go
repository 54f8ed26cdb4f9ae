package meta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
)

// TagHumanAgent is the message tag that lets a person answer up to 7 days
// after the customer's last message, past the 24-hour window.
const TagHumanAgent = "HUMAN_AGENT"

// SendRequest is a Send API call of Messenger and Instagram,
// POST /{account}/messages.
type SendRequest struct {
	Recipient SendRecipient `json:"recipient"`
	// MessagingType is RESPONSE, or MESSAGE_TAG with Tag; a private reply
	// to a comment has none.
	MessagingType string      `json:"messaging_type,omitempty"`
	Tag           string      `json:"tag,omitempty"`
	Message       SendMessage `json:"message"`
}

// SendRecipient is whom a message goes to: a customer's page-scoped id,
// or the comment a private reply answers.
type SendRecipient struct {
	ID        string `json:"id,omitempty"`
	CommentID string `json:"comment_id,omitempty"`
}

// SendMessage is the message of a [SendRequest]: text or one attachment,
// and the metadata its echo carries back ([SentMetadata]).
type SendMessage struct {
	Text       string          `json:"text,omitempty"`
	Attachment *SendAttachment `json:"attachment,omitempty"`
	Metadata   string          `json:"metadata,omitempty"`
}

// SendAttachment is a file uploaded before ([Client.UploadAttachment]).
type SendAttachment struct {
	// Type is image, audio, video or file.
	Type    string `json:"type"`
	Payload struct {
		AttachmentID string `json:"attachment_id"`
	} `json:"payload"`
}

// Sent is the Send API's answer.
type Sent struct {
	RecipientID string `json:"recipient_id"`
	MessageID   string `json:"message_id"`
}

// Send posts a message with the Send API as account (a page's or
// Instagram account's id).
func (c *Client) Send(ctx context.Context, account string, req SendRequest) (Sent, error) {
	var s Sent
	if err := c.Do(ctx, http.MethodPost, Path(account, "messages"), nil, req, &s); err != nil {
		return Sent{}, err
	}
	if s.MessageID == "" {
		return Sent{}, fmt.Errorf("meta: send: the answer names no message_id")
	}
	return s, nil
}

// UploadAttachment uploads a file with the Attachment Upload API,
// POST /{account}/message_attachments, and returns its attachment_id.
// platform is "instagram" for an Instagram message, "" for Messenger;
// kind is image, audio, video or file.
func (c *Client) UploadAttachment(ctx context.Context, account, platform, kind string, f FilePart) (string, error) {
	msg, _ := json.Marshal(map[string]any{"attachment": map[string]any{"type": kind, "payload": map[string]any{"is_reusable": false}}})
	fields := url.Values{"message": {string(msg)}}
	if platform != "" {
		fields.Set("platform", platform)
	}
	f.Field = "filedata"
	var out struct {
		AttachmentID string `json:"attachment_id"`
	}
	if err := c.Upload(ctx, Path(account, "message_attachments"), fields, f, &out); err != nil {
		return "", err
	}
	if out.AttachmentID == "" {
		return "", fmt.Errorf("meta: upload %s: the answer names no attachment_id", f.Name)
	}
	return out.AttachmentID, nil
}

// AttachmentKind is the Send API's type of a file: image, audio, video or
// file.
func AttachmentKind(contentType string) string {
	major, _, _ := strings.Cut(contentType, "/")
	switch major {
	case "image", "audio", "video":
		return major
	}
	return "file"
}

// Direct is how a Messenger or Instagram inbox sends a direct message.
type Direct struct {
	Client *Client
	// Account is the page's or Instagram account's id the Send API is
	// called as.
	Account string
	// MaxText is the longest text one message takes; longer text is split.
	MaxText int
	// Platform is the Attachment Upload API's platform: "instagram", or
	// "" for Messenger.
	Platform string
}

// Send delivers a reply in a direct conversation: its text, split at
// MaxText characters, then each file, uploaded and sent as a message of
// its own. Each message carries [SentMetadata], so its echo is known as
// Sahay's. A reply the agent tagged HUMAN_AGENT goes out with that tag;
// any other with messaging_type RESPONSE. The result names the last
// message sent.
func (d Direct) Send(ctx context.Context, out channel.Outbound) (channel.SendResult, error) {
	if out.Recipient == "" {
		return channel.SendResult{}, channel.Permanent(errors.New("meta: the contact has no id on this inbox"))
	}
	base := SendRequest{Recipient: SendRecipient{ID: out.Recipient}, MessagingType: "RESPONSE"}
	if det := out.Message.Details; det != nil && det.Tag != "" {
		if det.Tag != TagHumanAgent {
			return channel.SendResult{}, channel.Permanent(fmt.Errorf("meta: message tag %q is not supported, only %s", det.Tag, TagHumanAgent))
		}
		base.MessagingType, base.Tag = "MESSAGE_TAG", TagHumanAgent
	}
	var last Sent
	for _, part := range SplitText(out.Message.Content, d.MaxText) {
		req := base
		req.Message = SendMessage{Text: part, Metadata: SentMetadata}
		s, err := d.Client.Send(ctx, d.Account, req)
		if err != nil {
			return channel.SendResult{}, err
		}
		last = s
	}
	for _, att := range out.Message.Attachments {
		s, err := d.sendFile(ctx, out, base, att)
		if err != nil {
			return channel.SendResult{}, err
		}
		last = s
	}
	if last.MessageID == "" {
		return channel.SendResult{}, channel.Permanent(errors.New("meta: nothing to send"))
	}
	return channel.SendResult{ExternalID: last.MessageID}, nil
}

// sendFile uploads one attachment and sends it.
func (d Direct) sendFile(ctx context.Context, out channel.Outbound, base SendRequest, att sahay.Attachment) (Sent, error) {
	if out.Open == nil {
		return Sent{}, channel.Permanent(errors.New("meta: attachments cannot be read"))
	}
	f, err := out.Open(ctx, att)
	if err != nil {
		return Sent{}, fmt.Errorf("meta: open %s: %w", att.FileName, err)
	}
	defer f.Close()
	kind := AttachmentKind(att.ContentType)
	id, err := d.Client.UploadAttachment(ctx, d.Account, d.Platform, kind,
		FilePart{Name: att.FileName, ContentType: att.ContentType, Content: f})
	if err != nil {
		return Sent{}, err
	}
	req := base
	req.Message = SendMessage{Attachment: &SendAttachment{Type: kind}, Metadata: SentMetadata}
	req.Message.Attachment.Payload.AttachmentID = id
	return d.Client.Send(ctx, d.Account, req)
}

// PrivateReply answers a public comment with a direct message to its
// author, POST /{account}/messages with recipient.comment_id. Meta takes
// one such message per comment, text only, so a longer text or a file is
// refused before anything is sent. The result's Recipient is the
// author's messaging id, which their answers come from.
func (d Direct) PrivateReply(ctx context.Context, out channel.Outbound, commentID string) (channel.SendResult, error) {
	text := strings.TrimSpace(out.Message.Content)
	switch {
	case len(out.Message.Attachments) > 0:
		return channel.SendResult{}, channel.Permanent(errors.New("a private reply to a comment is text only: send the files once the customer answers"))
	case text == "":
		return channel.SendResult{}, channel.Permanent(errors.New("a private reply needs text"))
	case utf8.RuneCountInString(text) > d.MaxText:
		return channel.SendResult{}, channel.Permanent(fmt.Errorf("a private reply is one message of at most %d characters", d.MaxText))
	}
	s, err := d.Client.Send(ctx, d.Account, SendRequest{Recipient: SendRecipient{CommentID: commentID},
		Message: SendMessage{Text: text, Metadata: SentMetadata}})
	if err != nil {
		return channel.SendResult{}, err
	}
	return channel.SendResult{ExternalID: s.MessageID, Recipient: s.RecipientID}, nil
}

// Comment posts a public answer under a comment: POST /{comment_id}/{edge}
// with the message, edge "comments" on Facebook and "replies" on
// Instagram. It returns the new comment's id.
func (c *Client) Comment(ctx context.Context, commentID, edge, text string) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	if err := c.Do(ctx, http.MethodPost, Path(commentID, edge), nil, map[string]string{"message": text}, &out); err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", fmt.Errorf("meta: comment on %s: the answer names no id", commentID)
	}
	return out.ID, nil
}

// PublicReply is a team's reply in a public conversation, posted under
// the customer's latest comment (out.ReplyTo) on edge ([Client.Comment]).
// Files are not posted: the reply is refused.
func PublicReply(ctx context.Context, c *Client, out channel.Outbound, edge string) (channel.SendResult, error) {
	text := strings.TrimSpace(out.Message.Content)
	switch {
	case out.ReplyTo == "":
		return channel.SendResult{}, channel.Permanent(errors.New("no comment of the customer to reply under"))
	case len(out.Message.Attachments) > 0:
		return channel.SendResult{}, channel.Permanent(errors.New("a public reply is text only: reply privately to send files"))
	case text == "":
		return channel.SendResult{}, channel.Permanent(errors.New("a public reply needs text"))
	}
	id, err := c.Comment(ctx, out.ReplyTo, edge, text)
	if err != nil {
		return channel.SendResult{}, err
	}
	return channel.SendResult{ExternalID: id}, nil
}

// Moderation actions on a public comment.
const (
	ActionHide   = "hide"
	ActionUnhide = "unhide"
	ActionDelete = "delete"
)

// Moderate hides, shows or deletes a comment: POST /{comment_id} with
// hideField ("is_hidden" on Facebook, "hide" on Instagram) true or false,
// or DELETE /{comment_id}.
func (c *Client) Moderate(ctx context.Context, commentID, hideField, action string) error {
	if commentID == "" {
		return channel.Permanent(errors.New("no comment to moderate"))
	}
	switch action {
	case ActionHide, ActionUnhide:
		return c.Do(ctx, http.MethodPost, Path(commentID), nil, map[string]bool{hideField: action == ActionHide}, nil)
	case ActionDelete:
		return c.Do(ctx, http.MethodDelete, Path(commentID), nil, nil, nil)
	}
	return sahay.Invalid("moderation action %q: use hide, unhide or delete", action)
}

// SplitText cuts text into parts of at most n characters, at a line break or
// space where there is one in the part's second half.
func SplitText(text string, n int) []string {
	text = strings.TrimSpace(text)
	var parts []string
	for n > 0 && utf8.RuneCountInString(text) > n {
		end, count := 0, 0
		for i := range text {
			if count == n {
				end = i
				break
			}
			count++
		}
		head := text[:end]
		if i := strings.LastIndexAny(head, "\n "); i > len(head)/2 {
			head = head[:i]
		}
		parts = append(parts, strings.TrimSpace(head))
		text = strings.TrimSpace(text[len(head):])
	}
	if text != "" {
		parts = append(parts, text)
	}
	return parts
}
