// The inbox page: the conversation list of a view with status tabs, sort and
// bulk actions, next to the open conversation.
import { slaListChip } from "./sla";
import { api } from "../api";
import { h, replace } from "../dom";
import { num, shortTime, t, tOr } from "../i18n";
import { channelIcon, icon } from "../icons";
import * as inbox from "../inbox";
import { list, type Filter } from "../inbox";
import { navigate, onRoute, parse, type Route } from "../router";
import { shortcut } from "../shortcuts";
import { inboxById, on, refreshCounts, state, teamById, userName, viewById } from "../state";
import type { Conversation, Sort } from "../types";
import { avatar, errorText, iconButton, labelChip, menu, toast } from "../ui";
import { isUnread, onUnread } from "../unread";
import { mountConversation } from "./conversation";
import { emailInboxes } from "./email";
import { newEmailDialog } from "./emailfull";
import { newTemplateDialog, templateInboxes } from "./newmessage";
import { botChip } from "./handoff";
import { publicBadge } from "./public";
import { moodChip, moodMenu } from "./mood";
import { saveViewDialog } from "./savedviews";
import { contactName } from "../names";

export function viewTitle(view: string): string {
  const [kind, ...rest] = view.split(":");
  const arg = rest.join(":");
  switch (kind) {
    case "mine":
    case "unassigned":
    case "all":
      return t("view." + kind);
    case "team":
      return teamById(Number(arg))?.name ?? t("nav.teams");
    case "inbox":
      return inboxById(Number(arg))?.name ?? t("nav.inboxes");
    case "label":
      return arg || t("nav.labels");
    case "channel":
      return tOr("channel." + arg, arg);
    case "saved":
      return viewById(Number(arg))?.name ?? t("nav.saved_views");
  }
  return t("view.all");
}

function listHref(f: Filter, id = 0): string {
  return (id ? "/conversations/" + id : "/conversations") + "?" + inbox.filterQuery(f);
}

export function openConversation(id: number): void {
  navigate(listHref(list.filter, id));
}

function contactLabel(c: Conversation): string {
  return contactName(c.contact);
}

function item(c: Conversation): HTMLElement {
  const unread = isUnread(c) && c.id !== list.activeId;
  const selected = list.selected.has(c.id);
  const box = h("input", {
    type: "checkbox",
    class: "select",
    checked: selected,
    "aria-label": t("list.select", { id: c.display_id }),
    onclick: (e: MouseEvent) => e.stopPropagation(),
    onchange: () => {
      if (box.checked) list.selected.add(c.id);
      else list.selected.delete(c.id);
      renderBulk();
      el.classList.toggle("selected", box.checked);
    },
  });
  const inb = inboxById(c.inbox_id);
  const name = contactLabel(c);
  const el = h(
    "li",
    {
      class: "conv-item" + (c.id === list.activeId ? " active" : "") + (unread ? " unread" : "") + (selected ? " selected" : ""),
      dataset: { id: String(c.id) },
    },
    h("label", { class: "pick" }, avatar(name), box),
    h(
      "a",
      { class: "conv-link", href: listHref(list.filter, c.id), "data-nav": "" },
      h(
        "div",
        { class: "row" },
        h("span", { class: "name" }, name),
        h("span", { class: "ref" }, "#" + num(c.display_id)),
        slaListChip(c),
        h("time", { class: "time", datetime: c.last_activity_at }, shortTime(c.last_activity_at)),
      ),
      h(
        "div",
        { class: "row" },
        inb ? channelIcon(inb.channel, "icon channel small") : null,
        c.public ? publicBadge() : null,
        botChip(c),
        // An email's subject says what it is about better than its last words.
        c.subject ? h("span", { class: "subject" }, c.subject) : null,
        h("span", { class: "preview" }, c.last_message || "\u00a0"),
        unread ? h("span", { class: "unread-dot", "aria-label": t("list.unread") }) : null,
      ),
      c.priority || c.labels?.length || c.assignee_id || c.mood
        ? h(
            "div",
            { class: "row meta" },
            moodChip(c.mood),
            c.priority ? h("span", { class: "prio p" + c.priority }, icon("flag", "icon small"), t("priority." + c.priority)) : null,
            (c.labels ?? []).slice(0, 3).map((l) => labelChip(l)),
            c.assignee_id ? h("span", { class: "assignee", title: userName(c.assignee_id) }, avatar(userName(c.assignee_id), "tiny")) : null,
          )
        : null,
    ),
  );
  return el;
}

let bulkBar: HTMLElement | null = null;

