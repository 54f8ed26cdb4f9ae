// The notifications page: the agent's notifications, newest first, unread
// ones highlighted, and their preferences.
import { h, replace } from "../dom";
import { ago, longTime, t } from "../i18n";
import { icon, type IconName } from "../icons";
import {
  hasOlderNotifications, loadOlderNotifications, markAllRead, markNotificationsRead, notifications, notificationPath, notificationText,
  notificationTitle, refreshNotifications, unreadNotifications,
} from "../notify";
import { navigate } from "../router";
import { on } from "../state";
import { button, empty, errorText, pageHeader, toast } from "../ui";
import { notificationPrefs } from "./prefs";

const kindIcon: Record<string, IconName> = { new_conversation: "inbox", assigned: "user", mentioned: "note", login_locked: "lock", handoff: "bot", swap: "calendar", sla_warning: "clock", sla_breached: "clock" };

function report(p: Promise<void>): void {
  p.catch((e) => toast(errorText(e), "error"));
}

export function mountNotifications(el: HTMLElement): () => void {
  const listEl = h("ul", { class: "notes" });
  const moreEl = h("div", { class: "notes-more" });
  const markAll = button(t("notifications.mark_read"), () => report(markAllRead()), "small mark-all");
  const render = () => {
    const notes = notifications();
    replace(
      listEl,
      notes.length
        ? notes.map((n) =>
            h(
              "li",
              { class: "note-item" + (n.read_at ? "" : " unread") + " " + n.kind, dataset: { id: String(n.id) } },
              h(
                "a",
                {
                  href: notificationPath(n),
                  onclick: (e: MouseEvent) => {
                    e.preventDefault();
                    if (!n.read_at) report(markNotificationsRead(n.id));
                    navigate(notificationPath(n));
                  },
                },
                icon(kindIcon[n.kind] ?? "bell"),
                h("span", { class: "note-main" }, h("strong", null, notificationTitle(n)), h("span", { class: "note-body" }, notificationText(n))),
                h("time", { class: "time", datetime: n.created_at, title: longTime(n.created_at) }, ago(n.created_at)),
              ),
            ),
          )
        : h("li", null, empty(t("notifications.none"))),
    );
    replace(moreEl, hasOlderNotifications() ? button(t("notifications.older"), () => report(loadOlderNotifications()), "small ghost") : null);
    markAll.disabled = unreadNotifications() === 0;
  };
  replace(
    el,
    h(
      "div",
      { class: "page notifications-page" },
      pageHeader(t("nav.notifications"), markAll),
      h("div", { class: "notifications-body" }, listEl, moreEl, notificationPrefs()),
    ),
  );
  render();
  void refreshNotifications();
  const off = on("notes", render);
  const tick = window.setInterval(render, 60000);
  return () => {
    off();
    clearInterval(tick);
  };
}
