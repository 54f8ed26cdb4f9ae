// The bot in a conversation: the "Bot" chip of a conversation it owns, the
// "Take over" button that hands it to the agent, the hand-off's line in the
// timeline, and what a bot's message says about itself.
import { api } from "../api";
import { h } from "../dom";
import { t, tOr } from "../i18n";
import { icon } from "../icons";
import { refreshCounts } from "../state";
import type { Conversation, Message } from "../types";
import { errorText, toast } from "../ui";

/** The chip of a conversation the bot owns (pending). */
export function botChip(c: Conversation): HTMLElement | null {
  return c.status === "pending" ? h("span", { class: "bot-chip", title: t("bot.chip_title") }, icon("bot", "icon small"), t("bot.chip")) : null;
}

/** "Take over": the agent hands the conversation from the bot to themself. */
export function takeOverButton(c: Conversation, done: (c: Conversation) => void): HTMLElement | null {
  if (c.status !== "pending") return null;
  const b = h(
    "button",
    {
      type: "button",
      class: "btn primary take-over",
      title: t("bot.take_over_hint"),
      onclick: async () => {
        b.disabled = true;
        try {
          done(await api.handOff(c.id, "takeover"));
          refreshCounts(0);
          toast(t("bot.taken_over"));
        } catch (e) {
          toast(errorText(e), "error");
          b.disabled = false;
        }
      },
    },
    icon("user", "icon small"),
    h("span", { class: "btn-label" }, t("bot.take_over")),
  );
  return b;
}

/** A hand-off's timeline line ("handoff:asked"), or null for another activity. */
export function handoffText(m: Message, actor: string): string | null {
  const match = /^handoff:(\w+)$/.exec(m.content);
  if (!match) return null;
  if (match[1] === "takeover") return t("activity.takeover", { actor });
  return t("activity.handoff", { reason: t("handoff.reason." + match[1]) });
}

/** What a bot's message says about itself: how sure it was, or that it was not. */
export function botNote(m: Message): HTMLElement | null {
  const b = m.details?.bot;
  if (m.sender_type !== "bot" || !b) return null;
  const sure = Math.round((b.confidence ?? 0) * 100);
  switch (b.kind) {
    case "answer": {
      // An external bot says nothing of its confidence; the AI's answer is the FAQ's.
      const source = b.source ? tOr("bot.source." + b.source, b.source) : "";
      if (b.source === "agent_bot") return h("span", { class: "bot-note" }, source);
      return h("span", { class: "bot-note" }, source ? source + " · " : "", t("bot.confidence", { confidence: sure }));
    }
    case "unsure":
      return h("span", { class: "bot-note unsure" }, t("bot.unsure"));
  }
  return null;
}
