// The Mentions page: the public comments and mentions that name the
// account's keywords, newest first, with their trend, filters by keyword,
// channel and sentiment, and from each one the way on: open its
// conversation, answer it privately, or take it as a conversation.
import { APIError, api, mentionsApi, publicApi, type MentionParams } from "../api";
import { h, replace } from "../dom";
import { ago, longTime, t, tOr } from "../i18n";
import { channelIcon, icon } from "../icons";
import { onEvent } from "../realtime";
import { navigate, type Route } from "../router";
import { capabilitiesOf, channels, isAdmin, me } from "../state";
import type { Mention, MentionKeyword } from "../types";
import { avatar, errorText, pageHeader, select, toast } from "../ui";
import { trendView } from "./mentiontrend";

const dayChoices = [14, 30];

/** The ways on from a mention, under it. */
function actions(m: Mention, reload: () => void): HTMLElement {
  const box = h("div", { class: "mention-actions" });
  const open = h("a", { class: "btn small", href: `/conversations/${m.message.conversation_id}`, "data-nav": "" }, t("mentions.open"));
  const take = h("button", { type: "button", class: "btn small ghost mention-take", onclick: async () => {
    try {
      await api.updateConversation(m.message.conversation_id, { status: "open", assignee_id: me().id });
      navigate(`/conversations/${m.message.conversation_id}`);
    } catch (e) {
      toast(errorText(e), "error");
    }
  } }, t("mentions.take"));
  const answered = !!m.message.details?.private_reply_id;
  const privately = capabilitiesOf(m.message.inbox_id).private_reply && !answered
    ? h("button", { type: "button", class: "btn small ghost mention-private", onclick: () => replace(box, privateForm(m, () => replace(box, open, privately, take), reload)) },
      icon("lock", "icon small"), t("guard.reply_privately"))
    : null;
  replace(box, open, privately, take);
  return box;
}

/** A private reply to the mention's author, written under it. */
function privateForm(m: Mention, cancel: () => void, done: () => void): HTMLElement {
  const text = h("textarea", { class: "mention-reply-input", rows: 2, "aria-label": t("guard.reply_privately"), placeholder: t("composer.private_placeholder") });
  const f = h(
    "form",
    { class: "mention-reply", onsubmit: async (e: SubmitEvent) => {
      e.preventDefault();
      const content = text.value.trim();
      if (!content) return;
      try {
        const r = await publicApi.privateReply(m.message.conversation_id, content);
        toast(t("composer.sent_privately", { id: r.conversation.display_id }));
        done();
      } catch (err) {
        toast(err instanceof APIError ? err.message : errorText(err), "error");
      }
    } },
    text,
    h("div", { class: "mention-reply-foot" },
      h("button", { type: "submit", class: "btn small primary" }, t("composer.send_privately")),
      h("button", { type: "button", class: "btn small ghost", onclick: cancel }, t("action.cancel"))),
  );
  queueMicrotask(() => text.focus());
  return f;
}

function row(m: Mention, reload: () => void): HTMLElement {
  const name = m.contact_name || t("contact.unknown");
  return h(
    "li",
    { class: "mention-item " + m.sentiment, dataset: { id: String(m.message.id) } },
    h(
      "div",
      { class: "mention-head" },
      avatar(name, "small"),
      h("span", { class: "mention-who" }, h("span", { class: "name" }, name),
        h("span", { class: "hint" }, channelIcon(m.channel, "icon channel small"), " ", m.inbox_name, " · ", h("time", { datetime: m.message.created_at, title: longTime(m.message.created_at) }, ago(m.message.created_at)))),
      h("span", { class: "sentiment-chip " + m.sentiment }, t("mentions.sentiment." + m.sentiment)),
    ),
    h("p", { class: "mention-text", dir: "auto" }, m.message.content),
    h("div", { class: "mention-keywords" }, m.keywords.map((k) => h("span", { class: "chip keyword" }, k)),
      h("a", { class: "hint", href: `/conversations/${m.message.conversation_id}`, "data-nav": "" }, "#" + m.display_id)),
    actions(m, reload),
  );
}

