// Help articles before a chat: the help center's suggestions for the page
// the visitor is on, a search, and an article read inside the window with
// "was this helpful?" and a way on to the chat. When the help center is
// off or has nothing public, none of it shows.
import { Conn } from "./conn";
import { clear, h, icon, Kid } from "./dom";
import { lang, t } from "./i18n";

interface Item {
  article_id: number;
  locale: string;
  title: string;
  description?: string;
  /** A search hit's text: escaped, with <mark> around the matches. */
  snippet?: string;
}

interface Article {
  article_id: number;
  locale: string;
  title: string;
  html: string;
  url: string;
}

const BACK =
  '<svg viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" stroke-width="2.4" stroke-linecap="round"><path d="M15 5l-7 7 7 7"/></svg>';

export class Help {
  /** The help center has public articles for this visitor. */
  enabled = false;
  /** The article being read, if any. */
  article: Article | null = null;
  private items: Item[] = [];
  /** Search results, or null when nothing is searched. */
  private hits: Item[] | null = null;
  /** The home section, kept across renders with what the visitor typed. */
  private home: HTMLElement | null = null;
  private loaded = "";
  private timer = 0;
  private asked = 0;
  private answered = new Set<string>();

  constructor(
    private conn: Conn,
    private changed: () => void,
  ) {}

  /** Reads the suggestions, once per page and language; changed() follows when they arrive. */
  load(): void {
    const key = location.href + " " + lang();
    if (key === this.loaded || !this.conn.token) return;
    this.loaded = key;
    this.conn
      .req<{ items: Item[]; enabled: boolean }>("GET", "/widget/v1/kb/suggest?url=" + enc(location.href) + "&locale=" + enc(lang()))
      .then((r) => {
        this.enabled = r.enabled;
        this.items = r.items;
        this.hits = null;
        this.home = null;
        this.changed();
      })
      // The help section is an extra: without it the chat is as it was.
      .catch(() => {});
  }

  /** The suggestions and the search box of the window's first view. */
  section(open: (id: number) => void): HTMLElement {
    if (this.home) return this.home;
    const list = h("div", { class: "kbl", "aria-live": "polite" });
    const input = h("input", {
      type: "search",
      class: "kbq",
      maxlength: 200,
      placeholder: t("kb_search"),
      "aria-label": t("kb_search"),
      oninput: () => {
        clearTimeout(this.timer);
        this.timer = window.setTimeout(() => this.search(input.value.trim(), list, open), 300);
      },
    });
    this.home = h("section", { class: "kb" }, input, list);
    this.fill(list, open);
    return this.home;
  }

  private async search(q: string, list: HTMLElement, open: (id: number) => void): Promise<void> {
    const n = ++this.asked;
    let hits: Item[] | null = null;
    if (q) {
      try {
        hits = (await this.conn.req<{ items: Item[] }>("GET", "/widget/v1/kb/search?q=" + enc(q) + "&locale=" + enc(lang()))).items;
      } catch {
        return;
      }
    }
    if (n !== this.asked) return;
    this.hits = hits;
    this.fill(list, open);
  }

  private fill(list: HTMLElement, open: (id: number) => void): void {
    clear(list);
    const items = this.hits || this.items;
    list.append(h("h3", null, this.hits ? (items.length ? t("kb_results") : t("kb_none")) : t("kb_suggested")));
    for (const it of items)
      list.append(
        h(
          "button",
          { class: "kbi", type: "button", dir: "auto", onclick: () => open(it.article_id) },
          h("strong", null, it.title),
          it.snippet || it.description ? h("span", null, it.snippet ? marked(it.snippet) : it.description) : null,
        ),
      );
  }

  /** Fetches an article and counts the visitor's view. */
  async read(id: number): Promise<void> {
    this.article = await this.conn.req<Article>("GET", `/widget/v1/kb/articles/${id}?locale=` + enc(lang()));
  }

  /** The article being read, in place of the conversation. */
  view(back: () => void, chat: () => void): HTMLElement {
    const a = this.article!;
    const url = new URL(a.url, this.conn.base).href;
    const key = a.article_id + a.locale;
    const ask = h("div", { class: "kbf" });
    const answer = (helpful: boolean) => {
      this.answered.add(key);
      ask.replaceChildren(t("csat_thanks"));
      this.conn.req("POST", `/widget/v1/kb/articles/${a.article_id}/feedback`, { helpful, locale: a.locale }).catch(() => {});
    };
    if (this.answered.has(key)) ask.append(t("csat_thanks"));
    else
      ask.append(
        h("span", null, t("kb_helpful")),
        h("button", { type: "button", onclick: () => answer(true) }, t("kb_yes")),
        h("button", { type: "button", onclick: () => answer(false) }, t("kb_no")),
      );
    return h(
      "div",
      { class: "kba" },
      h("button", { class: "kbb", type: "button", onclick: back }, icon(BACK), t("back")),
      h("article", { lang: a.locale, dir: "auto" }, h("h2", null, a.title), body(a.html, url)),
      h("a", { class: "link", href: url, target: "_blank", rel: "noopener" }, t("kb_open")),
      ask,
      h("div", { class: "kbc" }, h("p", null, t("kb_still")), h("button", { class: "primary", type: "button", onclick: chat }, t("launcher"))),
    );
  }
}

function enc(s: string): string {
  return encodeURIComponent(s);
}

/** A snippet's text with its matches marked, never parsed as markup. */
function marked(s: string): Kid[] {
  const text = (x: string) => x.replace(/&(amp|lt|gt|#34|#39|quot);/g, (e) => ENT[e]);
  return s.split(/<\/?mark>/).map((part, i) => (i % 2 ? h("mark", null, text(part)) : text(part)));
}

const ENT: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&#34;": '"', "&quot;": '"', "&#39;": "'" };

// The server sanitizes an article's HTML; the widget keeps only these
// elements and attributes of it all the same, resolves addresses against
// the article's page (its images are the help center's files) and opens
// every link in a new tab, away from the visitor's page.
const TAGS = /^(P|H[1-6]|UL|OL|LI|A|IMG|STRONG|EM|B|I|CODE|PRE|BLOCKQUOTE|HR|BR|TABLE|THEAD|TBODY|TR|TH|TD|DEL|S|SUP|SUB)$/;
const ATTRS = /^(href|src|alt|title|align|start)$/;

function body(html: string, base: string): HTMLElement {
  const doc = new DOMParser().parseFromString(html, "text/html");
  clean(doc.body, base);
  return h("div", { class: "kbh" }, Array.from(doc.body.childNodes));
}

function clean(el: Element, base: string): void {
  for (const c of Array.from(el.children)) {
    if (!TAGS.test(c.tagName)) {
      c.replaceWith(c.textContent || "");
      continue;
    }
    for (const a of Array.from(c.attributes)) {
      if (!ATTRS.test(a.name)) c.removeAttribute(a.name);
      else if (a.name === "href" || a.name === "src") {
        let u: URL | null = null;
        try {
          u = new URL(a.value, base);
        } catch {}
        if (u && /^(https?|mailto|tel):$/.test(u.protocol)) c.setAttribute(a.name, u.href);
        else c.removeAttribute(a.name);
      }
    }
    if (c.tagName === "A") {
      c.setAttribute("target", "_blank");
      c.setAttribute("rel", "noopener");
    }
    clean(c, base);
  }
}
