// What a reply may be on its conversation's channel, read from the
// capabilities the server declares (GET /api/v1/channels): a counter
// against the channel's longest message, a notice when a reply will be
// split or is longer than Sahay keeps. The messaging window is ./window's.
import { channelRules, serverRules, type FileRules } from "../attach";
import { h, replace } from "../dom";
import { num, t, tOr } from "../i18n";
import { capabilitiesOf, inboxById } from "../state";
import type { Capabilities, Conversation } from "../types";

/** The longest message text the server keeps, in bytes (internal/core/limits.go). */
export const maxContentBytes = 64 << 10;

/** The parts a channel's adapter sends a long text as, as the server splits it. */
export function splitCount(text: string, max: number): number {
  let rest = [...text.trim()];
  let parts = 0;
  while (rest.length > max) {
    let head = rest.slice(0, max);
    const cut = Math.max(head.lastIndexOf("\n"), head.lastIndexOf(" "));
    if (cut > head.length / 2) head = head.slice(0, cut);
    parts++;
    rest = [...rest.slice(head.length).join("").trim()];
  }
  return parts + (rest.length ? 1 : 0);
}

export interface ReplyLimits {
  /** The counter, for the composer's foot. */
  counter: HTMLElement;
  /** The notices, above the foot. */
  notice: HTMLElement;
  /** Shows the limits for the text in the box; note is true for a private note. */
  update(text: string, note: boolean): void;
  /** Why the text cannot be sent, or "" when it can. */
  refusal(text: string): string;
  /** The files a reply (or, with note, a note) may carry. */
  files(note: boolean): FileRules;
}

/** The limits of replies in a conversation. */
export function replyLimits(conv: () => Conversation): ReplyLimits {
  const counter = h("span", { class: "composer-count", "aria-live": "polite", hidden: true });
  const notice = h("div", { class: "composer-notices" });
  const caps = (): Capabilities => capabilitiesOf(conv().inbox_id);
  const channelName = (): string => {
    const ch = inboxById(conv().inbox_id)?.channel ?? "";
    return tOr("channel." + ch, ch);
  };

  function refusal(text: string): string {
    const bytes = new TextEncoder().encode(text.trim()).length;
    return bytes > maxContentBytes ? t("composer.too_long", { size: maxContentBytes >> 10 }) : "";
  }

  return {
    counter,
    notice,
    refusal,
    files: (note) => (note ? serverRules : channelRules(caps(), channelName())),
    update(text, note) {
      const c = caps();
      const chars = [...text.trim()].length;
      const max = note ? 0 : c.max_text;
      counter.hidden = max === 0 || chars === 0;
      counter.textContent = num(chars) + " / " + num(max);
      counter.classList.toggle("over", max > 0 && chars > max);
      const lines: HTMLElement[] = [];
      const refused = refusal(text);
      if (refused) lines.push(h("div", { class: "composer-notice refused", role: "alert" }, refused));
      else if (max > 0 && chars > max) {
        lines.push(h("div", { class: "composer-notice split", role: "status" }, t("composer.split", { channel: channelName(), max, parts: splitCount(text, max) })));
      }
      replace(notice, lines);
    },
  };
}
