// Package whatsapp connects WhatsApp Business numbers through Meta's
// WhatsApp Cloud API: messages and delivery statuses arrive by webhook
// (signed with the app secret, one journal event per entry), replies,
// files and templates leave through the Graph API.
package whatsapp

// The Cloud API's objects, as far as Sahay reads and writes them. Field
// names are the API's; fields Sahay does not use are left out and ignored
// on decode.

// Value is the value of a "messages" change of a webhook entry: the
// customers' messages to one business number, and the statuses of the
// messages it sent.
type Value struct {
	MessagingProduct string    `json:"messaging_product"`
	Metadata         Metadata  `json:"metadata"`
	Contacts         []Contact `json:"contacts,omitempty"`
	Messages         []Message `json:"messages,omitempty"`
	Statuses         []Status  `json:"statuses,omitempty"`
	Errors           []Error   `json:"errors,omitempty"`
}

// Metadata names the business number a change is about.
type Metadata struct {
	DisplayPhoneNumber string `json:"display_phone_number"`
	PhoneNumberID      string `json:"phone_number_id"`
}

// Contact is a customer who wrote, with the name of their WhatsApp
// profile.
type Contact struct {
	Profile struct {
		Name string `json:"name"`
	} `json:"profile"`
	WaID string `json:"wa_id"`
}

// Message is one message a customer sent. Type says which of the optional
// fields holds it.
type Message struct {
	From      string `json:"from"`
	ID        string `json:"id"`
	Timestamp string `json:"timestamp"`
	Type      string `json:"type"`

	Text        *Text           `json:"text,omitempty"`
	Image       *Media          `json:"image,omitempty"`
	Video       *Media          `json:"video,omitempty"`
	Audio       *Media          `json:"audio,omitempty"`
	Voice       *Media          `json:"voice,omitempty"`
	Document    *Media          `json:"document,omitempty"`
	Sticker     *Media          `json:"sticker,omitempty"`
	Location    *Location       `json:"location,omitempty"`
	Contacts    []ContactCard   `json:"contacts,omitempty"`
	Interactive *Interactive    `json:"interactive,omitempty"`
	Button      *Button         `json:"button,omitempty"`
	Reaction    *Reaction       `json:"reaction,omitempty"`
	Order       *Order          `json:"order,omitempty"`
	Referral    *Referral       `json:"referral,omitempty"`
	System      *System         `json:"system,omitempty"`
	Context     *MessageContext `json:"context,omitempty"`
	Errors      []Error         `json:"errors,omitempty"`
}

// Text is a text message's body.
type Text struct {
	Body string `json:"body"`
}

// Media is a file a message carries, to be fetched by its id.
type Media struct {
	ID       string `json:"id"`
	MimeType string `json:"mime_type,omitempty"`
	SHA256   string `json:"sha256,omitempty"`
	Caption  string `json:"caption,omitempty"`
	Filename string `json:"filename,omitempty"`
	// Voice marks an audio message recorded in WhatsApp (a voice note).
	Voice bool `json:"voice,omitempty"`
}

// Location is a shared place.
type Location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name,omitempty"`
	Address   string  `json:"address,omitempty"`
	URL       string  `json:"url,omitempty"`
}

// ContactCard is a shared contact.
type ContactCard struct {
	Name struct {
		FormattedName string `json:"formatted_name"`
		FirstName     string `json:"first_name,omitempty"`
		LastName      string `json:"last_name,omitempty"`
	} `json:"name"`
	Phones []struct {
		Phone string `json:"phone"`
		WaID  string `json:"wa_id,omitempty"`
		Type  string `json:"type,omitempty"`
	} `json:"phones,omitempty"`
	Emails []struct {
		Email string `json:"email"`
		Type  string `json:"type,omitempty"`
	} `json:"emails,omitempty"`
}

// Interactive is the answer to an interactive message: a reply button or
// a list row the customer picked, or a flow they completed.
type Interactive struct {
	Type        string  `json:"type"`
	ButtonReply *Choice `json:"button_reply,omitempty"`
	ListReply   *Choice `json:"list_reply,omitempty"`
	NFMReply    *struct {
		Name string `json:"name,omitempty"`
		Body string `json:"body,omitempty"`
	} `json:"nfm_reply,omitempty"`
}

// Choice is a reply button or list row.
type Choice struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
}

// Button is the quick-reply button of a template the customer pressed.
type Button struct {
	Payload string `json:"payload"`
	Text    string `json:"text"`
}

// Reaction is an emoji on a message; an empty emoji takes it back.
type Reaction struct {
	MessageID string `json:"message_id"`
	Emoji     string `json:"emoji,omitempty"`
}

