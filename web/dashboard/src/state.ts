// Shared application state: who is signed in and the account's reference
// data (agents, teams, inboxes, labels, canned responses), with a tiny
// publish/subscribe so views re-render when it changes.
import { api } from "./api";
import type { Account, CannedResponse, Capabilities, ChannelDescription, CountChange, Counts, Inbox, Label, Me, SavedView, StatusCounts, Team, User } from "./types";
import type { AISettings } from "./types";

type Listener = () => void;
const listeners = new Map<string, Set<Listener>>();

/** Subscribes to a topic; returns the unsubscribe function. */
export function on(topic: string, fn: Listener): () => void {
  let set = listeners.get(topic);
  if (!set) listeners.set(topic, (set = new Set()));
  set.add(fn);
  return () => set?.delete(fn);
}

export function emit(topic: string): void {
  for (const fn of [...(listeners.get(topic) ?? [])]) fn();
}

export const state = {
  me: null as User | null,
  account: null as Account | null,
  inboxIds: [] as number[],
  teamIds: [] as number[],
  users: [] as User[],
  teams: [] as Team[],
  inboxes: [] as Inbox[],
  labels: [] as Label[],
  canned: [] as CannedResponse[],
  counts: null as Counts | null,
  views: [] as SavedView[],
  /** The channels the server runs, read once: they change only with a new server. */
  channels: [] as ChannelDescription[],
  emailAvailable: false,
  /** The account's optional AI endpoint: its buttons show only when it is on. */
  ai: null as AISettings | null,
};

export function me(): User {
  if (!state.me) throw new Error("not signed in");
  return state.me;
}

export function isAdmin(): boolean {
  const r = state.me?.role;
  return r === "owner" || r === "admin";
}

export function setMe(m: Me): void {
  state.me = m.user;
  state.account = m.account;
  state.inboxIds = m.inbox_ids ?? [];
  state.teamIds = m.team_ids ?? [];
  state.emailAvailable = !!m.email_available;
  emit("me");
}

// Each list may be forbidden to agents; a failed load keeps what we had.
async function settle<T>(p: Promise<T>, fallback: T): Promise<T> {
  try {
    return await p;
  } catch {
    return fallback;
  }
}

/** Loads the account's reference data. */
export async function loadMeta(): Promise<void> {
  const [users, teams, inboxes, labels, canned, views, channels, ai] = await Promise.all([
    settle(api.users(), state.users),
    settle(api.teams(), state.teams),
    settle(api.inboxes(), state.inboxes),
    settle(api.labels(), state.labels),
    settle(api.canned(), state.canned),
    settle(api.views(), state.views),
    state.channels.length ? state.channels : settle(api.channels(), state.channels),
    settle(api.ai(), state.ai),
  ]);
  const self = state.me;
  state.users = users.length ? users : self ? [self] : [];
  state.teams = teams;
  state.inboxes = inboxes;
  state.labels = labels;
  state.canned = canned;
  state.views = views;
  state.channels = channels;
  state.ai = ai;
  emit("meta");
}

/** Reloads the saved views with their counts. */
export async function reloadViews(): Promise<void> {
  state.views = await settle(api.views(), state.views);
  emit("counts");
}

/** Whether the signed-in user may rename or delete a saved view. */
export function canEditView(v: SavedView): boolean {
  return v.user_id === state.me?.id || isAdmin();
}

export async function reloadLabels(): Promise<void> {
  state.labels = await settle(api.labels(), state.labels);
  emit("meta");
}

export async function reloadInboxes(): Promise<void> {
  state.inboxes = await settle(api.inboxes(), state.inboxes);
  emit("meta");
}

let countsTimer = 0;

// The count changes of recent events, kept to move counts that were read
// while those events were on their way.
const recentChanges: { seq: number; changes: CountChange[] }[] = [];
const maxRecentChanges = 500;

/** Refreshes the view counts soon, coalescing bursts of events. */
export function refreshCounts(delay = 400): void {
  clearTimeout(countsTimer);
  countsTimer = window.setTimeout(async () => {
    try {
      const [counts, views] = await Promise.all([api.counts(), settle(api.views(), state.views)]);
      for (const r of recentChanges) moveCounts(counts, r.seq, r.changes);
      state.counts = counts;
      state.views = views;
      emit("counts");
    } catch {
      // Counts are decoration; the next event retries.
    }
  }, delay);
}

