package messenger

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/meta"
)

// maxEntry bounds one journalled entry: Meta's batches are far smaller.
const maxEntry = 1 << 20

// Parse reads one entry of a page's webhook delivery, as the webhook
// journalled it: its messaging and standby events (messages, echoes,
// edits, reactions, postbacks, receipts) and its feed changes (comments on
// the page's posts). pageID is the inbox's page: an entry of another page
// (one Meta app serving several) yields nothing, since its messages
// cannot be answered from this inbox.
func Parse(pageID string, body []byte) (channel.Parsed, error) {
	if len(body) > maxEntry {
		return channel.Parsed{}, fmt.Errorf("messenger: entry of %d bytes is over %d", len(body), maxEntry)
	}
	e, err := meta.ParseEntry(body)
	if err != nil {
		return channel.Parsed{}, err
	}
	if e.ID != pageID {
		return channel.Parsed{}, nil
	}
	p, err := meta.Messaging(pageID, append(e.Messaging, e.Standby...))
	if err != nil {
		return channel.Parsed{}, err
	}
	for i, c := range e.Changes {
		if c.Field != "feed" {
			continue
		}
		in, ok, err := comment(pageID, c.Value)
		if err != nil {
			return channel.Parsed{}, fmt.Errorf("messenger: changes[%d]: %w", i, err)
		}
		if ok {
			p.Messages = append(p.Messages, in)
		}
	}
	return p, nil
}

// FeedChange is the value of a page's "feed" change: a post, a comment, a
// reaction… Sahay reads comments.
type FeedChange struct {
	Item      string `json:"item"`
	Verb      string `json:"verb"`
	CommentID string `json:"comment_id"`
	PostID    string `json:"post_id"`
	// ParentID is the comment this one answers, or the post.
	ParentID    string    `json:"parent_id,omitempty"`
	Message     string    `json:"message,omitempty"`
	From        FeedFrom  `json:"from"`
	CreatedTime FlexTime  `json:"created_time,omitempty"`
	Post        *FeedPost `json:"post,omitempty"`
	// Photo and Video are the address of a file the comment carries.
	Photo string `json:"photo,omitempty"`
	Video string `json:"video,omitempty"`
}

// FeedFrom is who wrote a comment: a person, or the page.
type FeedFrom struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// FeedPost is what a feed change says of the post a comment is on.
type FeedPost struct {
	ID           string `json:"id,omitempty"`
	PermalinkURL string `json:"permalink_url,omitempty"`
}

// comment reads a feed change; ok is false for one that is not a new or
// edited comment (a like, a post, a removal), or a top-level comment of
// the page itself, which answers no one.
func comment(pageID string, raw json.RawMessage) (channel.Inbound, bool, error) {
	var v FeedChange
	if err := json.Unmarshal(raw, &v); err != nil {
		return channel.Inbound{}, false, err
	}
	if v.Item != "comment" || v.Verb != "add" && v.Verb != "edited" {
		return channel.Inbound{}, false, nil
	}
	if v.CommentID == "" || v.PostID == "" || v.From.ID == "" {
		return channel.Inbound{}, false, fmt.Errorf("comment without comment_id, post_id or from.id")
	}
	echo := v.From.ID == pageID
	if echo && (v.ParentID == "" || v.ParentID == v.PostID) {
		return channel.Inbound{}, false, nil
	}
	post := &sahay.Post{ID: v.PostID, URL: "https://www.facebook.com/" + v.PostID, Kind: "post"}
	if v.Post != nil && strings.HasPrefix(v.Post.PermalinkURL, "https://") {
		post.URL = v.Post.PermalinkURL
	}
	in := channel.Inbound{ExternalID: v.CommentID, ContactID: v.From.ID, Name: v.From.Name, Content: v.Message,
		SentAt: v.CreatedTime.Time, Public: true, Post: post, Edit: v.Verb == "edited", Echo: echo}
	if echo {
		// The page answered a comment in Meta's own tools: it belongs with
		// the comment it answers.
		in.Name, in.Thread = "", []string{v.ParentID}
	}
	if v.Photo != "" {
		in.Files = append(in.Files, channel.RemoteFile{ID: v.Photo, Name: "photo-" + v.CommentID + ".jpg", ContentType: "image/jpeg"})
	}
	if v.Video != "" {
		in.Files = append(in.Files, channel.RemoteFile{ID: v.Video, Name: "video-" + v.CommentID + ".mp4", ContentType: "video/mp4"})
	}
	if in.Content == "" && len(in.Files) == 0 {
		in.Content = "[a comment Sahay cannot show]"
	}
	return in, true, nil
}

// FlexTime reads a feed change's created_time: seconds since 1970, as a
// number or a string of digits, or an ISO 8601 time such as
// 2026-12-05T11:00:00+0000.
type FlexTime struct{ time.Time }

// UnmarshalJSON implements [json.Unmarshaler].
func (t *FlexTime) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	s := string(b)
	if b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		t.Time = meta.EventTime(n)
		return nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05-0700", time.RFC3339} {
		if v, err := time.Parse(layout, s); err == nil {
			t.Time = v.UTC()
			return nil
		}
	}
	return fmt.Errorf("created_time %.40q is not a time", s)
}
