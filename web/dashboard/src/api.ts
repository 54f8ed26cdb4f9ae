// A thin client for the REST API. Every call is same-origin and carries the
// session cookie; a 401 sends the app back to the login screen.
import type { Account, APIToken, AuditEntry, CannedResponse, ChannelDescription, Contact, Conversation, Counts, EmailDraft, Inbox, Label, Me, Message, SearchResult, Team, User, Capacity, RoutingSettings } from "./types";
import type { CampaignReport, CommerceOrder, CSATReport, LiveVisitor, WidgetEmbed } from "./types";
import type { AgentNotification, NotifyPrefs } from "./types";
import type { SavedView, ViewFilters } from "./types";
import type { Template, TemplateUse } from "./types";
import type { AgentBot, AISettings, Suggestions } from "./types";
import type { ToneCheck, TonePolicy } from "./types";
import type { Mention, MentionKeyword, MentionTrend } from "./types";
import type { BotSettings, BotTrialResult, FAQ, FAQInput } from "./types";
import type { BusinessHours } from "./types";
import type { Rota, Shift, Swap } from "./types";
import type { AutomationRule, AutomationRun, RuleAction, RuleCondition } from "./types";
import type { Macro, MacroAction } from "./types";

export class APIError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

let onUnauthorized: () => void = () => {};

/** Sets what happens when the session has ended (401 on any call but login). */
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (body instanceof FormData) {
    init.body = body; // the browser writes the multipart type and boundary
  } else if (body !== undefined) {
    init.headers = { Accept: "application/json", "Content-Type": "application/json" };
    init.body = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch("/api/v1" + path, init);
  } catch {
    throw new APIError(0, "network", "");
  }
  if (res.status === 204) return undefined as T;
  let data: unknown = null;
  const text = await res.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string } } | null)?.error;
    if (res.status === 401 && path !== "/auth/login") onUnauthorized();
    throw new APIError(res.status, err?.code || "http_" + res.status, err?.message || res.statusText);
  }
  return data as T;
}

const get = <T>(p: string) => call<T>("GET", p);
const post = <T>(p: string, b?: unknown) => call<T>("POST", p, b ?? {});
const patch = <T>(p: string, b: unknown) => call<T>("PATCH", p, b);
const put = <T>(p: string, b: unknown) => call<T>("PUT", p, b);
const del = (p: string) => call<void>("DELETE", p);

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== "") q.set(k, String(v));
  }
  const s = q.toString();
  return s ? "?" + s : "";
}

export interface ListParams {
  status?: string;
  assignee?: string;
  team?: string;
  inbox?: string;
  label?: string;
  channel?: string;
  sort?: string;
  mood?: string;
  cursor?: string;
  limit?: number;
}

export interface ContactParams {
  q?: string;
  label?: string;
  channel?: string;
  before?: number;
  limit?: number;
}

export interface ViewInput {
  name?: string;
  filters?: ViewFilters;
  visibility?: "private" | "team" | "account";
  team_id?: number;
}

/** The address of a CSV export of a list under its filters (a download). */
export function exportURL(what: "conversations" | "contacts", params: Record<string, string | number | undefined>): string {
  return `/api/v1/${what}/export.csv` + query(params);
}

export interface ConversationPatch {
  status?: string;
  priority?: number;
  assignee_id?: number;
  team_id?: number;
  snoozed_until?: string;
}

export interface BulkUpdate {
  ids: number[];
  status?: string;
  assignee_id?: number;
  add_labels?: string[];
}

type Items<T> = { items: T[] | null };
const items = <T>(r: Items<T>): T[] => r.items ?? [];

