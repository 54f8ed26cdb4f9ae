// JSON shapes of the Sahay REST API and realtime events.

export type Role = "owner" | "admin" | "agent";
export type Availability = "online" | "busy" | "offline";
export type Locale = "en" | "bn" | "hi";
export type Status = "open" | "pending" | "snoozed" | "resolved";
export type Sort = "last_activity" | "waiting" | "priority" | "created" | "sentiment";
export type MoodLabel = "negative" | "neutral" | "positive";
export type Trend = "rising" | "falling" | "steady";
export type MessageKind = "incoming" | "outgoing" | "note" | "activity";
export type Delivery = "pending" | "sent" | "delivered" | "read" | "failed";

export interface User {
  id: number;
  account_id: number;
  email: string;
  name: string;
  role: Role;
  languages: string[] | null;
  locale: Locale;
  availability: Availability;
  /** Their phone number with its country code: phone inboxes ring it; empty when they take no calls. */
  phone?: string;
  /** The user has the dashboard open now; availability takes effect only then. */
  connected: boolean;
  created_at: string;
}

export interface Account {
  id: number;
  name: string;
  time_zone: string;
  locales: string[] | null;
  reopen_window_seconds: number;
  business_hours: BusinessHours;
  created_at: string;
  /** The account's address name, in its help center's address (/hc/{slug}). */
  slug?: string;
}

export interface Inbox {
  id: number;
  account_id: number;
  name: string;
  channel: string;
  settings: Record<string, unknown> | null;
  member_ids: number[] | null;
  created_at: string;
  /** Where the platform delivers the inbox's webhooks, for channels that take them. */
  webhook_url?: string;
  /** In the answer to a create or update: what went wrong after saving. */
  warning?: string;
}

/** What a channel's messages may hold and what it reports (GET /channels). */
export interface Capabilities {
  /** Characters one message takes; longer replies are split. 0: no limit of the platform's. */
  max_text: number;
  // File types a reply may carry: "image/*", "application/pdf", "*/*" for
  // every type Sahay keeps; empty: none.
  attachments: string[];
  /** The largest file the platform takes; 0: Sahay's own limit. */
  max_attachment_bytes: number;
  typing: boolean;
  read_receipts: boolean;
  /** The customer is told when the team has read their messages. */
  mark_read: boolean;
  /** Hours after the customer's last message the business may answer freely; 0: no window. */
  window_hours: number;
  /** Hours after it a person may still answer with the human agent tag, when the inbox turns it on. */
  tag_window_hours?: number;
  templates: boolean;
  public_comments: boolean;
  private_reply: boolean;
  edits: boolean;
  /** Messages carry a subject (email), written on a new outgoing conversation. */
  subject?: boolean;
  /** A reply may be copied to other addresses (Cc and Bcc). */
  cc?: boolean;
  /** Replies go as SMS, billed by the segment (GSM-7 or UCS-2). */
  sms_segments?: boolean;
  /** The inbox takes phone calls, and places agents' calls to customers. */
  calls?: boolean;
}

/** One key of an inbox's settings, as its channel declares it. */
/** Weekly opening hours: "mon" … "sun" map to "09:00-17:00"; a missing day is closed. */
export interface BusinessHours {
  enabled: boolean;
  time_zone: string;
  days: Record<string, string> | null;
  holidays?: Holiday[] | null;
}

/** A whole day closed, "2026-12-25", in the hours' time zone. */
export interface Holiday {
  date: string;
  name?: string;
}

export interface ChannelSetting {
  key: string;
  label: string;
  help?: string;
  type: "string" | "url" | "choice" | "integer" | "business_hours";
  required: boolean;
  /** Kept encrypted and never shown again. */
  secret: boolean;
  /** Made by Sahay when none is given. */
  generated?: boolean;
  choices?: string[];
  default?: string;
}

/** A channel an inbox can connect, from GET /channels. */
export interface ChannelDescription {
  name: string;
  capabilities: Capabilities;
  settings: ChannelSetting[];
  /** The channel can check an inbox's credentials ("Test connection"). */
  testable: boolean;
}

/** How an inbox's or a team's new conversations find an agent (docs/routing.md). */
export interface RoutingSettings {
  mode: "off" | "round_robin" | "least_loaded";
  only_available: boolean;
  language_aware: boolean;
  reassign_after_seconds: number;
}

/** Open conversations of each channel kind an agent takes from routing; null: the account's default. */
export interface Capacity {
  chat: number | null;
  email: number | null;
}

