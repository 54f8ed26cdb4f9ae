// Client-side routing over the History API. The server answers every
// non-API path with the app shell, so deep links load directly.

export type RouteName = "inbox" | "conversation" | "search" | "contacts" | "contact" | "settings" | "notifications" | "login" | "visitors" | "widget" | "mentions" | "rota" | "reports" | "kb";

export interface Route {
  name: RouteName;
  id: number;
  section: string;
  /** The part of a settings path after its section: /settings/automation/{sub}. */
  sub: string;
  query: URLSearchParams;
}

export function parse(loc: { pathname: string; search: string } = location): Route {
  const parts = loc.pathname.split("/").filter(Boolean);
  const query = new URLSearchParams(loc.search);
  const r: Route = { name: "inbox", id: 0, section: "", sub: "", query };
  switch (parts[0]) {
    case "login":
      r.name = "login";
      break;
    case "conversations":
      if (parts[1] && /^\d+$/.test(parts[1])) {
        r.name = "conversation";
        r.id = Number(parts[1]);
      }
      break;
    case "contacts":
      if (parts[1] && /^\d+$/.test(parts[1])) {
        r.name = "contact";
        r.id = Number(parts[1]);
      } else if (!parts[1]) {
        r.name = "contacts";
      }
      break;
    case "search":
      r.name = "search";
      break;
    case "settings":
      r.name = "settings";
      r.section = parts[1] ?? "";
      r.sub = parts[2] ?? "";
      // /settings/inboxes/{id}/widget: a widget inbox's own editor.
      if (r.section === "inboxes" && parts[2] && /^\d+$/.test(parts[2]) && parts[3] === "widget") {
        r.name = "widget";
        r.id = Number(parts[2]);
      }
      break;
    case "visitors":
      r.name = "visitors";
      break;
    case "mentions":
      r.name = "mentions";
      break;
    case "rota":
      r.name = "rota";
      break;
    case "reports":
      r.name = "reports";
      break;
    case "kb":
      // /kb, /kb/{section}, /kb/articles/{id} and /kb/articles/new.
      r.name = "kb";
      r.section = parts[1] ?? "";
      r.sub = parts[2] ?? "";
      if (r.section === "articles" && /^\d+$/.test(r.sub)) r.id = Number(r.sub);
      break;
    case "notifications":
      r.name = "notifications";
      break;
  }
  return r;
}

type RouteListener = (r: Route) => void;
const listeners = new Set<RouteListener>();

export function onRoute(fn: RouteListener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function notify(): void {
  const r = parse();
  for (const fn of [...listeners]) fn(r);
}

/** Goes to a path inside the app without reloading. */
export function navigate(path: string, replace = false): void {
  if (path === location.pathname + location.search) return;
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  notify();
}

export function startRouter(): void {
  window.addEventListener("popstate", notify);
  // Same-origin links marked data-nav are handled here instead of loading a page.
  document.addEventListener("click", (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element).closest?.("a[data-nav]");
    if (!(a instanceof HTMLAnchorElement)) return;
    e.preventDefault();
    navigate(a.pathname + a.search);
  });
}
