// The signed-in agent's notifications, kept by the server: a conversation
// assigned to them, a private note that mentions them and, when they asked
// for it, a new conversation in one of their inboxes. The list loads at start
// and after every reconnect; new ones arrive as private realtime events, play
// a short chime and, when the agent allowed it and is looking elsewhere, show
// a system notification.
import { api, APIError, notifyApi } from "./api";
import { t } from "./i18n";
import * as inbox from "./inbox";
import { onConnection, onReset } from "./realtime";
import { navigate } from "./router";
import { swapText } from "./shifts";
import { emit, userName } from "./state";
import type { AgentNotification, Conversation, RealtimeEvent } from "./types";
import { contactName } from "./names";

const pageSize = 50; // the server's page of GET /notifications

let items: AgentNotification[] = []; // newest first
let unread = 0;
let older = false; // the server has notifications older than the last loaded
let generation = 0;
let openHandler: (conversationId: number) => void = () => {};

// Conversations the notifications point at, for their number and contact;
// null when the agent may no longer see one.
const conversations = new Map<number, Conversation | null>();
const fetching = new Map<number, Promise<Conversation | null>>();

export function notifications(): AgentNotification[] {
  return items;
}

export function unreadNotifications(): number {
  return unread;
}

/** Whether the server holds notifications older than those loaded. */
export function hasOlderNotifications(): boolean {
  return older;
}

/**
 * Loads the first page of notifications now and again after every
 * reconnect, since events may have been missed and other tabs may have
 * marked some read; onOpen opens a conversation.
 */
export function loadNotifications(onOpen: (conversationId: number) => void): void {
  openHandler = onOpen;
  void refreshNotifications();
  let first = true;
  onConnection((up) => {
    if (!up) return;
    if (!first) void refreshNotifications();
    first = false;
  });
  onReset(() => void refreshNotifications());
  // The service worker asks an open dashboard to show what the agent
  // clicked in a push notification, rather than opening another tab.
  navigator.serviceWorker?.addEventListener("message", (e: MessageEvent) => {
    const m = e.data as { type?: string; path?: string; notification_id?: number } | null;
    if (m?.type !== "open" || typeof m.path !== "string") return;
    // A failed mark resynchronizes the list; opening goes ahead regardless.
    if (typeof m.notification_id === "number") void markNotificationsRead(m.notification_id).catch(() => {});
    openPath(m.path);
  });
}

function openPath(path: string): void {
  const conv = /^\/conversations\/(\d+)$/.exec(path);
  if (conv) openHandler(Number(conv[1]));
  else if (path.startsWith("/") && !path.startsWith("//")) navigate(path);
}

/** Replaces the list with the server's newest page. */
export async function refreshNotifications(): Promise<void> {
  const gen = ++generation;
  try {
    const page = await notifyApi.list();
    if (gen !== generation) return;
    items = page.items ?? [];
    unread = page.unread;
    older = items.length >= pageSize;
    emit("notes");
  } catch {
    // Keep what we have; the next reconnect or visit retries.
  }
}

/** Appends the next page of older notifications. */
export async function loadOlderNotifications(): Promise<void> {
  const last = items[items.length - 1];
  if (!last) return;
  const page = await notifyApi.list(last.id);
  const more = (page.items ?? []).filter((n) => n.id < last.id);
  items = [...items, ...more];
  older = more.length >= pageSize;
  emit("notes");
}

/** Marks every notification up to and including id read, here and on the server. */
export async function markNotificationsRead(id: number): Promise<void> {
  if (id <= 0) return;
  const now = new Date().toISOString();
  let changed = false;
  for (const n of items) {
    if (n.id <= id && !n.read_at) {
      n.read_at = now;
      changed = true;
    }
  }
  // Everything not loaded is older than the loaded items, so read now too.
  const before = unread;
  unread = items.filter((n) => !n.read_at).length;
  if (changed || unread !== before) emit("notes");
  try {
    await notifyApi.read(id);
  } catch (e) {
    void refreshNotifications();
    throw e;
  }
}

export async function markAllRead(): Promise<void> {
  const newest = items[0];
  if (newest) await markNotificationsRead(newest.id);
}

/** The conversation a notification points at, once known; asks the server the first time. */
export function notificationConversation(n: AgentNotification): Conversation | undefined {
  if (!n.conversation_id) return undefined;
  const known = conversations.get(n.conversation_id);
  if (known !== undefined) return known ?? undefined;
  const listed = inbox.find(n.conversation_id);
  if (listed) {
    conversations.set(listed.id, listed);
    return listed;
  }
  void resolve(n.conversation_id);
  return undefined;
}

