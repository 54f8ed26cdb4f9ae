// One conversation: header with its actions (assign, team, priority, labels,
// snooze, merge, resolve, reopen), the message timeline with delivery status
// and attachments, who else is there, the composer and the contact panel.
import { slaChip } from "./sla";
import { api, conversationApi, type ConversationPatch } from "../api";
import { fileSize, isInlineImage } from "../attach";
import { h, linkify, replace } from "../dom";
import { clockTime, dayHeading, longTime, num, shortTime, t, tOr } from "../i18n";
import { channelIcon, icon } from "../icons";
import * as inbox from "../inbox";
import { joinConversation, type Colleague, type Presence } from "../presence";
import { onEvent, onReset } from "../realtime";
import { shortcut } from "../shortcuts";
import { capabilitiesOf, inboxById, me, on, refreshCounts, state, teamById, userName } from "../state";
import type { Conversation, Message } from "../types";
import { availabilityOf, avatar, confirmDialog, errorText, iconButton, labelChip, menu, modal, popup, toast } from "../ui";
import { markSeen } from "../unread";
import { mountComposer } from "./composer";
import { mountContactPanel } from "./contact";
import { baseSubject, emailHead, fullMessageToggle, inlineOnly, lastEmail } from "./email";
import { detailLines, isReaction, reactionChips, reactionLine, reactionsOf } from "./details";
import { callButton, callEntry, isCallEntry } from "./calls";
import { summarizeButton } from "./aiassist";
import { botChip, botNote, handoffText, takeOverButton } from "./handoff";
import { answeredPrivately, linkBanner, moderationBadge, moderationButton, postCard, privateReplyActivity, publicBadge } from "./public";
import { openConversation } from "./inbox";
import { moodChip } from "./mood";
import { contactName } from "../names";
import { macrosButton, openMacros } from "./macrosrun";

const pageSize = 50;

/** The start of the next hour, tomorrow 9:00 and next Monday 9:00, local time. */
export function snoozePresets(now = new Date()): { key: string; at: Date }[] {
  const hour = new Date(now.getTime() + 3600e3);
  const tomorrow = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 9);
  const daysToMonday = ((8 - now.getDay()) % 7) || 7;
  const nextWeek = new Date(now.getFullYear(), now.getMonth(), now.getDate() + daysToMonday, 9);
  return [
    { key: "snooze.hour", at: hour },
    { key: "snooze.tomorrow", at: tomorrow },
    { key: "snooze.next_week", at: nextWeek },
  ];
}

/** Who made a timeline line or wrote a message of the team: an agent, an automation rule, or the system. */
function actorName(m: Message): string {
  if (m.details?.automation) return t("activity.automation", { name: m.details.automation.name });
  return m.sender_type === "user" ? userName(m.sender_id) || t("message.agent") : t("activity.system");
}

function senderName(m: Message, conv: Conversation): string {
  if (m.details?.automation) return actorName(m);
  switch (m.sender_type) {
    case "contact":
      return contactName(conv.contact);
    case "user":
      return userName(m.sender_id) || t("message.agent");
    case "bot":
      return t("message.bot");
  }
  return "";
}

function deliveryStatus(m: Message, retry: (m: Message) => void): HTMLElement | null {
  if (m.kind !== "outgoing" || !m.status) return null;
  switch (m.status) {
    case "pending":
      return h("span", { class: "delivery pending", title: t("delivery.pending") }, icon("clock", "icon small"));
    case "sent":
      return h("span", { class: "delivery sent", title: t("delivery.sent") }, icon("check", "icon small"));
    case "delivered":
      return h("span", { class: "delivery delivered", title: t("delivery.delivered") }, icon("checks", "icon small"));
    case "read":
      return h("span", { class: "delivery read", title: t("delivery.read") }, icon("checks", "icon small"));
    case "failed":
      return h(
        "span",
        { class: "delivery failed", title: m.error || t("delivery.failed") },
        icon("alert", "icon small"),
        h("span", null, t("delivery.failed")),
        h("button", { type: "button", class: "btn tiny retry", onclick: () => retry(m) }, t("action.retry")),
      );
  }
  return null;
}

