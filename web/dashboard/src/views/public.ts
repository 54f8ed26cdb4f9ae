// Public conversations: a customer's comments on a post, which everyone
// sees. The post they are on, the badge that says so, the link between a
// public conversation and the private one its "reply privately" opened,
// and the team's moderation of a comment on the platform.
import { publicApi } from "../api";
import { h } from "../dom";
import { num, t } from "../i18n";
import { icon } from "../icons";
import type { Conversation, Message } from "../types";
import { confirmDialog, errorText, menu, toast } from "../ui";
import { postKind } from "./details";

/** "Public", for the list and the conversation's header. */
export function publicBadge(): HTMLElement {
  return h("span", { class: "public-badge", title: t("public.badge_hint") }, icon("globe", "icon small"), t("public.badge"));
}

/** The post a public conversation's comments are on: its kind, caption and a link to it. */
export function postCard(c: Conversation): HTMLElement | null {
  const p = c.post;
  if (!c.public || !p) return null;
  return h(
    "div",
    { class: "post-card" },
    h("span", { class: "post-kind" }, icon("globe", "icon small"), t("public.comments_on", { kind: postKind(p.kind) })),
    p.text ? h("span", { class: "post-text", title: p.text }, p.text) : h("span", { class: "post-gap" }),
    p.url ? h("a", { class: "btn small post-link", href: p.url, target: "_blank", rel: "noopener noreferrer" }, t("public.open_post", { kind: postKind(p.kind) })) : null,
  );
}

/**
 * Where a linked conversation went or came from: "Continued privately in
 * #12" on the public one, "From a public comment on a reel" on the private
 * one. linked is the other conversation, once read.
 */
export function linkBanner(c: Conversation, linked: Conversation | null): HTMLElement | null {
  const id = c.linked_conversation_id;
  if (!id) return null;
  const href = "/conversations/" + id;
  if (c.public) {
    const text = linked ? t("public.continued_in", { id: num(linked.display_id) }) : t("public.continued");
    return h("div", { class: "link-banner private" }, icon("lock", "icon small"), h("a", { href, "data-nav": "", class: "linked-conversation" }, text));
  }
  const kind = postKind(linked?.post?.kind);
  return h(
    "div",
    { class: "link-banner public" },
    icon("globe", "icon small"),
    h("a", { href, "data-nav": "", class: "linked-conversation" }, t("public.from_comment", { kind })),
    linked?.post?.text ? h("span", { class: "post-text" }, linked.post.text) : null,
  );
}

/** On a comment answered privately: a link to the private conversation. */
export function answeredPrivately(m: Message, c: Conversation): HTMLElement | null {
  if (!m.details?.private_reply_id || !c.linked_conversation_id) return null;
  return h("a", { class: "detail answered-privately", href: "/conversations/" + c.linked_conversation_id, "data-nav": "" }, icon("lock", "icon small"), t("public.answered_privately"));
}

/** How a comment stands on the platform: hidden from the public, or deleted. */
export function moderationBadge(m: Message): HTMLElement | null {
  const state = m.details?.moderation;
  if (!state) return null;
  return h("span", { class: "moderation-badge " + state }, icon(state === "deleted" ? "trash" : "lock", "icon small"), state === "deleted" ? t("moderation.deleted") : t("moderation.hidden"));
}

/**
 * The menu of a customer's public comment: hide it from everyone but its
 * writer and their friends, show it again, or delete it, after a question.
 */
export function moderationButton(m: Message, updated: (m: Message) => void): HTMLElement | null {
  if (m.kind !== "incoming" || !m.public || m.details?.moderation === "deleted") return null;
  const act = async (action: "hide" | "unhide" | "delete") => {
    if (action === "delete" && !(await confirmDialog(t("moderation.delete_confirm"), t("moderation.delete"), true))) return;
    try {
      updated(await publicApi.moderate(m.id, action));
      toast(action === "delete" ? t("moderation.done_delete") : action === "hide" ? t("moderation.done_hide") : t("moderation.done_unhide"));
    } catch (e) {
      toast(errorText(e), "error");
    }
  };
  const hidden = m.details?.moderation === "hidden";
  return h(
    "button",
    {
      type: "button",
      class: "icon-btn small moderate",
      title: t("moderation.menu"),
      "aria-label": t("moderation.menu"),
      "aria-haspopup": "menu",
      onclick: (e: MouseEvent) =>
        menu(
          e.currentTarget as HTMLElement,
          [
            hidden
              ? { label: t("moderation.unhide"), icon: "reopen" as const, onselect: () => void act("unhide") }
              : { label: t("moderation.hide"), icon: "lock" as const, onselect: () => void act("hide") },
            { label: t("moderation.delete"), icon: "trash" as const, onselect: () => void act("delete") },
          ],
          t("moderation.menu"),
        ),
    },
    icon("more", "icon small"),
  );
}

/** An activity line's link for "private_reply:<id>": the private conversation a reply opened. */
export function privateReplyActivity(content: string, actor: string): HTMLElement | null {
  const m = /^private_reply:(\d+)$/.exec(content);
  if (!m) return null;
  return h("a", { href: "/conversations/" + m[1], "data-nav": "", class: "linked-conversation" }, t("activity.private_reply", { actor }));
}
