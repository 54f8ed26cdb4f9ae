// In-app notifications for events that concern the signed-in agent: a new
// conversation in one of their inboxes, a conversation assigned to them, and
// a private note that mentions them. Each also plays a short chime and, when
// the agent allowed it and is looking elsewhere, shows a system notification.
import { t } from "./i18n";
import { emit, isAdmin, me, state } from "./state";
import type { Conversation, Message, RealtimeEvent } from "./types";

export type NoteKind = "new" | "assigned" | "mention";

export interface Note {
  id: string;
  kind: NoteKind;
  conversationId: number;
  displayId: number;
  title: string;
  body: string;
  at: string;
  read: boolean;
}

const max = 50;
let notes: Note[] = [];
let storeKey = "";
const mine = new Set<number>(); // conversations currently assigned to me
const selfAssigned = new Set<number>(); // assignments this tab just made
let openHandler: (conversationId: number) => void = () => {};

export function notifications(): Note[] {
  return notes;
}

export function unreadNotifications(): number {
  return notes.filter((n) => !n.read).length;
}

export function loadNotifications(userId: number, onOpen: (conversationId: number) => void): void {
  storeKey = "sahay.notes." + userId;
  openHandler = onOpen;
  try {
    const raw = localStorage.getItem(storeKey);
    notes = raw ? (JSON.parse(raw) as Note[]) : [];
  } catch {
    notes = [];
  }
}

function save(): void {
  try {
    localStorage.setItem(storeKey, JSON.stringify(notes));
  } catch {
    // Keep them in memory only.
  }
  emit("notes");
}

export function markAllRead(): void {
  for (const n of notes) n.read = true;
  save();
}

export function markRead(id: string): void {
  const n = notes.find((x) => x.id === id);
  if (n && !n.read) {
    n.read = true;
    save();
  }
}

export function clearNotifications(): void {
  notes = [];
  save();
}

/** Seeds which conversations are already mine, so only new assignments notify. */
export function knowAssignments(convs: Conversation[]): void {
  const uid = me().id;
  for (const c of convs) {
    if (c.assignee_id === uid) mine.add(c.id);
    else mine.delete(c.id);
  }
}

/** Marks a conversation as assigned by this agent, which must not notify them. */
export function assignedBySelf(conversationId: number): void {
  selfAssigned.add(conversationId);
  setTimeout(() => selfAssigned.delete(conversationId), 10000);
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

function contactName(c: Conversation): string {
  return c.contact?.name || c.contact?.email || c.contact?.phone || t("contact.unknown");
}

function add(kind: NoteKind, c: Conversation, title: string, body: string): void {
  const n: Note = {
    id: `${kind}:${c.id}:${Date.now()}`,
    kind,
    conversationId: c.id,
    displayId: c.display_id,
    title,
    body,
    at: new Date().toISOString(),
    read: false,
  };
  notes = [n, ...notes].slice(0, max);
  save();
  chime();
  if (systemNotificationsSupported() && Notification.permission === "granted" && (document.hidden || !document.hasFocus())) {
    try {
      const sys = new Notification(title, { body, tag: n.id, icon: "/icons/icon-192.png" });
      sys.onclick = () => {
        window.focus();
        markRead(n.id);
        openHandler(c.id);
        sys.close();
      };
    } catch {
      // Some browsers only allow notifications from a service worker.
    }
  }
}

function inMyInboxes(inboxId: number): boolean {
  if (state.inboxIds.includes(inboxId)) return true;
  return isAdmin() && state.inboxIds.length === 0;
}

/** Whether a note's text mentions the agent as @Name. */
export function mentions(content: string, name: string): boolean {
  if (!name) return false;
  const at = "@" + name.toLocaleLowerCase();
  const text = content.toLocaleLowerCase();
  let i = text.indexOf(at);
  while (i >= 0) {
    const next = text.charAt(i + at.length);
    if (!next || !/[\p{L}\p{N}\p{M}_]/u.test(next)) return true;
    i = text.indexOf(at, i + 1);
  }
  return false;
}

function checkAssignment(c: Conversation): void {
  const uid = me().id;
  const was = mine.has(c.id);
  const is = c.assignee_id === uid;
  if (is) mine.add(c.id);
  else mine.delete(c.id);
  if (is && !was && !selfAssigned.has(c.id)) {
    add("assigned", c, t("notify.assigned", { id: c.display_id }), contactName(c));
  }
}

/** Turns a realtime event into notifications for the signed-in agent. */
export function notifyEvent(ev: RealtimeEvent): void {
  const c = ev.data?.conversation;
  const uid = me().id;
  switch (ev.type) {
    case "conversation.created":
      if (c) {
        if (inMyInboxes(c.inbox_id)) add("new", c, t("notify.new", { id: c.display_id }), contactName(c) + (c.last_message ? ": " + c.last_message : ""));
        checkAssignment(c);
      }
      break;
    case "conversation.updated":
      if (c) checkAssignment(c);
      break;
    case "message.created": {
      const m: Message | undefined = ev.data?.message;
      if (c) checkAssignment(c);
      if (m && c && m.kind === "note" && !(m.sender_type === "user" && m.sender_id === uid) && mentions(m.content, me().name)) {
        add("mention", c, t("notify.mention", { id: c.display_id }), m.content);
      }
      break;
    }
  }
}
