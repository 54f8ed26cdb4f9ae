package x

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
)

// maxPayload bounds one journalled delivery: X's are far smaller.
const maxPayload = 1 << 20

// Payload is an Account Activity delivery: the events of one subscribed
// account. Sahay reads direct messages, their read receipts and the posts
// that mention the account; the other events (follows, likes, typing…)
// are left out.
type Payload struct {
	ForUserID      string             `json:"for_user_id"`
	DirectMessages []DMEvent          `json:"direct_message_events,omitempty"`
	Reads          []ReadEvent        `json:"direct_message_mark_read_events,omitempty"`
	Tweets         []Tweet            `json:"tweet_create_events,omitempty"`
	Users          map[string]RawUser `json:"users,omitempty"`
}

// Envelope is an X Activity API delivery: one event, with its payload in
// the Account Activity shape.
type Envelope struct {
	Data *struct {
		EventUUID string `json:"event_uuid"`
		EventType string `json:"event_type"`
		Filter    struct {
			UserID string `json:"user_id"`
		} `json:"filter"`
		Payload Payload `json:"payload"`
	} `json:"data"`
}

// DMEvent is a direct message event; Sahay reads "message_create".
type DMEvent struct {
	Type             string `json:"type"`
	ID               string `json:"id"`
	CreatedTimestamp string `json:"created_timestamp"`
	MessageCreate    *struct {
		Target struct {
			RecipientID string `json:"recipient_id"`
		} `json:"target"`
		SenderID    string `json:"sender_id"`
		MessageData struct {
			Text     string `json:"text"`
			Entities struct {
				URLs []URLEntity `json:"urls"`
			} `json:"entities"`
			Attachment *struct {
				Type  string `json:"type"`
				Media Media  `json:"media"`
			} `json:"attachment,omitempty"`
		} `json:"message_data"`
	} `json:"message_create,omitempty"`
}

// URLEntity is a link in a text, shortened by X to URL.
type URLEntity struct {
	URL         string `json:"url"`
	ExpandedURL string `json:"expanded_url"`
}

// Media is a file of a direct message or a post.
type Media struct {
	IDStr         string `json:"id_str"`
	MediaURLHTTPS string `json:"media_url_https"`
	URL           string `json:"url"`
	Type          string `json:"type"`
	VideoInfo     *struct {
		Variants []struct {
			ContentType string `json:"content_type"`
			URL         string `json:"url"`
			Bitrate     int    `json:"bitrate"`
		} `json:"variants"`
	} `json:"video_info,omitempty"`
}

// ReadEvent says a person read the direct messages up to one.
type ReadEvent struct {
	SenderID         string `json:"sender_id"`
	LastReadEventID  string `json:"last_read_event_id"`
	CreatedTimestamp string `json:"created_timestamp"`
}

// Tweet is a post, in the v1.1 shape Account Activity delivers.
type Tweet struct {
	IDStr             string    `json:"id_str"`
	Text              string    `json:"text"`
	FullText          string    `json:"full_text"`
	CreatedAt         string    `json:"created_at"`
	TimestampMS       string    `json:"timestamp_ms"`
	InReplyToStatusID string    `json:"in_reply_to_status_id_str"`
	InReplyToUserID   string    `json:"in_reply_to_user_id_str"`
	User              TweetUser `json:"user"`
	ExtendedTweet     *struct {
		FullText string `json:"full_text"`
	} `json:"extended_tweet,omitempty"`
	Entities struct {
		UserMentions []struct {
			IDStr string `json:"id_str"`
		} `json:"user_mentions"`
	} `json:"entities"`
	RetweetedStatus json.RawMessage `json:"retweeted_status,omitempty"`
}

// TweetUser is a post's author.
type TweetUser struct {
	IDStr      string `json:"id_str"`
	Name       string `json:"name"`
	ScreenName string `json:"screen_name"`
}

// RawUser is an entry of a delivery's users: a v1.1 user (name,
// screen_name) or a v2 one (name, username), possibly under "data".
type RawUser struct {
	Name       string `json:"name"`
	ScreenName string `json:"screen_name"`
	Username   string `json:"username"`
	Data       *struct {
		Name     string `json:"name"`
		Username string `json:"username"`
	} `json:"data,omitempty"`
}

func (u RawUser) display() string {
	name, handle := u.Name, u.ScreenName
	if handle == "" {
		handle = u.Username
	}
	if u.Data != nil {
		name, handle = cmp.Or(name, u.Data.Name), cmp.Or(handle, u.Data.Username)
	}
	if name != "" {
		return name
	}
	if handle != "" {
		return "@" + handle
	}
	return ""
}