export interface Team {
  id: number;
  account_id: number;
  name: string;
  description: string;
  member_ids: number[] | null;
}

export interface Identity {
  id: number;
  contact_id: number;
  namespace: string;
  external_id: string;
}

export interface Contact {
  id: number;
  account_id: number;
  name: string;
  email: string;
  phone: string;
  attributes: Record<string, unknown> | null;
  identities: Identity[] | null;
  created_at: string;
  updated_at: string;
}

/** Conversation-list filters, named as the list's query parameters. */
export interface ViewFilters {
  status?: string;
  assignee?: string;
  team?: number;
  inbox?: number;
  label?: string;
  channel?: string;
  sort?: string;
}

/** A saved view with the number of conversations it shows the reader. */
export interface SavedView {
  id: number;
  user_id: number;
  name: string;
  filters: ViewFilters;
  visibility: "private" | "team" | "account";
  team_id: number;
  count: number;
  count_capped: boolean;
}

export interface Conversation {
  id: number;
  account_id: number;
  display_id: number;
  inbox_id: number;
  contact_id: number;
  status: Status;
  priority: number;
  assignee_id: number;
  team_id: number;
  labels: string[] | null;
  snoozed_until: string | null;
  waiting_since: string | null;
  first_reply_at: string | null;
  last_activity_at: string;
  language: string;
  sentiment: number;
  /** How the customer feels, from their analysed messages; absent until one is. */
  mood?: Mood | null;
  last_message: string;
  created_at: string;
  updated_at: string;
  resolved_at: string | null;
  contact?: Contact;
  /** An email conversation's subject, where the server gives it. */
  subject?: string;
  /** Held in public: a customer's comments on a post and the team's public replies. */
  public?: boolean;
  /** The post a public conversation's comments are on. */
  post?: Post | null;
  /** The conversation this one was taken to ("reply privately") or from. */
  linked_conversation_id?: number;
  /** When the customer last wrote, which opens the channel's messaging window. */
  last_incoming_at?: string | null;
}

/** A conversation's mood: its customer's latest analysed message, and the trend. */
export interface Mood {
  sentiment: MoodLabel;
  score: number;
  trend: Trend;
  average: number;
  emotion?: string;
  urgency: number;
}

/** A public post, reel or story that comments are on. */
export interface Post {
  id: string;
  url?: string;
  kind?: "post" | "reel" | "story" | "live" | "ad" | string;
  text?: string;
}

/** What a message of a messaging platform carries besides its text and files. */
export interface MessageDetails {
  /** The automation rule whose action wrote the message. */
  automation?: { rule_id: number; name: string };
  template?: TemplateUse;
  location?: { latitude: number; longitude: number; name?: string; address?: string };
  contacts?: { name: string; phones?: string[] | null; emails?: string[] | null }[] | null;
  choice?: { id: string; title: string };
  /** The external id of the message a reaction (the content, an emoji; empty when taken back) is to. */
  reaction_to?: string;
  /** The external id of the message this one quotes. */
  reply_to?: string;
  story?: { kind: "reply" | "mention" | string; id?: string; url?: string };
  /** On a private reply: the external id of the public comment it answers. */
  private_reply_to?: string;
  /** On a public comment: the id of the message that answered it privately. */
  private_reply_id?: number;
  /** The platform's tag a reply was sent with outside the standard window ("HUMAN_AGENT"). */
  tag?: string;
  /** What the team did to a public comment on the platform. */
  moderation?: "hidden" | "deleted" | "";
  /** The message is a phone call's timeline entry. */
  call?: Call;
  /** The message is a voicemail: its recording is the audio attachment, its content the transcript. */
  voicemail?: Voicemail;
  /** What a bot's message says about itself. */
  bot?: BotReply;
}

/** A bot's message: an answer (with its FAQ entry and confidence), "not sure", or the hand-off. */
export interface BotReply {
  kind: "answer" | "unsure" | "handoff";
  faq_id?: number;
  confidence?: number;
  to?: number;
  source?: string;
}

export type BotLanguage = "en" | "bn" | "hi";

/** A question and answer the built-in bot answers from. */
export interface FAQ {
  id: number;
  account_id: number;
  /** 0: every inbox. */
  inbox_id: number;
  language: BotLanguage;
  question: string;
  phrasings: string[];
  answer: string;
  created_at: string;
  updated_at: string;
}

export interface FAQInput {
  inbox_id: number;
  language: BotLanguage;
  question: string;
  phrasings: string[];
  answer: string;
}

