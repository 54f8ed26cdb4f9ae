// A tiny element builder. Text always goes in as text nodes, so nothing a
// visitor or agent writes can become markup.

export type Kid = Node | string | null | undefined | false | Kid[];

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Record<string, unknown> | null,
  ...kids: Kid[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const k in attrs || {}) {
    const v = attrs![k];
    if (v == null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v as EventListener);
    else if (k === "value" || k === "disabled") (el as any)[k] = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  add(el, kids);
  return el;
}

export function add(el: Node, kids: Kid[]): void {
  for (const k of kids) {
    if (k == null || k === false) continue;
    if (Array.isArray(k)) add(el, k);
    else el.appendChild(typeof k === "string" ? document.createTextNode(k) : k);
  }
}

/** Parses a trusted SVG string of our own icons. */
export function icon(svg: string): Element {
  const t = document.createElement("template");
  t.innerHTML = svg;
  return t.content.firstElementChild!;
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}