export const api = {
  login: (email: string, password: string) => post<{ user: User }>("/auth/login", { email, password }),
  logout: () => post<void>("/auth/logout"),
  signUpAllowed: () => get<{ allowed: boolean }>("/signup"),
  signUp: (b: { account_name: string; name: string; email: string; password: string }) =>
    post<{ user: User; account: Account }>("/signup", b),
  me: () => get<Me>("/me"),
  updateMe: (p: Partial<Pick<User, "name" | "locale" | "languages" | "availability" | "phone">>) => patch<User>("/me", p),
  changePassword: (current_password: string, new_password: string) =>
    post<void>("/me/password", { current_password, new_password }),

  conversations: (p: ListParams) =>
    get<{ items: Conversation[] | null; next_cursor: string }>("/conversations" + query({ ...p })),
  counts: () => get<Counts>("/conversations/counts"),
  conversation: (id: number) => get<Conversation>(`/conversations/${id}`),
  updateConversation: (id: number, p: ConversationPatch) => patch<Conversation>(`/conversations/${id}`, p),
  setLabels: (id: number, labels: string[]) => put<Conversation>(`/conversations/${id}/labels`, { labels }),
  bulk: (b: BulkUpdate) => post<{ updated: number }>("/conversations/bulk", b),
  messages: (id: number, before?: number, limit = 50) =>
    get<Items<Message>>(`/conversations/${id}/messages` + query({ before, limit })).then(items),
  send: (id: number, content: string, priv: boolean, email?: EmailDraft) =>
    post<Message>(`/conversations/${id}/messages`, email ? { content, private: priv, email } : { content, private: priv }),
  /** Starts an outgoing email conversation, to a contact or to an address. */
  startEmail: (b: { inbox_id: number; contact_id?: number; to?: string; content: string; email: EmailDraft }) =>
    post<{ conversation: Conversation; message: Message }>("/conversations", b),
  retry: (messageId: number) => post<Message>(`/messages/${messageId}/retry`),
  /** Calls the conversation's customer: Sahay rings the agent's phone, then connects the customer. */
  startCall: (id: number) => post<Message>(`/conversations/${id}/calls`),

  contacts: (q: string) => get<Items<Contact>>("/contacts" + query({ q })).then(items),
  contactPage: (p: ContactParams) =>
    get<{ items: Contact[] | null; next_before: number }>("/contacts" + query({ ...p })),
  contact: (id: number) => get<Contact>(`/contacts/${id}`),
  updateContact: (id: number, p: Partial<Pick<Contact, "name" | "email" | "phone" | "attributes">>) =>
    patch<Contact>(`/contacts/${id}`, p),
  deleteContact: (id: number) => del(`/contacts/${id}`),
  mergeContact: (id: number, other_id: number) => post<Contact>(`/contacts/${id}/merge`, { other_id }),
  contactConversations: (id: number) => get<Items<Conversation>>(`/contacts/${id}/conversations`).then(items),

  inboxes: () => get<Items<Inbox>>("/inboxes").then(items),
  createInbox: (name: string, channel: string, settings: Record<string, unknown>) =>
    post<Inbox>("/inboxes", { name, channel, settings }),
  updateInbox: (id: number, p: { name?: string; settings?: Record<string, unknown> }) => patch<Inbox>(`/inboxes/${id}`, p),
  channels: () => get<Items<ChannelDescription>>("/channels").then(items),
  deleteInbox: (id: number) => del(`/inboxes/${id}`),
  testInbox: (id: number) => post<{ ok: boolean; error?: string }>(`/inboxes/${id}/test`),
  agentBot: (id: number) => get<AgentBot>(`/inboxes/${id}/agent_bot`),
  setAgentBot: (id: number, b: { webhook_url: string; rotate_secret?: boolean }) => put<AgentBot>(`/inboxes/${id}/agent_bot`, b),
  deleteAgentBot: (id: number) => del(`/inboxes/${id}/agent_bot`),
  createAgentBotToken: (id: number) => post<{ token: string; api_token: APIToken }>(`/inboxes/${id}/agent_bot/token`),
  setInboxMembers: (id: number, user_ids: number[]) => put<Inbox>(`/inboxes/${id}/members`, { user_ids }),

  teams: () => get<Items<Team>>("/teams").then(items),
  createTeam: (p: { name: string; description: string; member_ids: number[] }) => post<Team>("/teams", p),
  updateTeam: (id: number, p: { name: string; description: string; member_ids: number[] }) => patch<Team>(`/teams/${id}`, p),
  deleteTeam: (id: number) => del(`/teams/${id}`),

  labels: () => get<Items<Label>>("/labels").then(items),
  createLabel: (p: { name: string; color: string; description: string }) => post<Label>("/labels", p),
  updateLabel: (id: number, p: { name: string; color: string; description: string }) => patch<Label>(`/labels/${id}`, p),
  deleteLabel: (id: number) => del(`/labels/${id}`),

  canned: () => get<Items<CannedResponse>>("/canned_responses").then(items),
  createCanned: (p: { short_code: string; content: string }) => post<CannedResponse>("/canned_responses", p),
  updateCanned: (id: number, p: { short_code: string; content: string }) => patch<CannedResponse>(`/canned_responses/${id}`, p),
  deleteCanned: (id: number) => del(`/canned_responses/${id}`),

  faqs: () => get<Items<FAQ>>("/bot/faqs").then(items),
  createFAQ: (p: FAQInput) => post<FAQ>("/bot/faqs", p),
  updateFAQ: (id: number, p: FAQInput) => patch<FAQ>(`/bot/faqs/${id}`, p),
  deleteFAQ: (id: number) => del(`/bot/faqs/${id}`),
  tryBot: (inboxID: number, text: string) => post<BotTrialResult>("/bot/try", { inbox_id: inboxID, text }),
  botSettings: (inboxID: number) => get<BotSettings>(`/inboxes/${inboxID}/bot`),
  setBotSettings: (inboxID: number, p: Partial<BotSettings>) => patch<BotSettings>(`/inboxes/${inboxID}/bot`, p),
  /** Hands a conversation the bot has to a person; "takeover" makes it the caller's. */
  handOff: (id: number, reason: string) => post<Conversation>(`/conversations/${id}/handoff`, { reason }),

  users: () => get<Items<User>>("/users").then(items),
  createUser: (p: { email: string; name: string; role: string; password: string; phone?: string }) => post<User>("/users", p),
  updateUser: (id: number, p: { name?: string; role?: string; phone?: string }) => patch<User>(`/users/${id}`, p),
  deleteUser: (id: number) => del(`/users/${id}`),
  /** How an inbox's or a team's new conversations find an agent. */
  routing: (scope: "inboxes" | "teams", id: number) => get<RoutingSettings>(`/${scope}/${id}/routing`),
  setRouting: (scope: "inboxes" | "teams", id: number, p: Partial<RoutingSettings>) => put<RoutingSettings>(`/${scope}/${id}/routing`, p),
  inboxSurvey: (id: number) => get<{ survey_on_resolve: boolean }>(`/inboxes/${id}/survey`),
  setInboxSurvey: (id: number, on: boolean) => put<{ survey_on_resolve: boolean }>(`/inboxes/${id}/survey`, { survey_on_resolve: on }),
  /** The account's default capacity per channel kind. */
  accountCapacity: () => get<Capacity>("/routing/capacity"),
  setAccountCapacity: (c: Capacity) => put<Capacity>("/routing/capacity", c),
  /** A user's own capacity; null kinds take the account's. */
  userCapacity: (id: number) => get<Capacity>(`/users/${id}/capacity`),
  setUserCapacity: (id: number, c: Capacity) => put<Capacity>(`/users/${id}/capacity`, c),

  account: () => get<Account>("/account"),
  ai: () => get<AISettings>("/ai"),
  setAI: (b: { base_url: string; model: string; api_key?: string }) => put<AISettings>("/ai", b),
  deleteAI: () => del("/ai"),
  /** Tests the settings given, or the saved ones without any. */
  testAI: (b?: { base_url: string; model: string; api_key?: string }) => post<{ ok: boolean; latency_ms: number }>("/ai/test", b),
  suggestReplies: (id: number) => post<Suggestions>(`/conversations/${id}/suggestions`),
  summarize: (id: number) => post<{ language: string; summary: string }>(`/conversations/${id}/summary`),
  updateAccount: (p: { name: string; time_zone: string; locales: string[]; business_hours?: BusinessHours }) => patch<Account>("/account", p),

  tokens: () => get<Items<APIToken>>("/me/tokens").then(items),
  createToken: (name: string) => post<{ token: string; api_token: APIToken }>("/me/tokens", { name }),
  deleteToken: (id: number) => del(`/me/tokens/${id}`),

  auditLog: () => get<Items<AuditEntry>>("/audit_log").then(items),

  search: (q: string) => get<SearchResult>("/search" + query({ q })),

  views: () => get<Items<SavedView>>("/views").then(items),
  createView: (v: ViewInput) => post<SavedView>("/views", v),
  updateView: (id: number, v: ViewInput) => patch<SavedView>(`/views/${id}`, v),
  deleteView: (id: number) => del(`/views/${id}`),
};