let viewsTimer = 0;

/**
 * Reads the saved views' counts again soon: their filters do not map onto
 * the count changes an event carries, so they follow a burst of changes.
 */
function refreshViews(delay = 400): void {
  clearTimeout(viewsTimer);
  viewsTimer = window.setTimeout(async () => {
    state.views = await settle(api.views(), state.views);
    emit("counts");
  }, delay);
}

function canSeeInbox(id: number): boolean {
  return isAdmin() || state.inboxIds.includes(id);
}

function bump(counts: Counts, key: "all" | "mine" | "unassigned", c: CountChange): void {
  const m: StatusCounts = (counts[key] ??= {});
  m[c.status] = (m[c.status] ?? 0) + c.n;
}

function bumpIn(counts: Counts, key: "inboxes" | "teams" | "labels" | "channels", id: string, c: CountChange): void {
  const all = (counts[key] ??= {});
  const m: StatusCounts = (all[id] ??= {});
  m[c.status] = (m[c.status] ?? 0) + c.n;
}

// Moves counts by an event's count changes, unless they already include it.
function moveCounts(counts: Counts, seq: number, changes: CountChange[]): void {
  if (seq <= (counts.seq ?? 0)) return;
  counts.seq = seq;
  const self = state.me?.id ?? 0;
  for (const c of changes) {
    if (!canSeeInbox(c.inbox_id)) continue;
    if (c.label_id) {
      bumpIn(counts, "labels", String(c.label_id), c);
      continue;
    }
    bump(counts, "all", c);
    bumpIn(counts, "inboxes", String(c.inbox_id), c);
    const channel = inboxById(c.inbox_id)?.channel;
    if (channel) bumpIn(counts, "channels", channel, c);
    if (c.team_id) bumpIn(counts, "teams", String(c.team_id), c);
    if (!c.assignee_id) bump(counts, "unassigned", c);
    else if (c.assignee_id === self) bump(counts, "mine", c);
  }
}

/**
 * Moves the view counts with an event, so a count changes with the row that
 * made it change rather than after a second request.
 */
export function applyCountChanges(seq: number, changes: CountChange[]): void {
  recentChanges.push({ seq, changes });
  if (recentChanges.length > maxRecentChanges) recentChanges.shift();
  if (state.views.length) refreshViews();
  if (!state.counts) return;
  moveCounts(state.counts, seq, changes);
  emit("counts");
}

export function userById(id: number): User | undefined {
  return state.users.find((u) => u.id === id);
}

export function userName(id: number): string {
  return userById(id)?.name ?? "";
}

export function inboxById(id: number): Inbox | undefined {
  return state.inboxes.find((i) => i.id === id);
}

/** A channel's description, or undefined when the server does not run it. */
export function channelInfo(name: string): ChannelDescription | undefined {
  return state.channels.find((c) => c.name === name);
}

// What a channel the server does not describe is taken to do: text only.
const noCapabilities: Capabilities = {
  max_text: 0, attachments: [], max_attachment_bytes: 0, typing: false, read_receipts: false, mark_read: false,
  window_hours: 0, templates: false, public_comments: false, private_reply: false, edits: false,
};

/** What the channel of an inbox can do. */
export function capabilitiesOf(inboxId: number): Capabilities {
  const inbox = inboxById(inboxId);
  return (inbox && channelInfo(inbox.channel)?.capabilities) || noCapabilities;
}

export function teamById(id: number): Team | undefined {
  return state.teams.find((t) => t.id === id);
}

export function viewById(id: number): SavedView | undefined {
  return state.views.find((v) => v.id === id);
}

export function labelByName(name: string): Label | undefined {
  return state.labels.find((l) => l.name === name);
}

/** The channels of the account's inboxes, each once, in a stable order. */
export function channels(): string[] {
  return [...new Set(state.inboxes.map((i) => i.channel))].sort();
}
