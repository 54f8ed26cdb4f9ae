// The list of notifications: new conversations, assignments and mentions.
import { h, replace } from "../dom";
import { ago, longTime, t } from "../i18n";
import { icon, type IconName } from "../icons";
import {
  clearNotifications, markAllRead, markRead, notifications, requestSystemNotifications, systemNotificationsSupported,
  type NoteKind,
} from "../notify";
import { navigate } from "../router";
import { on } from "../state";
import { button, empty, pageHeader, toast } from "../ui";

const kindIcon: Record<NoteKind, IconName> = { new: "inbox", assigned: "user", mention: "note" };

export function mountNotifications(el: HTMLElement): () => void {
  const listEl = h("ul", { class: "notes" });
  const render = () => {
    const notes = notifications();
    replace(
      listEl,
      notes.length
        ? notes.map((n) =>
            h(
              "li",
              { class: "note-item" + (n.read ? "" : " unread") + " " + n.kind },
              h(
                "a",
                {
                  href: "/conversations/" + n.conversationId,
                  onclick: (e: MouseEvent) => {
                    e.preventDefault();
                    markRead(n.id);
                    navigate("/conversations/" + n.conversationId);
                  },
                },
                icon(kindIcon[n.kind]),
                h("span", { class: "note-main" }, h("strong", null, n.title), h("span", { class: "note-body" }, n.body)),
                h("time", { class: "time", datetime: n.at, title: longTime(n.at) }, ago(n.at)),
              ),
            ),
          )
        : h("li", null, empty(t("notifications.none"))),
    );
  };
  const permissionButton =
    systemNotificationsSupported() && Notification.permission === "default"
      ? button(t("profile.enable_notifications"), async () => {
          const p = await requestSystemNotifications();
          toast(p === "granted" ? t("profile.notifications_on") : t("profile.notifications_blocked"));
          permissionButton?.remove();
        }, "small")
      : null;
  replace(
    el,
    h(
      "div",
      { class: "page notifications-page" },
      pageHeader(
        t("nav.notifications"),
        permissionButton,
        button(t("notifications.mark_read"), () => markAllRead(), "small"),
        button(t("notifications.clear"), () => clearNotifications(), "small ghost"),
      ),
      listEl,
    ),
  );
  render();
  const off = on("notes", render);
  const tick = window.setInterval(render, 60000);
  return () => {
    off();
    clearInterval(tick);
  };
}