/** What creates or changes an automation rule. */
export interface AutomationRuleInput {
  name: string;
  enabled?: boolean;
  event: string;
  conditions: { all?: RuleCondition[]; any?: RuleCondition[] };
  actions: RuleAction[];
}

/** Automation rules (administrators): the rules and each rule's runs. */
export const automationApi = {
  rules: () => get<Items<AutomationRule>>("/automation_rules").then(items),
  rule: (id: number) => get<AutomationRule>(`/automation_rules/${id}`),
  create: (b: AutomationRuleInput) => post<AutomationRule>("/automation_rules", b),
  update: (id: number, b: Partial<AutomationRuleInput>) => patch<AutomationRule>(`/automation_rules/${id}`, b),
  remove: (id: number) => del(`/automation_rules/${id}`),
  runs: (id: number) => get<Items<AutomationRun>>(`/automation_rules/${id}/runs`).then(items),
};

/** The signed-in agent's notifications, their preferences and Web Push subscriptions. */
export const notifyApi = {
  list: (before?: number) =>
    get<{ items: AgentNotification[] | null; unread: number }>("/notifications" + query({ before })),
  read: (up_to: number) => post<void>("/notifications/read", { up_to }),
  prefs: () => get<NotifyPrefs>("/me/notification_prefs"),
  // The server replaces every choice; a kind left out falls back to its default.
  setPrefs: (p: NotifyPrefs) => put<NotifyPrefs>("/me/notification_prefs", p),
  pushKey: () => get<{ public_key: string }>("/push/key"),
  subscribe: (sub: PushSubscriptionJSON) => post<void>("/push/subscriptions", sub),
  unsubscribe: (endpoint: string) => call<void>("DELETE", "/push/subscriptions", { endpoint }),
};

