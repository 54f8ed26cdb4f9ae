// The service worker: precaches the app shell so the dashboard opens
// instantly and offline, keeps out of the way of the API, which is never
// cached, and shows the agent's Web Push notifications.
/// <reference lib="webworker" />
export {};

declare const self: ServiceWorkerGlobalScope;
declare const __SHELL__: string[];
declare const __VERSION__: string;

const cacheName = "sahay-shell-" + __VERSION__;

self.addEventListener("install", (e) => {
  e.waitUntil(
    caches
      .open(cacheName)
      .then((c) => c.addAll(__SHELL__))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (e) => {
  e.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("sahay-shell-") && k !== cacheName).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

async function networkFirst(req: Request): Promise<Response> {
  try {
    const res = await fetch(req);
    if (res.ok) {
      const c = await caches.open(cacheName);
      await c.put("/", res.clone());
    }
    return res;
  } catch {
    return (await caches.match("/")) ?? Response.error();
  }
}

async function cacheFirst(req: Request): Promise<Response> {
  const hit = await caches.match(req);
  if (hit) return hit;
  const res = await fetch(req);
  if (res.ok && new URL(req.url).pathname.startsWith("/assets/")) {
    const c = await caches.open(cacheName);
    await c.put(req, res.clone());
  }
  return res;
}

self.addEventListener("fetch", (e) => {
  const req = e.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  // The API and the realtime socket always go to the network, uncached.
  if (url.pathname.startsWith("/api/")) return;
  // The frame of an email's original is no page of the app.
  if (url.pathname === "/email-frame") return;
  if (req.mode === "navigate") {
    e.respondWith(networkFirst(req));
    return;
  }
  if (__SHELL__.includes(url.pathname) || url.pathname.startsWith("/assets/")) {
    e.respondWith(cacheFirst(req));
  }
});

// A push message as the server sends it: {"title", "body", "url",
// "notification_id"}, url being the conversation's address.
interface PushNote {
  title: string;
  body: string;
  path: string;
  id: number;
}

const fallbackPath = "/notifications";

// The path inside the dashboard that a link points at. The server builds
// links from its public URL, which may name another host than the one this
// dashboard runs on; only the path is used, so a link can never leave it.
function appPath(raw: unknown): string {
  if (typeof raw !== "string" || !raw) return fallbackPath;
  try {
    const u = new URL(raw, self.location.origin);
    if ((u.protocol !== "https:" && u.protocol !== "http:") || !u.pathname.startsWith("/")) return fallbackPath;
    return u.pathname + u.search;
  } catch {
    return fallbackPath;
  }
}

/** Reads a push message; one missing or unreadable still notifies, generically. */
function readPush(data: PushMessageData | null): PushNote {
  const generic: PushNote = { title: "Sahay", body: "You have a new notification.", path: fallbackPath, id: 0 };
  let v: unknown = null;
  try {
    v = data?.json();
  } catch {
    return generic;
  }
  if (!v || typeof v !== "object") return generic;
  const o = v as Record<string, unknown>;
  if (typeof o.title !== "string" || !o.title.trim()) return generic;
  const id = typeof o.notification_id === "number" && Number.isSafeInteger(o.notification_id) && o.notification_id > 0 ? o.notification_id : 0;
  return { title: o.title, body: typeof o.body === "string" ? o.body : "", path: appPath(o.url), id };
}

async function showPush(note: PushNote): Promise<void> {
  // An agent looking at the dashboard already hears the chime and sees the
  // notification in the page.
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  if (windows.some((w) => w.focused)) return;
  // The page shows a system notification under the same tag when it is
  // open in the background; one replaces the other.
  await self.registration.showNotification(note.title, {
    body: note.body,
    tag: note.id ? "sahay-notification-" + note.id : "sahay-notification",
    icon: "/icons/icon-192.png",
    data: { path: note.path, id: note.id },
  });
}

self.addEventListener("push", (e) => {
  e.waitUntil(showPush(readPush(e.data)));
});

// Opens what a notification is about in a dashboard tab: an open one,
// focused and asked to route there, or a new one.
async function openNote(path: string, id: number): Promise<void> {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const tab = windows.find((w) => w.focused) ?? windows.find((w) => w.visibilityState === "visible") ?? windows[0];
  if (tab) {
    const focused = await tab.focus().catch(() => tab);
    focused.postMessage({ type: "open", path, notification_id: id });
    return;
  }
  await self.clients.openWindow(path);
}

self.addEventListener("notificationclick", (e) => {
  e.notification.close();
  const data = e.notification.data as { path?: unknown; id?: unknown } | null;
  const path = appPath(data?.path);
  const id = typeof data?.id === "number" ? data.id : 0;
  e.waitUntil(openNote(path, id));
});
