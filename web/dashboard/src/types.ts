// JSON shapes of the Sahay REST API and realtime events.

export type Role = "owner" | "admin" | "agent";
export type Availability = "online" | "busy" | "offline";
export type Locale = "en" | "bn" | "hi";
export type Status = "open" | "pending" | "snoozed" | "resolved";
export type Sort = "last_activity" | "waiting" | "priority" | "created";
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
  created_at: string;
}

export interface Account {
  id: number;
  name: string;
  time_zone: string;
  locales: string[] | null;
  reopen_window_seconds: number;
  created_at: string;
}

export interface Inbox {
  id: number;
  account_id: number;
  name: string;
  channel: string;
  settings: Record<string, unknown> | null;
  member_ids: number[] | null;
  created_at: string;
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
  last_message: string;
  created_at: string;
  updated_at: string;
  resolved_at: string | null;
  contact?: Contact;
}

export interface Attachment {
  id: number;
  message_id: number;
  file_name: string;
  content_type: string;
  size: number;
  url: string;
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
}

export interface Me {
  user: User;
  account: Account;
  inbox_ids: number[] | null;
  team_ids: number[] | null;
}

export interface SearchResult {
  messages: { message: Message; display_id: number; contact_id: number; highlight: string }[] | null;
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
  };
}