/** The website chat widget's agent routes. */
export const widgetApi = {
  embed: (inboxId: number) => get<WidgetEmbed>(`/inboxes/${inboxId}/widget`),
  visitors: (inboxId: number) =>
    get<{ visitors: LiveVisitor[] | null }>(`/inboxes/${inboxId}/visitors`).then((r) => r.visitors ?? []),
  startChat: (inboxId: number, visitor: string, content: string) =>
    post<{ conversation: Conversation; message: Message }>(`/inboxes/${inboxId}/visitors/${encodeURIComponent(visitor)}/chat`, { content }),
  campaigns: (inboxId: number) =>
    get<{ campaigns: CampaignReport[] | null }>(`/inboxes/${inboxId}/campaigns`).then((r) => r.campaigns ?? []),
  csat: (inboxId: number) => get<CSATReport>(`/inboxes/${inboxId}/csat`),
  orders: (contactId: number) =>
    get<{ orders: CommerceOrder[] | null }>(`/contacts/${contactId}/orders`).then((r) => r.orders ?? []),
  secrets: (inboxId: number) => get<Record<string, string>>(`/inboxes/${inboxId}/secrets`),
  setSecrets: (inboxId: number, secrets: Record<string, string>) => patch<Inbox>(`/inboxes/${inboxId}`, { secrets }),
};

/**
 * The conversation view: a reply with files (multipart: "content",
 * "private" and up to five "file" parts), merging, and the typing and read
 * receipts a website visitor sees (widget inboxes only).
 */
export const conversationApi = {
  sendWithFiles: (id: number, content: string, priv: boolean, files: File[], email?: EmailDraft, allowPersonalData = false) => {
    const form = new FormData();
    form.append("content", content);
    form.append("private", String(priv));
    if (allowPersonalData) form.append("allow_personal_data", "true");
    if (email) form.append("email", JSON.stringify(email));
    for (const f of files) form.append("file", f, f.name);
    return call<Message>("POST", `/conversations/${id}/messages`, form);
  },
  /** A new outgoing email with files: the JSON body's fields as form fields ("email" as JSON). */
  startEmailWithFiles: (b: { inbox_id: number; contact_id?: number; to?: string; content: string; email: EmailDraft }, files: File[]) => {
    const form = new FormData();
    form.append("inbox_id", String(b.inbox_id));
    if (b.contact_id) form.append("contact_id", String(b.contact_id));
    if (b.to) form.append("to", b.to);
    form.append("content", b.content);
    form.append("email", JSON.stringify(b.email));
    for (const f of files) form.append("file", f, f.name);
    return call<{ conversation: Conversation; message: Message }>("POST", "/conversations", form);
  },
  merge: (id: number, other_id: number) => post<Conversation>(`/conversations/${id}/merge`, { other_id }),
  typing: (id: number, on: boolean) => post<void>(`/conversations/${id}/typing`, { on }),
  seen: (id: number, upto: number) => post<void>(`/conversations/${id}/seen`, { upto }),
};

