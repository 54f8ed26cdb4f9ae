// The conversation list behind the inbox views: which view, status tab and
// order is shown, the loaded page(s), the bulk selection, and how a realtime
// event moves a conversation into, within or out of the list.
import { api, exportURL, type ListParams } from "./api";
import { emit, inboxById, me, state, viewById } from "./state";
import type { Conversation, MoodLabel, Sort, Status, ViewFilters } from "./types";

export const statuses: Status[] = ["open", "pending", "snoozed", "resolved"];
export const sorts: Sort[] = ["last_activity", "waiting", "priority", "created", "sentiment"];
export const moods: MoodLabel[] = ["negative", "neutral", "positive"];

export interface Filter {
  view: string; // all, mine, unassigned, team:<id>, inbox:<id>, label:<name>, channel:<name>, saved:<id>
  status: Status;
  sort: Sort;
  /** Only conversations whose customer's latest analysed message has this sentiment; "" for any. */
  mood: MoodLabel | "";
}

function isMood(s: unknown): s is MoodLabel | "" {
  return s === "" || moods.includes(s as MoodLabel);
}

export const list = {
  filter: { view: "all", status: "open", sort: "last_activity", mood: "" } as Filter,
  items: [] as Conversation[],
  nextCursor: "",
  loading: false,
  error: "",
  selected: new Set<number>(),
  activeId: 0,
  /** The view names a label (or a kind of view) the account does not have. */
  missing: false,
};

const pageSize = 30;
let generation = 0;
let buffering = false; // a first page is loading: hold realtime updates
let pending: Conversation[] = []; // realtime updates that arrived during a load

const viewKinds = ["all", "mine", "unassigned", "team", "inbox", "label", "channel", "saved"];

export function filterFromQuery(q: URLSearchParams): Filter {
  const saved = savedFilter();
  const status = q.get("status") as Status | null;
  const sort = q.get("sort") as Sort | null;
  const mood = q.get("mood") ?? "";
  let view = q.get("view") || saved.view;
  // view=label&label=refund is view=label:refund written out.
  const arg = q.get(view);
  if (arg && ["team", "inbox", "label", "channel"].includes(view)) view += ":" + arg;
  return {
    view,
    status: status && statuses.includes(status) ? status : saved.status,
    sort: sort && sorts.includes(sort) ? sort : saved.sort,
    mood: isMood(mood) ? mood : "",
  };
}

export function filterQuery(f: Filter): string {
  const q = new URLSearchParams({ view: f.view, status: f.status, sort: f.sort });
  if (f.mood) q.set("mood", f.mood);
  return q.toString();
}

function savedFilter(): Filter {
  try {
    const f = JSON.parse(localStorage.getItem("sahay.filter") ?? "null") as Filter | null;
    if (f && typeof f.view === "string" && statuses.includes(f.status) && sorts.includes(f.sort)) return { ...f, mood: isMood(f.mood) ? f.mood : "" };
  } catch {
    // fall through to the default
  }
  return { view: "all", status: "open", sort: "last_activity", mood: "" };
}

/**
 * Whether a view cannot be shown: a label the account does not have, a view
 * kind that does not exist, or a kind without its argument. The list then
 * says so instead of asking the server, which would list everything.
 */
export function missingView(view: string): boolean {
  const [kind, ...rest] = view.split(":");
  const arg = rest.join(":");
  if (!viewKinds.includes(kind)) return true;
  if (kind === "all" || kind === "mine" || kind === "unassigned") return false;
  if (!arg) return true;
  return kind === "label" && !state.labels.some((l) => l.name === arg);
}

export function sameFilter(a: Filter, b: Filter): boolean {
  return a.view === b.view && a.status === b.status && a.sort === b.sort && a.mood === b.mood;
}