// Order is a cart sent from the business's catalog.
type Order struct {
	CatalogID    string `json:"catalog_id"`
	Text         string `json:"text,omitempty"`
	ProductItems []struct {
		ProductRetailerID string  `json:"product_retailer_id"`
		Quantity          float64 `json:"quantity"`
		ItemPrice         float64 `json:"item_price"`
		Currency          string  `json:"currency"`
	} `json:"product_items"`
}

// Referral is the ad or post a customer came from.
type Referral struct {
	SourceURL  string `json:"source_url,omitempty"`
	SourceID   string `json:"source_id,omitempty"`
	SourceType string `json:"source_type,omitempty"`
	Headline   string `json:"headline,omitempty"`
	Body       string `json:"body,omitempty"`
}

// System is a notice about the customer, such as a changed number.
type System struct {
	Body string `json:"body,omitempty"`
	Type string `json:"type,omitempty"`
}

// MessageContext is what a message answers or whether it was forwarded.
type MessageContext struct {
	From                string `json:"from,omitempty"`
	ID                  string `json:"id,omitempty"`
	Forwarded           bool   `json:"forwarded,omitempty"`
	FrequentlyForwarded bool   `json:"frequently_forwarded,omitempty"`
}

// Status is a delivery status of a message the business sent: "sent",
// "delivered", "read", "played" (a voice note heard) or "failed".
type Status struct {
	ID          string  `json:"id"`
	Status      string  `json:"status"`
	Timestamp   string  `json:"timestamp"`
	RecipientID string  `json:"recipient_id"`
	Errors      []Error `json:"errors,omitempty"`
}

// Error is an error a status, a message or a change carries.
type Error struct {
	Code      int    `json:"code"`
	Title     string `json:"title,omitempty"`
	Message   string `json:"message,omitempty"`
	ErrorData struct {
		Details string `json:"details,omitempty"`
	} `json:"error_data,omitzero"`
}

// OutgoingMessage is the body of POST /{phone-number-id}/messages. Type
// says which of the optional fields holds the message.
type OutgoingMessage struct {
	MessagingProduct string            `json:"messaging_product"`
	RecipientType    string            `json:"recipient_type"`
	To               string            `json:"to"`
	Type             string            `json:"type"`
	Context          *ReplyContext     `json:"context,omitempty"`
	Text             *OutgoingText     `json:"text,omitempty"`
	Image            *OutgoingMedia    `json:"image,omitempty"`
	Video            *OutgoingMedia    `json:"video,omitempty"`
	Audio            *OutgoingMedia    `json:"audio,omitempty"`
	Document         *OutgoingMedia    `json:"document,omitempty"`
	Template         *OutgoingTemplate `json:"template,omitempty"`
}

// ReplyContext quotes the message a reply answers.
type ReplyContext struct {
	MessageID string `json:"message_id"`
}

// OutgoingText is a text message's body.
type OutgoingText struct {
	PreviewURL bool   `json:"preview_url"`
	Body       string `json:"body"`
}

// OutgoingMedia is a file uploaded before, sent by its media id.
type OutgoingMedia struct {
	ID       string `json:"id"`
	Caption  string `json:"caption,omitempty"`
	Filename string `json:"filename,omitempty"`
}

// OutgoingTemplate is an approved template with its body's variables
// filled in.
type OutgoingTemplate struct {
	Name     string `json:"name"`
	Language struct {
		Code string `json:"code"`
	} `json:"language"`
	Components []TemplateComponent `json:"components,omitempty"`
}

// TemplateComponent fills in one component of a template.
type TemplateComponent struct {
	Type       string              `json:"type"`
	Parameters []TemplateParameter `json:"parameters"`
}

// TemplateParameter is one variable's value.
type TemplateParameter struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// SendAnswer is what POST /{phone-number-id}/messages answers.
type SendAnswer struct {
	Contacts []struct {
		Input string `json:"input"`
		WaID  string `json:"wa_id"`
	} `json:"contacts"`
	Messages []struct {
		ID string `json:"id"`
	} `json:"messages"`
}

// MessageTemplate is a template as GET /{waba-id}/message_templates lists
// it.
type MessageTemplate struct {
	ID         string      `json:"id,omitempty"`
	Name       string      `json:"name"`
	Language   string      `json:"language"`
	Status     string      `json:"status"`
	Category   string      `json:"category"`
	Components []Component `json:"components"`
}

// Component is a part of a template: its "HEADER" (text, or a format
// such as "IMAGE"), "BODY", "FOOTER" or "BUTTONS".
type Component struct {
	Type    string           `json:"type"`
	Format  string           `json:"format,omitempty"`
	Text    string           `json:"text,omitempty"`
	Buttons []TemplateButton `json:"buttons,omitempty"`
}

// TemplateButton is a button of a template.
type TemplateButton struct {
	Type string `json:"type"`
	Text string `json:"text"`
}
