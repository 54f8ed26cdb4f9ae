package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/textnorm"
)

const contactColumns = `id, account_id, name, email, phone, attributes, created_at, updated_at`

func scanContact(row interface{ Scan(...any) error }) (*sahay.Contact, error) {
	var c sahay.Contact
	var attrs string
	var created, updated int64
	if err := row.Scan(&c.ID, &c.AccountID, &c.Name, &c.Email, &c.Phone, &attrs, &created, &updated); err != nil {
		return nil, err
	}
	json.Unmarshal([]byte(attrs), &c.Attributes)
	if c.Attributes == nil {
		c.Attributes = map[string]any{}
	}
	c.Identities = []sahay.ContactIdentity{}
	c.CreatedAt = fromMS(created)
	c.UpdatedAt = fromMS(updated)
	return &c, nil
}

func contactSearchText(c *sahay.Contact) string {
	return textnorm.ForSearch(strings.Join([]string{c.Name, c.Email, strings.ReplaceAll(c.Email, "@", " "), c.Phone}, " "))
}

func (t *Tx) indexContact(ctx context.Context, c *sahay.Contact, replace bool) error {
	if t.s.dialect != SQLite {
		return nil
	}
	if replace {
		if _, err := t.tx.ExecContext(ctx, `DELETE FROM contacts_fts WHERE rowid = $1`, c.ID); err != nil {
			return fmt.Errorf("store: index contact: %w", err)
		}
	}
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO contacts_fts (rowid, search_text) VALUES ($1, $2)`, c.ID, contactSearchText(c)); err != nil {
		return fmt.Errorf("store: index contact: %w", err)
	}
	return nil
}

// CreateContact inserts a contact and its identities.
func (t *Tx) CreateContact(ctx context.Context, c *sahay.Contact) error {
	if c.Attributes == nil {
		c.Attributes = map[string]any{}
	}
	c.CreatedAt, c.UpdatedAt = t.now, t.now
	err := t.tx.QueryRowContext(ctx, `INSERT INTO contacts (account_id, name, email, phone, attributes, search_text, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
		c.AccountID, c.Name, c.Email, c.Phone, encodeJSON(c.Attributes), contactSearchText(c), ms(t.now)).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("store: create contact: %w", err)
	}
	if err := t.indexContact(ctx, c, false); err != nil {
		return err
	}
	ids := c.Identities
	c.Identities = []sahay.ContactIdentity{}
	for _, id := range ids {
		if err := t.AddIdentity(ctx, c, id.Namespace, id.ExternalID); err != nil {
			return err
		}
	}
	return nil
}