/** What a reply carries besides its text: a template, and leave to post personal data in public. */
export interface ReplyOptions {
  template?: TemplateUse;
  /** The agent confirmed a public reply that shows a phone number or an address. */
  allow_personal_data?: boolean;
}

/**
 * The routes of channels with public comments and templates (Messenger,
 * Instagram, WhatsApp): replies with a template or personal data, private
 * replies to a comment, moderation, and an inbox's templates.
 */
export const publicApi = {
  reply: (id: number, content: string, o: ReplyOptions) => post<Message>(`/conversations/${id}/messages`, { content, private: false, ...o }),
  privateReply: (id: number, content: string) =>
    post<{ conversation: Conversation; message: Message }>(`/conversations/${id}/private_reply`, { content }),
  moderate: (messageId: number, action: "hide" | "unhide" | "delete") => post<Message>(`/messages/${messageId}/moderate`, { action }),
  templates: (inboxId: number) => get<Template[] | Items<Template> | null>(`/inboxes/${inboxId}/templates`).then(templateList),
  syncTemplates: (inboxId: number) => post<Template[] | Items<Template> | null>(`/inboxes/${inboxId}/templates/sync`).then(templateList),
  /** Starts a conversation with a template, to a contact or to a +E.164 number. */
  start: (b: { inbox_id: number; contact_id?: number; to?: string; content: string; template: TemplateUse }) =>
    post<{ conversation: Conversation; message: Message }>("/conversations", b),
};

// The list of templates, whether the server answers it bare or as items.
function templateList(r: Template[] | Items<Template> | null): Template[] {
  if (!r) return [];
  return Array.isArray(r) ? r : items(r);
}

/** Whether Connect with Facebook is offered, and for which channels. */
export interface MetaConnectStatus {
  configured: boolean;
  channels: string[];
}

/** A Page, or an Instagram account with its Page, a sign-in with Facebook may connect. */
export interface MetaChoice {
  id: string;
  name: string;
  page_id: string;
  page_name: string;
}

/** Connect with Facebook: the sign-in, what it shared, and the inbox made of a choice. */
export const metaApi = {
  status: () => get<MetaConnectStatus>("/meta/connect"),
  start: (channel: string) => post<{ url: string }>("/meta/connect", { channel }),
  choices: (key: string) => get<{ channel: string; items: MetaChoice[] | null }>(`/meta/connect/${encodeURIComponent(key)}`),
  connect: (key: string, id: string, name: string) => post<Inbox>(`/meta/connect/${encodeURIComponent(key)}`, { id, name }),
};

/** What a macro is made of when it is saved. */
export interface MacroInput {
  name?: string;
  visibility?: "personal" | "account";
  actions?: MacroAction[];
}

/** Macros: the ones the agent may run, their changes, and running one on a conversation. */
export const macrosApi = {
  list: () => get<Items<Macro>>("/macros").then(items),
  create: (b: MacroInput) => post<Macro>("/macros", b),
  update: (id: number, b: MacroInput) => patch<Macro>(`/macros/${id}`, b),
  remove: (id: number) => del(`/macros/${id}`),
  run: (conversationId: number, macroId: number) => post<Conversation>(`/conversations/${conversationId}/macros/${macroId}/run`),
};

/** The tone guard: a draft checked before it is sent, and the team's policy it is checked against. */
export const toneApi = {
  /** rephrase asks the account's AI for the suggestion (when AI is on). */
  check: (text: string, conversationId: number, rephrase = false) => post<ToneCheck>("/tone", { text, conversation_id: conversationId, ...(rephrase ? { rephrase } : {}) }),
  policy: () => get<TonePolicy>("/tone/policy"),
  setPolicy: (p: TonePolicy) => put<TonePolicy>("/tone/policy", p),
};