// Fetches a conversation once, however many notifications ask, and
// re-renders them when it is known. A network failure is not remembered, so
// the next render (the page's minute tick, a new notification) asks again.
function resolve(id: number): Promise<Conversation | null> {
  const known = conversations.get(id);
  if (known !== undefined) return Promise.resolve(known);
  let p = fetching.get(id);
  if (!p) {
    p = api.conversation(id).then(
      (c) => {
        conversations.set(id, c);
        return c;
      },
      (e) => {
        if (!(e instanceof APIError && e.status === 0)) conversations.set(id, null);
        return null;
      },
    );
    void p.then(() => {
      fetching.delete(id);
      if (conversations.has(id)) emit("notes");
    });
    fetching.set(id, p);
  }
  return p;
}

export function notificationTitle(n: AgentNotification): string {
  const id = notificationConversation(n)?.display_id ?? "…";
  switch (n.kind) {
    case "assigned":
      return t("notify.assigned", { id });
    case "mentioned":
      return t("notify.mention", { id });
    case "login_locked":
      return t("notify.login_locked", { name: userName(n.actor_id) });
    case "handoff":
      return t("notify.handoff", { id });
    case "swap":
      return t("notify.swap");
    case "sla_warning":
    case "sla_breached":
      return t("notify." + n.kind, { id, target: t("sla.target." + n.body) });
    default:
      return t("notify.new", { id });
  }
}

/** Where a notification leads: its conversation, or the inbox for one about no conversation. */
export function notificationPath(n: AgentNotification): string {
  if (n.kind === "swap") return "/rota";
  return n.conversation_id ? "/conversations/" + n.conversation_id : "/";
}

/** The line under the title: who mentioned the agent, or the customer, and the text. */
export function notificationText(n: AgentNotification): string {
  if (n.kind === "swap") return swapText(n.body, userName(n.actor_id));
  if (!n.conversation_id) return n.body;
  // A hand-off's body is its reason.
  if (n.kind === "handoff") return t("handoff.reason." + n.body);
  if (n.kind === "sla_warning" || n.kind === "sla_breached") return t("sla.target." + n.body);
  const c = notificationConversation(n);
  const who = n.kind === "mentioned" ? userName(n.actor_id) : (c?.contact ? contactName(c.contact) : "");
  return who && n.body ? who + ": " + n.body : who || n.body;
}

export function soundEnabled(): boolean {
  return localStorage.getItem("sahay.sound") !== "off";
}

export function setSoundEnabled(on: boolean): void {
  localStorage.setItem("sahay.sound", on ? "on" : "off");
}

let audio: AudioContext | null = null;

// Browsers only let a page start audio after a user gesture; create the
// context on the first one so later chimes can play.
export function primeAudio(): void {
  const prime = () => {
    if (!audio && typeof AudioContext !== "undefined") {
      try {
        audio = new AudioContext();
      } catch {
        audio = null;
      }
    }
    void audio?.resume();
  };
  document.addEventListener("pointerdown", prime, { once: true, capture: true });
  document.addEventListener("keydown", prime, { once: true, capture: true });
}

/** Plays two short rising tones, synthesized, no audio file. */
export function chime(): void {
  if (!audio || !soundEnabled()) return;
  const now = audio.currentTime;
  [660, 990].forEach((freq, i) => {
    if (!audio) return;
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    const start = now + i * 0.13;
    osc.type = "sine";
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.18, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.22);
    osc.connect(gain).connect(audio.destination);
    osc.start(start);
    osc.stop(start + 0.25);
  });
}

export function systemNotificationsSupported(): boolean {
  return typeof Notification !== "undefined";
}

export async function requestSystemNotifications(): Promise<NotificationPermission> {
  if (!systemNotificationsSupported()) return "denied";
  return Notification.requestPermission();
}

// The tag of a notification's system notification. The service worker
// shows the Web Push message of the same notification under the same tag
// (sw.ts), so the two replace each other instead of showing twice.
function systemTag(id: number): string {
  return "sahay-notification-" + id;
}

async function showSystem(n: AgentNotification): Promise<void> {
  if (!systemNotificationsSupported() || Notification.permission !== "granted") return;
  if (n.conversation_id) await resolve(n.conversation_id);
  if (!document.hidden && document.hasFocus()) return;
  try {
    const sys = new Notification(notificationTitle(n), { body: notificationText(n), tag: systemTag(n.id), icon: "/icons/icon-192.png" });
    sys.onclick = () => {
      window.focus();
      void markNotificationsRead(n.id).catch(() => {});
      if (n.conversation_id) openHandler(n.conversation_id);
      sys.close();
    };
  } catch {
    // Some browsers only allow notifications from a service worker.
  }
}

function add(n: AgentNotification): void {
  // A reconnect replays missed events, which the refreshed list may hold.
  if (items.some((x) => x.id === n.id)) return;
  items = [n, ...items].sort((a, b) => b.id - a.id);
  if (!n.read_at) unread++;
  emit("notes");
  chime();
  void showSystem(n);
}

/** Adds the notifications that realtime events bring the signed-in agent. */
export function notifyEvent(ev: RealtimeEvent): void {
  const n = ev.data?.notification;
  if (ev.type === "notification.created" && n && typeof n.id === "number") add(n);
}