// PostURL is where a post is seen on X.
func PostURL(id string) string { return "https://x.com/i/web/status/" + id }

// Decode reads a delivery, of Account Activity or of the X Activity API,
// into the Account Activity shape; event is the X Activity API's
// event_uuid, empty for Account Activity.
func Decode(body []byte) (p Payload, event string, err error) {
	if len(body) > maxPayload {
		return p, "", fmt.Errorf("x: delivery of %d bytes is over %d", len(body), maxPayload)
	}
	var env Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return p, "", fmt.Errorf("x: delivery is not JSON: %w", err)
	}
	if env.Data != nil && (env.Data.EventUUID != "" || env.Data.EventType != "") {
		p = env.Data.Payload
		if p.ForUserID == "" {
			p.ForUserID = env.Data.Filter.UserID
		}
		return p, env.Data.EventUUID, nil
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return p, "", fmt.Errorf("x: delivery: %w", err)
	}
	return p, "", nil
}

// Parse reads one journalled delivery for the account userID: its direct
// messages (the account's own are echoes), the read receipts of the
// people it wrote to, and the posts that mention it, as public messages
// on the post they answer. A delivery for another account yields
// nothing, since its messages cannot be answered from this inbox.
func Parse(userID string, body []byte) (channel.Parsed, error) {
	p, _, err := Decode(body)
	if err != nil {
		return channel.Parsed{}, channel.Permanent(err)
	}
	var out channel.Parsed
	if p.ForUserID != "" && p.ForUserID != userID {
		return out, nil
	}
	for i, e := range p.DirectMessages {
		in, ok, err := directMessage(userID, e, p.Users)
		if err != nil {
			return channel.Parsed{}, channel.Permanent(fmt.Errorf("x: direct_message_events[%d]: %w", i, err))
		}
		if ok {
			out.Messages = append(out.Messages, in)
		}
	}
	for i, t := range p.Tweets {
		in, ok, err := mention(userID, t)
		if err != nil {
			return channel.Parsed{}, channel.Permanent(fmt.Errorf("x: tweet_create_events[%d]: %w", i, err))
		}
		if ok {
			out.Messages = append(out.Messages, in)
		}
	}
	for _, r := range p.Reads {
		if r.SenderID != "" && r.SenderID != userID && r.LastReadEventID != "" {
			out.Receipts = append(out.Receipts, channel.Receipt{ExternalID: r.LastReadEventID, Status: sahay.DeliveryRead})
		}
	}
	return out, nil
}

// directMessage reads a message_create event; other types yield nothing.
func directMessage(userID string, e DMEvent, users map[string]RawUser) (channel.Inbound, bool, error) {
	if e.Type != "message_create" || e.MessageCreate == nil {
		return channel.Inbound{}, false, nil
	}
	mc := e.MessageCreate
	if e.ID == "" || mc.SenderID == "" {
		return channel.Inbound{}, false, fmt.Errorf("message without id or sender_id")
	}
	in := channel.Inbound{ExternalID: e.ID, ContactID: mc.SenderID, SentAt: millis(e.CreatedTimestamp)}
	if mc.SenderID == userID {
		if mc.Target.RecipientID == "" || mc.Target.RecipientID == userID {
			return channel.Inbound{}, false, nil
		}
		in.Echo, in.ContactID = true, mc.Target.RecipientID
	} else {
		in.Name = users[mc.SenderID].display()
	}
	text := mc.MessageData.Text
	if a := mc.MessageData.Attachment; a != nil && a.Type == "media" {
		if f, ok := mediaFile(e.ID, a.Media); ok {
			in.Files = append(in.Files, f)
		}
		// X adds the media's own short link to the text: it says nothing.
		if a.Media.URL != "" {
			text = strings.TrimSpace(strings.ReplaceAll(text, a.Media.URL, ""))
		}
	}
	for _, u := range mc.MessageData.Entities.URLs {
		if u.URL != "" && strings.HasPrefix(u.ExpandedURL, "https://") {
			text = strings.ReplaceAll(text, u.URL, u.ExpandedURL)
		}
	}
	in.Content = text
	if in.Content == "" && len(in.Files) == 0 {
		in.Content = "[a message Sahay cannot show]"
	}
	return in, true, nil
}