function renderBulk(): void {
  if (!bulkBar) return;
  const n = list.selected.size;
  bulkBar.hidden = n === 0;
  if (!n) return;
  const ids = () => [...list.selected];
  const run = async (body: { status?: string; assignee_id?: number; add_labels?: string[] }) => {
    try {
      const res = await api.bulk({ ids: ids(), ...body });
      toast(t("bulk.done", { n: res?.updated ?? n }));
      list.selected.clear();
      await inbox.reload();
      refreshCounts(0);
    } catch (e) {
      toast(errorText(e), "error");
    }
  };
  replace(
    bulkBar,
    h("span", { class: "bulk-count" }, t("bulk.selected", { n })),
    h(
      "button",
      {
        type: "button",
        class: "btn small",
        onclick: (e: MouseEvent) =>
          menu(
            e.currentTarget as HTMLElement,
            [{ label: t("assign.none"), onselect: () => void run({ assignee_id: 0 }) }, ...state.users.map((u) => ({ label: u.name, onselect: () => void run({ assignee_id: u.id }) }))],
            t("bulk.assign"),
          ),
      },
      t("bulk.assign"),
    ),
    h(
      "button",
      {
        type: "button",
        class: "btn small",
        disabled: !state.labels.length,
        onclick: (e: MouseEvent) =>
          menu(
            e.currentTarget as HTMLElement,
            state.labels.map((l) => ({ label: l.name, onselect: () => void run({ add_labels: [l.name] }) })),
            t("bulk.label"),
          ),
      },
      t("bulk.label"),
    ),
    h("button", { type: "button", class: "btn small", onclick: () => void run({ status: "resolved" }) }, t("action.resolve")),
    h(
      "button",
      {
        type: "button",
        class: "btn small ghost",
        onclick: () => {
          list.selected.clear();
          renderList();
        },
      },
      t("bulk.clear"),
    ),
  );
}

let listEl: HTMLElement | null = null;
let tabsEl: HTMLElement | null = null;
let titleEl: HTMLElement | null = null;
let moreEl: HTMLElement | null = null;
let exportEl: HTMLAnchorElement | null = null;

function renderTabs(): void {
  if (!tabsEl) return;
  replace(
    tabsEl,
    inbox.statuses.map((s) => {
      const n = inbox.countFor(list.filter.view, s);
      return h(
        "a",
        {
          href: listHref({ ...list.filter, status: s }),
          "data-nav": "",
          class: "tab" + (list.filter.status === s ? " active" : ""),
          role: "tab",
          "aria-selected": list.filter.status === s ? "true" : "false",
        },
        t("status." + s),
        n ? h("span", { class: "count" }, num(n)) : null,
      );
    }),
  );
}

function renderList(): void {
  if (!listEl) return;
  if (titleEl) titleEl.textContent = viewTitle(list.filter.view);
  if (exportEl) exportEl.href = inbox.exportHref();
  renderTabs();
  renderBulk();
  if (list.missing) {
    const label = list.filter.view.startsWith("label:");
    replace(
      listEl,
      h("li", { class: "empty missing-view" }, h("p", null, label ? t("list.no_such_label") : t("list.no_such_view")), h("a", { href: listHref({ ...list.filter, view: "all" }), "data-nav": "" }, t("list.show_all"))),
    );
  } else if (list.error && !list.items.length) {
    replace(listEl, h("li", { class: "empty" }, list.error));
  } else if (!list.items.length) {
    replace(listEl, h("li", { class: "empty" }, list.loading ? t("list.loading") : t("list.empty")));
  } else {
    replace(listEl, list.items.map(item));
  }
  if (moreEl) {
    moreEl.hidden = !list.nextCursor;
    moreEl.textContent = list.loading ? t("list.loading") : t("list.more");
  }
}

function sortMenu(e: MouseEvent): void {
  const choose = (s: Sort) => navigate(listHref({ ...list.filter, sort: s }, list.activeId));
  menu(
    e.currentTarget as HTMLElement,
    inbox.sorts.map((s) => ({ label: t("sort." + s), checked: list.filter.sort === s, onselect: () => choose(s) })),
    t("sort.title"),
  );
}

function moodFilterMenu(e: MouseEvent): void {
  moodMenu(e.currentTarget as HTMLElement, list.filter.mood, (m) => navigate(listHref({ ...list.filter, mood: m }, list.activeId)));
}

function move(delta: number): void {
  if (!list.items.length) return;
  const i = list.items.findIndex((c) => c.id === list.activeId);
  const next = i < 0 ? 0 : Math.max(0, Math.min(list.items.length - 1, i + delta));
  const c = list.items[next];
  if (c && c.id !== list.activeId) {
    openConversation(c.id);
    listEl?.querySelector(`[data-id="${c.id}"]`)?.scrollIntoView({ block: "nearest" });
  }
}

