// Who else is in a conversation right now: other agents viewing it or typing
// in it, and the customer typing where their channel shows it (a website
// visitor in the chat widget). It also tells the others what this agent
// does, and tells the customer that an agent is typing where the channel's
// capabilities say it can. Everything here is live only: frames with seq 0 on the realtime
// socket that are never stored, so each side forgets what it stops hearing.
import { conversationApi } from "./api";
import { onConnection, onLiveEvent, sendFrame } from "./realtime";
import { capabilitiesOf } from "./state";
import type { Conversation } from "./types";

/** Another agent in the conversation. */
export interface Colleague {
  userId: number;
  name: string;
  typing: boolean;
}

type State = "viewing" | "typing" | "left";

// Timing, in milliseconds.
const forgetAfter = 30e3; // an agent with no frame for this long has gone
const announceEvery = 15e3; // so that the others never forget us
const typingEvery = 3e3; // one typing frame (and widget call) per this, while typing
const typingShownFor = 8e3; // a typing frame counts for this long
const stopTypingAfter = 5e3; // no keystroke for this long: back to viewing
const customerTypingFor = 10e3; // the widget repeats "on" every 3 s while the visitor types

// The server closes a socket that sends more than 10 frames a second. Frames
// wait here, the latest state per conversation, and leave at half that rate.
const framesPerSecond = 5;
const queued = new Map<number, State>();
let sentAt: number[] = [];
let flushTimer = 0;

function queue(conversationId: number, state: State): void {
  queued.set(conversationId, state);
  flush();
}

function flush(): void {
  clearTimeout(flushTimer);
  const now = Date.now();
  sentAt = sentAt.filter((at) => now - at < 1000);
  for (const [id, state] of queued) {
    if (sentAt.length >= framesPerSecond) {
      flushTimer = window.setTimeout(flush, 1000 - (now - sentAt[0]));
      return;
    }
    queued.delete(id);
    // A frame that cannot go is dropped: the next connection announces again.
    if (sendFrame({ type: "presence", conversation_id: id, state })) sentAt.push(now);
  }
}

interface PresenceData {
  user_id?: number;
  name?: string;
  state?: string;
}

interface TypingData {
  from?: string;
  on?: boolean;
}

/** What a conversation view tells its presence and asks of it. */
export interface Presence {
  /** The agent typed in the composer; reply is false in a private note. */
  typing(reply: boolean): void;
  /** The agent sent the message or emptied the box. */
  stopTyping(): void;
  /** A message from the customer arrived, so they stopped typing. */
  customerWrote(): void;
  /** The agent left the conversation. */
  leave(): void;
}

/**
 * Joins a conversation: announces this agent as viewing it and calls
 * onChange with the other agents there and whether the customer is typing,
 * each time that changes.
 */
export function joinConversation(
  conv: () => Conversation,
  onChange: (others: Colleague[], customerTyping: boolean) => void,
): Presence {
  const id = conv().id;
  const others = new Map<number, { name: string; seen: number; typedAt: number }>();
  let state: State = "viewing";
  let typingSent = 0;
  let stopTimer = 0;
  let customerTold = false;
  let customerToldAt = 0;
  let customerUntil = 0;
  let shown = "";

  // Whether the customer's side shows that an agent is typing.
  const tellsCustomer = () => capabilitiesOf(conv().inbox_id).typing;

  function announce(s: State): void {
    state = s;
    queue(id, s);
  }

  function render(): void {
    const now = Date.now();
    for (const [uid, o] of others) if (now - o.seen > forgetAfter) others.delete(uid);
    const list = [...others].map(([userId, o]) => ({ userId, name: o.name, typing: now - o.typedAt < typingShownFor }));
    list.sort((a, b) => Number(b.typing) - Number(a.typing) || a.name.localeCompare(b.name));
    const customerTyping = now < customerUntil;
    const key = JSON.stringify([list, customerTyping]);
    if (key === shown) return;
    shown = key;
    onChange(list, customerTyping);
  }

  // The customer's "typing" goes over HTTP; a failure only costs the hint.
  function tellCustomer(on: boolean): void {
    customerTold = on;
    customerToldAt = on ? Date.now() : 0;
    conversationApi.typing(id, on).catch(() => {});
  }

  function stopTyping(): void {
    clearTimeout(stopTimer);
    if (state === "typing") announce("viewing");
    typingSent = 0;
    if (customerTold) tellCustomer(false);
  }

  const offLive = onLiveEvent((ev) => {
    if (ev.conversation_id !== id) return;
    const now = Date.now();
    if (ev.type === "presence") {
      const d = (ev.data ?? {}) as PresenceData;
      if (!d.user_id) return;
      if (d.state === "left") {
        others.delete(d.user_id);
      } else {
        const known = others.get(d.user_id);
        others.set(d.user_id, { name: d.name ?? "", seen: now, typedAt: d.state === "typing" ? now : 0 });
        // Someone new: tell them we are here rather than make them wait
        // for our next announcement. They know us by then, so it stops.
        if (!known) queue(id, state);
      }
      render();
    } else if (ev.type === "conversation.typing") {
      const d = (ev.data ?? {}) as TypingData;
      if (d.from !== "contact") return;
      customerUntil = d.on ? now + customerTypingFor : 0;
      render();
    }
  });
  const offConnection = onConnection((up) => {
    if (up) queue(id, state);
  });
  const announcer = window.setInterval(() => queue(id, state), announceEvery);
  const sweeper = window.setInterval(render, 1000);
  const onPageHide = () => sendFrame({ type: "presence", conversation_id: id, state: "left" });
  window.addEventListener("pagehide", onPageHide);
  announce("viewing");

  return {
    typing(reply) {
      const now = Date.now();
      if (state !== "typing" || now - typingSent >= typingEvery) {
        typingSent = now;
        announce("typing");
      }
      clearTimeout(stopTimer);
      stopTimer = window.setTimeout(stopTyping, stopTypingAfter);
      if (!tellsCustomer()) return;
      if (!reply) {
        if (customerTold) tellCustomer(false);
      } else if (!customerTold || now - customerToldAt >= typingEvery) {
        tellCustomer(true);
      }
    },
    stopTyping,
    customerWrote() {
      customerUntil = 0;
      render();
    },
    leave() {
      stopTyping();
      announce("left");
      offLive();
      offConnection();
      clearInterval(announcer);
      clearInterval(sweeper);
      window.removeEventListener("pagehide", onPageHide);
    },
  };
}
