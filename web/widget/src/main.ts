// The embed: <script src="https://HOST/widget.js" data-inbox="TOKEN" async>.
// It draws the launcher at once, starts the visitor's session in the
// background and exposes the SDK on window.Sahay.
import { User, Widget } from "./widget";

interface Options {
  user?: User;
  locale?: string;
  attributes?: Record<string, unknown>;
}

declare global {
  interface Window {
    Sahay: unknown;
    sahaySettings?: Options;
  }
}

function boot(): void {
  const script =
    (document.currentScript as HTMLScriptElement | null) || document.querySelector<HTMLScriptElement>("script[data-inbox]");
  if (!script || (window as any).__sahay) return;
  (window as any).__sahay = true;
  const base = new URL(script.src, location.href).origin;
  const inbox = script.dataset.inbox || "";
  const previewEl = script.dataset.preview !== undefined ? document.getElementById("sahay-preview") : null;
  const preview = previewEl ? JSON.parse(previewEl.textContent || "{}") : undefined;
  const opts: Options = window.sahaySettings || {};
  let stored = "";
  try {
    stored = localStorage.getItem("sahay:locale") || "";
  } catch {}
  const locales = [opts.locale || script.dataset.locale || stored, ...(navigator.languages || [navigator.language])].filter(Boolean) as string[];

  const w = new Widget(base, inbox, preview);
  const ready = w.start(opts.user || null, locales).then(
    () => {
      if (opts.attributes) sdk.setAttributes(opts.attributes);
      dispatchEvent(new CustomEvent("sahay:ready"));
    },
    (e) => w.fail(e),
  );
  // Calls made before the session exists wait for it.
  const later = <T>(fn: () => Promise<T> | T): Promise<T> => ready.then(fn);

  const sdk = {
    open: () => w.open(),
    close: () => w.close(),
    toggle: () => w.toggle(),
    on: (ev: "message" | "open" | "close" | "error", fn: (data?: unknown) => void) => w.on(ev, fn),
    /**
     * Names the signed-in user; hash is hex(HMAC-SHA256(identity secret, id)) from your server. Without an id,
     * name, email and phone are the current visitor's. A refused call logs an error and rejects.
     */
    setUser: (u: User) =>
      later(() => {
        if (!u || typeof u !== "object") throw new TypeError("setUser takes {id, name, email, phone, hash}");
        return w.start(u, locales);
      }).catch((e) => {
        w.fail(e);
        throw e;
      }),
    setAttributes: (attributes: Record<string, unknown>) =>
      later(() => w.conn.req("POST", "/widget/v1/contact", { attributes })).catch((e) => w.fail(e)),
    setLocale: (loc: string) => later(() => w.setLocale(loc)).catch((e) => w.fail(e)),
    setCart: (cart: { items: unknown[]; total: number; currency: string }) =>
      later(() => w.conn.req("POST", "/widget/v1/commerce", { cart })).catch((e) => w.fail(e)),
    trackOrder: (order: { id: string; items?: unknown[]; total: number; currency: string; status?: string; url?: string }) =>
      later(() => w.conn.req("POST", "/widget/v1/commerce", { order })).catch((e) => w.fail(e)),
    trackEvent: (name: string, data?: unknown) => later(() => w.conn.send({ t: "event", name, data })),
    /** Forgets the visitor (call it when your user logs out). */
    reset: () => later(() => w.reset()),
    ready,
  };
  window.Sahay = sdk;
}

if (document.body) boot();
else document.addEventListener("DOMContentLoaded", boot);
