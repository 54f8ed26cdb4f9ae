package widget

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
)

// publicSettings are the settings a visitor's browser may see: no secrets,
// no allowed domains, no identity policy details beyond what the SDK needs.
type publicSettings struct {
	Title        string     `json:"title"`
	Color        string     `json:"color"`
	TextColor    string     `json:"text_color"`
	Position     string     `json:"position"`
	LauncherIcon string     `json:"launcher_icon"`
	LauncherText string     `json:"launcher_text"`
	Greeting     string     `json:"greeting"`
	AwayMessage  string     `json:"away_message"`
	ReplyTime    string     `json:"reply_time"`
	Avatars      []string   `json:"avatars"`
	Team         []string   `json:"team"`
	Online       bool       `json:"online"`
	InHours      bool       `json:"in_hours"`
	PreChat      PreChat    `json:"pre_chat"`
	Attachments  bool       `json:"attachments"`
	MaxFileBytes int64      `json:"max_file_bytes"`
	FileTypes    []string   `json:"file_types"`
	CSAT         bool       `json:"csat"`
	EmailMe      bool       `json:"email_transcript"`
	Campaigns    []Campaign `json:"campaigns"`
	// Phone is the phone line the widget offers, when it offers calls.
	Phone *publicPhone `json:"phone,omitempty"`
}

// teamStatus is who works an inbox and whether any of them is available,
// kept for a few seconds per inbox.
type teamStatus struct {
	names  []string
	online bool
	at     time.Time
}

func (s *Server) team(ctx context.Context, in *widgetInbox) (teamStatus, error) {
	s.teamMu.Lock()
	t, ok := s.teams[in.ID]
	s.teamMu.Unlock()
	if ok && time.Since(t.at) < 15*time.Second {
		return t, nil
	}
	users, err := s.svc.InboxAgents(ctx, in.Inbox)
	if err != nil {
		return t, err
	}
	t = teamStatus{names: []string{}, at: time.Now()}
	for _, u := range users {
		if len(t.names) < 3 {
			t.names = append(t.names, u.Name)
		}
		if s.svc.Available(u) {
			t.online = true
		}
	}
	s.teamMu.Lock()
	s.teams[in.ID] = t
	s.teamMu.Unlock()
	return t, nil
}

func (s *Server) publicSettings(ctx context.Context, in *widgetInbox, set Settings) (publicSettings, error) {
	t, err := s.team(ctx, in)
	if err != nil {
		return publicSettings{}, err
	}
	// The inbox's own hours, else the account's.
	hours, err := s.svc.EffectiveHours(ctx, in.AccountID, set.BusinessHours)
	if err != nil {
		return publicSettings{}, err
	}
	p := publicSettings{
		Title: set.Title, Color: set.Color, TextColor: set.TextColor, Position: set.Position, LauncherIcon: set.LauncherIcon,
		LauncherText: set.LauncherText, Greeting: set.Greeting, AwayMessage: set.AwayMessage, ReplyTime: set.ReplyTime,
		Avatars: set.Avatars, Team: t.names, InHours: hours.Open(time.Now()), PreChat: set.PreChat,
		Attachments: set.Attachments, MaxFileBytes: s.cfg.Limits.AttachmentBytes, FileTypes: fileTypes,
		CSAT: set.CSAT, EmailMe: s.cfg.Mailer != nil, Campaigns: []Campaign{}, Phone: s.phone(ctx, in.AccountID, set),
	}
	if p.Title == "" {
		p.Title = in.Name
	}
	p.Online = t.online && p.InHours
	for _, c := range set.Campaigns {
		if c.Enabled {
			p.Campaigns = append(p.Campaigns, c)
		}
	}
	return p, nil
}

// visitorConversation is a conversation as its visitor sees it.
type visitorConversation struct {
	ID           int64     `json:"id"`
	Number       int64     `json:"number"`
	Status       string    `json:"status"`
	LastMessage  string    `json:"last_message"`
	LastActivity time.Time `json:"last_activity_at"`
	// SeenUpto is the last of the visitor's messages the team has read.
	SeenUpto int64 `json:"seen_upto"`
	// Rating is the visitor's CSAT rating, 0 if none.
	Rating int `json:"rating"`
}

