// The left sidebar: views with live counts, navigation, and the agent menu.
import { api } from "../api";
import { h, replace, type Child } from "../dom";
import { num, t, tOr } from "../i18n";
import { channelIcon, icon, type IconName } from "../icons";
import { countFor, filterQuery, list } from "../inbox";
import { unreadNotifications } from "../notify";
import { disablePush, pushSupported } from "../push";
import { isConnected, onConnection } from "../realtime";
import { navigate, onRoute, parse } from "../router";
import { channels, emit, isAdmin, me, on, state } from "../state";
import type { Availability } from "../types";
import { avatar, errorText, menu, toast } from "../ui";
import { savedViewLinks } from "./savedviews";

function closeDrawer(): void {
  document.body.classList.remove("drawer-open");
}

function viewLink(view: string, label: string, lead: Child, active: boolean): HTMLElement {
  const n = countFor(view, list.filter.status);
  const href = "/conversations?" + filterQuery({ ...list.filter, view });
  return h(
    "a",
    { href, class: "nav-item" + (active ? " active" : ""), "data-nav": "", dataset: { view }, onclick: closeDrawer },
    lead,
    h("span", { class: "nav-label" }, label),
    n ? h("span", { class: "count" }, num(n)) : null,
  );
}

function pageLink(path: string, name: IconName, label: string, active: boolean, badge = 0, id = ""): HTMLElement {
  return h(
    "a",
    { href: path, class: "nav-item" + (active ? " active" : ""), "data-nav": "", id: id || null, onclick: closeDrawer },
    icon(name),
    h("span", { class: "nav-label" }, label),
    badge ? h("span", { class: "count badge" }, num(badge)) : null,
  );
}

function section(title: string, items: HTMLElement[]): HTMLElement | null {
  if (!items.length) return null;
  return h("div", { class: "nav-section" }, h("div", { class: "nav-heading" }, title), items);
}

const availabilities: Availability[] = ["online", "busy", "offline"];

async function setAvailability(a: Availability): Promise<void> {
  try {
    state.me = await api.updateMe({ availability: a });
    emit("me");
  } catch (e) {
    toast(errorText(e), "error");
  }
}

async function logout(): Promise<void> {
  try {
    // The next person on this device must not receive this agent's
    // notifications: drop the device's push subscription while the session
    // can still tell the server, but never hold up signing out for it.
    if (pushSupported()) await Promise.race([disablePush().catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
    await api.logout();
  } finally {
    location.assign("/login");
  }
}

let showOffline = false;

export function mountSidebar(el: HTMLElement): void {
  const render = () => {
    const r = parse();
    const inList = r.name === "inbox" || r.name === "conversation";
    const cur = list.filter.view;
    const is = (v: string) => inList && cur === v;
    const user = me();
    const userMenu = h(
      "button",
      {
        type: "button",
        class: "me-button",
        "aria-label": t("nav.account_menu"),
        onclick: (e: MouseEvent) =>
          menu(
            e.currentTarget as HTMLElement,
            [
              ...availabilities.map((a) => ({ label: t("availability." + a), checked: user.availability === a, onselect: () => void setAvailability(a) })),
              { label: t("nav.profile"), icon: "user" as IconName, onselect: () => navigate("/settings/profile") },
              { label: t("action.logout"), icon: "logout" as IconName, onselect: () => void logout() },
            ],
            user.email,
          ),
      },
      h("span", { class: "avatar-wrap" }, avatar(user.name), h("span", { class: "presence " + user.availability })),
      h("span", { class: "me-name" }, user.name),
    );
    replace(
      el,
      h("div", { class: "brand" }, h("img", { src: "/icons/icon.svg", alt: "", class: "logo", width: 24, height: 24 }), h("span", { class: "brand-name" }, state.account?.name || "Sahay")),
      h(
        "nav",
        { class: "nav", "aria-label": t("nav.views") },
        h(
          "div",
          { class: "nav-section" },
          pageLink("/search", "search", t("nav.search"), r.name === "search"),
          pageLink("/notifications", "bell", t("nav.notifications"), r.name === "notifications", unreadNotifications(), "nav-notifications"),
          pageLink("/contacts", "users", t("nav.contacts"), r.name === "contacts" || r.name === "contact", 0, "nav-contacts"),
          pageLink("/mentions", "megaphone", t("nav.mentions"), r.name === "mentions", 0, "nav-mentions"),
          pageLink("/rota", "calendar", t("nav.rota"), r.name === "rota", 0, "nav-rota"),
          pageLink("/kb", "book", t("nav.kb"), r.name === "kb", 0, "nav-kb"),
          isAdmin() ? pageLink("/reports", "chart", t("nav.reports"), r.name === "reports", 0, "nav-reports") : null,
          state.inboxes.some((i) => i.channel === "widget") ? pageLink("/visitors", "globe", t("nav.visitors"), r.name === "visitors", 0, "nav-visitors") : null,
        ),
        section(t("nav.conversations"), [
          viewLink("mine", t("view.mine"), icon("user"), is("mine")),
          viewLink("unassigned", t("view.unassigned"), icon("question"), is("unassigned")),
          viewLink("all", t("view.all"), icon("inbox"), is("all")),
        ]),
        section(t("nav.saved_views"), savedViewLinks(inList ? cur : "", closeDrawer)),
        section(
          t("nav.teams"),
          state.teams.map((tm) => viewLink("team:" + tm.id, tm.name, icon("users"), is("team:" + tm.id))),
        ),
        section(
          t("nav.inboxes"),
          state.inboxes.map((i) => viewLink("inbox:" + i.id, i.name, channelIcon(i.channel), is("inbox:" + i.id))),
        ),
        section(
          t("nav.channels"),
          channels().map((c) => viewLink("channel:" + c, tOr("channel." + c, c), channelIcon(c), is("channel:" + c))),
        ),
        section(
          t("nav.labels"),
          state.labels.map((l) => {
            const dot = h("span", { class: "label-dot" });
            if (/^#[0-9a-f]{3,8}$/i.test(l.color)) dot.style.setProperty("--label", l.color);
            return viewLink("label:" + l.name, l.name, dot, is("label:" + l.name));
          }),
        ),
      ),
      h(
        "div",
        { class: "nav-foot" },
        showOffline ? h("div", { class: "conn-lost", role: "status" }, icon("wifiOff"), t("realtime.reconnecting")) : null,
        pageLink("/settings", "gear", isAdmin() ? t("nav.settings") : t("nav.profile"), r.name === "settings" || r.name === "widget"),
        userMenu,
      ),
    );
  };
  render();
  for (const topic of ["me", "meta", "counts", "list", "notes"]) on(topic, render);
  onRoute(render);
  let offlineTimer = 0;
  // A brief cut is not worth a banner; show it only if it lasts.
  onConnection((up) => {
    clearTimeout(offlineTimer);
    if (up) {
      showOffline = false;
      render();
    } else {
      offlineTimer = window.setTimeout(() => {
        showOffline = !isConnected();
        render();
      }, 2000);
    }
  });
}
