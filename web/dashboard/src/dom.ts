// DOM building without innerHTML: every piece of text reaches the page
// through text nodes, so data from customers can never become markup.

export type Child = Node | string | number | null | undefined | false | Child[];

type Handler = (ev: never) => void;
export interface Props {
  class?: string;
  dataset?: Record<string, string>;
  [attr: string]: string | number | boolean | null | undefined | Handler | Record<string, string>;
}

/** Creates an element with attributes, event handlers (onclick…) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: Props | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) setProps(el, props);
  append(el, children);
  return el;
}

const properties = new Set(["value", "checked", "disabled", "selected", "indeterminate"]);

function setProps(el: HTMLElement, props: Props): void {
  for (const key of Object.keys(props)) {
    const v = props[key];
    if (v === null || v === undefined || v === false) continue;
    if (key.startsWith("on") && typeof v === "function") {
      el.addEventListener(key.slice(2), v as EventListener);
    } else if (key === "class") {
      el.className = String(v);
    } else if (key === "dataset") {
      Object.assign(el.dataset, v);
    } else if (properties.has(key)) {
      (el as unknown as Record<string, unknown>)[key] = v;
    } else if (key === "href" || key === "src") {
      el.setAttribute(key, safeURL(String(v)));
    } else {
      el.setAttribute(key, v === true ? "" : String(v));
    }
  }
}

/** Appends children, turning strings and numbers into text nodes. */
export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

/** Replaces all children of el. */
export function replace(el: Node, ...children: Child[]): void {
  while (el.firstChild) el.removeChild(el.firstChild);
  append(el, children);
}

/** Allows only http(s), mailto, tel and same-origin relative URLs. */
export function safeURL(u: string): string {
  const s = u.trim();
  if (/^(https?:|mailto:|tel:)/i.test(s)) return s;
  if (s.startsWith("/") && !s.startsWith("//")) return s;
  if (s.startsWith("#") || s.startsWith("?")) return s;
  return "about:blank";
}

const urlPattern = /\bhttps?:\/\/[^\s<>"'`]+[^\s<>"'`.,;:!?)\]]/g;

/** Text with http(s) URLs turned into links that open in a new tab. */
export function linkify(text: string): Node {
  const frag = document.createDocumentFragment();
  let last = 0;
  for (const m of text.matchAll(urlPattern)) {
    const i = m.index ?? 0;
    if (i > last) frag.appendChild(document.createTextNode(text.slice(last, i)));
    frag.appendChild(h("a", { href: m[0], target: "_blank", rel: "noopener noreferrer nofollow" }, m[0]));
    last = i + m[0].length;
  }
  if (last < text.length) frag.appendChild(document.createTextNode(text.slice(last)));
  return frag;
}

const entities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'", "#x27": "'", apos: "'" };

function unescapeHTML(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos|#39|#x27|#(\d+)|#x([0-9a-f]+));/gi, (all, name: string, dec?: string, hex?: string) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    return entities[name.toLowerCase()] ?? all;
  });
}

/**
 * Renders a search highlight: escaped text in which only <mark> and </mark>
 * are markup. It is parsed here rather than assigned to innerHTML, so even a
 * highlight that was not escaped cannot inject other elements.
 */
export function highlight(html: string): Node {
  const frag = document.createDocumentFragment();
  const parts = html.split(/(<mark>|<\/mark>)/i);
  let marked = false;
  for (const p of parts) {
    if (/^<mark>$/i.test(p)) marked = true;
    else if (/^<\/mark>$/i.test(p)) marked = false;
    else if (p) {
      const text = unescapeHTML(p.replace(/<[^>]*>/g, ""));
      frag.appendChild(marked ? h("mark", null, text) : document.createTextNode(text));
    }
  }
  return frag;
}

const svgNS = "http://www.w3.org/2000/svg";

/** An inline SVG icon drawn from path data on a 24-unit grid. */
export function svgIcon(paths: string[], cls = "icon", filled = false): SVGSVGElement {
  const svg = document.createElementNS(svgNS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", cls);
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("fill", filled ? "currentColor" : "none");
  svg.setAttribute("stroke", filled ? "none" : "currentColor");
  svg.setAttribute("stroke-width", "1.8");
  svg.setAttribute("stroke-linecap", "round");
  svg.setAttribute("stroke-linejoin", "round");
  for (const d of paths) {
    const p = document.createElementNS(svgNS, "path");
    p.setAttribute("d", d);
    svg.appendChild(p);
  }
  return svg;
}

/** Calls fn at most once per wait milliseconds, after the last call. */
export function debounce(fn: () => void, wait: number): () => void {
  let timer = 0;
  return () => {
    clearTimeout(timer);
    timer = window.setTimeout(fn, wait);
  };
}

/** Closes a popup when the user clicks outside it or presses Escape. */
export function dismissable(el: HTMLElement, close: () => void): () => void {
  const onDown = (e: Event) => {
    if (!el.contains(e.target as Node)) close();
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.stopPropagation();
      close();
    }
  };
  setTimeout(() => {
    document.addEventListener("pointerdown", onDown, true);
  });
  document.addEventListener("keydown", onKey, true);
  return () => {
    document.removeEventListener("pointerdown", onDown, true);
    document.removeEventListener("keydown", onKey, true);
  };
}