function params(f: Filter): ListParams {
  const p: ListParams = { status: f.status, sort: f.sort, mood: f.mood || undefined, limit: pageSize };
  const [kind, ...rest] = f.view.split(":");
  const arg = rest.join(":");
  switch (kind) {
    case "mine":
      p.assignee = "me";
      break;
    case "unassigned":
      p.assignee = "none";
      break;
    case "team":
      p.team = arg;
      break;
    case "inbox":
      p.inbox = arg;
      break;
    case "label":
      p.label = arg;
      break;
    case "channel":
      p.channel = arg;
      break;
    case "saved": {
      // A saved view's own filters; the status tab and the order stay the agent's.
      const v = viewById(Number(arg));
      if (v) {
        const { assignee, team, inbox, label, channel } = v.filters;
        Object.assign(p, { assignee, team: team ? String(team) : undefined, inbox: inbox ? String(inbox) : undefined, label, channel });
      }
      break;
    }
  }
  return p;
}

/** The filters of a list as a saved view keeps them. */
export function viewFilters(f: Filter = list.filter): ViewFilters {
  const p = params(f);
  const out: ViewFilters = { status: p.status, sort: p.sort };
  if (p.assignee) out.assignee = p.assignee;
  if (p.team) out.team = Number(p.team);
  if (p.inbox) out.inbox = Number(p.inbox);
  if (p.label) out.label = p.label;
  if (p.channel) out.channel = p.channel;
  return out;
}

/** Where the list under its filters downloads as CSV. */
export function exportHref(f: Filter = list.filter): string {
  const p: Record<string, string | number | undefined> = { ...params(f) };
  delete p.limit;
  delete p.cursor;
  return exportURL("conversations", p);
}

/** Whether a conversation belongs in the current view and status tab. */
export function matches(c: Conversation, f: Filter = list.filter): boolean {
  if (c.status !== f.status) return false;
  if (f.mood && c.mood?.sentiment !== f.mood) return false;
  const [kind, ...rest] = f.view.split(":");
  const arg = rest.join(":");
  switch (kind) {
    case "mine":
      return c.assignee_id === me().id;
    case "unassigned":
      return !c.assignee_id;
    case "team":
      return String(c.team_id) === arg;
    case "inbox":
      return String(c.inbox_id) === arg;
    case "label":
      return (c.labels ?? []).includes(arg);
    case "channel":
      return inboxById(c.inbox_id)?.channel === arg;
    case "saved": {
      const p = params(f);
      const who = p.assignee === "me" ? me().id : p.assignee === "none" ? 0 : Number(p.assignee);
      return (
        (!p.assignee || c.assignee_id === who) &&
        (!p.team || String(c.team_id) === p.team) &&
        (!p.inbox || String(c.inbox_id) === p.inbox) &&
        (!p.label || (c.labels ?? []).includes(p.label)) &&
        (!p.channel || inboxById(c.inbox_id)?.channel === p.channel)
      );
    }
  }
  return true;
}

const time = (s: string | null) => (s ? Date.parse(s) : NaN);

/** Orders two conversations as the server does for the chosen sort. */
export function compare(a: Conversation, b: Conversation, sort: Sort = list.filter.sort): number {
  const byActivity = time(b.last_activity_at) - time(a.last_activity_at) || b.id - a.id;
  switch (sort) {
    case "waiting": {
      const wa = time(a.waiting_since);
      const wb = time(b.waiting_since);
      if (isNaN(wa) !== isNaN(wb)) return isNaN(wa) ? 1 : -1;
      return (isNaN(wa) ? 0 : wa - wb) || byActivity;
    }
    case "priority":
      return b.priority - a.priority || byActivity;
    case "created":
      return time(b.created_at) - time(a.created_at) || b.id - a.id;
    case "sentiment":
      // The server compares millionths of the score.
      return Math.trunc(a.sentiment * 1e6) - Math.trunc(b.sentiment * 1e6) || b.id - a.id;
  }
  return byActivity;
}

