// The knowledge base's articles: the categories beside the list (a select
// on a phone), each article with its languages' states, internal ones
// marked, a filter by state, and a search over the published articles.
// The category, filter and search live in the address.
import { kbApi, type KBArticle, type KBCategory, type KBHit } from "../api";
import { debounce, h, highlight, replace } from "../dom";
import { locale, num, shortTime, t } from "../i18n";
import { icon } from "../icons";
import { navigate, type Route } from "../router";
import { empty, errorText, select } from "../ui";
import type { KBContext } from "./kb";
import { articleTitle, kbLocales, stateChip, stateOf, translationOf, type KBState } from "./kbcontent";

const states: KBState[] = ["published", "changed", "draft", "missing"];

/** A category's name in the reader's language, else the help center's default, else any. */
export function categoryName(c: KBCategory, defaultLocale: string): string {
  const names = c.names ?? {};
  return names[locale()] || names[defaultLocale] || Object.values(names).find(Boolean) || t("kb.untitled");
}

export function kbArticles(el: HTMLElement, r: Route, ctx: KBContext): void {
  const locales = kbLocales(ctx.settings);
  const def = ctx.settings?.default_locale || locales[0];
  const cats = [...ctx.categories].sort((a, b) => a.position - b.position || a.id - b.id);
  let category = r.query.get("category") ?? "";
  let status = r.query.get("status") ?? "";
  let articles: KBArticle[] | null = null;
  let searchGen = 0;

  const q = h("input", { type: "search", name: "q", class: "kb-search", value: r.query.get("q") ?? "", placeholder: t("kb.search_placeholder"), "aria-label": t("kb.search"), autocomplete: "off" });
  const statusSel = select([{ value: "", label: t("kb.filter.all") }, ...states.map((s) => ({ value: s, label: t("kb.filter." + s) }))], status, (v) => {
    status = v;
    remember();
    render();
  }, { name: "status", "aria-label": t("kb.filter") });
  const catOptions = () => [{ value: "", label: t("kb.all_articles") }, ...cats.map((c) => ({ value: String(c.id), label: categoryName(c, def) })), { value: "none", label: t("kb.uncategorized") }];
  const catSel = select(catOptions(), category, (v) => pick(v), { name: "category", class: "kb-cat-select", "aria-label": t("kb.category") });
  const side = h("nav", { class: "kb-cats", "aria-label": t("kb.categories") });
  const list = h("div", { class: "kb-list" }, h("p", { class: "loading" }, t("list.loading")));

  function remember(): void {
    const p = new URLSearchParams();
    if (category) p.set("category", category);
    if (status) p.set("status", status);
    if (q.value.trim()) p.set("q", q.value.trim());
    const s = p.toString();
    navigate("/kb" + (s ? "?" + s : ""), true);
  }

  function pick(v: string): void {
    category = v;
    catSel.value = v;
    remember();
    render();
  }

  function inCategory(a: KBArticle): boolean {
    if (!category) return true;
    if (category === "none") return !a.category_id;
    return String(a.category_id ?? "") === category;
  }

  function renderSide(): void {
    const count = (v: string) => (articles ?? []).filter((a) => (v === "none" ? !a.category_id : String(a.category_id ?? "") === v)).length;
    const item = (v: string, label: string, n: number) =>
      h("button", { type: "button", class: "kb-cat" + (v === category ? " active" : ""), dataset: { category: v || "all" }, "aria-pressed": String(v === category), onclick: () => pick(v) },
        h("span", { class: "nav-label" }, label), h("span", { class: "count" }, num(n)));
    replace(side,
      item("", t("kb.all_articles"), articles?.length ?? 0),
      cats.map((c) => item(String(c.id), categoryName(c, def), count(String(c.id)))),
      item("none", t("kb.uncategorized"), count("none")));
  }

  function row(a: KBArticle): HTMLElement {
    const cat = cats.find((c) => c.id === a.category_id);
    return h("li", { class: "kb-article", dataset: { id: String(a.id) } },
      h("a", { href: `/kb/articles/${a.id}`, "data-nav": "", class: "kb-article-link" },
        h("span", { class: "kb-article-title" }, articleTitle(a, def)),
        h("span", { class: "kb-article-meta" },
          a.internal ? h("span", { class: "kb-internal" }, icon("lock", "icon small"), t("kb.internal")) : null,
          cat ? h("span", { class: "kb-article-cat" }, categoryName(cat, def)) : null,
          h("time", { class: "time", datetime: a.updated_at }, shortTime(a.updated_at))),
        h("span", { class: "kb-chips" }, locales.map((l) => stateChip(l, stateOf(translationOf(a, l)))))));
  }

  function render(): void {
    renderSide();
    if (q.value.trim()) return;
    if (!articles) return;
    const shown = articles.filter((a) => inCategory(a) && (!status || locales.some((l) => stateOf(translationOf(a, l)) === status)));
    replace(list, shown.length ? h("ul", { class: "kb-articles" }, shown.map(row)) : empty(articles.length ? t("kb.none_match") : t("kb.none")));
  }

  function hitRow(hit: KBHit): HTMLElement {
    return h("li", { class: "kb-hit", dataset: { id: String(hit.article_id), locale: hit.locale } },
      h("a", { href: `/kb/articles/${hit.article_id}?locale=${encodeURIComponent(hit.locale)}`, "data-nav": "", class: "kb-article-link" },
        h("span", { class: "kb-article-title" }, hit.title),
        h("span", { class: "kb-article-meta" },
          h("span", { class: "kb-chip-locale" }, hit.locale),
          hit.internal ? h("span", { class: "kb-internal" }, icon("lock", "icon small"), t("kb.internal")) : null),
        h("span", { class: "snippet" }, highlight(hit.snippet))));
  }

  const search = debounce(async () => {
    remember();
    const text = q.value.trim();
    const gen = ++searchGen;
    if (!text) {
      render();
      return;
    }
    replace(list, h("p", { class: "loading" }, t("list.loading")));
    try {
      const hits = await kbApi.search(text, 20);
      if (gen !== searchGen || !ctx.open()) return;
      replace(list, hits.length ? h("ul", { class: "kb-articles kb-hits", "aria-label": t("kb.results") }, hits.map(hitRow)) : empty(t("kb.no_results")));
    } catch (e) {
      if (gen === searchGen) replace(list, empty(errorText(e)));
    }
  }, 250);
  q.addEventListener("input", search);

  const add = ctx.admin ? h("a", { href: "/kb/articles/new", "data-nav": "", class: "btn primary add-article" }, icon("plus", "icon small"), t("kb.new_article")) : null;
  replace(el, h("div", { class: "kb-layout" },
    side,
    h("section", { class: "kb-main" },
      h("div", { class: "kb-toolbar" }, q, catSel, statusSel, add),
      list)));

  kbApi.articles().then((items) => {
    if (!ctx.open()) return;
    articles = items;
    render();
    if (q.value.trim()) search();
  }, (e) => replace(list, empty(errorText(e))));
}
