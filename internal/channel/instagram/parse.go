package instagram

import (
	"encoding/json"
	"fmt"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/meta"
)

// maxEntry bounds one journalled entry: Meta's batches are far smaller.
const maxEntry = 1 << 20

// Parse reads one entry of an Instagram account's webhook delivery, as the
// webhook journalled it: its messaging events (messages, story replies
// and mentions, shares, unsent messages, echoes, reactions, read
// receipts) and its comments and live comments. accountID is the inbox's
// account: an entry of another account (one Meta app serving several)
// yields nothing, since its messages cannot be answered from this inbox.
func Parse(accountID string, body []byte) (channel.Parsed, error) {
	if len(body) > maxEntry {
		return channel.Parsed{}, fmt.Errorf("instagram: entry of %d bytes is over %d", len(body), maxEntry)
	}
	e, err := meta.ParseEntry(body)
	if err != nil {
		return channel.Parsed{}, err
	}
	if e.ID != accountID {
		return channel.Parsed{}, nil
	}
	p, err := meta.Messaging(accountID, append(e.Messaging, e.Standby...))
	if err != nil {
		return channel.Parsed{}, err
	}
	for i, c := range e.Changes {
		if c.Field != "comments" && c.Field != "live_comments" {
			continue
		}
		in, ok, err := comment(accountID, c.Field == "live_comments", c.Value, e.Time)
		if err != nil {
			return channel.Parsed{}, fmt.Errorf("instagram: changes[%d]: %w", i, err)
		}
		if ok {
			p.Messages = append(p.Messages, in)
		}
	}
	return p, nil
}

// CommentChange is the value of a "comments" or "live_comments" change.
type CommentChange struct {
	ID string `json:"id"`
	// ParentID is the comment this one answers, absent for a top-level
	// comment.
	ParentID string       `json:"parent_id,omitempty"`
	Text     string       `json:"text"`
	From     CommentFrom  `json:"from"`
	Media    CommentMedia `json:"media"`
}

// CommentFrom is who wrote a comment.
type CommentFrom struct {
	ID             string `json:"id"`
	Username       string `json:"username,omitempty"`
	SelfIGScopedID string `json:"self_ig_scoped_id,omitempty"`
}

// CommentMedia is the post, reel, story, ad or live video a comment is on.
type CommentMedia struct {
	ID               string `json:"id"`
	MediaProductType string `json:"media_product_type,omitempty"`
	AdID             string `json:"ad_id,omitempty"`
	AdTitle          string `json:"ad_title,omitempty"`
	OriginalMediaID  string `json:"original_media_id,omitempty"`
}

// postKinds are Sahay's names of Instagram's media product types.
var postKinds = map[string]string{"FEED": "post", "REELS": "reel", "STORY": "story", "AD": "ad"}

// comment reads a comment change; ok is false for a top-level comment of
// the account itself, which answers no one. A comment on an ad may come
// twice: its id dedupes it.
func comment(accountID string, live bool, raw json.RawMessage, entryTime int64) (channel.Inbound, bool, error) {
	var v CommentChange
	if err := json.Unmarshal(raw, &v); err != nil {
		return channel.Inbound{}, false, err
	}
	if v.ID == "" || v.Media.ID == "" || v.From.ID == "" {
		return channel.Inbound{}, false, fmt.Errorf("comment without id, media.id or from.id")
	}
	echo := v.From.ID == accountID
	if echo && v.ParentID == "" {
		return channel.Inbound{}, false, nil
	}
	kind := postKinds[v.Media.MediaProductType]
	switch {
	case live:
		kind = "live"
	case v.Media.AdID != "":
		kind = "ad"
	case kind == "":
		kind = "post"
	}
	in := channel.Inbound{ExternalID: v.ID, ContactID: v.From.ID, Name: v.From.Username, Content: v.Text,
		SentAt: meta.EventTime(entryTime), Public: true, Post: &sahay.Post{ID: v.Media.ID, Kind: kind}, Echo: echo}
	if echo {
		// The account answered a comment in Instagram itself: it belongs
		// with the comment it answers.
		in.Name, in.Thread = "", []string{v.ParentID}
	}
	if in.Content == "" {
		in.Content = "[a comment Sahay cannot show]"
	}
	return in, true, nil
}