func toVisitorConversation(c *sahay.Conversation) visitorConversation {
	return visitorConversation{ID: c.ID, Number: c.DisplayID, Status: c.Status, LastMessage: c.LastMessage, LastActivity: c.LastActivityAt}
}

// conversations lists a contact's conversations in the inbox, latest first.
func (s *Server) conversations(ctx context.Context, in *widgetInbox, contactID int64) ([]visitorConversation, error) {
	cs, err := s.svc.CustomerConversations(ctx, in.Inbox, contactID, 20)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	seen, err := s.svc.TeamSeen(ctx, in.AccountID, ids)
	if err != nil {
		return nil, err
	}
	out := make([]visitorConversation, 0, len(cs))
	for _, c := range cs {
		vc := toVisitorConversation(c)
		vc.SeenUpto = seen[c.ID]
		if c.Status == sahay.StatusResolved {
			if r, err := s.svc.ConversationRating(ctx, c); err == nil {
				vc.Rating = r.Rating
			}
		}
		out = append(out, vc)
	}
	return out, nil
}

func (s *Server) handleConversations(w http.ResponseWriter, r *http.Request) error {
	v, err := s.visitor(r)
	if err != nil {
		return err
	}
	out := []visitorConversation{}
	id, err := s.contactID(r.Context(), v)
	if err != nil {
		return err
	}
	if id != 0 {
		if out, err = s.conversations(r.Context(), v.inbox, id); err != nil {
			return err
		}
	}
	return httpx.OK(w, map[string]any{"conversations": out})
}

// pathConversation reads the visitor of a request and the conversation
// named by its {id}, which must be theirs.
func (s *Server) pathConversation(r *http.Request) (*visitor, *sahay.Conversation, int64, error) {
	v, err := s.visitor(r)
	if err != nil {
		return nil, nil, 0, err
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return nil, nil, 0, err
	}
	c, contactID, err := s.ownConversation(r.Context(), v, id)
	if err != nil {
		return nil, nil, 0, err
	}
	return v, c, contactID, nil
}

// ownConversation returns a conversation of the visitor; another visitor's
// looks the same as a missing one.
func (s *Server) ownConversation(ctx context.Context, v *visitor, id int64) (*sahay.Conversation, int64, error) {
	contactID, err := s.contactID(ctx, v)
	if err != nil {
		return nil, 0, err
	}
	c, err := s.svc.CustomerConversation(ctx, v.inbox.Inbox, contactID, id)
	if err != nil {
		return nil, 0, err
	}
	return c, contactID, nil
}

// visitorMessage is a message as the visitor sees it: never a private note
// or an activity line, never an agent's email.
type visitorMessage struct {
	ID     int64         `json:"id"`
	Conv   int64         `json:"conv"`
	Out    bool          `json:"out"`
	Text   string        `json:"text"`
	At     time.Time     `json:"at"`
	Status string        `json:"status,omitempty"`
	Sender string        `json:"sender,omitempty"`
	Files  []visitorFile `json:"files,omitempty"`
}

type visitorFile struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Size int64  `json:"size"`
	URL  string `json:"url"`
}

// toVisitorMessage converts m, or reports false for a message the visitor
// must not see.
func (s *Server) toVisitorMessage(ctx context.Context, m *sahay.Message) (visitorMessage, bool) {
	if m.Private() || (m.Kind != sahay.MessageIncoming && m.Kind != sahay.MessageOutgoing) {
		return visitorMessage{}, false
	}
	vm := visitorMessage{ID: m.ID, Conv: m.ConversationID, Out: m.Kind == sahay.MessageOutgoing, Text: m.Content, At: m.CreatedAt}
	if vm.Out {
		vm.Status = m.Status
		if m.SenderType == sahay.SenderUser {
			vm.Sender = s.userName(ctx, m.AccountID, m.SenderID)
		}
	}
	for _, a := range m.Attachments {
		if a.StorageKey == "" {
			continue
		}
		vm.Files = append(vm.Files, visitorFile{Name: a.FileName, Type: a.ContentType, Size: a.Size, URL: "/widget/v1/files/" + a.StorageKey})
	}
	return vm, true
}

// cachedName is an agent's display name, kept for a minute.
type cachedName struct {
	name string
	at   time.Time
}