/** An inbox's built-in bot. */
export interface BotSettings {
  inbox_id: number;
  enabled: boolean;
  threshold: number;
  negativity: number;
  anger: number;
  urgency: number;
  wait_minutes: number;
  wait_text: string;
}

/** What the bot would do with a message. */
export interface BotTrialResult {
  language: string;
  handoff: string;
  answers: boolean;
  faq: FAQ | null;
  confidence: number;
  threshold: number;
}

export type CallDirection = "inbound" | "outbound" | "callback_request";
export type CallStatus = "queued" | "ringing" | "in-progress" | "completed" | "busy" | "no-answer" | "failed" | "canceled";
export type CallOutcome = "answered" | "voicemail" | "busy" | "missed" | "failed";

/** A phone call as its timeline entry records it; the platform's reports keep it current. */
export interface Call {
  direction: CallDirection;
  status?: CallStatus;
  /** How the call ended; absent while it lasts. */
  outcome?: CallOutcome;
  from?: string;
  to?: string;
  /** The agent who answered an inbound call, or placed an outbound one. */
  agent_id?: number;
  /** The agents whose phones rang for an inbound call. */
  rang?: number[] | null;
  duration_seconds?: number;
  answered_at?: string;
  ended_at?: string;
  /** The external id of the voicemail message the caller left. */
  voicemail?: string;
  /** A callback request's wish, in the customer's words. */
  preferred_time?: string;
}

/** A recorded message a caller left. */
export interface Voicemail {
  /** The external id of the call it was left on. */
  call: string;
  duration_seconds?: number;
  /** "pending" until the transcript arrives in the content; empty when none was asked for. */
  transcript?: "pending" | "completed" | "failed" | "";
}

/** A message template as one message used it, or as a reply sends it. */
export interface TemplateUse {
  name: string;
  language: string;
  params?: string[] | null;
}

/** A message template approved (or not yet) on the platform (WhatsApp). */
export interface Template {
  name: string;
  language: string;
  category: string;
  /** "APPROVED", "PENDING", "REJECTED"…: only approved ones can be sent. */
  status: string;
  header?: string;
  /** The text, with its variables {{1}}, {{2}}…. */
  body: string;
  footer?: string;
  buttons?: string[] | null;
  /** How many variables the body has. */
  params: number;
}

export interface Attachment {
  id: number;
  message_id: number;
  file_name: string;
  content_type: string;
  size: number;
  url: string;
  /** An email's inline image: its HTML shows it where an <img data-cid> names this id. */
  content_id?: string;
}

export interface EmailAddress {
  name?: string;
  address: string;
}

/** What an email message carries besides its new words (see docs/channels/email.md). */
export interface Email {
  subject: string;
  from: EmailAddress;
  to: EmailAddress[] | null;
  cc: EmailAddress[] | null;
  bcc?: EmailAddress[] | null;
  message_id: string;
  in_reply_to?: string;
  references?: string[] | null;
  /** The whole body, sanitized: remote images in data-src, inline ones as <img data-cid>. */
  html?: string;
  /** The whole plain-text body, quoted history and signature included. */
  text?: string;
}

/** The headers an agent sets on an email reply or a new email. */
export interface EmailDraft {
  subject?: string;
  cc?: string[];
  bcc?: string[];
}

export interface Message {
  id: number;
  account_id: number;
  conversation_id: number;
  inbox_id: number;
  kind: MessageKind;
  sender_type: "contact" | "user" | "bot" | "system";
  sender_id: number;
  content: string;
  external_id?: string;
  status?: Delivery | "";
  error?: string;
  attachments: Attachment[] | null;
  email?: Email;
  /** Seen by everyone: a customer's comment on a post, or the team's reply under it. */
  public?: boolean;
  details?: MessageDetails | null;
  created_at: string;
}

export interface Label {
  id: number;
  account_id: number;
  name: string;
  color: string;
  description: string;
}

export interface CannedResponse {
  id: number;
  account_id: number;
  short_code: string;
  content: string;
}

/** One thing a macro (or an automation rule) does, with its value. */
export interface MacroAction {
  action: "assign_agent" | "assign_team" | "add_label" | "remove_label" | "set_priority" | "send_message" | "send_canned_response" | "add_private_note" | "resolve" | "snooze";
  value?: string | number | null;
}

/** A named list of actions an agent runs on a conversation. */
export interface Macro {
  id: number;
  account_id: number;
  name: string;
  visibility: "personal" | "account";
  /** The owner of a personal macro; 0 for an account macro. */
  user_id: number;
  created_by: number;
  actions: MacroAction[];
  created_at: string;
  updated_at: string;
}