/** The support rota: everyone reads it and swaps; administrators add and remove shifts. */
export const rotaApi = {
  get: () => get<Rota>("/rota"),
  addShift: (b: Omit<Shift, "id">) => post<Shift>("/rota/shifts", b),
  removeShift: (id: number) => del(`/rota/shifts/${id}`),
  askSwap: (b: { shift_id: number; date: string; user_id?: number }) => post<Swap>("/rota/swaps", b),
  decide: (id: number, action: "accept" | "decline" | "cancel") => post<Swap>(`/rota/swaps/${id}/${action}`),
};

/** The Mentions view's filters. */
export interface MentionParams {
  keyword?: number;
  channel?: string;
  sentiment?: string;
}

/** Social listening: the public messages naming the account's keywords, their trend, and the keywords. */
export const mentionsApi = {
  list: (p: MentionParams & { cursor?: string; limit?: number }) =>
    get<{ items: Mention[] | null; next_cursor: string }>("/mentions" + query({ ...p })),
  trend: (p: MentionParams & { days: number }) => get<MentionTrend>("/mentions/trend" + query({ ...p })),
  keywords: () => get<Items<MentionKeyword>>("/mentions/keywords").then(items),
  createKeyword: (b: { term: string; kind: string }) => post<MentionKeyword>("/mentions/keywords", b),
  updateKeyword: (id: number, b: { term?: string; kind?: string }) => patch<MentionKeyword>(`/mentions/keywords/${id}`, b),
  deleteKeyword: (id: number) => del(`/mentions/keywords/${id}`),
};

/** An SLA policy (docs/sla.md). */
export interface SLAPolicy {
  id: number;
  account_id: number;
  name: string;
  position: number;
  inbox_ids: number[];
  team_ids: number[];
  labels: string[];
  priorities: number[];
  first_response_seconds: number;
  next_response_seconds: number;
  resolution_seconds: number;
  business_hours: boolean;
  warn_percent: number;
  warn_seconds: number;
}

export type SLAPolicyInput = Partial<Omit<SLAPolicy, "id" | "account_id">>;

/** A conversation's SLA clock. */
export interface ConversationSLA {
  policy_id: number;
  policy_name: string;
  business_hours: boolean;
  first_response_due_at: string | null;
  next_response_due_at: string | null;
  resolution_due_at: string | null;
  breached: ("first_response" | "next_response" | "resolution")[];
}

export const slaApi = {
  list: () => get<Items<SLAPolicy>>("/sla_policies").then(items),
  create: (b: SLAPolicyInput) => post<SLAPolicy>("/sla_policies", b),
  update: (id: number, b: SLAPolicyInput) => patch<SLAPolicy>(`/sla_policies/${id}`, b),
  remove: (id: number) => del(`/sla_policies/${id}`),
  clock: (conversationId: number) => get<ConversationSLA | null>(`/conversations/${conversationId}/sla`),
  clocks: (ids: number[]) => get<Items<ConversationSLA & { conversation_id: number }>>(`/sla_clocks?ids=${ids.join(",")}`).then(items),
};

/** A report's period and filters, as the reports endpoints read them. */
export interface ReportParams {
  from: string;
  to: string;
  inbox_id?: string;
  team_id?: string;
  agent_id?: string;
  channel?: string;
  label?: string;
  business_hours?: string;
}

/** A duration's median and 90th percentile in seconds; null when nothing was measured. */
export interface Percentiles {
  median: number | null;
  p90: number | null;
  count: number;
}

/** GET /reports/summary: the period's headline figures. Fields added later are optional. */
export interface ReportSummary {
  from: string;
  to: string;
  time_zone: string;
  business_hours: boolean;
  conversations_opened: number;
  conversations_resolved: number;
  first_response_seconds: Percentiles;
  next_response_seconds?: Percentiles;
  resolution_seconds: Percentiles;
  csat: { score: number | null; responses: number; surveys_sent?: number; response_rate?: number | null };
  first_contact_resolution_rate: number | null;
  sla_compliance_rate: number | null;
  bot?: { conversations: number; resolved_by_bot: number; handed_off: number; resolution_rate: number | null; handoff_rate: number | null };
}

/** One local day of GET /reports/series. */
export interface ReportDay {
  day: string;
  opened: number;
  resolved: number;
  first_response_median: number | null;
  resolution_median: number | null;
  next_response_median: number | null;
  csat_score: number | null;
  csat_responses: number;
}

/** One local day of GET /reports/sentiment. */
export interface SentimentDay {
  day: string;
  positive: number;
  neutral: number;
  negative: number;
}

