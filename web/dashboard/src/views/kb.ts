// The Knowledge base page: the articles and their editor, the categories,
// the insights, and the help center's settings, as tabs. Everyone reads
// it; administrators write, and only they see the controls that write.
import { kbApi, type KBCategory, type KBSettings } from "../api";
import { h, replace } from "../dom";
import { t } from "../i18n";
import type { Route } from "../router";
import { isAdmin } from "../state";
import { empty, errorText, pageHeader } from "../ui";
import { kbArticles } from "./kbarticles";
import { kbCategories } from "./kbcategories";
import { kbEditor } from "./kbeditor";
import { kbInsights } from "./kbinsights";
import { kbSettings } from "./kbsettings";

/** What every tab of the page reads: the help center's settings and categories. */
export interface KBContext {
  settings: KBSettings | null;
  categories: KBCategory[];
  admin: boolean;
  /** Whether the page is still open: answers that come later are dropped. */
  open(): boolean;
}

const tabs = [
  { section: "", key: "kb.tab.articles", admin: false },
  { section: "categories", key: "kb.tab.categories", admin: true },
  { section: "insights", key: "kb.tab.insights", admin: false },
  { section: "settings", key: "kb.tab.settings", admin: true },
];

/** Mounts the page for a route under /kb; returns its unmount function. */
export function mountKB(el: HTMLElement, r: Route): () => void {
  let destroyed = false;
  const admin = isAdmin();
  const current = r.section === "articles" ? "" : r.section;
  const body = h("div", { class: "kb-body" }, h("p", { class: "loading" }, t("list.loading")));
  const nav = h("nav", { class: "tabs kb-tabs", "aria-label": t("kb.title") },
    tabs.filter((tb) => admin || !tb.admin).map((tb) =>
      h("a", { href: "/kb" + (tb.section ? "/" + tb.section : ""), "data-nav": "", class: "tab" + (tb.section === current ? " active" : ""),
        "aria-current": tb.section === current ? "page" : null, dataset: { tab: tb.section || "articles" } }, t(tb.key))));
  replace(el, h("div", { class: "page kb-page" }, pageHeader(t("kb.title")), nav, body));

  void Promise.all([kbApi.settings().catch(() => null), kbApi.categories()]).then(([settings, categories]) => {
    if (destroyed) return;
    const ctx: KBContext = { settings, categories, admin, open: () => !destroyed };
    switch (r.section) {
      case "articles":
        kbEditor(body, r, ctx);
        break;
      case "categories":
        if (admin) kbCategories(body, ctx);
        else replace(body, empty(t("kb.admins_only")));
        break;
      case "insights":
        kbInsights(body, ctx);
        break;
      case "settings":
        if (admin) kbSettings(body, ctx);
        else replace(body, empty(t("kb.admins_only")));
        break;
      default:
        kbArticles(body, r, ctx);
    }
  }, (e) => {
    if (!destroyed) replace(body, empty(errorText(e)));
  });
  return () => {
    destroyed = true;
  };
}
