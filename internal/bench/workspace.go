package bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

// Options describe a workspace to generate. Zero fields get the defaults
// noted.
type Options struct {
	// Name is the account's; default [DefaultName]. Another name gives
	// another account beside it, whose users' addresses name it.
	Name          string
	Conversations int // default 100,000
	// MessagesPer is the average number of messages per conversation;
	// each conversation gets between 1 and 2×MessagesPer−1. Zero stores
	// none (the conversations keep a last-message preview).
	MessagesPer int
	Inboxes     int // default 8
	Agents      int // default 20
	Teams       int // default 4
	Labels      int // default 12
	// Contacts defaults to half the conversations: most customers come back.
	Contacts int
	Seed     uint64
	// Batch is how many rows (conversations plus messages) one transaction
	// writes; default 5,000.
	Batch int
	// Needles plants the messages of [Needles] among the others.
	Needles bool
	// PasswordHash is stored for the owner and agents; empty leaves them
	// unable to log in.
	PasswordHash string
	// Now is the end of the generated year of activity; default time.Now.
	Now time.Time
	// Progress, if set, is called after every committed batch.
	Progress func(Progress)
}

// Progress reports how far [Seed] has come.
type Progress struct {
	Phase         string // "contacts" or "conversations"
	Done, Total   int
	Messages      int
	Elapsed       time.Duration
	PhaseDuration time.Duration
}

// Workspace is what a seeded database holds.
type Workspace struct {
	AccountID int64
	OwnerID   int64
	AgentIDs  []int64
	InboxIDs  []int64
	TeamIDs   []int64
	LabelIDs  []int64
	// AgentInboxes lists the inboxes each agent is a member of.
	AgentInboxes map[int64][]int64
	Contacts     int
	Messages     int
	// Conversations is the account's maintained count of conversations.
	Conversations int64
}

// DefaultName is the name of the account [Seed] writes, unless
// Options.Name gives another.
const DefaultName = "Seeded Shop"

// OwnerEmail is the owner's login of the account named [DefaultName].
const OwnerEmail = "owner@seed.sahay.local"

// emails returns the owner's address and the agents' address pattern of
// the account named name.
func emails(name string) (owner, agents string) {
	domain := "seed.sahay.local"
	if name != DefaultName {
		domain = strings.ToLower(strings.Join(strings.Fields(name), "-")) + "." + domain
	}
	return "owner@" + domain, "agent%03d@" + domain
}

var labelNames = []string{"billing", "refund", "delivery", "vip", "complaint", "bug", "feedback", "wholesale",
	"return", "exchange", "cod", "warranty", "urgent", "lead", "spam", "festival-sale"}

var inboxNames = []string{"WhatsApp Dhaka", "Messenger", "Instagram", "Email", "Website chat", "WhatsApp Kolkata",
	"Telegram", "SMS", "Phone", "WhatsApp Delhi", "X", "Wholesale email"}

var teamNames = []string{"Billing", "Delivery", "Returns", "Sales", "Tech", "VIP", "Wholesale", "Night shift"}

func (o *Options) defaults() {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	if o.Name == "" {
		o.Name = DefaultName
	}
	def(&o.Conversations, 100_000)
	def(&o.Inboxes, 8)
	def(&o.Agents, 20)
	def(&o.Teams, 4)
	def(&o.Labels, 12)
	def(&o.Batch, 5_000)
	def(&o.Contacts, o.Conversations/2+1)
	o.Labels = min(o.Labels, len(labelNames))
	o.Teams = min(o.Teams, len(teamNames))
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
}