// Images show as thumbnails; every other file as its name and size. Both
// open the file from the API, which serves it sandboxed.
function attachments(m: Message): HTMLElement | null {
  // An email's inline images show in its full message, not as files.
  const inline = inlineOnly(m);
  const list = (m.attachments ?? []).filter((a) => !inline(a));
  if (!list.length) return null;
  return h(
    "ul",
    { class: "attachments" },
    list.map((a) =>
      isInlineImage(a)
        ? h(
            "li",
            { class: "attachment image" },
            h("a", { href: a.url, target: "_blank", rel: "noopener noreferrer", title: a.file_name + " · " + fileSize(a.size) }, h("img", { src: a.url, alt: a.file_name, loading: "lazy", class: "thumb" })),
          )
        : h(
            "li",
            { class: "attachment file" },
            h(
              "a",
              { href: a.url, target: "_blank", rel: "noopener noreferrer" },
              icon("paperclip", "icon small"),
              h("span", { class: "attachment-name" }, a.file_name),
              h("span", { class: "attachment-size" }, fileSize(a.size)),
            ),
          ),
    ),
  );
}

const deliveryRank: Record<string, number> = { pending: 1, sent: 2, delivered: 3, read: 4 };

// The answer to a send races the realtime events about the same reply: with
// a website visitor it may arrive after the event that the reply was read.
// A delivery status therefore never moves back, except when a reply fails
// or a failed one is retried.
function mergeMessage(old: Message, next: Message): Message {
  const merged = { ...old, ...next };
  if (next.status !== "failed" && (deliveryRank[old.status ?? ""] ?? 0) > (deliveryRank[next.status ?? ""] ?? 0)) merged.status = old.status;
  return merged;
}

function lastIncoming(messages: Message[]): Message | undefined {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i].kind === "incoming") return messages[i];
  return undefined;
}

/**
 * An activity line in the reader's language. The server stores a machine
 * key ("status:resolved", "assignee:12", "team:3", "merged:41",
 * "routed:12:language", "requeued:12:busy", "csat:4"); anything
 * else is shown as written.
 */
export function activityText(m: Message): string {
  const actor = actorName(m);
  if (m.content.startsWith("macro:")) return t("activity.macro", { actor, name: m.content.slice("macro:".length) });
  if (m.content.startsWith("sla_breached:")) return t("activity.sla_breached", { target: t("sla.target." + m.content.slice("sla_breached:".length)) });
  const label = /^label_(added|removed):(.+)$/.exec(m.content);
  if (label) return label[1] === "added" ? t("activity.label_added", { actor, name: label[2] }) : t("activity.label_removed", { actor, name: label[2] });
  const routed = /^(routed|requeued):(\d+):(\w+)$/.exec(m.content);
  if (routed) {
    const name = userName(Number(routed[2])) || t("assign.unknown");
    return routed[1] === "routed" ? t("activity.routed." + routed[3], { name }) : t("activity.requeued." + routed[3], { name });
  }
  const rated = /^csat:([1-5])$/.exec(m.content);
  if (rated) return t("activity.csat", { rating: rated[1] });
  const match = /^(status|assignee|team|merged|priority):(\w+)$/.exec(m.content);
  if (!match) return m.content;
  const [, kind, arg] = match;
  const id = Number(arg);
  switch (kind) {
    case "status":
      return tOr("activity.status." + arg, m.content, { actor });
    case "assignee":
      return id ? t("activity.assigned", { actor, name: userName(id) || t("assign.unknown") }) : t("activity.unassigned", { actor });
    case "team":
      return id ? t("activity.team", { actor, name: teamById(id)?.name ?? "" }) : t("activity.no_team", { actor });
    case "merged":
      return t("activity.merged", { actor, id });
    case "priority":
      return id ? t("activity.priority", { actor, priority: tOr("priority." + arg, arg) }) : t("activity.no_priority", { actor });
  }
  return m.content;
}

/** What a message's bubble reads from the rest of the timeline, and how it acts. */
interface TimelineContext {
  /** The loaded messages by their platform's id, for quotes. */
  byExternal: Map<string, Message>;
  /** The reactions on each loaded message, by its platform's id. */
  reactions: Map<string, string[]>;
  retry: (m: Message) => void;
  /** A message changed by the agent (moderated). */
  updated: (m: Message) => void;
}