/** A row of GET /reports/agents. */
export interface AgentRow {
  agent_id: number;
  name: string;
  resolved: number;
  replies: number;
  first_response_median: number | null;
  resolution_median: number | null;
  csat_score: number | null;
  csat_responses: number;
  first_contact_resolution_rate: number | null;
}

/** A label or a term of the voice of the customer, with its change on the period before. */
export interface Topic {
  kind?: "label" | "term";
  name?: string;
  term?: string;
  language?: string;
  count: number;
  previous: number;
  change: number;
}

export interface ReportTopics {
  labels: Topic[] | null;
  terms: Topic[] | null;
  rising: Topic[] | null;
}

/** A conversation behind a topic. */
export interface TopicConversation {
  id: number;
  display_id: number;
  contact_name: string;
  snippet: string;
  created_at: string;
}

/** GET /reports/live: the account right now. */
export interface LiveReport {
  open: number;
  unassigned: number;
  pending: number;
  waiting_longest: { conversation_id: number; display_id: number; contact_name: string; inbox_id: number; waiting_since: string; waiting_seconds: number }[] | null;
  agents_online: { agent_id: number; name: string; open_assigned: number }[] | null;
}

/** The filters the sentiment and topics reports take: the others answer 422. */
export function voiceParams(p: ReportParams): ReportParams {
  return { from: p.from, to: p.to, inbox_id: p.inbox_id, channel: p.channel };
}

/**
 * The filters the sentiment trend takes: those of voiceParams, or one
 * team, agent or label alone, whose counts it keeps too.
 */
export function sentimentParams(p: ReportParams): ReportParams {
  if (sentimentScoped(p)) return { from: p.from, to: p.to, team_id: p.team_id, agent_id: p.agent_id, label: p.label };
  return voiceParams(p);
}

/** Whether the sentiment trend reads one team's, agent's or label's counts. */
export function sentimentScoped(p: ReportParams): boolean {
  return [p.team_id, p.agent_id, p.label].filter(Boolean).length === 1 && !p.inbox_id && !p.channel;
}

/** The query string of a report: its period and the filters that are set. */
export function reportQuery(p: ReportParams, extra: Record<string, string> = {}): string {
  return query({ ...p, ...extra });
}

export const reportsApi = {
  summary: (p: ReportParams) => get<ReportSummary>("/reports/summary" + reportQuery(p)),
  series: (p: ReportParams) => get<{ days: ReportDay[] | null }>("/reports/series" + reportQuery(p)),
  heatmap: (p: ReportParams) => get<{ max: number; cells: number[][] | null }>("/reports/heatmap" + reportQuery(p)),
  agents: (p: ReportParams) => get<{ agents: AgentRow[] | null }>("/reports/agents" + reportQuery(p)),
  // Sentiment and topics are kept by inbox and language: they take the
  // period, the inbox and the channel (see voiceParams).
  sentiment: (p: ReportParams) => get<{ days: SentimentDay[] | null }>("/reports/sentiment" + reportQuery(sentimentParams(p))),
  topics: (p: ReportParams) => get<ReportTopics>("/reports/topics" + reportQuery(voiceParams(p))),
  topicConversations: (p: ReportParams, topic: { term?: string; language?: string; label?: string }) =>
    get<{ conversations: TopicConversation[] | null }>("/reports/topics/conversations" + reportQuery(voiceParams(p), topic)),
  live: () => get<LiveReport>("/reports/live"),
};

/** A knowledge base article's version in one language. */
export interface KBTranslation {
  locale: string;
  title: string;
  description: string;
  /** Markdown; absent in lists. */
  body?: string;
  status: "draft" | "published";
  /** The working copy differs from the published version. */
  has_draft: boolean;
  published_at: string | null;
  updated_at: string;
  slug: string;
  /** The public address, for a published translation of a public article; else "". */
  url: string;
  /** The published body rendered, in GET of one article. */
  html?: string;
  /** The published version's title and description, in GET of one article. */
  published_title?: string;
  published_description?: string;
  views: number;
  helpful: number;
  not_helpful: number;
}

/** A knowledge base article: its place and its translations. */
export interface KBArticle {
  id: number;
  category_id: number | null;
  internal: boolean;
  position: number;
  pages: string[] | null;
  created_at: string;
  updated_at: string;
  translations: KBTranslation[] | null;
}

