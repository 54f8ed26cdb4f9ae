// The service worker: precaches the app shell so the dashboard opens
// instantly and offline, and keeps out of the way of the API, which is never
// cached.
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
  if (req.mode === "navigate") {
    e.respondWith(networkFirst(req));
    return;
  }
  if (__SHELL__.includes(url.pathname) || url.pathname.startsWith("/assets/")) {
    e.respondWith(cacheFirst(req));
  }
});
