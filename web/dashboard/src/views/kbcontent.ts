// What the knowledge base's views share: a translation's state in one
// language and its chip, language names, an article's title for a
// reader, rendered article HTML shown without innerHTML, and an article's
// Markdown as plain text for a reply.
import type { KBArticle, KBSettings, KBTranslation } from "../api";
import { h, safeURL } from "../dom";
import { intlTag, isLocale, locale, localeNames, t } from "../i18n";

/** A translation's state in one language, as the lists show it. */
export type KBState = "published" | "changed" | "draft" | "missing";

/** The help center's languages: the settings', else English, Bengali and Hindi. */
export function kbLocales(s: KBSettings | null): string[] {
  return s?.locales?.length ? s.locales : ["en", "bn", "hi"];
}

export function translationOf(a: KBArticle, loc: string): KBTranslation | undefined {
  return a.translations?.find((tr) => tr.locale === loc);
}

export function stateOf(tr: KBTranslation | undefined): KBState {
  if (!tr) return "missing";
  if (tr.status === "published") return tr.has_draft ? "changed" : "published";
  return "draft";
}

/** A language's own name where the dashboard knows it, else its name in the reader's language. */
export function localeName(code: string): string {
  if (isLocale(code)) return localeNames[code];
  try {
    return new Intl.DisplayNames(intlTag(), { type: "language" }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** A chip with a language's code and the state of its translation. */
export function stateChip(loc: string, state: KBState): HTMLElement {
  const label = t("kb.state." + state);
  return h("span", { class: "kb-chip " + state, dataset: { locale: loc, state }, title: localeName(loc) + ": " + label },
    h("span", { class: "kb-chip-locale" }, loc), h("span", { class: "kb-chip-state" }, label));
}

/** The title a reader sees: in their language, else the default one's, else any. */
export function articleTitle(a: KBArticle, defaultLocale: string): string {
  const trs = a.translations ?? [];
  const tr = trs.find((x) => x.locale === locale()) ?? trs.find((x) => x.locale === defaultLocale) ?? trs[0];
  return tr?.title || t("kb.untitled");
}

const allowedTags = new Set(["p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "a", "strong", "b", "em", "i",
  "code", "pre", "blockquote", "img", "table", "thead", "tbody", "tr", "th", "td", "del", "s", "sup", "sub", "kbd", "span", "div", "figure", "figcaption"]);
const droppedTags = new Set(["script", "style", "iframe", "object", "embed", "template", "noscript", "form", "input", "button", "textarea", "select", "svg", "math"]);
const allowedAttrs: Record<string, string[]> = { a: ["href", "title"], img: ["src", "alt", "title", "width", "height"], th: ["colspan", "rowspan"], td: ["colspan", "rowspan"], ol: ["start"] };

function copyInto(from: Node, to: Node): void {
  for (const n of Array.from(from.childNodes)) {
    if (n.nodeType === Node.TEXT_NODE) {
      to.appendChild(document.createTextNode(n.textContent ?? ""));
      continue;
    }
    if (n.nodeType !== Node.ELEMENT_NODE) continue;
    const src = n as Element;
    const tag = src.tagName.toLowerCase();
    if (droppedTags.has(tag)) continue;
    if (!allowedTags.has(tag)) {
      copyInto(src, to);
      continue;
    }
    const el = document.createElement(tag);
    for (const name of allowedAttrs[tag] ?? []) {
      const v = src.getAttribute(name);
      if (v === null) continue;
      el.setAttribute(name, name === "href" || name === "src" ? safeURL(v) : v);
    }
    if (tag === "a") {
      el.setAttribute("target", "_blank");
      el.setAttribute("rel", "noopener noreferrer");
    }
    copyInto(src, el);
    to.appendChild(el);
  }
}

/**
 * Article HTML from the server, rebuilt element by element from an inert
 * parse: only the elements and attributes an article uses reach the page,
 * links and images only to safe addresses.
 */
export function articleHTML(html: string): DocumentFragment {
  const frag = document.createDocumentFragment();
  copyInto(new DOMParser().parseFromString(html, "text/html").body, frag);
  return frag;
}

const blockTags = new Set(["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "pre", "blockquote", "table", "tr", "hr", "figure"]);

function textOf(n: Node, out: string[]): void {
  for (const c of Array.from(n.childNodes)) {
    if (c.nodeType === Node.TEXT_NODE) {
      out.push((c.textContent ?? "").replace(/\s+/g, " "));
      continue;
    }
    if (c.nodeType !== Node.ELEMENT_NODE) continue;
    const el = c as Element;
    const tag = el.tagName.toLowerCase();
    if (droppedTags.has(tag) || tag === "img") continue;
    if (tag === "br") {
      out.push("\n");
      continue;
    }
    const block = blockTags.has(tag);
    if (block) out.push("\n");
    if (tag === "li") out.push("- ");
    textOf(el, out);
    const href = tag === "a" ? el.getAttribute("href") ?? "" : "";
    if (/^https?:/i.test(href) && href !== el.textContent?.trim()) out.push(` (${href})`);
    if (block) out.push(tag === "li" || tag === "tr" ? "\n" : "\n\n");
  }
}

/** Rendered article HTML as plain text for a reply: a paragraph a block, links as "text (address)". */
export function htmlText(html: string): string {
  const out: string[] = [];
  textOf(new DOMParser().parseFromString(html, "text/html").body, out);
  return out.join("").replace(/[ \t]*\n[ \t]*/g, "\n").replace(/\n{3,}/g, "\n\n").trim();
}

/** Markdown as plain text for a reply: no marks, links as "text (address)", images left out. */
export function markdownText(md: string): string {
  return md
    .replace(/\r\n?/g, "\n")
    .replace(/^```.*$/gm, "")
    .replace(/!\[[^\]]*\]\([^)]*\)/g, "")
    .replace(/\[([^\]]+)\]\(([^)\s]+)[^)]*\)/g, (_, text: string, url: string) => (text === url ? url : `${text} (${url})`))
    .replace(/<[^>]+>/g, "")
    .replace(/^\s{0,3}#{1,6}\s+/gm, "")
    .replace(/^\s{0,3}>\s?/gm, "")
    .replace(/^(\s*)[*+]\s+/gm, "$1- ")
    .replace(/^\s*([-*_])(\s*\1){2,}\s*$/gm, "")
    .replace(/(\*\*|__)(.+?)\1/g, "$2")
    .replace(/(^|[^\w*])[*_]([^*_\n]+)[*_](?=[^\w*]|$)/g, "$1$2")
    .replace(/~~(.+?)~~/g, "$1")
    .replace(/`([^`]+)`/g, "$1")
    .replace(/[ \t]+$/gm, "")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** The first paragraph of plain text, in one line. */
export function firstLine(text: string): string {
  const para = text.split(/\n\s*\n/).find((p) => p.trim()) ?? "";
  return para.replace(/\s+/g, " ").trim();
}
