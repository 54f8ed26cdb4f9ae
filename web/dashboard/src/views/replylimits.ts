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

// GSM 03.38: the default alphabet, and the extension table's characters,
// which take two septets each (internal/channel/twilio/segments.go).
const gsm7Basic =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
  "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const gsm7Extended = "\f^{}\\[~]|€";

/**
 * The SMS segments a text takes and whether it is UCS-2: any character
 * outside GSM-7 (Bengali, Hindi, most emoji) makes it so, 70 UTF-16 units
 * a segment, 67 each when there are several; GSM-7 takes 160, 153 each.
 */
export function smsSegments(text: string): { segments: number; ucs2: boolean } {
  if (text === "") return { segments: 0, ucs2: false };
  let septets = 0;
  for (const ch of text) {
    if (gsm7Basic.includes(ch)) septets++;
    else if (gsm7Extended.includes(ch)) septets += 2;
    else return { segments: text.length <= 70 ? 1 : Math.ceil(text.length / 67), ucs2: true };
  }
  return { segments: septets <= 160 ? 1 : Math.ceil(septets / 153), ucs2: false };
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
      const sms = c.sms_segments && !note ? smsSegments(text.trim()) : { segments: 0, ucs2: false };
      if (sms.segments > 0) counter.textContent += " · " + t("composer.sms_segments", { segments: num(sms.segments) });
      counter.classList.toggle("over", max > 0 && chars > max);
      const lines: HTMLElement[] = [];
      const refused = refusal(text);
      if (refused) lines.push(h("div", { class: "composer-notice refused", role: "alert" }, refused));
      else if (max > 0 && chars > max) {
        lines.push(h("div", { class: "composer-notice split", role: "status" }, t("composer.split", { channel: channelName(), max, parts: splitCount(text, max) })));
      }
      if (!refused && sms.ucs2 && sms.segments > 1) {
        lines.push(h("div", { class: "composer-notice sms", role: "status" }, t("composer.sms_ucs2", { segments: num(sms.segments) })));
      }
      replace(notice, lines);
    },
  };
}
