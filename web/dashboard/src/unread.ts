// Unread marks, kept per agent in localStorage: for each conversation the
// last message id and activity time the agent has seen. Conversations whose
// last activity predates the agent's first visit count as read, so a new
// agent is not greeted by a wall of unread marks, unless a customer is still
// waiting for an answer there: that is news to an agent who never opened it.
import type { Conversation, Message } from "./types";

interface Seen {
  m: number; // last seen message id
  t: string; // last seen activity time (RFC 3339)
}

interface Store {
  base: string;
  c: Record<string, Seen>;
  latest: Record<string, number>; // newest message id known per conversation
}

const limit = 500;
let key = "";
let store: Store = { base: new Date().toISOString(), c: {}, latest: {} };
const listeners = new Set<() => void>();

export function onUnread(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function changed(): void {
  save();
  for (const fn of [...listeners]) fn();
}

export function loadUnread(userId: number): void {
  key = "sahay.seen." + userId;
  try {
    const raw = localStorage.getItem(key);
    const s = raw ? (JSON.parse(raw) as Partial<Store>) : null;
    if (s && typeof s.base === "string") {
      store = { base: s.base, c: s.c ?? {}, latest: s.latest ?? {} };
      return;
    }
  } catch {
    // A corrupt entry is replaced below.
  }
  store = { base: new Date().toISOString(), c: {}, latest: {} };
  save();
}

function save(): void {
  if (!key) return;
  const ids = Object.keys(store.c);
  if (ids.length > limit) {
    ids.sort((a, b) => Date.parse(store.c[a].t) - Date.parse(store.c[b].t));
    for (const id of ids.slice(0, ids.length - limit)) {
      delete store.c[id];
      delete store.latest[id];
    }
  }
  try {
    localStorage.setItem(key, JSON.stringify(store));
  } catch {
    // Storage full or disabled: marks last for this page only.
  }
}

/** Whether the conversation has activity the agent has not seen. */
export function isUnread(c: Conversation): boolean {
  const seen = store.c[c.id];
  const latest = store.latest[c.id] ?? 0;
  if (seen && latest > seen.m) return true;
  if (!seen && c.waiting_since && c.status !== "resolved") return true;
  const t = seen?.t ?? store.base;
  return Date.parse(c.last_activity_at) > Date.parse(t);
}

/** Records that the agent has seen the conversation up to now. */
export function markSeen(c: Conversation, lastMessageId = 0): void {
  const prev = store.c[c.id];
  const m = Math.max(prev?.m ?? 0, lastMessageId, store.latest[c.id] ?? 0);
  const t = prev && Date.parse(prev.t) > Date.parse(c.last_activity_at) ? prev.t : c.last_activity_at;
  if (prev && prev.m === m && prev.t === t) return;
  store.c[c.id] = { m, t };
  changed();
}

/** Records a message that arrived; an incoming one makes the conversation unread. */
export function noteMessage(msg: Message): void {
  if (msg.kind !== "incoming") return;
  const cur = store.latest[msg.conversation_id] ?? 0;
  if (msg.id > cur) {
    store.latest[msg.conversation_id] = msg.id;
    changed();
  }
}