function messageEl(m: Message, conv: Conversation, grouped: boolean, x: TimelineContext, showSubject = false): HTMLElement {
  if (m.kind === "activity") {
    const actor = actorName(m);
    return h("div", { class: "msg activity", dataset: { id: String(m.id) } }, privateReplyActivity(m.content, actor) ?? h("span", null, handoffText(m, actor) ?? activityText(m)), h("time", { datetime: m.created_at, title: longTime(m.created_at) }, clockTime(m.created_at)));
  }
  if (isCallEntry(m)) return callEntry(m);
  const details = detailLines(m, x.byExternal);
  const moderation = m.details?.moderation;
  return h(
    "div",
    { class: "msg " + m.kind + (grouped ? " grouped" : "") + (m.status === "failed" ? " is-failed" : "") + (m.email ? " email" : "") + (m.public ? " public" : "") + (moderation ? " moderated " + moderation : ""), dataset: { id: String(m.id) } },
    h(
      "div",
      { class: "bubble" },
      grouped && !m.email && !m.public ? null : h("div", { class: "msg-head" }, m.kind === "note" ? icon("lock", "icon small") : null, m.public ? icon("globe", "icon small") : null, senderName(m, conv), botNote(m), moderationBadge(m), moderationButton(m, x.updated)),
      emailHead(m, showSubject),
      details.before,
      m.content ? h("div", { class: "msg-body" }, m.kind === "note" ? withMentions(m.content) : linkify(m.content)) : null,
      details.after,
      fullMessageToggle(m),
      attachments(m),
      answeredPrivately(m, conv),
      h("div", { class: "msg-foot" }, h("time", { datetime: m.created_at, title: longTime(m.created_at) }, clockTime(m.created_at)), deliveryStatus(m, x.retry)),
    ),
    reactionChips(m.external_id ? x.reactions.get(m.external_id) : undefined),
  );
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A note's text with each @mention of an agent marked, and links made live. */
function withMentions(text: string): Node {
  const names = state.users.map((u) => u.name).filter(Boolean).sort((a, b) => b.length - a.length);
  if (!names.length) return linkify(text);
  const pattern = new RegExp("@(?:" + names.map(escapeRegExp).join("|") + ")", "gu");
  const frag = document.createDocumentFragment();
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    const i = m.index ?? 0;
    if (i > last) frag.appendChild(linkify(text.slice(last, i)));
    frag.appendChild(h("span", { class: "mention" }, m[0]));
    last = i + m[0].length;
  }
  if (last < text.length) frag.appendChild(linkify(text.slice(last)));
  return frag;
}