// Seed writes a new account with its users, inboxes, teams, labels, contacts,
// conversations and messages to st, in transactions of opts.Batch rows,
// through the store's own methods so that every maintained count and index
// stays correct. It emits no events: a seeded workspace has no history for
// realtime clients to replay.
func Seed(ctx context.Context, st *store.Store, opts Options) (*Workspace, error) {
	opts.defaults()
	start := time.Now()
	ws, err := seedSettings(ctx, st, opts)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 1))

	contactIDs, langs, err := seedContacts(ctx, st, ws, opts, start)
	if err != nil {
		return nil, err
	}
	ws.Contacts = len(contactIDs)

	g := &generator{opts: opts, ws: ws, rng: rng, corpus: NewCorpus(opts.Seed + 2), contactIDs: contactIDs, langs: langs}
	if opts.Needles {
		g.needles = needleContents()
		// One needle every so many messages, the first one a little in.
		// One needle every so many messages; any the random timeline
		// lengths leave over go into the last conversation.
		g.needleEvery = max(1, opts.Conversations*max(opts.MessagesPer, 1)/(len(g.needles)+2))
	}
	phase := time.Now()
	done := 0
	for done < opts.Conversations {
		var rows int
		_, err := st.Write(ctx, func(tx *store.Tx) error {
			for rows < opts.Batch && done < opts.Conversations {
				n, err := g.conversation(ctx, tx, done)
				if err != nil {
					return err
				}
				rows += 1 + n
				done++
			}
			// The transaction's messages in one call: on PostgreSQL one
			// statement, where one each made a 10M corpus take hours.
			err := tx.InsertMessages(ctx, g.pending)
			g.messages += len(g.pending)
			g.pending = g.pending[:0]
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("bench: seed conversations: %w", err)
		}
		// Indexed for search as received messages are, after they are
		// stored (SQLite).
		if _, err := st.IndexMessages(ctx, 0); err != nil {
			return nil, fmt.Errorf("bench: index messages: %w", err)
		}
		if opts.Progress != nil {
			opts.Progress(Progress{Phase: "conversations", Done: done, Total: opts.Conversations, Messages: g.messages,
				Elapsed: time.Since(start), PhaseDuration: time.Since(phase)})
		}
	}
	if len(g.needles) > 0 && g.last != nil {
		_, err := st.Write(ctx, func(tx *store.Tx) error {
			for _, content := range g.needles {
				m := &sahay.Message{AccountID: ws.AccountID, ConversationID: g.last.ID, InboxID: g.last.InboxID, Content: content,
					Kind: sahay.MessageIncoming, SenderType: sahay.SenderContact, SenderID: g.last.ContactID, CreatedAt: g.last.LastActivityAt}
				if err := tx.InsertMessage(ctx, m); err != nil {
					return err
				}
				g.messages++
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("bench: seed needles: %w", err)
		}
		if _, err := st.IndexMessages(ctx, 0); err != nil {
			return nil, fmt.Errorf("bench: index messages: %w", err)
		}
	}
	ws.Messages = g.messages
	ws.Conversations = int64(opts.Conversations)
	return ws, nil
}

func seedSettings(ctx context.Context, st *store.Store, opts Options) (*Workspace, error) {
	ws := &Workspace{AgentInboxes: map[int64][]int64{}}
	_, err := st.Write(ctx, func(tx *store.Tx) error {
		acc := &sahay.Account{Name: opts.Name, TimeZone: "Asia/Dhaka", Locales: []string{"en", "bn", "hi"}}
		if err := tx.CreateAccount(ctx, acc); err != nil {
			return err
		}
		ws.AccountID = acc.ID
		ownerEmail, agentPattern := emails(opts.Name)
		owner := &sahay.User{AccountID: acc.ID, Email: ownerEmail, Name: "Seed Owner", Role: sahay.RoleOwner, Languages: []string{"en"}}
		if err := tx.CreateUser(ctx, owner, opts.PasswordHash); err != nil {
			return err
		}
		ws.OwnerID = owner.ID
		locales := []string{"en", "bn", "hi"}
		for i := range opts.Agents {
			loc := locales[i%3]
			u := &sahay.User{AccountID: acc.ID, Email: fmt.Sprintf(agentPattern, i+1), Name: fmt.Sprintf("Agent %d", i+1),
				Role: sahay.RoleAgent, Locale: loc, Languages: []string{loc, "en"}}
			if err := tx.CreateUser(ctx, u, opts.PasswordHash); err != nil {
				return err
			}
			ws.AgentIDs = append(ws.AgentIDs, u.ID)
		}
		for i := range opts.Inboxes {
			name := inboxNames[i%len(inboxNames)]
			if i >= len(inboxNames) {
				name = fmt.Sprintf("%s %d", name, i/len(inboxNames)+1)
			}
			in := &sahay.Inbox{AccountID: acc.ID, Name: name, Channel: "api"}
			if err := tx.CreateInbox(ctx, in, ""); err != nil {
				return err
			}
			ws.InboxIDs = append(ws.InboxIDs, in.ID)
		}
		// Each agent works in about a third of the inboxes; every inbox has
		// agents.
		members := make([][]int64, len(ws.InboxIDs))
		for a, id := range ws.AgentIDs {
			for j := range ws.InboxIDs {
				if j%3 == a%3 || len(ws.InboxIDs) < 3 {
					members[j] = append(members[j], id)
					ws.AgentInboxes[id] = append(ws.AgentInboxes[id], ws.InboxIDs[j])
				}
			}
		}
		for j, in := range ws.InboxIDs {
			if err := tx.SetInboxMembers(ctx, in, members[j]); err != nil {
				return err
			}
		}
		for i := range opts.Teams {
			var m []int64
			for a, id := range ws.AgentIDs {
				if a%opts.Teams == i {
					m = append(m, id)
				}
			}
			team := &sahay.Team{AccountID: acc.ID, Name: teamNames[i], MemberIDs: m}
			if err := tx.CreateTeam(ctx, team); err != nil {
				return err
			}
			ws.TeamIDs = append(ws.TeamIDs, team.ID)
		}
		for i := range opts.Labels {
			l := &sahay.Label{AccountID: acc.ID, Name: labelNames[i], Color: "#6b7280"}
			if err := tx.CreateLabel(ctx, l); err != nil {
				return err
			}
			ws.LabelIDs = append(ws.LabelIDs, l.ID)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bench: seed settings: %w", err)
	}
	return ws, nil
}

func seedContacts(ctx context.Context, st *store.Store, ws *Workspace, opts Options, start time.Time) ([]int64, []string, error) {
	corpus := NewCorpus(opts.Seed + 1)
	rng := corpus.Rand()
	ids := make([]int64, 0, opts.Contacts)
	langs := make([]string, 0, opts.Contacts)
	phase := time.Now()
	for len(ids) < opts.Contacts {
		_, err := st.Write(ctx, func(tx *store.Tx) error {
			for n := 0; n < opts.Batch && len(ids) < opts.Contacts; n++ {
				i := len(ids)
				lang := corpus.Language()
				p := languages[lang]
				name := p.names[rng.IntN(len(p.names))]
				phone := fmt.Sprintf("+880%010d", 1_300_000_000+i)
				if lang == Hindi || lang == Hinglish {
					phone = fmt.Sprintf("+91%010d", 7_000_000_000+i)
				}
				c := &sahay.Contact{AccountID: ws.AccountID, Name: name, Phone: phone,
					Identities: []sahay.ContactIdentity{{Namespace: "phone", ExternalID: phone}}}
				if rng.IntN(3) == 0 {
					c.Email = fmt.Sprintf("customer%d@example.com", i)
					c.Identities = append(c.Identities, sahay.ContactIdentity{Namespace: "email", ExternalID: c.Email})
				}
				if err := tx.CreateContact(ctx, c); err != nil {
					return err
				}
				ids = append(ids, c.ID)
				langs = append(langs, lang)
			}
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("bench: seed contacts: %w", err)
		}
		if opts.Progress != nil {
			opts.Progress(Progress{Phase: "contacts", Done: len(ids), Total: opts.Contacts, Elapsed: time.Since(start), PhaseDuration: time.Since(phase)})
		}
	}
	return ids, langs, nil
}

// generator draws conversations in order of their first message, over the
// year before Options.Now.
type generator struct {
	opts        Options
	ws          *Workspace
	rng         *rand.Rand
	corpus      *Corpus
	contactIDs  []int64
	langs       []string
	messages    int
	needles     []string
	needleEvery int
	last        *sahay.Conversation
	pending     []*sahay.Message // messages drawn, to store with the transaction
}

const year = 365 * 24 * time.Hour

func (g *generator) conversation(ctx context.Context, tx *store.Tx, i int) (int, error) {
	r := g.rng
	ws := g.ws
	span := g.opts.Now.Sub(g.opts.Now.Add(-year))
	begin := g.opts.Now.Add(-year).Add(time.Duration(float64(span) * float64(i) / float64(g.opts.Conversations)))
	ci := r.IntN(len(g.contactIDs))
	lang := g.langs[ci]

	c := &sahay.Conversation{AccountID: ws.AccountID, InboxID: ws.InboxIDs[r.IntN(len(ws.InboxIDs))], ContactID: g.contactIDs[ci],
		Language: Script(lang), Sentiment: float64(r.IntN(201)-100) / 100}
	switch n := r.IntN(100); {
	case n < 15:
		c.Status = sahay.StatusOpen
	case n < 17:
		c.Status = sahay.StatusPending
	case n < 20:
		c.Status = sahay.StatusSnoozed
	default:
		c.Status = sahay.StatusResolved
	}
	if p := r.IntN(10); p >= 6 {
		c.Priority = p - 5 // 40% low to urgent
	}
	if c.Status != sahay.StatusPending && r.IntN(10) >= 3 {
		members := g.members(c.InboxID)
		if len(members) > 0 {
			c.AssigneeID = members[r.IntN(len(members))]
		}
	}
	if len(ws.TeamIDs) > 0 && r.IntN(2) == 0 {
		c.TeamID = ws.TeamIDs[r.IntN(len(ws.TeamIDs))]
	}

	// The timeline: customer first, then turns; the last word is the
	// customer's in 60% of the unresolved conversations.
	count := 1
	if g.opts.MessagesPer > 1 {
		count = 1 + r.IntN(2*g.opts.MessagesPer-1)
	}
	type line struct {
		customer bool
		at       time.Time
	}
	lines := make([]line, count)
	at := begin
	for j := range lines {
		lines[j] = line{customer: j%2 == 0, at: at}
		at = at.Add(time.Duration(1+r.IntN(240)) * time.Minute)
	}
	if c.Status != sahay.StatusResolved && count > 1 && r.IntN(10) < 6 {
		lines[count-1].customer = true
	}
	for _, l := range lines {
		if !l.customer && c.FirstReplyAt == nil {
			t := l.at
			c.FirstReplyAt = &t
		}
	}
	last := lines[count-1]
	c.LastActivityAt = last.at
	if c.Status != sahay.StatusResolved && last.customer {
		// Waiting since the first customer message after the last reply.
		k := count - 1
		for k > 0 && lines[k-1].customer {
			k--
		}
		t := lines[k].at
		c.WaitingSince = &t
	}
	switch c.Status {
	case sahay.StatusResolved:
		t := last.at.Add(time.Duration(5+r.IntN(120)) * time.Minute)
		c.ResolvedAt = &t
	case sahay.StatusSnoozed:
		t := g.opts.Now.Add(time.Duration(1+r.IntN(72)) * time.Hour)
		c.SnoozedUntil = &t
	}
	contents := make([]string, count)
	for j, l := range lines {
		if l.customer {
			contents[j] = g.corpus.Customer(lang)
		} else {
			contents[j] = g.corpus.Agent(lang)
		}
	}
	c.LastMessage = preview(contents[count-1])

	n, err := tx.NextConversationNumber(ctx, ws.AccountID)
	if err != nil {
		return 0, err
	}
	c.DisplayID = n
	if err := tx.InsertConversation(ctx, c); err != nil {
		return 0, err
	}
	if len(ws.LabelIDs) > 0 && r.IntN(100) < 40 {
		labels := []int64{ws.LabelIDs[r.IntN(len(ws.LabelIDs))]}
		if other := ws.LabelIDs[r.IntN(len(ws.LabelIDs))]; r.IntN(3) == 0 && other != labels[0] {
			labels = append(labels, other)
		}
		if err := tx.SetConversationLabels(ctx, c, labels); err != nil {
			return 0, err
		}
	}
	g.last = c
	if g.opts.MessagesPer == 0 {
		return 0, nil
	}
	for j, l := range lines {
		content := contents[j]
		if len(g.needles) > 0 && (g.messages+len(g.pending)+1)%g.needleEvery == 0 {
			content, g.needles = g.needles[0], g.needles[1:]
		}
		m := &sahay.Message{AccountID: ws.AccountID, ConversationID: c.ID, InboxID: c.InboxID, Content: content, CreatedAt: l.at}
		if l.customer {
			m.Kind, m.SenderType, m.SenderID = sahay.MessageIncoming, sahay.SenderContact, c.ContactID
			m.ExternalID = fmt.Sprintf("seed-%d-%d", c.DisplayID, j)
		} else {
			m.Kind, m.SenderType, m.Status = sahay.MessageOutgoing, sahay.SenderUser, sahay.DeliveryDelivered
			m.SenderID = c.AssigneeID
			if m.SenderID == 0 && len(ws.AgentIDs) > 0 {
				m.SenderID = ws.AgentIDs[r.IntN(len(ws.AgentIDs))]
			}
		}
		g.pending = append(g.pending, m)
	}
	return count, nil
}

func (g *generator) members(inboxID int64) []int64 {
	var out []int64
	for _, a := range g.ws.AgentIDs {
		if slices.Contains(g.ws.AgentInboxes[a], inboxID) {
			out = append(out, a)
		}
	}
	return out
}

// preview shortens a message to what a conversation list shows.
func preview(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= 140 {
		return s
	}
	return string([]rune(s)[:140]) + "…"
}

// ErrNoWorkspace is returned by [Load] for a database that was never seeded.
var ErrNoWorkspace = errors.New("bench: no seeded workspace in the database")

// Load describes the seeded workspace of a database that [Seed] wrote:
// the account named [DefaultName].
func Load(ctx context.Context, st *store.Store) (*Workspace, error) {
	return LoadNamed(ctx, st, DefaultName)
}

// LoadNamed describes the seeded account of the name given.
func LoadNamed(ctx context.Context, st *store.Store, name string) (*Workspace, error) {
	accounts, err := st.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(accounts, func(a *sahay.Account) bool { return a.Name == name })
	if i < 0 {
		return nil, ErrNoWorkspace
	}
	ws := &Workspace{AccountID: accounts[i].ID, AgentInboxes: map[int64][]int64{}}
	users, err := st.Users(ctx, ws.AccountID)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if u.Role == sahay.RoleAgent {
			ws.AgentIDs = append(ws.AgentIDs, u.ID)
		} else if u.Role == sahay.RoleOwner {
			ws.OwnerID = u.ID
		}
	}
	inboxes, err := st.Inboxes(ctx, ws.AccountID)
	if err != nil {
		return nil, err
	}
	for _, in := range inboxes {
		ws.InboxIDs = append(ws.InboxIDs, in.ID)
		for _, u := range in.MemberIDs {
			ws.AgentInboxes[u] = append(ws.AgentInboxes[u], in.ID)
		}
	}
	teams, err := st.Teams(ctx, ws.AccountID)
	if err != nil {
		return nil, err
	}
	for _, t := range teams {
		ws.TeamIDs = append(ws.TeamIDs, t.ID)
	}
	labels, err := st.Labels(ctx, ws.AccountID)
	if err != nil {
		return nil, err
	}
	for _, l := range labels {
		ws.LabelIDs = append(ws.LabelIDs, l.ID)
	}
	convs, _, _, err := st.ConversationCounts(ctx, ws.AccountID)
	if err != nil {
		return nil, err
	}
	for _, r := range convs {
		ws.Conversations += r.N
	}
	return ws, nil
}