export interface KBCategory {
  id: number;
  names: Record<string, string> | null;
  descriptions: Record<string, string> | null;
  position: number;
  article_count: number;
}

/** A search hit; snippet is escaped text with <mark> around matches. */
export interface KBHit {
  article_id: number;
  locale: string;
  title: string;
  snippet: string;
  internal: boolean;
  url: string;
  score: number;
}

export interface KBSettings {
  title: string;
  intro: Record<string, string> | null;
  color: string;
  domain: string;
  default_locale: string;
  locales: string[] | null;
  enabled: boolean;
  /** The website chat inbox whose widget the help center shows; 0 for none. */
  chat_inbox_id?: number;
  /** Where "Contact us" leads when there is no chat. */
  contact_url?: string;
  /** The help center's public path, /hc/{slug}; read only. */
  url?: string;
}

export interface KBReport {
  views: number;
  searches: number;
  helpful: number;
  not_helpful: number;
  most_viewed: { article_id: number; title: string; views: number; helpful: number; not_helpful: number }[] | null;
  no_result_searches: { query: string; locale: string; count: number; last_at: string }[] | null;
  helpfulness: { article_id: number; title: string; helpful: number; not_helpful: number; rate: number | null }[] | null;
}

/** What creates an article: its first translation and its place. */
export interface KBArticleInput {
  title: string;
  body: string;
  locale: string;
  description: string;
  status: "draft" | "published";
  category_id: number | null;
  internal: boolean;
  pages: string[];
  position?: number;
}

/** A translation saved: "published" publishes it, "unpublished" withdraws the published version. */
export interface KBTranslationInput {
  title: string;
  description: string;
  body: string;
  status: "draft" | "published" | "unpublished";
}

export interface KBCategoryInput {
  names?: Record<string, string>;
  descriptions?: Record<string, string>;
  position?: number;
}

/** The knowledge base: everyone reads it, administrators write it. */
/** A version of a translation that was published. */
export interface KBVersion {
  id: number;
  locale: string;
  title: string;
  description: string;
  body: string;
  published_by: number;
  published_at: string;
}

export const kbApi = {
  articles: (p: { category_id?: number; status?: string } = {}) => get<Items<KBArticle>>("/kb/articles" + query({ ...p })).then(items),
  article: (id: number) => get<KBArticle>(`/kb/articles/${id}`),
  create: (b: KBArticleInput) => post<KBArticle>("/kb/articles", b),
  update: (id: number, b: { category_id?: number | null; internal?: boolean; position?: number; pages?: string[] }) => patch<KBArticle>(`/kb/articles/${id}`, b),
  saveTranslation: (id: number, locale: string, b: KBTranslationInput) => put<KBArticle>(`/kb/articles/${id}/translations/${encodeURIComponent(locale)}`, b),
  removeTranslation: (id: number, locale: string) => del(`/kb/articles/${id}/translations/${encodeURIComponent(locale)}`),
  remove: (id: number) => del(`/kb/articles/${id}`),
  versions: (id: number, locale: string) => get<Items<KBVersion>>(`/kb/articles/${id}/versions` + query({ locale })).then(items),
  restore: (id: number, version: number) => post<KBArticle>(`/kb/articles/${id}/versions/${version}/restore`, {}),
  categories: () => get<Items<KBCategory>>("/kb/categories").then(items),
  createCategory: (b: KBCategoryInput) => post<KBCategory>("/kb/categories", b),
  updateCategory: (id: number, b: KBCategoryInput) => patch<KBCategory>(`/kb/categories/${id}`, b),
  removeCategory: (id: number) => del(`/kb/categories/${id}`),
  search: (q: string, limit = 10) => get<Items<KBHit>>("/kb/search" + query({ q, limit })).then(items),
  upload: (file: File) => {
    const f = new FormData();
    f.append("file", file);
    return post<{ url: string; markdown: string }>("/kb/files", f);
  },
  preview: (body: string) => post<{ html: string }>("/kb/preview", { body }),
  settings: () => get<KBSettings>("/kb/settings"),
  setSettings: (s: KBSettings) => put<KBSettings>("/kb/settings", s),
  reports: (from: string, to: string) => get<KBReport>("/kb/reports" + query({ from, to })),
  /** Changes the account's address name, which the help center's address carries. */
  setSlug: (slug: string) => patch<Account>("/account", { slug }),
};