export interface APIToken {
  id: number;
  user_id: number;
  name: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface AuditEntry {
  id: number;
  user_id: number;
  action: string;
  target_type: string;
  target_id: number;
  details: unknown;
  created_at: string;
}

export type StatusCounts = Partial<Record<Status, number>>;

export interface Counts {
  all?: StatusCounts;
  mine?: StatusCounts;
  unassigned?: StatusCounts;
  inboxes?: Record<string, StatusCounts>;
  teams?: Record<string, StatusCounts>;
  labels?: Record<string, StatusCounts>;
  channels?: Record<string, StatusCounts>;
  /** The last event the counts include; later events' count changes move them. */
  seq?: number;
}

/**
 * A change to one maintained count, carried by the event whose transaction
 * made it: with a label_id it counts a label's conversations, without one
 * those of an inbox, team, assignee and status.
 */
export interface CountChange {
  inbox_id: number;
  team_id?: number;
  assignee_id?: number;
  label_id?: number;
  status: Status;
  n: number;
}

export interface Me {
  user: User;
  account: Account;
  inbox_ids: number[] | null;
  team_ids: number[] | null;
  /** Whether the server can send email; without it email notifications are not offered. */
  email_available?: boolean;
}

export interface SearchResult {
  messages: { message: Message; display_id: number; contact_id: number; contact_name: string; highlight: string }[] | null;
  contacts: Contact[] | null;
  conversations: Conversation[] | null;
}

export interface RealtimeEvent {
  seq?: number;
  type: string;
  inbox_id?: number;
  conversation_id?: number;
  data?: {
    conversation?: Conversation;
    message?: Message;
    contact?: Contact;
    notification?: AgentNotification;
    /** conversation.merged: the conversation folded into this one. */
    merged_conversation_id?: number;
    count_changes?: CountChange[];
  };
}

// Notifications of the signed-in agent and how they want them delivered.

export type NotifyKind = "assigned" | "mentioned" | "new_conversation" | "login_locked" | "handoff" | "swap" | "sla_warning" | "sla_breached";

/** The kinds of shift on the rota. */
export type ShiftKind = "chat" | "phone" | "social";

/** A weekly shift of a user, in the account's time zone; an end before the start runs past midnight. */
export interface Shift {
  id: number;
  user_id: number;
  kind: ShiftKind;
  weekday: string;
  start: string;
  end: string;
}

/** One dated occurrence of a shift handed to a colleague. */
export interface Swap {
  id: number;
  shift_id: number;
  date: string;
  from_user_id: number;
  to_user_id: number;
  requested_by: number;
  status: "pending" | "accepted" | "declined" | "cancelled";
}

/** The rota as every member reads it. */
export interface Rota {
  time_zone: string;
  today: string;
  shifts: Shift[];
  swaps: Swap[];
  on_now: Record<ShiftKind, { scheduled: boolean; user_ids: number[] }>;
}
export type NotifyChannel = "email" | "push";

export interface AgentNotification {
  id: number;
  account_id: number;
  user_id: number;
  kind: NotifyKind;
  conversation_id: number;
  message_id: number;
  actor_id: number;
  body: string;
  read_at: string | null;
  created_at: string;
}

export type NotifyPrefs = Record<NotifyKind, Record<NotifyChannel, boolean>>;

// The website chat widget: its settings, live visitors, campaigns, CSAT, and
// the carts and orders of shop customers.

export type WidgetReplyTime = "minutes" | "hours" | "day";
export type PreChatFieldName = "name" | "email" | "phone";

export interface WidgetCampaign {
  id: string;
  enabled: boolean;
  message: string;
  url_pattern: string;
  time_on_page: number;
  business_hours_only: boolean;
}

export interface WidgetSettings {
  website_token: string;
  color: string;
  text_color: string;
  position: "right" | "left";
  launcher_icon: "chat" | "help" | "wave";
  launcher_text: string;
  title: string;
  greeting: string;
  away_message: string;
  reply_time: WidgetReplyTime;
  avatars: string[] | null;
  locale: string;
  business_hours: BusinessHours;
  pre_chat: { enabled: boolean; message: string; fields: { name: PreChatFieldName; required: boolean }[] | null };
  allowed_domains: string[] | null;
  identity_verification_required: boolean;
  attachments: boolean;
  csat: boolean;
  email_continuity: boolean;
  campaigns: WidgetCampaign[] | null;
  /** The phone inbox whose calls the widget offers; 0: none. */
  phone_inbox_id: number;
  /** Shows the phone inbox's number. */
  call_us: boolean;
  /** Offers the form asking to be called back. */
  call_me_back: boolean;
}

export interface WidgetEmbed {
  website_token: string;
  snippet: string;
  preview_url: string;
  settings: WidgetSettings;
}

export interface CampaignReport extends WidgetCampaign {
  shown: number;
  replied: number;
}

export interface CSATResponse {
  conversation_id: number;
  contact_id: number;
  assignee_id: number;
  rating: number;
  comment: string;
  created_at: string;
}

export interface CSATReport {
  responses: CSATResponse[] | null;
  count: number;
  satisfaction: number;
}

export interface LiveVisitor {
  id: string;
  contact_id: number;
  online: boolean;
  /** When a visitor who is no longer online left. */
  left_at?: string;
  page: { url: string; title: string };
  recent_pages: string[] | null;
  page_count: number;
  referrer: string;
  device: string;
  browser: string;
  language: string;
  time_on_site_seconds: number;
  returning: boolean;
  visits: number;
  cart: string;
  events: { name: string; data?: unknown; at: string }[] | null;
}

export interface CommerceItem {
  name: string;
  sku?: string;
  quantity: number;
  price: number;
  url?: string;
}

export interface CommerceOrder {
  id: number;
  inbox_id: number;
  contact_id: number;
  source: string;
  kind: "cart" | "checkout" | "order";
  external_id: string;
  status: string;
  email: string;
  total: string;
  currency: string;
  items: CommerceItem[] | null;
  url: string;
  created_at: string;
  updated_at: string;
}

/** An account's optional AI endpoint; the key is never returned. */
export interface AISettings {
  enabled: boolean;
  /** base_url, model and updated_at are shown to admins only. */
  base_url?: string;
  model?: string;
  key_set: boolean;
  updated_at?: string;
}

/** Drafts of the next reply, in the conversation's language. */
export interface Suggestions {
  language: string;
  suggestions: string[];
}

/** What a team wrote about its own replies: phrases never to write, promises it does not make. */
export interface TonePolicy {
  forbidden: string[];
  promises: string[];
}

/** One thing in a draft that reads badly, and where (byte offsets in the UTF-8 draft). */
export interface ToneIssue {
  kind: "rude" | "dismissive" | "cold" | "policy";
  code: string;
  reason: string;
  text: string;
  start: number;
  end: number;
}

/** What the server found in a draft, and an empathetic rephrasing of a flagged one. */
export interface ToneCheck {
  flagged: boolean;
  issues: ToneIssue[];
  suggestion?: string;
  language: string;
}

/** A keyword or brand name the account follows in public comments and mentions. */
export interface MentionKeyword {
  id: number;
  term: string;
  kind: "keyword" | "brand";
  created_at: string;
}

/** A customer's public message that names followed keywords. */
export interface Mention {
  message: Message;
  display_id: number;
  conversation_status: Status;
  contact_id: number;
  contact_name: string;
  sentiment: "negative" | "neutral" | "positive";
  score: number;
  keywords: string[];
  channel: string;
  inbox_name: string;
}

/** One day's mentions by sentiment, in the account's time zone. */
export interface MentionDay {
  date: string;
  negative: number;
  neutral: number;
  positive: number;
}

export interface MentionTrend {
  time_zone: string;
  days: MentionDay[];
}

/** An inbox's external agent bot; secret only in the answer that made it. */
export interface AgentBot {
  inbox_id: number;
  webhook_url: string;
  secret?: string;
  tokens: APIToken[] | null;
  updated_at: string;
}

/** One condition of an automation rule: an attribute compared with a value. */
export interface RuleCondition {
  attribute: string;
  operator: string;
  value: unknown;
  /** The contact attribute a contact_attribute condition reads. */
  key?: string;
}

/** One action of an automation rule, with its value (none for resolve). */
export interface RuleAction {
  action: string;
  value?: unknown;
}

/** An automation rule: on its event, when its conditions hold, its actions run. */
export interface AutomationRule {
  id: number;
  account_id: number;
  name: string;
  enabled: boolean;
  event: string;
  conditions: { all?: RuleCondition[]; any?: RuleCondition[] };
  actions: RuleAction[];
  created_at: string;
  updated_at: string;
  last_run_at?: string;
  last_outcome?: string;
}

/** What came of one rule whose conditions held for one event. */
export interface AutomationRun {
  id: number;
  rule_id: number;
  conversation_id: number;
  conversation_display_id: number;
  event_seq: number;
  outcome: "ok" | "skipped" | "failed";
  detail: string;
  at: string;
}