/** Loads the first page of the list for a filter. */
export async function load(f: Filter): Promise<void> {
  const gen = ++generation;
  list.filter = f;
  list.loading = true;
  buffering = true;
  list.error = "";
  list.selected.clear();
  pending = [];
  list.missing = missingView(f.view);
  if (list.missing) {
    list.items = [];
    list.nextCursor = "";
    list.loading = buffering = false;
    emit("list");
    return;
  }
  localStorage.setItem("sahay.filter", JSON.stringify(f));
  emit("list");
  try {
    const res = await api.conversations(params(f));
    if (gen !== generation) return;
    list.items = res.items ?? [];
    list.nextCursor = res.next_cursor ?? "";
  } catch (e) {
    if (gen !== generation) return;
    list.items = [];
    list.nextCursor = "";
    list.error = (e as Error).message || "error";
  }
  list.loading = false;
  buffering = false;
  const replay = pending;
  pending = [];
  for (const c of replay) upsert(c);
  emit("list");
}

export async function loadMore(): Promise<void> {
  if (!list.nextCursor || list.loading) return;
  const gen = generation;
  list.loading = true;
  emit("list");
  try {
    const res = await api.conversations({ ...params(list.filter), cursor: list.nextCursor });
    if (gen !== generation) return;
    const have = new Set(list.items.map((c) => c.id));
    list.items = list.items.concat((res.items ?? []).filter((c) => !have.has(c.id)));
    list.nextCursor = res.next_cursor ?? "";
  } catch {
    // Keep the cursor so the agent can try again.
  }
  list.loading = false;
  emit("list");
}

/** Refetches the current view, e.g. after a realtime reset. */
export function reload(): Promise<void> {
  return load(list.filter);
}

/**
 * Applies a newer copy of a conversation from a realtime event or an
 * action: inserts, moves or removes it so the list matches the view.
 */
export function upsert(c: Conversation): void {
  if (buffering) {
    pending.push(c);
    return;
  }
  const i = list.items.findIndex((x) => x.id === c.id);
  const old = i >= 0 ? list.items[i] : undefined;
  if (old && Date.parse(old.updated_at) > Date.parse(c.updated_at)) return; // stale copy
  const merged: Conversation = { ...c, contact: c.contact ?? old?.contact };
  if (i >= 0) list.items.splice(i, 1);
  if (!list.missing && matches(merged)) {
    const at = list.items.findIndex((x) => compare(merged, x) < 0);
    if (at < 0) {
      // Past the loaded page: the server will return it with the next page.
      if (!list.nextCursor) list.items.push(merged);
    } else {
      list.items.splice(at, 0, merged);
    }
  } else {
    list.selected.delete(c.id);
  }
  emit("list");
}

/** Drops a conversation that no longer exists (merged into another). */
export function remove(id: number): void {
  const i = list.items.findIndex((x) => x.id === id);
  if (i < 0) return;
  list.items.splice(i, 1);
  list.selected.delete(id);
  emit("list");
}

export function find(id: number): Conversation | undefined {
  return list.items.find((c) => c.id === id);
}

/** Fills in the contact of a conversation that arrived without one. */
export async function withContact(c: Conversation): Promise<Conversation> {
  if (c.contact) return c;
  const known = find(c.id)?.contact;
  if (known) return { ...c, contact: known };
  try {
    return await api.conversation(c.id);
  } catch {
    return c;
  }
}

export function countFor(view: string, status: Status): number | undefined {
  const counts = state.counts;
  if (!counts) return undefined;
  const [kind, ...rest] = view.split(":");
  const arg = rest.join(":");
  let m;
  switch (kind) {
    case "all":
      m = counts.all;
      break;
    case "mine":
      m = counts.mine;
      break;
    case "unassigned":
      m = counts.unassigned;
      break;
    case "team":
      m = counts.teams?.[arg];
      break;
    case "inbox":
      m = counts.inboxes?.[arg];
      break;
    case "label": {
      const label = state.labels.find((l) => l.name === arg);
      m = label ? counts.labels?.[String(label.id)] : undefined;
      break;
    }
    case "channel":
      m = counts.channels?.[arg];
      break;
    case "saved": {
      // A saved view is counted for its own status only.
      const v = viewById(Number(arg));
      return v && (v.filters.status || "open") === status ? v.count : undefined;
    }
  }
  return m?.[status] ?? 0;
}