// UpdateContact saves a contact's fields.
func (t *Tx) UpdateContact(ctx context.Context, c *sahay.Contact) error {
	c.UpdatedAt = t.now
	res, err := t.tx.ExecContext(ctx, `UPDATE contacts SET name = $3, email = $4, phone = $5, attributes = $6, search_text = $7, updated_at = $8
		WHERE id = $1 AND account_id = $2`,
		c.ID, c.AccountID, c.Name, c.Email, c.Phone, encodeJSON(c.Attributes), contactSearchText(c), ms(t.now))
	if err != nil {
		return fmt.Errorf("store: update contact: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sahay.NotFound("contact")
	}
	return t.indexContact(ctx, c, true)
}

// AddIdentity links a channel identity to a contact. An identity already
// linked to another contact is a conflict.
func (t *Tx) AddIdentity(ctx context.Context, c *sahay.Contact, namespace, externalID string) error {
	var id sahay.ContactIdentity
	err := t.tx.QueryRowContext(ctx, `INSERT INTO contact_identities (account_id, contact_id, namespace, external_id) VALUES ($1, $2, $3, $4)
		ON CONFLICT (account_id, namespace, external_id) DO NOTHING RETURNING id`,
		c.AccountID, c.ID, namespace, externalID).Scan(&id.ID)
	if err == sql.ErrNoRows {
		return sahay.Errorf(sahay.ECONFLICT, "identity %s:%s belongs to another contact", namespace, externalID)
	}
	if err != nil {
		return fmt.Errorf("store: add identity: %w", err)
	}
	id.ContactID, id.Namespace, id.ExternalID = c.ID, namespace, externalID
	c.Identities = append(c.Identities, id)
	return nil
}

// ContactByIdentity finds the contact a channel identity belongs to.
func (t *Tx) ContactByIdentity(ctx context.Context, accountID int64, namespace, externalID string) (*sahay.Contact, error) {
	c, err := scanContact(t.tx.QueryRowContext(ctx, `SELECT c.id, c.account_id, c.name, c.email, c.phone, c.attributes, c.created_at, c.updated_at
		FROM contact_identities i JOIN contacts c ON c.id = i.contact_id
		WHERE i.account_id = $1 AND i.namespace = $2 AND i.external_id = $3`, accountID, namespace, externalID))
	return c, notFound(err, "contact")
}

// Identity is a channel identity without its ids: the account, a
// namespace and the platform's id of the person in it.
type Identity struct {
	AccountID             int64
	Namespace, ExternalID string
}

// ContactsByIdentities returns the contacts that the identities belong to,
// without their identities, in one statement whatever their accounts:
// group commit asks it once for a batch of received messages rather than
// once per message or account. An identity no contact has is absent from
// the map.
func (t *Tx) ContactsByIdentities(ctx context.Context, ids []Identity) (map[Identity]*sahay.Contact, error) {
	found := map[Identity]*sahay.Contact{}
	if len(ids) == 0 {
		return found, nil
	}
	// One statement text whatever the number of identities: they travel
	// as one JSON array.
	query := contactsByIdentitiesSQL
	if t.s.dialect == SQLite {
		query = contactsByIdentitiesSelect + `(i.account_id, i.namespace, i.external_id) IN (SELECT value->>0, value->>1, value->>2 FROM json_each($1))`
	}
	rows, err := t.tx.QueryContext(ctx, query, identitiesJSON(ids))
	if err != nil {
		return nil, fmt.Errorf("store: contacts by identities: %w", err)
	}
	defer rows.Close()
	if err := scanContactsByIdentity(rows, found); err != nil {
		return nil, err
	}
	return found, nil
}

const contactsByIdentitiesSelect = `SELECT i.account_id, i.namespace, i.external_id, c.id, c.account_id, c.name, c.email, c.phone, c.attributes,
	c.created_at, c.updated_at FROM contact_identities i JOIN contacts c ON c.id = i.contact_id WHERE `

// contactsByIdentitiesSQL finds the contacts of the identities of the JSON
// array $1 on PostgreSQL.
const contactsByIdentitiesSQL = contactsByIdentitiesSelect +
	`(i.account_id, i.namespace, i.external_id) IN (SELECT (p->>0)::bigint, p->>1, p->>2 FROM jsonb_array_elements($1::jsonb) p)`

// identitiesJSON is ids as the JSON array of (account, namespace, external
// id) triples that contactsByIdentitiesSQL reads.
func identitiesJSON(ids []Identity) string {
	triples := make([][3]any, len(ids))
	for i, id := range ids {
		triples[i] = [3]any{id.AccountID, id.Namespace, id.ExternalID}
	}
	return encodeJSON(triples)
}

func scanContactsByIdentity(rows rowSet, found map[Identity]*sahay.Contact) error {
	for rows.Next() {
		var id Identity
		c, err := scanContact(prefixed{rows, []any{&id.AccountID, &id.Namespace, &id.ExternalID}})
		if err != nil {
			return fmt.Errorf("store: contacts by identities: %w", err)
		}
		found[id] = c
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: contacts by identities: %w", err)
	}
	return nil
}

// prefixed scans a row whose first columns go to dest and the rest to the
// caller's destinations.
type prefixed struct {
	row  interface{ Scan(...any) error }
	dest []any
}

func (p prefixed) Scan(dest ...any) error { return p.row.Scan(append(p.dest, dest...)...) }

// visibleContacts is the condition that limits contacts, aliased c, to
// those with a conversation in one of inboxes, the inboxes an agent is a
// member of; its placeholders start at $from. Nil inboxes mean every
// contact of the account and give no condition; an empty list matches none.
func visibleContacts(inboxes []int64, from int) (string, []any) {
	if inboxes == nil {
		return "", nil
	}
	if len(inboxes) == 0 {
		return " AND 1 = 0", nil
	}
	args := make([]any, len(inboxes))
	for i, id := range inboxes {
		args[i] = id
	}
	return ` AND EXISTS (SELECT 1 FROM conversations v WHERE v.contact_id = c.id AND v.inbox_id IN (` + placeholders(from, len(inboxes)) + `))`, args
}

// ContactVisible reports whether contact id of the account has a
// conversation in one of inboxes (nil: whether it exists at all).
func (s *Store) ContactVisible(ctx context.Context, accountID, id int64, inboxes []int64) (bool, error) {
	return contactVisible(ctx, s.read, accountID, id, inboxes)
}

// ContactVisible is [Store.ContactVisible], read in the transaction.
func (t *Tx) ContactVisible(ctx context.Context, accountID, id int64, inboxes []int64) (bool, error) {
	return contactVisible(ctx, t.tx, accountID, id, inboxes)
}

func contactVisible(ctx context.Context, q queryer, accountID, id int64, inboxes []int64) (bool, error) {
	scope, args := visibleContacts(inboxes, 3)
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM contacts c WHERE c.id = $1 AND c.account_id = $2`+scope,
		append([]any{id, accountID}, args...)...).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: contact visible: %w", err)
	}
	return n > 0, nil
}

// Contact returns a contact with its identities.
func (s *Store) Contact(ctx context.Context, accountID, id int64) (*sahay.Contact, error) {
	return contact(ctx, s.read, accountID, id)
}

// Contact returns a contact, read in the transaction.
func (t *Tx) Contact(ctx context.Context, accountID, id int64) (*sahay.Contact, error) {
	return contact(ctx, t.tx, accountID, id)
}

func contact(ctx context.Context, q queryer, accountID, id int64) (*sahay.Contact, error) {
	c, err := scanContact(q.QueryRowContext(ctx, `SELECT `+contactColumns+` FROM contacts WHERE id = $1 AND account_id = $2`, id, accountID))
	if err != nil {
		return nil, notFound(err, "contact")
	}
	return c, attachIdentities(ctx, q, []*sahay.Contact{c})
}

func attachIdentities(ctx context.Context, q queryer, cs []*sahay.Contact) error {
	if len(cs) == 0 {
		return nil
	}
	byID := map[int64]*sahay.Contact{}
	args := make([]any, len(cs))
	for i, c := range cs {
		byID[c.ID] = c
		args[i] = c.ID
	}
	rows, err := q.QueryContext(ctx, `SELECT id, contact_id, namespace, external_id FROM contact_identities WHERE contact_id IN (`+placeholders(1, len(cs))+`) ORDER BY id`, args...)
	if err != nil {
		return fmt.Errorf("store: identities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id sahay.ContactIdentity
		if err := rows.Scan(&id.ID, &id.ContactID, &id.Namespace, &id.ExternalID); err != nil {
			return fmt.Errorf("store: identities: %w", err)
		}
		if c := byID[id.ContactID]; c != nil {
			c.Identities = append(c.Identities, id)
		}
	}
	return rows.Err()
}

// Contacts lists an account's contacts, newest first, with id < before (0 for
// Contacts lists an account's contacts, newest first, with id < before (0 for
// the newest), limited to those with a conversation in one of inboxes (nil
// for every contact). A non-empty query matches names, emails and phone
// numbers.
func (s *Store) Contacts(ctx context.Context, accountID int64, inboxes []int64, query string, before int64, limit int) ([]*sahay.Contact, error) {
	return s.ListContacts(ctx, ContactFilter{AccountID: accountID, Inboxes: inboxes, Query: query, Before: before, Limit: limit})
}

// ContactFilter selects a page of contacts.
type ContactFilter struct {
	AccountID int64
	// Query matches names, emails and phone numbers, by word prefix.
	Query string
	// Inboxes, when not nil, limits the list to the contacts the reader may
	// see: those with a conversation in one of these inboxes (an agent's).
	Inboxes []int64
	// ConversationInboxes, when not nil, keeps the contacts with a
	// conversation in one of these inboxes (a channel's).
	ConversationInboxes []int64
	// LabelID keeps the contacts with a conversation carrying the label, in
	// ConversationInboxes or else Inboxes when they are set.
	LabelID int64
	// Before pages: contacts with a smaller id (0 for the newest).
	Before int64
	Limit  int
}

// ListContacts returns a page of contacts, newest first. Pages are
// keyset-paginated by id.
func (s *Store) ListContacts(ctx context.Context, f ContactFilter) ([]*sahay.Contact, error) {
	if f.Before <= 0 {
		f.Before = 1 << 62
	}
	terms := textnorm.Terms(f.Query)
	if strings.TrimSpace(f.Query) != "" && len(terms) == 0 {
		return []*sahay.Contact{}, nil // only punctuation: nothing can match
	}
	from := "contacts c"
	where := []string{"c.account_id = $1", "c.id < $2"}
	args := []any{f.AccountID, f.Before}
	if len(terms) > 0 {
		if s.dialect == SQLite {
			args = append(args, ftsQuery(terms))
			from = "contacts_fts f JOIN contacts c ON c.id = f.rowid"
			where = append(where, fmt.Sprintf("contacts_fts MATCH $%d", len(args)))
		} else {
			args = append(args, tsQuery(terms))
			where = append(where, fmt.Sprintf("to_tsvector('simple', c.search_text) @@ to_tsquery('simple', $%d)", len(args)))
		}
	}
	scope, scopeArgs := visibleContacts(f.Inboxes, len(args)+1)
	args = append(args, scopeArgs...)
	if inboxes := f.ConversationInboxes; inboxes != nil || f.LabelID != 0 {
		if inboxes == nil {
			inboxes = f.Inboxes
		}
		join, cond := "", "cv.contact_id = c.id"
		if f.LabelID != 0 {
			args = append(args, f.LabelID)
			join = fmt.Sprintf(" JOIN conversation_labels cl ON cl.conversation_id = cv.id AND cl.label_id = $%d", len(args))
		}
		switch {
		case inboxes == nil:
		case len(inboxes) == 0:
			cond += " AND 1 = 0"
		default:
			cond += " AND cv.inbox_id IN (" + placeholders(len(args)+1, len(inboxes)) + ")"
			for _, id := range inboxes {
				args = append(args, id)
			}
		}
		where = append(where, "EXISTS (SELECT 1 FROM conversations cv"+join+" WHERE "+cond+")")
	}
	args = append(args, f.Limit)
	rows, err := s.read.QueryContext(ctx, fmt.Sprintf(`SELECT c.id, c.account_id, c.name, c.email, c.phone, c.attributes, c.created_at, c.updated_at
		FROM %s WHERE %s%s ORDER BY c.id DESC LIMIT $%d`, from, strings.Join(where, " AND "), scope, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("store: contacts: %w", err)
	}
	defer rows.Close()
	out := []*sahay.Contact{}
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return nil, fmt.Errorf("store: contacts: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: contacts: %w", err)
	}
	return out, attachIdentities(ctx, s.read, out)
}

// DeleteContact removes a contact with its conversations.
func (t *Tx) DeleteContact(ctx context.Context, accountID, id int64) error {
	convs, err := int64s(ctx, t.tx, `SELECT id FROM conversations WHERE account_id = $1 AND contact_id = $2`, accountID, id)
	if err != nil {
		return err
	}
	for _, cid := range convs {
		if err := t.DeleteConversation(ctx, accountID, cid); err != nil {
			return err
		}
	}
	res, err := t.tx.ExecContext(ctx, `DELETE FROM contacts WHERE id = $1 AND account_id = $2`, id, accountID)
	if err != nil {
		return fmt.Errorf("store: delete contact: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sahay.NotFound("contact")
	}
	if t.s.dialect == SQLite {
		if _, err := t.tx.ExecContext(ctx, `DELETE FROM contacts_fts WHERE rowid = $1`, id); err != nil {
			return fmt.Errorf("store: unindex contact: %w", err)
		}
	}
	return nil
}

// MergeContacts moves everything of contact from into contact into and
// deletes from: identities, conversations and their messages. Fields into
// lacks are taken from from.
func (t *Tx) MergeContacts(ctx context.Context, accountID, into, from int64) (*sahay.Contact, error) {
	if into == from {
		return nil, sahay.Invalid("cannot merge a contact into itself")
	}
	dst, err := t.Contact(ctx, accountID, into)
	if err != nil {
		return nil, err
	}
	src, err := t.Contact(ctx, accountID, from)
	if err != nil {
		return nil, err
	}
	if dst.Name == "" {
		dst.Name = src.Name
	}
	if dst.Email == "" {
		dst.Email = src.Email
	}
	if dst.Phone == "" {
		dst.Phone = src.Phone
	}
	for k, v := range src.Attributes {
		if _, ok := dst.Attributes[k]; !ok {
			dst.Attributes[k] = v
		}
	}
	for _, q := range []string{
		`UPDATE contact_identities SET contact_id = $1 WHERE contact_id = $2 AND account_id = $3`,
		`UPDATE conversations SET contact_id = $1 WHERE contact_id = $2 AND account_id = $3`,
	} {
		if _, err := t.tx.ExecContext(ctx, q, into, from, accountID); err != nil {
			return nil, fmt.Errorf("store: merge contacts: %w", err)
		}
	}
	if err := t.UpdateContact(ctx, dst); err != nil {
		return nil, err
	}
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM contacts WHERE id = $1 AND account_id = $2`, from, accountID); err != nil {
		return nil, fmt.Errorf("store: merge contacts: %w", err)
	}
	if t.s.dialect == SQLite {
		if _, err := t.tx.ExecContext(ctx, `DELETE FROM contacts_fts WHERE rowid = $1`, from); err != nil {
			return nil, fmt.Errorf("store: unindex contact: %w", err)
		}
	}
	return t.Contact(ctx, accountID, into)
}

// ftsQuery builds an FTS5 query that ANDs the terms, the last as a prefix so
// results follow the user's typing.
func ftsQuery(terms []string) string {
	var b strings.Builder
	for i, term := range terms {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(`"` + strings.ReplaceAll(term, `"`, `""`) + `"`)
		if i == len(terms)-1 {
			b.WriteByte('*')
		}
	}
	return b.String()
}

// tsQuery builds the PostgreSQL equivalent of [ftsQuery].
func tsQuery(terms []string) string {
	var b strings.Builder
	for i, term := range terms {
		if i > 0 {
			b.WriteString(" & ")
		}
		b.WriteString("'" + strings.ReplaceAll(term, "'", "''") + "'")
		if i == len(terms)-1 {
			b.WriteString(":*")
		}
	}
	return b.String()
}
