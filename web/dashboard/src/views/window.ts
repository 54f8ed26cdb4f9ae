// A channel's messaging window (Meta's 24 hours): how long the business may
// still answer freely after the customer's last message, then how long a
// person may answer with the human agent tag where the inbox turns it on,
// and what the reply box offers once every window has closed. All of it is
// read from the capabilities the channel declares.
import { h, replace } from "../dom";
import { t, tn, tOr } from "../i18n";
import { icon } from "../icons";
import { capabilitiesOf, inboxById } from "../state";
import type { Capabilities, Conversation } from "../types";

/** Where a conversation stands with its channel's window. */
export type WindowState =
  | { kind: "none" }
  | { kind: "open"; left: number }
  | { kind: "tag"; left: number }
  /** never: the customer has not written in this conversation at all. */
  | { kind: "closed"; templates: boolean; never: boolean };

/** Whether an inbox has the human agent tag turned on (its "human_agent_tag" setting). */
function tagOn(inboxId: number): boolean {
  const v = inboxById(inboxId)?.settings?.human_agent_tag;
  return v === true || v === "true" || v === "on";
}

/**
 * The window of a conversation now. lastIncoming is when the customer last
 * wrote: the conversation's last_incoming_at, or the newest incoming
 * message loaded where the server gives none; null when they never wrote.
 */
export function windowState(c: Conversation, lastIncoming: string | null, now = Date.now()): WindowState {
  const caps: Capabilities = capabilitiesOf(c.inbox_id);
  // A public reply is a comment under the customer's: it has no window.
  if (!caps.window_hours || c.public) return { kind: "none" };
  const at = lastIncoming ? Date.parse(lastIncoming) : NaN;
  if (Number.isFinite(at)) {
    const open = at + caps.window_hours * 3600e3 - now;
    if (open > 0) return { kind: "open", left: open };
    const tag = caps.tag_window_hours ?? 0;
    const tagged = at + tag * 3600e3 - now;
    if (tag > 0 && tagOn(c.inbox_id) && tagged > 0) return { kind: "tag", left: tagged };
  }
  return { kind: "closed", templates: caps.templates, never: !Number.isFinite(at) };
}

/** A time left in hours and minutes ("3 h 12 m"), or minutes alone under an hour. */
export function duration(ms: number): string {
  const mins = Math.max(1, Math.ceil(ms / 60e3));
  const hours = Math.floor(mins / 60);
  return hours ? t("duration.hm", { h: hours, m: mins % 60 }) : t("duration.m", { m: mins });
}

/** The line under the reply box's tabs that says how the window stands. */
export function windowLine(s: WindowState): HTMLElement | null {
  switch (s.kind) {
    case "none":
      return null;
    case "open":
      return h("span", { class: "window-status open" + (s.left < 3600e3 ? " soon" : ""), role: "timer" }, icon("clock", "icon small"), t("window.closes_in", { time: duration(s.left) }));
    case "tag": {
      const days = Math.floor(s.left / 86400e3);
      const text = days >= 1 ? tn("window.tag_days", days) : t("window.tag_time", { time: duration(s.left) });
      return h("span", { class: "window-status tag", role: "timer", title: t("window.tag_hint") }, icon("user", "icon small"), text);
    }
    case "closed":
      return h("span", { class: "window-status closed" }, icon("lock", "icon small"), t("window.closed"));
  }
}

/** Why a free-form reply cannot be sent now, and what can be. */
export function closedNotice(c: Conversation, s: WindowState, chooseTemplate: () => void): HTMLElement | null {
  if (s.kind !== "closed") return null;
  const caps = capabilitiesOf(c.inbox_id);
  const ch = inboxById(c.inbox_id)?.channel ?? "";
  const channel = tOr("channel." + ch, ch);
  return h(
    "div",
    { class: "composer-notice window-closed", role: "status" },
    h("p", null, s.never
      ? s.templates ? t("window.never_templates", { channel }) : t("window.never_wait", { channel })
      : s.templates ? t("window.closed_templates", { channel, hours: caps.window_hours }) : t("window.closed_wait", { channel, hours: caps.window_hours })),
    s.templates ? h("button", { type: "button", class: "btn small primary choose-template", onclick: chooseTemplate }, icon("note", "icon small"), t("templates.choose")) : null,
  );
}

/**
 * Keeps the window's line current: it is drawn again every 30 seconds and
 * when the conversation changes, and change is called when the state's kind
 * moves (the window closed), for the reply box to follow.
 */
export function windowTicker(el: HTMLElement, state: () => WindowState, change: (s: WindowState) => void): { refresh(): void; stop(): void } {
  let kind = "";
  const draw = () => {
    const s = state();
    replace(el, windowLine(s));
    el.hidden = s.kind === "none";
    if (s.kind !== kind) {
      kind = s.kind;
      change(s);
    }
  };
  const timer = window.setInterval(draw, 30e3);
  draw();
  return { refresh: draw, stop: () => clearInterval(timer) };
}
