// An article's editor, for administrators: a tab per language with its
// title, description and Markdown body, and the article's category,
// whether it is internal, and the pages the widget suggests it on. Each
// language is saved as a draft, published or withdrawn on its own; edits
// in other tabs wait in memory until their own save. Agents read the
// article instead (kbreader.ts).
import { kbApi, type KBArticle, type KBTranslationInput } from "../api";
import { h, replace } from "../dom";
import { longTime, t } from "../i18n";
import { icon } from "../icons";
import { navigate, type Route } from "../router";
import { button, confirmDialog, empty, errorText, field, select, toast } from "../ui";
import type { KBContext } from "./kb";
import { categoryName } from "./kbarticles";
import { bodyEditor } from "./kbbody";
import { articleTitle, kbLocales, localeName, stateOf, translationOf } from "./kbcontent";
import { kbReader, localeTabs } from "./kbreader";

type Work = { title: string; description: string; body: string };

export function kbEditor(el: HTMLElement, r: Route, ctx: KBContext): void {
  if (r.sub === "new") {
    if (ctx.admin) editor(el, null, r, ctx);
    else replace(el, empty(t("kb.admins_only")));
    return;
  }
  replace(el, h("p", { class: "loading" }, t("list.loading")));
  kbApi.article(r.id).then((a) => {
    if (!ctx.open()) return;
    if (ctx.admin) editor(el, a, r, ctx);
    else kbReader(el, a, r, ctx);
  }, (e) => replace(el, empty(errorText(e))));
}