// mediaFile is the file of a message's media: a photo, or a video's or
// GIF's MP4 of the highest bitrate.
func mediaFile(eventID string, m Media) (channel.RemoteFile, bool) {
	switch m.Type {
	case "photo":
		if !strings.HasPrefix(m.MediaURLHTTPS, "https://") {
			return channel.RemoteFile{}, false
		}
		ext, ct := ".jpg", "image/jpeg"
		if strings.HasSuffix(m.MediaURLHTTPS, ".png") {
			ext, ct = ".png", "image/png"
		}
		return channel.RemoteFile{ID: m.MediaURLHTTPS, Name: "photo-" + eventID + ext, ContentType: ct}, true
	case "video", "animated_gif":
		if m.VideoInfo == nil {
			return channel.RemoteFile{}, false
		}
		best, rate := "", -1
		for _, v := range m.VideoInfo.Variants {
			if v.ContentType == "video/mp4" && strings.HasPrefix(v.URL, "https://") && v.Bitrate > rate {
				best, rate = v.URL, v.Bitrate
			}
		}
		if best == "" {
			return channel.RemoteFile{}, false
		}
		return channel.RemoteFile{ID: best, Name: "video-" + eventID + ".mp4", ContentType: "video/mp4"}, true
	}
	return channel.RemoteFile{}, false
}

// mention reads a post: one that mentions or answers the account is a
// public message on the post it answers (or on itself); the account's
// own answer to a post is an echo kept with the post it answers.
// Retweets and posts that do not concern the account yield nothing.
func mention(userID string, t Tweet) (channel.Inbound, bool, error) {
	if len(t.RetweetedStatus) > 0 && string(t.RetweetedStatus) != "null" {
		return channel.Inbound{}, false, nil
	}
	if t.IDStr == "" || t.User.IDStr == "" {
		return channel.Inbound{}, false, fmt.Errorf("post without id_str or user.id_str")
	}
	text := t.Text
	if t.FullText != "" {
		text = t.FullText
	}
	if t.ExtendedTweet != nil && t.ExtendedTweet.FullText != "" {
		text = t.ExtendedTweet.FullText
	}
	postID := t.IDStr
	if t.InReplyToStatusID != "" {
		postID = t.InReplyToStatusID
	}
	in := channel.Inbound{ExternalID: t.IDStr, ContactID: t.User.IDStr, Content: text, SentAt: tweetTime(t),
		Public: true, Post: &sahay.Post{ID: postID, URL: PostURL(postID), Kind: "post"}}
	if t.User.IDStr == userID {
		if t.InReplyToStatusID == "" {
			return channel.Inbound{}, false, nil
		}
		// The account answered on X itself: it belongs with the post it
		// answers.
		in.Echo, in.Thread = true, []string{t.InReplyToStatusID}
		return in, true, nil
	}
	if !mentions(userID, t) {
		return channel.Inbound{}, false, nil
	}
	in.Name = t.User.Name
	if in.Name == "" && t.User.ScreenName != "" {
		in.Name = "@" + t.User.ScreenName
	}
	if in.Content == "" {
		in.Content = "[a post Sahay cannot show]"
	}
	return in, true, nil
}

func mentions(userID string, t Tweet) bool {
	if t.InReplyToUserID == userID {
		return true
	}
	for _, m := range t.Entities.UserMentions {
		if m.IDStr == userID {
			return true
		}
	}
	return false
}

// millis reads a timestamp in milliseconds since 1970, as X writes them;
// anything else is the zero time (core then uses the time received).
func millis(s string) time.Time {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(n).UTC()
}

// tweetTime is a post's time: timestamp_ms, else created_at
// ("Wed Oct 10 20:19:24 +0000 2018").
func tweetTime(t Tweet) time.Time {
	if at := millis(t.TimestampMS); !at.IsZero() {
		return at
	}
	if at, err := time.Parse(time.RubyDate, t.CreatedAt); err == nil {
		return at.UTC()
	}
	return time.Time{}
}

// dedupeKeys are the ids of what a delivery holds, stable across its
// redeliveries: the X Activity API's event_uuid, or the ids of its
// direct messages, posts and read receipts.
func dedupeKeys(body []byte) ([]string, error) {
	p, event, err := Decode(body)
	if err != nil {
		return nil, err
	}
	if event != "" {
		return []string{"event:" + event}, nil
	}
	var keys []string
	for _, e := range p.DirectMessages {
		if e.ID != "" {
			keys = append(keys, "dm:"+e.ID)
		}
	}
	for _, t := range p.Tweets {
		if t.IDStr != "" {
			keys = append(keys, "post:"+t.IDStr)
		}
	}
	for _, r := range p.Reads {
		if r.LastReadEventID != "" {
			keys = append(keys, "read:"+r.SenderID+":"+r.LastReadEventID)
		}
	}
	return keys, nil
}