/** Mounts the Mentions page; returns its unmount function. */
export function mountMentions(el: HTMLElement, route: Route): () => void {
  const filters: MentionParams = {
    keyword: Number(route.query.get("keyword")) || undefined,
    channel: route.query.get("channel") ?? "",
    sentiment: route.query.get("sentiment") ?? "",
  };
  let days = Number(route.query.get("days")) === 30 ? 30 : 14;
  let items: Mention[] = [];
  let keywords: MentionKeyword[] = [];
  let cursor = "";
  let loading = false;
  let generation = 0;
  let destroyed = false;

  const listEl = h("ul", { class: "mention-list", "aria-label": t("mentions.title") });
  const trendEl = h("div", { class: "trend-slot" });
  const more = h("button", { type: "button", class: "btn ghost more", hidden: true, onclick: () => void load(true) }, t("list.more"));
  const filterEl = h("div", { class: "mention-filters" });

  function renderFilters(): void {
    replace(
      filterEl,
      select([{ value: "", label: t("mentions.all_keywords") }, ...keywords.map((k) => ({ value: String(k.id), label: k.term }))],
        String(filters.keyword ?? ""), (v) => apply({ keyword: Number(v) || undefined }), { "aria-label": t("mentions.keyword"), class: "mention-keyword" }),
      select([{ value: "", label: t("contacts.all_channels") }, ...channels().map((c) => ({ value: c, label: tOr("channel." + c, c) }))],
        filters.channel ?? "", (v) => apply({ channel: v }), { "aria-label": t("nav.channels"), class: "mention-channel" }),
      select([{ value: "", label: t("mentions.all_sentiments") }, ...["negative", "neutral", "positive"].map((s) => ({ value: s, label: t("mentions.sentiment." + s) }))],
        filters.sentiment ?? "", (v) => apply({ sentiment: v }), { "aria-label": t("mentions.sentiment"), class: "mention-sentiment" }),
      select(dayChoices.map((d) => ({ value: String(d), label: t("mentions.days", { n: d }) })), String(days), (v) => {
        days = Number(v);
        apply({});
      }, { "aria-label": t("mentions.period"), class: "mention-days" }),
    );
  }

  function render(error = ""): void {
    if (error && !items.length) replace(listEl, h("li", { class: "empty" }, error));
    else if (!items.length) replace(listEl, h("li", { class: "empty" }, loading ? t("list.loading") : keywords.length ? t("mentions.none") : noKeywords()));
    else replace(listEl, items.map((m) => row(m, () => void load())));
    more.hidden = !cursor;
    more.textContent = loading ? t("list.loading") : t("list.more");
  }

  function noKeywords(): HTMLElement {
    return h("span", null, t("mentions.no_keywords"), " ", isAdmin() ? h("a", { href: "/settings/mentions", "data-nav": "" }, t("mentions.add_keywords")) : null);
  }

  async function load(append = false): Promise<void> {
    if (append && (!cursor || loading)) return;
    const gen = ++generation;
    loading = true;
    render();
    try {
      const [page, trend] = await Promise.all([
        mentionsApi.list({ ...filters, cursor: append ? cursor : undefined, limit: 30 }),
        append ? null : mentionsApi.trend({ ...filters, days }),
      ]);
      if (gen !== generation || destroyed) return;
      items = append ? items.concat(page.items ?? []) : page.items ?? [];
      cursor = page.next_cursor ?? "";
      if (trend) replace(trendEl, trendView(trend));
      loading = false;
      render();
    } catch (e) {
      if (gen !== generation || destroyed) return;
      loading = false;
      if (!append) items = [];
      render(errorText(e));
    }
  }

  function apply(change: MentionParams): void {
    Object.assign(filters, change);
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (v) q.set(k, String(v));
    if (days !== 14) q.set("days", String(days));
    const qs = q.toString();
    history.replaceState(null, "", "/mentions" + (qs ? "?" + qs : ""));
    cursor = "";
    void load();
  }

  // A public message may be a new mention: look again shortly after, once
  // the matcher has read it.
  let timer = 0;
  const off = onEvent((ev) => {
    if (ev.type !== "message.created" || !ev.data?.message?.public) return;
    clearTimeout(timer);
    timer = window.setTimeout(() => void load(), 2500);
  });

  replace(
    el,
    h("div", { class: "page mentions-page" }, pageHeader(t("mentions.title")), filterEl, h("div", { class: "list-scroll" }, trendEl, listEl, more)),
  );
  renderFilters();
  render();
  void mentionsApi.keywords().then((k) => {
    if (destroyed) return;
    keywords = k;
    renderFilters();
    render();
  }, () => {});
  void load();
  return () => {
    destroyed = true;
    clearTimeout(timer);
    off();
  };
}
