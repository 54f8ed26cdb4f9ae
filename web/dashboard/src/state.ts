// Shared application state: who is signed in and the account's reference
// data (agents, teams, inboxes, labels, canned responses), with a tiny
// publish/subscribe so views re-render when it changes.
import { api } from "./api";
import type { Account, CannedResponse, Counts, Inbox, Label, Me, SavedView, Team, User } from "./types";

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
  const [users, teams, inboxes, labels, canned, views] = await Promise.all([
    settle(api.users(), state.users),
    settle(api.teams(), state.teams),
    settle(api.inboxes(), state.inboxes),
    settle(api.labels(), state.labels),
    settle(api.canned(), state.canned),
    settle(api.views(), state.views),
  ]);
  const self = state.me;
  state.users = users.length ? users : self ? [self] : [];
  state.teams = teams;
  state.inboxes = inboxes;
  state.labels = labels;
  state.canned = canned;
  state.views = views;
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

/** Refreshes the view counts soon, coalescing bursts of events. */
export function refreshCounts(delay = 400): void {
  clearTimeout(countsTimer);
  countsTimer = window.setTimeout(async () => {
    try {
      [state.counts, state.views] = await Promise.all([api.counts(), settle(api.views(), state.views)]);
      emit("counts");
    } catch {
      // Counts are decoration; the next event retries.
    }
  }, delay);
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
