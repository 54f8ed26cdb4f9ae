// An article as agents read it: a tab per language, its title and
// description, and its published text (or its draft, marked, where none
// is published yet). Also the language tabs the editor shares.
import type { KBArticle } from "../api";
import { h, replace } from "../dom";
import { t } from "../i18n";
import { icon } from "../icons";
import { navigate, type Route } from "../router";
import type { KBContext } from "./kb";
import { articleHTML, articleTitle, kbLocales, localeName, stateOf, translationOf, type KBState } from "./kbcontent";

/** A tab per language, each marked with its translation's state. */
export function localeTabs(locales: string[], current: string, state: (l: string) => KBState, choose: (l: string) => void): HTMLElement {
  return h("div", { class: "kb-locale-tabs", role: "tablist", "aria-label": t("kb.languages") },
    locales.map((l) => {
      const st = state(l);
      return h("button", { type: "button", role: "tab", class: "kb-locale-tab" + (l === current ? " active" : ""), "aria-selected": String(l === current),
        dataset: { locale: l, state: st }, title: t("kb.state." + st), onclick: () => choose(l) },
      h("span", { class: "kb-dot " + st, "aria-hidden": "true" }), localeName(l), h("span", { class: "visually-hidden" }, ": " + t("kb.state." + st)));
    }));
}

export function kbReader(el: HTMLElement, a: KBArticle, r: Route, ctx: KBContext): void {
  const def = ctx.settings?.default_locale || kbLocales(ctx.settings)[0];
  const locales = (a.translations ?? []).map((tr) => tr.locale);
  const tabs = h("div");
  const content = h("article", { class: "kb-read" });

  function show(loc: string): void {
    const tr = translationOf(a, loc);
    replace(tabs, localeTabs(locales, loc, (l) => stateOf(translationOf(a, l)), (l) => {
      navigate(`/kb/articles/${a.id}?locale=${encodeURIComponent(l)}`, true);
      show(l);
    }));
    if (!tr) return;
    // What readers see: the published version, not a newer draft of it.
    const published = tr.status === "published" && tr.html !== undefined;
    const title = published ? tr.published_title || tr.title : tr.title;
    const description = published ? tr.published_description ?? tr.description : tr.description;
    replace(content,
      h("h2", { class: "kb-read-title" }, title),
      h("p", { class: "kb-read-meta" },
        a.internal ? h("span", { class: "kb-internal" }, icon("lock", "icon small"), t("kb.internal")) : null,
        published ? null : h("span", { class: "kb-chip draft" }, t("kb.state.draft")),
        tr.url ? h("a", { href: tr.url, target: "_blank", rel: "noopener", class: "kb-public-link" }, icon("globe", "icon small"), t("kb.view_public")) : null),
      description ? h("p", { class: "kb-read-description" }, description) : null,
      published ? h("div", { class: "kb-prose" }, articleHTML(tr.html ?? "")) : h("div", { class: "kb-prose kb-plain" }, tr.body ?? ""));
  }

  replace(el, h("div", { class: "kb-editor kb-reader" },
    h("div", { class: "kb-editor-head" },
      h("a", { href: "/kb", "data-nav": "", class: "btn ghost small kb-back" }, icon("back", "icon small"), t("kb.tab.articles")),
      h("h2", null, articleTitle(a, def))),
    tabs, content));
  const asked = r.query.get("locale") ?? "";
  show(locales.includes(asked) ? asked : locales.includes(def) ? def : locales[0] ?? def);
}