// userName returns an agent's display name: the first word of their name,
// which is what a visitor needs and no more.
func (s *Server) userName(ctx context.Context, accountID, id int64) string {
	s.namesMu.Lock()
	n, ok := s.names[id]
	s.namesMu.Unlock()
	if ok && time.Since(n.at) < time.Minute {
		return n.name
	}
	name, err := s.svc.UserName(ctx, accountID, id)
	if err != nil {
		return ""
	}
	name = strings.TrimSpace(name)
	if f := strings.Fields(name); len(f) > 0 {
		name = f[0]
	}
	s.namesMu.Lock()
	s.names[id] = cachedName{name, time.Now()}
	s.namesMu.Unlock()
	return name
}

func (s *Server) handleMessages(w http.ResponseWriter, r *http.Request) error {
	v, c, _, err := s.pathConversation(r)
	if err != nil {
		return err
	}
	before, err := httpx.QueryInt(r, "before")
	if err != nil {
		return err
	}
	ms, err := s.svc.CustomerMessages(r.Context(), c, before, 50)
	if err != nil {
		return err
	}
	out := []visitorMessage{}
	for _, m := range ms {
		if vm, ok := s.toVisitorMessage(r.Context(), m); ok {
			out = append(out, vm)
		}
	}
	seen, err := s.svc.TeamSeen(r.Context(), v.inbox.AccountID, []int64{c.ID})
	if err != nil {
		return err
	}
	vc := toVisitorConversation(c)
	vc.SeenUpto = seen[c.ID]
	return httpx.OK(w, map[string]any{"conversation": vc, "messages": out, "more": len(ms) == 50})
}

// SendRequest is a visitor's message.
type SendRequest struct {
	// ClientID is the browser's id for the message; sending the same one
	// again (after a reconnect) stores the message once.
	ClientID string `json:"cid"`
	Text     string `json:"text"`
	// Campaign is the proactive campaign this message answers, if any.
	Campaign string `json:"campaign,omitempty"`
	// Conversation is the visitor's conversation the message continues;
	// 0 means their open one, or a new one if they have none.
	Conversation int64 `json:"conversation,omitempty"`
	// New starts another conversation even if one is open.
	New bool `json:"new,omitempty"`
}

var clientIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{6,64}$`)

// receive hands a visitor's message to the inbound pipeline and returns it
// as the visitor sees it, with its conversation.
func (s *Server) receive(ctx context.Context, v *visitor, req SendRequest, files []sahay.Attachment) (visitorMessage, visitorConversation, error) {
	if !clientIDPattern.MatchString(req.ClientID) {
		return visitorMessage{}, visitorConversation{}, sahay.Invalid("cid must be 6 to 64 letters, digits, - or _")
	}
	if _, err := core.CleanText("text", req.Text, core.MaxContentBytes); err != nil {
		return visitorMessage{}, visitorConversation{}, err
	}
	if req.Conversation < 0 {
		return visitorMessage{}, visitorConversation{}, sahay.Invalid("conversation must be the id of one of your conversations")
	}
	if req.Conversation != 0 && req.New {
		return visitorMessage{}, visitorConversation{}, sahay.Invalid("send either conversation or new, not both")
	}
	if err := s.limitNewContact(ctx, v); err != nil {
		return visitorMessage{}, visitorConversation{}, err
	}
	in := channel.Inbound{InboxID: v.inbox.ID, ExternalID: v.subject + "/" + req.ClientID, ContactID: v.subject,
		Content: req.Text, SentAt: time.Now(), Attachments: files, ConversationID: req.Conversation, NewConversation: req.New}
	campaign := slices.IndexFunc(v.inbox.settings.Campaigns, func(c Campaign) bool { return c.ID == req.Campaign })
	if req.Campaign != "" && campaign >= 0 {
		// The server's copy of the words the visitor answers, never the page's.
		in.Opening = v.inbox.settings.Campaigns[campaign].Message
	}
	rec, err := s.svc.Receive(ctx, in)
	if err != nil {
		return visitorMessage{}, visitorConversation{}, err
	}
	if rec.Conversation.ContactID != 0 {
		s.hub.sockets.BindContact(v.inbox.ID, v.subject, rec.Conversation.ContactID)
		s.hub.sockets.AddConversation(rec.Conversation.ContactID, rec.Conversation.ID)
	}
	if campaign >= 0 && rec.Created {
		if err := s.svc.CountCampaign(ctx, v.inbox.Inbox, req.Campaign, 0, 1); err != nil {
			s.log.Warn("count campaign reply", "err", err)
		}
	}
	vm, _ := s.toVisitorMessage(ctx, rec.Message)
	return vm, toVisitorConversation(rec.Conversation), nil
}

func (s *Server) handlePostMessage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.visitor(r)
	if err != nil {
		return err
	}
	var req SendRequest
	if err := httpx.Decode(w, r, &req); err != nil {
		return err
	}
	m, c, err := s.receive(r.Context(), v, req, nil)
	if err != nil {
		return err
	}
	return httpx.OK(w, map[string]any{"message": m, "conversation": c})
}

// fileTypes are the attachment types visitors may send.
var fileTypes = []string{"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain", "text/csv",
	"application/zip", "application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

// handleUpload stores a visitor's file and sends it as a message (with the
// optional text field as its caption).
func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request) error {
	v, err := s.visitor(r)
	if err != nil {
		return err
	}
	if !v.inbox.settings.Attachments {
		return sahay.Errorf(sahay.EFORBIDDEN, "this chat does not accept files")
	}
	limit := s.cfg.Limits.AttachmentBytes
	r.Body = http.MaxBytesReader(w, r.Body, limit+64<<10)
	f, hdr, err := r.FormFile("file")
	if err != nil {
		if strings.Contains(err.Error(), "too large") {
			return sahay.Errorf(sahay.ETOOLARGE, "the file is larger than %d MB", limit>>20)
		}
		return sahay.BadRequest("send the file as multipart/form-data field \"file\"")
	}
	defer f.Close()
	if hdr.Size > limit {
		return sahay.Errorf(sahay.ETOOLARGE, "the file is larger than %d MB", limit>>20)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return sahay.Invalid("could not read the file")
	}
	if int64(len(data)) > limit {
		return sahay.Errorf(sahay.ETOOLARGE, "the file is larger than %d MB", limit>>20)
	}
	name := strings.Map(func(r rune) rune {
		if r < 32 || r == '/' || r == '\\' || r == '"' {
			return '_'
		}
		return r
	}, path.Base(hdr.Filename))
	if len(name) > 200 || name == "" || name == "." {
		name = "file" + path.Ext(name)
	}
	cid := r.FormValue("cid")
	if !clientIDPattern.MatchString(cid) {
		return sahay.Invalid("cid must be 6 to 64 letters, digits, - or _")
	}
	req := SendRequest{ClientID: cid, Text: r.FormValue("text"), New: r.FormValue("new") == "true"}
	if c := r.FormValue("conversation"); c != "" {
		if req.Conversation, err = strconv.ParseInt(c, 10, 64); err != nil {
			return sahay.Invalid("conversation must be the id of one of your conversations")
		}
	}
	att, err := s.svc.StoreFile(r.Context(), core.Upload{FileName: name, ContentType: hdr.Header.Get("Content-Type"),
		Body: bytes.NewReader(data), Allowed: fileTypes})
	if err != nil {
		return err
	}
	m, c, err := s.receive(r.Context(), v, req, []sahay.Attachment{att})
	if err != nil {
		return err
	}
	return httpx.OK(w, map[string]any{"message": m, "conversation": c})
}

// handleFile serves a file of one of the visitor's conversations.
func (s *Server) handleFile(w http.ResponseWriter, r *http.Request) error {
	v, err := s.visitor(r)
	if err != nil {
		return err
	}
	contactID, err := s.contactID(r.Context(), v)
	if err != nil {
		return err
	}
	a, f, err := s.svc.CustomerFile(r.Context(), v.inbox.Inbox, contactID, r.PathValue("key"))
	if err != nil {
		return err
	}
	defer f.Close()
	httpx.ServeAttachment(w, r, a, f)
	return nil
}

// CSATRequest is a visitor's rating.
type CSATRequest struct {
	Rating  int    `json:"rating"`
	Comment string `json:"comment"`
}

func (s *Server) handleCSAT(w http.ResponseWriter, r *http.Request) error {
	v, err := s.visitor(r)
	if err != nil {
		return err
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var req CSATRequest
	if err := httpx.Decode(w, r, &req); err != nil {
		return err
	}
	c, contactID, err := s.ownConversation(r.Context(), v, id)
	if err != nil {
		return err
	}
	rating, err := s.svc.RateConversation(r.Context(), v.inbox.Inbox, c.ID, contactID, req.Rating, req.Comment)
	if err != nil {
		return err
	}
	return httpx.OK(w, rating)
}

// TranscriptRequest asks for a conversation's transcript by email.
type TranscriptRequest struct {
	Email string `json:"email"`
}

// handleTranscript emails a conversation's transcript to the visitor (to
// the given address, else the contact's), or, with ?download=1, returns it
// as a text file.
func (s *Server) handleTranscript(w http.ResponseWriter, r *http.Request) error {
	v, c, _, err := s.pathConversation(r)
	if err != nil {
		return err
	}
	text, err := s.transcript(r.Context(), v, c)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("download") == "1" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="conversation-%d.txt"`, c.DisplayID))
		_, err := io.WriteString(w, text)
		return err
	}
	var req TranscriptRequest
	if err := httpx.Decode(w, r, &req); err != nil {
		return err
	}
	to := strings.ToLower(strings.TrimSpace(req.Email))
	if to == "" {
		contact, err := s.svc.ChannelContact(r.Context(), v.inbox.Inbox, "", v.subject)
		if err != nil {
			return err
		}
		to = contact.Email
	}
	if !strings.Contains(to, "@") || len(to) > 254 {
		return sahay.Invalid("an email address is needed to send the transcript")
	}
	if s.cfg.Mailer == nil {
		return sahay.Errorf(sahay.ECONFLICT, "email is not set up on this server; download the transcript instead")
	}
	if err := limitVisitor(v, s.limits.transcriptsPerVisitor, "transcripts emailed"); err != nil {
		return err
	}
	subject := fmt.Sprintf("%s: conversation #%d", v.inbox.Name, c.DisplayID)
	if err := s.cfg.Mailer.Send(r.Context(), to, subject, text); err != nil {
		return err
	}
	return httpx.OK(w, map[string]string{"sent_to": to})
}