/** Mounts the inbox page; returns its unmount function. */
export function mountInbox(el: HTMLElement, route: Route): () => void {
  titleEl = h("h1", null, "");
  tabsEl = h("nav", { class: "tabs", role: "tablist", "aria-label": t("list.statuses") });
  listEl = h("ul", { class: "conv-list", "aria-label": t("nav.conversations") });
  bulkBar = h("div", { class: "bulk", hidden: true });
  moreEl = h("button", { type: "button", class: "btn ghost more", hidden: true, onclick: () => void inbox.loadMore() }, t("list.more"));
  exportEl = h("a", { class: "btn ghost small export", href: inbox.exportHref(), download: "", title: t("export.csv"), "aria-label": t("export.csv") },
    icon("download", "icon small"), h("span", { class: "btn-label" }, t("export.csv")));
  const listPane = h(
    "section",
    { class: "list-pane" },
    h(
      "header",
      { class: "page-head" },
      iconButton("menu", t("nav.menu"), () => document.body.classList.add("drawer-open"), "only-mobile"),
      titleEl,
      h(
        "div",
        { class: "head-actions" },
        emailInboxes().length
          ? h("button", { type: "button", class: "btn ghost small new-email", title: t("email.new"), "aria-label": t("email.new"), onclick: () => newEmailDialog(openConversation) },
              channelIcon("email", "icon small"), h("span", { class: "btn-label" }, t("email.new")))
          : null,
        templateInboxes().length
          ? h("button", { type: "button", class: "btn ghost small new-template", title: t("start.title"), "aria-label": t("start.title"), onclick: () => newTemplateDialog(openConversation) },
              channelIcon(templateInboxes()[0].channel, "icon small"), h("span", { class: "btn-label" }, t("start.button")))
          : null,
        h("button", { type: "button", class: "btn ghost small save-view", title: t("views.save"), "aria-label": t("views.save"), onclick: saveViewDialog },
          icon("plus", "icon small"), h("span", { class: "btn-label" }, t("views.save"))),
        exportEl,
        h("button", { type: "button", class: "btn ghost small mood-filter", onclick: moodFilterMenu }, icon("smile", "icon small")),
        h("button", { type: "button", class: "btn ghost small sort", onclick: sortMenu }, icon("menu", "icon small"), h("span", { class: "sort-label" }, "")),
      ),
    ),
    tabsEl,
    bulkBar,
    h("div", { class: "list-scroll" }, listEl, moreEl),
  );
  const convPane = h("section", { class: "conv-pane" });
  const page = h("div", { class: "inbox-page" }, listPane, convPane);
  replace(el, page);

  const sortLabel = () => {
    const s = listPane.querySelector(".sort-label");
    if (s) s.textContent = t("sort." + list.filter.sort);
    // The mood filter is an icon, coloured by the mood it keeps, and
    // named in its title.
    const mood = list.filter.mood ? t("mood." + list.filter.mood) : t("mood.any");
    const m = listPane.querySelector<HTMLElement>(".mood-filter");
    if (m) {
      m.className = "btn ghost small mood-filter" + (list.filter.mood ? " active " + list.filter.mood : "");
      m.title = t("mood.filter") + ": " + mood;
      m.setAttribute("aria-label", m.title);
    }
  };

  // Load more when the end of the list scrolls into view.
  const io = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) void inbox.loadMore();
  });
  io.observe(moreEl);

  let unmountConv: (() => void) | null = null;
  const show = (r: Route) => {
    if (r.name !== "inbox" && r.name !== "conversation") return;
    const f = inbox.filterFromQuery(r.query);
    const filterChanged = !inbox.sameFilter(f, list.filter) || !list.items.length;
    const idChanged = r.id !== list.activeId || !unmountConv;
    list.activeId = r.id;
    page.classList.toggle("has-conv", r.id > 0);
    if (filterChanged) void inbox.load(f);
    sortLabel();
    if (idChanged) {
      unmountConv?.();
      unmountConv = null;
      if (r.id) {
        unmountConv = mountConversation(convPane, r.id, () => navigate(listHref(list.filter)));
      } else {
        replace(convPane, h("div", { class: "placeholder" }, icon("inbox", "icon big"), h("p", null, t("conversation.none")), h("p", { class: "hint" }, t("conversation.hint"))));
      }
    }
    if (!filterChanged) renderList();
  };

  const offs = [
    on("list", renderList),
    on("counts", renderTabs),
    on("meta", renderList),
    onUnread(renderList),
    onRoute(show),
    shortcut("j", () => move(1)),
    shortcut("k", () => move(-1)),
    shortcut("x", () => {
      if (!list.activeId) return;
      if (list.selected.has(list.activeId)) list.selected.delete(list.activeId);
      else list.selected.add(list.activeId);
      renderList();
    }),
    shortcut("Escape", () => {
      if (list.selected.size) {
        list.selected.clear();
        renderList();
      }
    }),
  ];
  show(route.name === "inbox" || route.name === "conversation" ? route : parse());
  renderList();
  return () => {
    io.disconnect();
    unmountConv?.();
    offs.forEach((f) => f());
    listEl = tabsEl = titleEl = moreEl = bulkBar = exportEl = null;
  };
}