function editor(el: HTMLElement, article: KBArticle | null, r: Route, ctx: KBContext): void {
  const def = ctx.settings?.default_locale || kbLocales(ctx.settings)[0];
  const locales = [...new Set([...kbLocales(ctx.settings), ...(article?.translations ?? []).map((tr) => tr.locale)])];
  let current = "";
  const work = new Map<string, Work>();
  for (const tr of article?.translations ?? []) work.set(tr.locale, { title: tr.title, description: tr.description, body: tr.body ?? "" });

  const title = h("input", { name: "title", required: true, maxlength: 200, autocomplete: "off" });
  const description = h("textarea", { name: "description", rows: 2, maxlength: 300 });
  const body = bodyEditor(() => stash());
  for (const f of [title, description]) f.addEventListener("input", () => stash());
  const category = select([{ value: "", label: t("kb.no_category") }, ...ctx.categories.map((c) => ({ value: String(c.id), label: categoryName(c, def) }))],
    String(article?.category_id ?? r.query.get("category") ?? ""), () => {}, { name: "category_id" });
  const internal = h("input", { type: "checkbox", name: "internal", checked: article?.internal ?? false });
  const pages = h("textarea", { name: "pages", rows: 3, placeholder: "/checkout*\n/orders", value: (article?.pages ?? []).join("\n"), spellcheck: "false" });
  const tabs = h("div", { class: "kb-locale-tabs-slot" });
  const status = h("div", { class: "kb-status", "aria-live": "polite" });
  const actions = h("div", { class: "kb-actions" });
  const dangers = h("div", { class: "kb-dangers" });
  // The versions of this translation that were published, newest first.
  const history = h("div", { class: "kb-history" });
  let busy = false;

  function stash(): void {
    work.set(current, { title: title.value, description: description.value, body: body.value() });
  }

  function place(): { category_id: number | null; internal: boolean; pages: string[] } {
    return { category_id: category.value ? Number(category.value) : null, internal: internal.checked, pages: pages.value.split("\n").map((p) => p.trim()).filter(Boolean) };
  }

  function placeChanged(a: KBArticle): boolean {
    const p = place();
    return p.category_id !== (a.category_id ?? null) || p.internal !== a.internal || p.pages.join("\n") !== (a.pages ?? []).join("\n");
  }

  function show(loc: string): void {
    if (current) stash();
    current = loc;
    const w = work.get(loc) ?? { title: "", description: "", body: "" };
    title.value = w.title;
    description.value = w.description;
    body.set(w.body);
    if (article) navigate(`/kb/articles/${article.id}?locale=${encodeURIComponent(loc)}`, true);
    refresh();
  }

  function refresh(): void {
    replace(tabs, localeTabs(locales, current, (l) => stateOf(article ? translationOf(article, l) : undefined), show));
    const tr = article ? translationOf(article, current) : undefined;
    const st = stateOf(tr);
    replace(status,
      h("span", { class: "kb-chip " + st, dataset: { state: st } }, t("kb.state." + st)),
      tr?.published_at ? h("span", { class: "hint" }, t("kb.published_at", { time: longTime(tr.published_at) })) : null,
      tr?.url ? h("a", { href: tr.url, target: "_blank", rel: "noopener", class: "kb-public-link" }, icon("globe", "icon small"), t("kb.view_public")) : null);
    const several = (article?.translations ?? []).length > 1;
    replace(dangers,
      tr && several ? button(t("kb.delete_translation", { language: localeName(current) }), () => void removeTranslation(), "kb-delete-translation") : null,
      article ? button([icon("trash", "icon small"), t("kb.delete_article")], () => void removeArticle(), "danger-text kb-delete") : null);
    void showHistory();
    replace(actions,
      tr?.status === "published" ? button(t("kb.unpublish"), () => void save("unpublished"), "kb-unpublish") : null,
      button(t("kb.save_draft"), () => void save("draft"), "kb-save-draft"),
      button(t("kb.publish"), () => void save("published"), "primary kb-publish"));
  }

  async function showHistory(): Promise<void> {
    const loc = current;
    if (!article || !translationOf(article, loc)) return replace(history);
    const versions = await kbApi.versions(article.id, loc).catch(() => []);
    if (loc !== current) return;
    replace(history, versions.length ? [
      h("h3", null, t("kb.history")),
      h("ul", { class: "kb-history-list" }, versions.map((v, i) => h("li", { dataset: { version: String(v.id) } },
        h("span", { class: "kb-history-title" }, v.title),
        h("span", { class: "hint" }, longTime(v.published_at)),
        i === 0 ? h("span", { class: "hint" }, t("kb.history_latest")) : button(t("kb.restore"), () => void restore(v.id), "small kb-restore")))),
    ] : null);
  }

  async function restore(version: number): Promise<void> {
    if (!article || busy) return;
    busy = true;
    try {
      article = await kbApi.restore(article.id, version);
      const tr = translationOf(article, current);
      if (tr) work.set(current, { title: tr.title, description: tr.description, body: tr.body ?? "" });
      const loc = current;
      current = "";
      show(loc);
      toast(t("kb.restored"));
    } catch (e) {
      toast(errorText(e), "error");
    } finally {
      busy = false;
    }
  }

  async function save(s: KBTranslationInput["status"]): Promise<void> {
    if (busy) return;
    stash();
    const w = work.get(current) as Work;
    if (!w.title.trim()) {
      toast(t("kb.title_required"), "error");
      title.focus();
      return;
    }
    busy = true;
    actions.querySelectorAll("button").forEach((b) => (b.disabled = true));
    try {
      const text = { title: w.title.trim(), description: w.description.trim(), body: w.body };
      if (!article) {
        const a = await kbApi.create({ ...text, locale: current, status: s === "published" ? "published" : "draft", ...place() });
        toast(t("kb.saved." + (s === "published" ? "published" : "draft")));
        navigate(`/kb/articles/${a.id}?locale=${encodeURIComponent(current)}`, true);
        return;
      }
      if (placeChanged(article)) article = await kbApi.update(article.id, place());
      article = await kbApi.saveTranslation(article.id, current, { ...text, status: s });
      toast(t("kb.saved." + s));
    } catch (e) {
      toast(errorText(e), "error");
    } finally {
      busy = false;
      if (ctx.open()) refresh();
    }
  }

  async function removeArticle(): Promise<void> {
    if (!article || !(await confirmDialog(t("kb.delete_confirm", { title: articleTitle(article, def) }), t("action.delete"), true))) return;
    try {
      await kbApi.remove(article.id);
      toast(t("deleted"));
      navigate("/kb");
    } catch (e) {
      toast(errorText(e), "error");
    }
  }

  async function removeTranslation(): Promise<void> {
    if (!article || !(await confirmDialog(t("kb.delete_translation_confirm", { language: localeName(current) }), t("action.delete"), true))) return;
    try {
      await kbApi.removeTranslation(article.id, current);
      article = await kbApi.article(article.id);
      work.delete(current);
      toast(t("deleted"));
      current = "";
      show(article.translations?.[0]?.locale ?? def);
    } catch (e) {
      toast(errorText(e), "error");
    }
  }

  replace(el, h("div", { class: "kb-editor" },
    h("div", { class: "kb-editor-head" },
      h("a", { href: "/kb", "data-nav": "", class: "btn ghost small kb-back" }, icon("back", "icon small"), t("kb.tab.articles")),
      h("h2", null, article ? articleTitle(article, def) : t("kb.new_article"))),
    tabs,
    h("div", { class: "kb-editor-bar" }, status, actions),
    h("form", { class: "kb-editor-form", onsubmit: (e: Event) => (e.preventDefault(), void save("draft")) },
      field(t("kb.title_field"), title),
      field(t("kb.description"), description, t("kb.description_hint")),
      body.el,
      h("div", { class: "kb-place" },
        field(t("kb.category"), category),
        field(t("kb.pages"), pages, t("kb.pages_hint")),
        h("label", { class: "check kb-internal-toggle" }, internal, h("span", null, t("kb.internal_toggle")), h("span", { class: "hint" }, t("kb.internal_hint")))),
      history,
      dangers)));
  show(locales.includes(r.query.get("locale") ?? "") ? (r.query.get("locale") as string) : def);
}