func (s *Server) transcript(ctx context.Context, v *visitor, c *sahay.Conversation) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s — conversation #%d\n\n", v.inbox.Name, c.DisplayID)
	var all []*sahay.Message
	before := int64(0)
	for range 40 {
		ms, err := s.svc.CustomerMessages(ctx, c, before, 200)
		if err != nil {
			return "", err
		}
		all = append(ms, all...)
		if len(ms) < 200 {
			break
		}
		before = ms[0].ID
	}
	for _, m := range all {
		vm, ok := s.toVisitorMessage(ctx, m)
		if !ok {
			continue
		}
		who := "You"
		if vm.Out {
			who = vm.Sender
			if who == "" {
				who = v.inbox.Name
			}
		}
		fmt.Fprintf(&b, "[%s] %s: %s\n", vm.At.Format("2006-01-02 15:04 MST"), who, vm.Text)
		for _, f := range vm.Files {
			fmt.Fprintf(&b, "    (file: %s)\n", f.Name)
		}
	}
	return b.String(), nil
}

// CommerceRequest is what setCart and trackOrder report.
type CommerceRequest struct {
	Cart  *CartInfo  `json:"cart"`
	Order *OrderInfo `json:"order"`
}

// CartInfo is the visitor's cart.
type CartInfo struct {
	Items    []Item  `json:"items"`
	Total    float64 `json:"total"`
	Currency string  `json:"currency"`
}

// OrderInfo is an order the visitor placed.
type OrderInfo struct {
	ID       string  `json:"id"`
	Items    []Item  `json:"items"`
	Total    float64 `json:"total"`
	Currency string  `json:"currency"`
	Status   string  `json:"status"`
	URL      string  `json:"url"`
}

// Item is a line of a cart or order.
type Item struct {
	Name     string  `json:"name"`
	SKU      string  `json:"sku,omitempty"`
	Quantity float64 `json:"quantity"`
	Price    float64 `json:"price"`
	URL      string  `json:"url,omitempty"`
}

var currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)

