// The agent dashboard: boots the session, the shell (sidebar and page area),
// routing, the realtime connection and keyboard shortcuts.
import { api, APIError, setUnauthorizedHandler } from "./api";
import { h, replace } from "./dom";
import { detectLocale, isLocale, setLocale, t } from "./i18n";
import * as inbox from "./inbox";
import { loadNotifications, notifyEvent, primeAudio, unreadNotifications } from "./notify";
import { dropSocket, isConnected, lastSequence, onEvent, onReset, setSessionCheck, startRealtime } from "./realtime";
import { navigate, onRoute, parse, startRouter, type Route } from "./router";
import { shortcut, startShortcuts } from "./shortcuts";
import { applyCountChanges, loadMeta, on, refreshCounts, setMe } from "./state";
import type { Conversation, Me } from "./types";
import { button } from "./ui";
import { isUnread, loadUnread, noteMessage, onUnread } from "./unread";
import { startCallNotices } from "./views/callnotice";
import { mountContactPage } from "./views/contact";
import { mountContacts } from "./views/contacts";
import { mountMentions } from "./views/mentions";
import { mountReports } from "./views/reports";
import { mountRota } from "./views/rota";
import { showHelp } from "./views/help";
import { mountInbox, openConversation } from "./views/inbox";
import { mountKB } from "./views/kb";
import { mountLogin } from "./views/login";
import { mountNotifications } from "./views/notifications";
import { mountSearch } from "./views/search";
import { mountSettings } from "./views/settings";
import { mountSidebar } from "./views/sidebar";
import { mountVisitors } from "./views/visitors";
import { mountWidgetSettings } from "./views/widget";

declare global {
  interface Window {
    __sahay?: { dropSocket: (pauseMs?: number) => void; lastSeq: () => number; connected: () => boolean };
  }
}

const root = document.getElementById("app") as HTMLElement;

function pageOf(r: Route): string {
  return r.name === "conversation" ? "inbox" : r.name;
}

let page: { name: string; key: string; unmount: () => void } | null = null;
let mainEl: HTMLElement | null = null;

function showPage(r: Route, force = false): void {
  if (!mainEl) return;
  if (r.name === "login") {
    navigate("/conversations", true);
    return;
  }
  const name = pageOf(r);
  // The inbox and search pages follow their own route changes; the others
  // are cheap to rebuild.
  const key = name === "settings" || name === "kb" ? name + r.section + "/" + r.sub : name === "contact" || name === "widget" ? name + r.id : name;
  if (!force && page && page.key === key) return;
  page?.unmount();
  document.body.dataset.page = name;
  document.body.classList.remove("drawer-open");
  let unmount: () => void;
  switch (name) {
    case "search":
      unmount = mountSearch(mainEl, r);
      break;
    case "settings":
      unmount = mountSettings(mainEl, r);
      break;
    case "contacts":
      unmount = mountContacts(mainEl, r);
      break;
    case "contact":
      unmount = mountContactPage(mainEl, r.id);
      break;
    case "notifications":
      unmount = mountNotifications(mainEl);
      break;
    case "visitors":
      unmount = mountVisitors(mainEl);
      break;
    case "mentions":
      unmount = mountMentions(mainEl, r);
      break;
    case "rota":
      unmount = mountRota(mainEl);
      break;
    case "reports":
      unmount = mountReports(mainEl, r);
      break;
    case "widget":
      unmount = mountWidgetSettings(mainEl, r.id);
      break;
    case "kb":
      unmount = mountKB(mainEl, r);
      break;
    default:
      unmount = mountInbox(mainEl, r);
  }
  page = { name, key, unmount };
}

// The tab title counts what waits for the agent: conversations of the list
// with activity they have not seen, and unread notifications.
function updateTitle(): void {
  const n = inbox.list.items.filter((c) => c.id !== inbox.list.activeId && isUnread(c)).length + unreadNotifications();
  document.title = (n ? `(${n}) ` : "") + "Sahay";
}

async function applyEvent(ev: Parameters<Parameters<typeof onEvent>[0]>[0]): Promise<void> {
  const msg = ev.data?.message;
  if (ev.seq && ev.data?.count_changes) applyCountChanges(ev.seq, ev.data.count_changes);
  if (ev.type === "message.created" && msg) noteMessage(msg);
  notifyEvent(ev);
  let conv: Conversation | undefined = ev.data?.conversation;
  if (conv) {
    if (!conv.contact && !inbox.find(conv.id) && inbox.matches(conv)) conv = await inbox.withContact(conv);
    inbox.upsert(conv);
  }
  if (ev.type === "conversation.merged" && ev.data?.merged_conversation_id) inbox.remove(ev.data.merged_conversation_id);
  if (ev.type === "label.changed" || ev.type === "inbox.changed") {
    void loadMeta();
    refreshCounts();
  }
}

async function boot(m: Me): Promise<void> {
  setMe(m);
  setUnauthorizedHandler(() => location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search)));
  const uid = m.user.id;
  if (isLocale(m.user.locale)) {
    await setLocale(m.user.locale);
    localStorage.setItem("sahay.locale", m.user.locale);
  }
  loadUnread(uid);
  loadNotifications((id) => openConversation(id));
  await loadMeta();

  const sidebar = h("aside", { class: "sidebar", id: "sidebar" });
  mainEl = h("main", { class: "main", id: "main" });
  const scrim = h("div", { class: "scrim", onclick: () => document.body.classList.remove("drawer-open") });
  replace(root, h("div", { class: "app" }, sidebar, scrim, mainEl));
  mountSidebar(sidebar);

  startRouter();
  onRoute((r) => showPage(r));
  on("locale", () => {
    mountSidebar(sidebar);
    showPage(parse(), true);
  });
  on("notes", updateTitle);
  on("list", updateTitle);
  onUnread(updateTitle);
  updateTitle();

  onEvent((ev) => void applyEvent(ev));
  startCallNotices(openConversation);
  onReset(() => {
    void inbox.reload();
    void loadMeta();
    refreshCounts(0);
  });
  setSessionCheck(() => void api.me().catch(() => {}));
  startRealtime();
  refreshCounts(0);

  shortcut("/", () => navigate("/search"));
  shortcut("?", () => showHelp());
  // Hooks for the browser tests: cut the realtime connection, read its state.
  window.__sahay = { dropSocket, lastSeq: lastSequence, connected: isConnected };
  showPage(parse());
}

function showLogin(): void {
  const here = location.pathname + location.search;
  const next = here.startsWith("/login") ? new URLSearchParams(location.search).get("next") || "/conversations" : here;
  history.replaceState(null, "", "/login" + (next && next !== "/" ? "?next=" + encodeURIComponent(next) : ""));
  mountLogin(root, async () => {
    const dest = next.startsWith("/") && !next.startsWith("//") ? next : "/conversations";
    history.replaceState(null, "", dest === "/" ? "/conversations" : dest);
    try {
      await boot(await api.me());
    } catch {
      location.assign("/login");
    }
  });
}

async function start(): Promise<void> {
  const stored = localStorage.getItem("sahay.locale");
  await setLocale(isLocale(stored) ? stored : detectLocale());
  primeAudio();
  startShortcuts();
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  }
  try {
    await boot(await api.me());
  } catch (e) {
    if (e instanceof APIError && e.status === 401) {
      showLogin();
      return;
    }
    replace(root, h("main", { class: "login" }, h("div", { class: "login-card" }, h("p", null, t("error.start")), button(t("action.retry"), () => location.reload(), "primary"))));
  }
}

void start();