/** Mounts a conversation into el; back returns to the list on phones. */
export function mountConversation(el: HTMLElement, id: number, back: () => void): () => void {
  let conv: Conversation | null = inbox.find(id) ?? null;
  let messages: Message[] = [];
  let hasOlder = false;
  let destroyed = false;
  // A laptop screen has room for the contact panel beside the conversation;
  // on a narrower one it is an overlay, opened on demand.
  let panelOpen = window.matchMedia("(min-width: 1280px)").matches;

  const head = h("header", { class: "conv-head" });
  const toolbar = h("div", { class: "conv-tools" });
  // An email conversation's subject, above its timeline.
  const subjectBar = h("h3", { class: "conv-subject", hidden: true });
  // A public conversation's post, and the conversation it was taken to or from.
  const contextBar = h("div", { class: "conv-context", hidden: true });
  let linked: Conversation | null = null;
  const timeline = h("div", { class: "timeline", role: "log", "aria-live": "polite", "aria-label": t("conversation.timeline") });
  const customerTyping = h("div", { class: "customer-typing", role: "status", hidden: true }, h("span", { class: "typing-dots", "aria-hidden": "true" }, h("i"), h("i"), h("i")), t("presence.customer_typing"));
  const presenceBar = h("div", { class: "presence-bar", role: "status", "aria-live": "polite", hidden: true });
  const composerSlot = h("div", { class: "composer-slot" });
  const dropHint = h("div", { class: "drop-hint", "aria-hidden": "true" }, icon("paperclip"), t("attach.drop"));
  const panel = h("aside", { class: "contact-panel", "aria-label": t("contact.title") });
  const main = h("div", { class: "conv-main" }, head, toolbar, contextBar, subjectBar, timeline, presenceBar, composerSlot, dropHint);
  const root = h("div", { class: "conversation" + (panelOpen ? " panel-open" : "") }, main, panel);
  replace(el, h("div", { class: "loading" }, t("list.loading")));

  let composer: ReturnType<typeof mountComposer> | null = null;
  let presence: Presence | null = null;
  let unmountPanel: (() => void) | null = null;
  let panelContact = 0;
  let visitorSeenUpto = 0;

  const seen = () => {
    if (!conv || document.hidden) return;
    const lastId = messages.length ? messages[messages.length - 1].id : 0;
    markSeen(conv, lastId);
    // Where the channel tells the customer (a website visitor sees "Seen"
    // under their message); a failure costs only the hint.
    const upto = lastIncoming(messages)?.id ?? 0;
    if (upto > visitorSeenUpto && capabilitiesOf(conv.inbox_id).mark_read) {
      visitorSeenUpto = upto;
      conversationApi.seen(conv.id, upto).catch(() => {});
    }
  };

  function renderPresence(others: Colleague[], typing: boolean): void {
    presenceBar.hidden = others.length === 0;
    replace(
      presenceBar,
      others.map((o) =>
        h(
          "span",
          { class: "presence-item" + (o.typing ? " typing" : ""), dataset: { user: String(o.userId) } },
          avatar(o.name, "tiny"),
          o.typing ? t("presence.typing", { name: o.name || t("message.agent") }) : t("presence.viewing", { name: o.name || t("message.agent") }),
        ),
      ),
    );
    const nearEnd = timeline.scrollHeight - timeline.scrollTop - timeline.clientHeight < 80;
    customerTyping.hidden = !typing;
    if (typing && nearEnd) timeline.scrollTop = timeline.scrollHeight;
  }

  // Files dragged over the conversation are attached when dropped anywhere
  // on it, not only on the composer.
  let dragDepth = 0;
  const carriesFiles = (e: DragEvent) => !!e.dataTransfer && [...e.dataTransfer.types].includes("Files");
  main.addEventListener("dragenter", (e) => {
    if (!carriesFiles(e) || !composer) return;
    e.preventDefault();
    dragDepth++;
    main.classList.add("dragging");
  });
  main.addEventListener("dragover", (e) => {
    if (!carriesFiles(e) || !composer) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = "copy";
  });
  main.addEventListener("dragleave", (e) => {
    if (!carriesFiles(e)) return;
    dragDepth = Math.max(0, dragDepth - 1);
    if (!dragDepth) main.classList.remove("dragging");
  });
  main.addEventListener("drop", (e) => {
    if (!carriesFiles(e) || !composer) return;
    e.preventDefault();
    dragDepth = 0;
    main.classList.remove("dragging");
    composer.addFiles([...(e.dataTransfer?.files ?? [])]);
  });

  async function openMerge(): Promise<void> {
    if (!conv) return;
    const c = conv;
    let others: Conversation[];
    try {
      others = (await api.contactConversations(c.contact_id)).filter((x) => x.id !== c.id);
    } catch (e) {
      toast(errorText(e), "error");
      return;
    }
    const close = modal(t("merge.title", { id: c.display_id }), [
      h("p", { class: "hint" }, t("merge.hint", { id: c.display_id })),
      others.length
        ? h(
            "ul",
            { class: "merge-list" },
            others.map((o) =>
              h(
                "li",
                null,
                h(
                  "button",
                  { type: "button", class: "merge-item", dataset: { id: String(o.id) }, onclick: () => void merge(o) },
                  h("span", { class: "ref" }, "#" + num(o.display_id)),
                  h("span", { class: "status-badge " + o.status }, t("status." + o.status)),
                  h("span", { class: "merge-preview" }, o.last_message),
                  h("time", { datetime: o.last_activity_at, title: longTime(o.last_activity_at) }, shortTime(o.last_activity_at)),
                ),
              ),
            ),
          )
        : h("div", { class: "empty" }, t("merge.none")),
    ]);

    async function merge(other: Conversation): Promise<void> {
      close();
      if (!(await confirmDialog(t("merge.confirm", { other: other.display_id, id: c.display_id }), t("merge.action")))) return;
      try {
        setConversation(await conversationApi.merge(c.id, other.id));
        toast(t("merge.done", { other: other.display_id }));
        refreshCounts(0);
        void inbox.reload();
        await load();
      } catch (e) {
        toast(errorText(e), "error");
      }
    }
  }

  async function patch(p: ConversationPatch): Promise<void> {
    if (!conv) return;
    try {
      const updated = await api.updateConversation(conv.id, p);
      setConversation(updated);
      refreshCounts(0);
    } catch (e) {
      toast(errorText(e), "error");
    }
  }

  async function setLabels(labels: string[]): Promise<void> {
    if (!conv) return;
    try {
      setConversation(await api.setLabels(conv.id, labels));
      refreshCounts(0);
    } catch (e) {
      toast(errorText(e), "error");
    }
  }

  function ranMacro(c: Conversation): void {
    setConversation(c);
    refreshCounts(0);
  }

  function setConversation(c: Conversation): void {
    if (!conv || Date.parse(c.updated_at) >= Date.parse(conv.updated_at) || c.id !== conv.id) {
      conv = { ...c, contact: c.contact ?? conv?.contact };
    }
    inbox.upsert(conv);
    renderHead();
  }

  async function retry(m: Message): Promise<void> {
    try {
      upsertMessage(await api.retry(m.id));
    } catch (e) {
      toast(errorText(e), "error");
    }
  }

  function upsertMessage(m: Message): void {
    const i = messages.findIndex((x) => x.id === m.id);
    if (i >= 0) messages[i] = mergeMessage(messages[i], m);
    else {
      messages.push(m);
      messages.sort((a, b) => a.id - b.id);
    }
    renderTimeline(i < 0);
  }

  function labelsPopup(anchor: HTMLElement): void {
    if (!conv) return;
    const current = new Set(conv.labels ?? []);
    const box = h(
      "div",
      { class: "menu labels-menu", role: "group", "aria-label": t("conversation.labels") },
      h("div", { class: "menu-heading" }, t("conversation.labels")),
      state.labels.length
        ? state.labels.map((l) => {
            const cb = h("input", {
              type: "checkbox",
              checked: current.has(l.name),
              onchange: () => {
                if (cb.checked) current.add(l.name);
                else current.delete(l.name);
                void setLabels([...current]);
              },
            });
            return h("label", { class: "menu-item check" }, cb, labelChip(l.name));
          })
        : h("div", { class: "menu-empty" }, t("labels.none")),
    );
    popup(anchor, box);
  }

  function renderHead(): void {
    if (!conv) return;
    const c = conv;
    const inb = inboxById(c.inbox_id);
    const name = contactName(c.contact);
    const resolved = c.status === "resolved";
    const snoozed = c.status === "snoozed";
    const reopenBtn = h("button", { type: "button", class: "btn reopen" + (snoozed ? " wide-only" : ""), title: t("action.reopen"), onclick: () => void patch({ status: "open" }) }, icon("reopen", "icon small"), h("span", { class: "btn-label" }, t("action.reopen")));
    const resolveBtn = h("button", { type: "button", class: "btn primary resolve", title: t("action.resolve"), onclick: () => void patch({ status: "resolved" }) }, icon("resolve", "icon small"), h("span", { class: "btn-label" }, t("action.resolve")));
    const snoozeMenu = (anchor: HTMLElement) =>
      menu(
        anchor,
        snoozePresets().map((p) => ({ label: t(p.key), hint: longTime(p.at.toISOString()), onselect: () => void patch({ status: "snoozed", snoozed_until: p.at.toISOString() }) })),
        t("action.snooze"),
      );
    const togglePanel = () => {
      panelOpen = !panelOpen;
      root.classList.toggle("panel-open", panelOpen);
    };
    // A phone has no room for a row of icons: the same actions, with their
    // names, are in one menu.
    const moreMenu = (e: MouseEvent) => {
      const anchor = e.currentTarget as HTMLElement;
      menu(
        anchor,
        [
          ...(resolved ? [] : [{ label: t("action.snooze"), icon: "snooze" as const, onselect: () => snoozeMenu(anchor) }]),
          ...(snoozed ? [{ label: t("action.reopen"), icon: "reopen" as const, onselect: () => void patch({ status: "open" }) }] : []),
          { label: t("macros.title"), icon: "bolt" as const, onselect: () => void openMacros(() => conv, ranMacro) },
          { label: t("merge.action"), icon: "merge" as const, onselect: () => void openMerge() },
          { label: t("contact.title"), icon: "info" as const, onselect: togglePanel },
        ],
        t("conversation.actions"),
      );
    };
    replace(
      head,
      iconButton("back", t("action.back"), back, "only-narrow back"),
      avatar(name),
      h(
        "div",
        { class: "conv-title" },
        h("h2", null, name),
        h(
          "div",
          { class: "sub" },
          h("span", { class: "ref" }, "#" + num(c.display_id)),
          inb ? h("span", { class: "inbox-name" }, channelIcon(inb.channel, "icon channel small"), inb.name) : null,
          c.public ? publicBadge() : null,
          c.status === "pending" ? botChip(c) : h("span", { class: "status-badge " + c.status }, t("status." + c.status)),
          moodChip(c.mood),
          slaChip(c.id),
          snoozed && c.snoozed_until ? h("span", { class: "hint" }, t("snooze.until", { time: longTime(c.snoozed_until) })) : null,
        ),
      ),
      h(
        "div",
        { class: "head-actions" },
        takeOverButton(c, setConversation),
        callButton(c, upsertMessage),
        summarizeButton(c.id),
        macrosButton(() => conv, ranMacro),
        resolved ? null : iconButton("snooze", t("action.snooze"), (e) => snoozeMenu(e.currentTarget as HTMLElement), "snooze-btn wide-only"),
        iconButton("merge", t("merge.action"), () => void openMerge(), "merge-btn wide-only"),
        resolved || snoozed ? reopenBtn : null,
        resolved ? null : resolveBtn,
        iconButton("info", t("contact.title"), togglePanel, "panel-toggle wide-only"),
        iconButton("more", t("conversation.actions"), moreMenu, "more-actions only-mobile"),
      ),
    );
    const assignee = c.assignee_id ? userName(c.assignee_id) || t("assign.unknown") : t("assign.none");
    const team = c.team_id ? teamById(c.team_id)?.name ?? "" : t("team.none");
    replace(
      toolbar,
      h(
        "button",
        {
          type: "button",
          class: "tool assign",
          onclick: (e: MouseEvent) =>
            menu(
              e.currentTarget as HTMLElement,
              [
                { label: t("assign.me"), onselect: () => void patch({ assignee_id: me().id }) },
                { label: t("assign.none"), checked: !c.assignee_id, onselect: () => void patch({ assignee_id: 0 }) },
                ...state.users.map((u) => ({ label: u.name, hint: availabilityOf(u).label, checked: c.assignee_id === u.id, onselect: () => void patch({ assignee_id: u.id }) })),
              ],
              t("conversation.assignee"),
            ),
        },
        h("span", { class: "tool-label" }, t("conversation.assignee")),
        c.assignee_id ? avatar(assignee, "tiny") : null,
        h("span", { class: "tool-value" }, assignee),
      ),
      h(
        "button",
        {
          type: "button",
          class: "tool team",
          onclick: (e: MouseEvent) =>
            menu(
              e.currentTarget as HTMLElement,
              [{ label: t("team.none"), checked: !c.team_id, onselect: () => void patch({ team_id: 0 }) }, ...state.teams.map((tm) => ({ label: tm.name, checked: c.team_id === tm.id, onselect: () => void patch({ team_id: tm.id }) }))],
              t("conversation.team"),
            ),
        },
        h("span", { class: "tool-label" }, t("conversation.team")),
        h("span", { class: "tool-value" }, team),
      ),
      h(
        "button",
        {
          type: "button",
          class: "tool priority",
          onclick: (e: MouseEvent) =>
            menu(
              e.currentTarget as HTMLElement,
              [4, 3, 2, 1, 0].map((p) => ({ label: t("priority." + p), checked: c.priority === p, onselect: () => void patch({ priority: p }) })),
              t("conversation.priority"),
            ),
        },
        h("span", { class: "tool-label" }, t("conversation.priority")),
        h("span", { class: "tool-value prio p" + c.priority }, t("priority." + c.priority)),
      ),
      h(
        "div",
        { class: "tool labels" },
        h("span", { class: "tool-label" }, t("conversation.labels")),
        (c.labels ?? []).map((l) => labelChip(l, () => void setLabels((c.labels ?? []).filter((x) => x !== l)))),
        h("button", { type: "button", class: "icon-btn small add-label", title: t("labels.add"), "aria-label": t("labels.add"), onclick: (e: MouseEvent) => labelsPopup(e.currentTarget as HTMLElement) }, icon("plus", "icon small")),
      ),
    );
    renderContext();
    if (c.contact_id !== panelContact) {
      panelContact = c.contact_id;
      unmountPanel?.();
      unmountPanel = mountContactPanel(panel, c.contact_id, c.id, (contact) => {
        if (conv && conv.contact_id === contact.id) {
          conv = { ...conv, contact };
          renderHead();
        }
      }, () => {
        panelOpen = false;
        root.classList.remove("panel-open");
      });
    }
  }

  function renderContext(): void {
    if (!conv) return;
    const c = conv;
    if (c.linked_conversation_id && linked?.id !== c.linked_conversation_id) {
      const want = c.linked_conversation_id;
      linked = null;
      api.conversation(want).then((l) => {
        if (destroyed || conv?.linked_conversation_id !== want) return;
        linked = l;
        renderContext();
      }, () => {});
    }
    const parts = [postCard(c), linkBanner(c, linked)].filter((x): x is HTMLElement => !!x);
    contextBar.hidden = parts.length === 0;
    replace(contextBar, parts);
  }

  function renderTimeline(scrollToEnd: boolean): void {
    if (!conv) return;
    const c = conv;
    const nearEnd = timeline.scrollHeight - timeline.scrollTop - timeline.clientHeight < 80;
    const nodes: HTMLElement[] = [];
    if (hasOlder) nodes.push(h("button", { type: "button", class: "btn ghost older", onclick: () => void loadOlder() }, t("conversation.older")));
    let day = "";
    let prev: Message | null = null;
    // The subject shows above the timeline, and again on a message that changes it.
    const subject = c.subject || messages.find((m) => m.email?.subject)?.email?.subject || "";
    subjectBar.hidden = !subject;
    subjectBar.textContent = subject;
    let thread = baseSubject(subject);
    const x: TimelineContext = {
      byExternal: new Map(messages.filter((m) => m.external_id).map((m) => [m.external_id as string, m])),
      reactions: reactionsOf(messages),
      retry: (m) => void retry(m),
      updated: upsertMessage,
    };
    for (const m of messages) {
      // A reaction shows on the message it is to, or as a line when that is not loaded.
      if (isReaction(m)) {
        if (!x.byExternal.has(m.details?.reaction_to ?? "")) nodes.push(reactionLine(m, senderName(m, c)));
        continue;
      }
      const d = new Date(m.created_at).toDateString();
      if (d !== day) {
        day = d;
        prev = null;
        nodes.push(h("div", { class: "day" }, h("span", null, dayHeading(m.created_at))));
      }
      const grouped = !!prev && prev.kind === m.kind && prev.sender_type === m.sender_type && prev.sender_id === m.sender_id && m.kind !== "activity" &&
        Date.parse(m.created_at) - Date.parse(prev.created_at) < 5 * 60e3;
      const changed = !!m.email?.subject && baseSubject(m.email.subject) !== thread;
      if (m.email?.subject) thread = baseSubject(m.email.subject);
      nodes.push(messageEl(m, c, grouped, x, changed));
      // A call's card names nobody: the next message shows its sender.
      prev = isCallEntry(m) ? null : m;
    }
    if (!messages.length) nodes.push(h("div", { class: "empty" }, t("conversation.empty")));
    nodes.push(customerTyping);
    replace(timeline, nodes);
    if (scrollToEnd || nearEnd) timeline.scrollTop = timeline.scrollHeight;
    seen();
    composer?.refresh();
  }

  async function loadOlder(): Promise<void> {
    if (!messages.length) return;
    const before = messages[0].id;
    const h0 = timeline.scrollHeight;
    try {
      const older = await api.messages(id, before, pageSize);
      hasOlder = older.length === pageSize;
      const have = new Set(messages.map((m) => m.id));
      messages = older.filter((m) => !have.has(m.id)).concat(messages);
      renderTimeline(false);
      timeline.scrollTop = timeline.scrollHeight - h0;
    } catch (e) {
      toast(errorText(e), "error");
    }
  }

  async function load(): Promise<void> {
    try {
      const [c, msgs] = await Promise.all([api.conversation(id), api.messages(id, undefined, pageSize)]);
      if (destroyed) return;
      conv = { ...c, contact: c.contact ?? conv?.contact };
      messages = msgs;
      hasOlder = msgs.length === pageSize;
      if (!root.isConnected) {
        replace(el, root);
        presence = joinConversation(() => conv as Conversation, renderPresence);
        composer = mountComposer(() => conv as Conversation, (m) => upsertMessage(m), {
          typing: (reply) => presence?.typing(reply),
          stopTyping: () => presence?.stopTyping(),
          lastCustomerAt: () => lastIncoming(messages)?.created_at ?? null,
          lastEmail: () => lastEmail(messages),
          repliedPrivately: (p) => {
            if (!conv) return;
            linked = p;
            setConversation({ ...conv, linked_conversation_id: p.id });
          },
        });
        composerSlot.appendChild(composer.el);
      }
      renderHead();
      renderTimeline(true);
    } catch (e) {
      if (destroyed) return;
      replace(el, h("div", { class: "placeholder" }, iconButton("back", t("action.back"), back, "only-narrow back"), h("p", null, errorText(e))));
    }
  }

  const offs = [
    onEvent((ev) => {
      const merged = ev.type === "conversation.merged" ? (ev.data as { merged_conversation_id?: number } | undefined)?.merged_conversation_id : 0;
      if (merged === id && ev.conversation_id && !destroyed) {
        // Someone folded this conversation into another: it is gone.
        const into = ev.conversation_id;
        presence?.leave();
        presence = null;
        replace(el, h("div", { class: "placeholder" }, iconButton("back", t("action.back"), back, "only-narrow back"), h("p", null, t("merge.gone")), h("button", { type: "button", class: "btn primary", onclick: () => openConversation(into) }, t("merge.open"))));
        return;
      }
      if (ev.conversation_id !== id && ev.data?.conversation?.id !== id && ev.data?.message?.conversation_id !== id) {
        const contact = ev.data?.contact;
        if (ev.type === "contact.updated" && contact && conv && contact.id === conv.contact_id) {
          conv = { ...conv, contact };
          renderHead();
        }
        return;
      }
      const c = ev.data?.conversation;
      if (c && conv) {
        conv = { ...conv, ...c, contact: c.contact ?? conv.contact };
        renderHead();
      }
      const m = ev.data?.message;
      if (m && m.conversation_id === id) {
        if (m.kind === "incoming" && ev.type === "message.created") presence?.customerWrote();
        upsertMessage(m);
      }
      // Another conversation's messages moved into this one.
      if (ev.type === "conversation.merged" && ev.conversation_id === id) void load();
    }),
    onReset(() => void load()),
    on("meta", () => {
      renderHead();
      renderTimeline(false);
    }),
    shortcut("r", () => composer?.focus("reply")),
    shortcut("n", () => composer?.focus("note")),
    shortcut("m", () => void openMacros(() => conv, ranMacro)),
    shortcut("b", () => composer?.knowledge()),
    shortcut("e", () => {
      if (conv && conv.status !== "resolved") void patch({ status: "resolved" });
    }),
  ];
  const onVisible = () => seen();
  document.addEventListener("visibilitychange", onVisible);
  void load();

  return () => {
    destroyed = true;
    presence?.leave();
    composer?.destroy();
    unmountPanel?.();
    offs.forEach((f) => f());
    document.removeEventListener("visibilitychange", onVisible);
  };
}