func checkItems(items []Item) error {
	if len(items) > 100 {
		return sahay.Invalid("at most 100 items")
	}
	for _, it := range items {
		if len(it.Name) > 300 || len(it.SKU) > 100 || len(it.URL) > 1000 || it.Quantity < 0 || it.Price < 0 {
			return sahay.Invalid("item %q: name ≤ 300 bytes, sku ≤ 100, url ≤ 1000, quantity and price not negative", it.Name)
		}
	}
	return nil
}

func (s *Server) handleCommerce(w http.ResponseWriter, r *http.Request) error {
	v, err := s.visitor(r)
	if err != nil {
		return err
	}
	var req CommerceRequest
	if err := httpx.Decode(w, r, &req); err != nil {
		return err
	}
	o := &sahay.Order{AccountID: v.inbox.AccountID, InboxID: v.inbox.ID, Source: "widget"}
	var items []Item
	switch {
	case req.Cart != nil && req.Order == nil:
		o.Kind, o.ExternalID, o.Total, o.Currency, o.Status = "cart", v.subject, money(req.Cart.Total), req.Cart.Currency, "open"
		items = req.Cart.Items
	case req.Order != nil && req.Cart == nil:
		if req.Order.ID == "" || len(req.Order.ID) > 100 || len(req.Order.Status) > 50 || len(req.Order.URL) > 1000 {
			return sahay.Invalid("order needs an id of at most 100 bytes")
		}
		o.Kind, o.ExternalID, o.Total, o.Currency, o.Status, o.URL = "order", req.Order.ID, money(req.Order.Total), req.Order.Currency, req.Order.Status, req.Order.URL
		items = req.Order.Items
		if o.Status == "" {
			o.Status = "placed"
		}
	default:
		return sahay.Invalid("send either cart or order")
	}
	if o.Currency = strings.ToUpper(o.Currency); o.Currency != "" && !currencyPattern.MatchString(o.Currency) {
		return sahay.Invalid("currency is a three-letter code such as BDT or USD")
	}
	if err := checkItems(items); err != nil {
		return err
	}
	if items == nil {
		items = []Item{}
	}
	o.Items, _ = json.Marshal(items)
	if err := s.limitNewContact(r.Context(), v); err != nil {
		return err
	}
	c, err := s.svc.UpsertChannelContact(r.Context(), v.inbox.Inbox, "", v.subject, core.ContactFields{})
	if err != nil {
		return err
	}
	s.hub.sockets.BindContact(v.inbox.ID, v.subject, c.ID)
	o.ContactID = c.ID
	if err := s.svc.RecordOrder(r.Context(), o); err != nil {
		return err
	}
	if o.Kind == "cart" {
		s.hub.setCart(v.inbox.AccountID, v.inbox.ID, v.subject, o.Total+" "+o.Currency)
	}
	return httpx.OK(w, o)
}

func money(v float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".")
}

func (s *Server) handleCampaignShown(w http.ResponseWriter, r *http.Request) error {
	v, err := s.visitor(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if !slices.ContainsFunc(v.inbox.settings.Campaigns, func(c Campaign) bool { return c.ID == id }) {
		return sahay.NotFound("campaign")
	}
	if err := s.svc.CountCampaign(r.Context(), v.inbox.Inbox, id, 1, 0); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// announceTeam tells the account's open chat windows whether the team is
// online now, and whether someone takes calls on the widget's phone line:
// {"t":"status","online":true,"phone":{…}}.
func (s *Server) announceTeam(accountID int64) {
	inboxes := s.hub.sockets.Inboxes(accountID)
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	for _, id := range inboxes {
		in, err := s.cache.get(ctx, accountID, id)
		if err != nil {
			continue
		}
		t, err := s.team(ctx, in)
		if err != nil {
			s.log.Warn("widget: team status", "inbox", id, "err", err)
			continue
		}
		hours, err := s.svc.EffectiveHours(ctx, accountID, in.settings.BusinessHours)
		if err != nil {
			s.log.Warn("widget: business hours", "inbox", id, "err", err)
			continue
		}
		status := map[string]any{"t": "status", "online": t.online && hours.Open(time.Now())}
		if p := s.phone(ctx, accountID, in.settings); p != nil {
			status["phone"] = p
		}
		data, _ := json.Marshal(status)
		s.hub.sockets.SendInbox(id, data)
	}
}
