// What a message of a messaging platform carries besides its text (its
// details): a shared place, contact cards, a picked button, the story or
// message it answers, the template or tag it was sent with, and reactions,
// which show on the message they are to.
import { h, type Child } from "../dom";
import { num, t, tOr } from "../i18n";
import { icon } from "../icons";
import type { Message, MessageDetails } from "../types";

/** The address of a place on OpenStreetMap's map, with a marker on it. */
export function mapURL(lat: number, lon: number): string {
  const la = lat.toFixed(6);
  const lo = lon.toFixed(6);
  return `https://www.openstreetmap.org/?mlat=${la}&mlon=${lo}#map=17/${la}/${lo}`;
}

const external = (href: string, ...children: Child[]) =>
  h("a", { href, target: "_blank", rel: "noopener noreferrer nofollow" }, children);

function location(d: MessageDetails): HTMLElement | null {
  const l = d.location;
  if (!l || !Number.isFinite(l.latitude) || !Number.isFinite(l.longitude)) return null;
  const coords = `${l.latitude.toFixed(5)}, ${l.longitude.toFixed(5)}`;
  return h(
    "div",
    { class: "detail location" },
    h("span", { class: "detail-icon", "aria-hidden": "true" }, "📍"),
    h(
      "span",
      { class: "detail-text" },
      h("strong", null, l.name || t("details.location")),
      l.address ? h("span", { class: "detail-sub" }, l.address) : null,
      h("span", { class: "detail-sub coords" }, coords),
      external(mapURL(l.latitude, l.longitude), t("details.open_map")),
    ),
  );
}

function contacts(d: MessageDetails): HTMLElement | null {
  const list = d.contacts ?? [];
  if (!list.length) return null;
  return h(
    "ul",
    { class: "detail contacts", "aria-label": t("details.contacts") },
    list.map((c) =>
      h(
        "li",
        { class: "contact-card" },
        icon("user", "icon small"),
        h(
          "span",
          { class: "detail-text" },
          h("strong", null, c.name || t("details.contact")),
          (c.phones ?? []).map((p) => h("a", { href: "tel:" + p.replace(/[^\d+]/g, ""), class: "detail-sub" }, p)),
          (c.emails ?? []).map((e) => h("a", { href: "mailto:" + e, class: "detail-sub" }, e)),
        ),
      ),
    ),
  );
}

function story(d: MessageDetails): HTMLElement | null {
  const s = d.story;
  if (!s) return null;
  return h(
    "div",
    { class: "detail story" },
    icon("reply", "icon small"),
    h("span", null, s.kind === "mention" ? t("details.story_mention") : t("details.story_reply")),
    s.url ? external(s.url, t("details.open_story")) : null,
  );
}

/** A short line of the quoted message, or of an earlier one not loaded. */
function quote(d: MessageDetails, byExternal: Map<string, Message>): HTMLElement | null {
  if (!d.reply_to) return null;
  const q = byExternal.get(d.reply_to);
  const text = q ? q.content || (q.attachments?.[0]?.file_name ?? "") : "";
  return h("blockquote", { class: "detail quote" }, text ? h("span", { class: "quote-text" }, text) : h("span", { class: "hint" }, t("details.quote_unknown")));
}

/** The lines a message's details add to its bubble, under its text. */
export function detailLines(m: Message, byExternal: Map<string, Message>): { before: HTMLElement | null; after: Child[] } {
  const d = m.details;
  if (!d) return { before: null, after: [] };
  const after: Child[] = [location(d), contacts(d)];
  if (d.choice) after.push(h("div", { class: "detail choice" }, icon("check", "icon small"), t("details.choice", { title: d.choice.title || d.choice.id })));
  if (d.template) {
    const lang = d.template.language;
    after.push(h("div", { class: "detail template" }, icon("note", "icon small"), t("details.template", { name: d.template.name, language: lang })));
  }
  if (d.tag === "HUMAN_AGENT") after.push(h("div", { class: "detail tag" }, icon("user", "icon small"), t("details.human_agent_tag")));
  else if (d.tag) after.push(h("div", { class: "detail tag" }, t("details.tag", { tag: d.tag })));
  return { before: h("div", { class: "detail-top" }, story(d), quote(d, byExternal)), after };
}

/** Whether a message is a reaction to another, rather than words of its own. */
export const isReaction = (m: Message) => !!m.details?.reaction_to;

/**
 * The reactions on each loaded message, by its external id: each sender's
 * latest reaction counts, and an empty one takes theirs back. Reactions to
 * a message that is not loaded are left to show as lines of their own.
 */
export function reactionsOf(messages: Message[]): Map<string, string[]> {
  const have = new Set(messages.map((m) => m.external_id).filter(Boolean));
  const latest = new Map<string, Map<string, string>>();
  for (const m of messages) {
    const to = m.details?.reaction_to;
    if (!to || !have.has(to)) continue;
    const bySender = latest.get(to) ?? new Map<string, string>();
    bySender.set(m.sender_type + ":" + m.sender_id, m.content.trim());
    latest.set(to, bySender);
  }
  const out = new Map<string, string[]>();
  for (const [to, bySender] of latest) {
    const list = [...bySender.values()].filter(Boolean);
    if (list.length) out.set(to, list);
  }
  return out;
}

/** The reactions under a message, each emoji once with how many gave it. */
export function reactionChips(list: string[] | undefined): HTMLElement | null {
  if (!list?.length) return null;
  const counts = new Map<string, number>();
  for (const e of list) counts.set(e, (counts.get(e) ?? 0) + 1);
  return h(
    "div",
    { class: "reactions", "aria-label": t("details.reactions") },
    [...counts].map(([e, n]) => h("span", { class: "reaction", title: t("details.reacted", { emoji: e }) }, e, n > 1 ? h("span", { class: "reaction-n" }, num(n)) : null)),
  );
}

/** A reaction to a message that is not loaded, as a line of its own. */
export function reactionLine(m: Message, who: string): HTMLElement {
  const emoji = m.content.trim();
  return h(
    "div",
    { class: "msg activity reaction-line", dataset: { id: String(m.id) } },
    h("span", null, emoji ? t("details.reacted_line", { name: who, emoji }) : t("details.unreacted_line", { name: who })),
  );
}

/** A post's kind in the reader's words ("reel", "story"…). */
export function postKind(kind: string | undefined): string {
  return tOr("post.kind." + (kind || "post"), kind || t("post.kind.post"));
}
