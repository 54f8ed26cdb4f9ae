// The knowledge base's categories, for administrators: their names and
// descriptions in each of the help center's languages, their order (the
// help center lists them so), and deleting one, whose articles stay,
// uncategorized.
import { kbApi, type KBCategory } from "../api";
import { h, replace } from "../dom";
import { t, tn } from "../i18n";
import { icon } from "../icons";
import { button, confirmDialog, empty, errorText, iconButton, modal, toast } from "../ui";
import type { KBContext } from "./kb";
import { categoryName } from "./kbarticles";
import { kbLocales, localeName } from "./kbcontent";
import { attempt, form, submit } from "./forms";

export function kbCategories(el: HTMLElement, ctx: KBContext): void {
  const locales = kbLocales(ctx.settings);
  const def = ctx.settings?.default_locale || locales[0];
  let cats = [...ctx.categories].sort((a, b) => a.position - b.position || a.id - b.id);

  async function reload(): Promise<void> {
    try {
      cats = (await kbApi.categories()).sort((a, b) => a.position - b.position || a.id - b.id);
      ctx.categories = cats;
      if (ctx.open()) render();
    } catch (e) {
      toast(errorText(e), "error");
    }
  }

  // Positions follow the order shown: each category whose place changed is saved.
  async function move(i: number, by: number): Promise<void> {
    const order = [...cats];
    const [c] = order.splice(i, 1);
    order.splice(i + by, 0, c);
    const changed = order.map((c, pos) => ({ c, pos })).filter(({ c, pos }) => c.position !== pos);
    if (await attempt(() => Promise.all(changed.map(({ c, pos }) => kbApi.updateCategory(c.id, { position: pos }))), "")) await reload();
  }

  function row(c: KBCategory, i: number): HTMLElement {
    const others = locales.filter((l) => l !== def && c.names?.[l]).map((l) => c.names?.[l]).join(" · ");
    return h("li", { class: "kb-category", dataset: { id: String(c.id) } },
      h("div", { class: "kb-category-main" },
        h("strong", { class: "kb-category-name" }, categoryName(c, def)),
        others ? h("span", { class: "hint kb-category-names" }, others) : null,
        h("span", { class: "hint" }, tn("kb.article_count", c.article_count ?? 0))),
      h("div", { class: "kb-category-tools" },
        iconButton("up", t("kb.move_up"), () => void move(i, -1), "small kb-up"),
        iconButton("down", t("kb.move_down"), () => void move(i, 1), "small kb-down"),
        iconButton("edit", t("action.edit"), () => edit(c), "small kb-edit"),
        iconButton("trash", t("action.delete"), async () => {
          if (!(await confirmDialog(t("kb.category_delete_confirm", { name: categoryName(c, def) }), t("action.delete"), true))) return;
          if (await attempt(() => kbApi.removeCategory(c.id), t("deleted"))) await reload();
        }, "small kb-remove")));
  }

  function render(): void {
    replace(el, h("div", { class: "kb-section" },
      h("p", { class: "hint" }, t("kb.categories_help")),
      h("div", { class: "toolbar" }, button([icon("plus", "icon small"), t("kb.new_category")], () => edit(null), "primary add-category")),
      cats.length ? h("ol", { class: "kb-category-list" }, cats.map(row)) : empty(t("kb.no_categories"))));
    el.querySelectorAll<HTMLButtonElement>(".kb-category:first-child .kb-up, .kb-category:last-child .kb-down").forEach((b) => (b.disabled = true));
  }

  function edit(c: KBCategory | null): void {
    const rows = locales.map((l) => ({
      l,
      name: h("input", { name: "name_" + l, value: c?.names?.[l] ?? "", required: l === def, maxlength: 120, lang: l, autocomplete: "off" }),
      desc: h("input", { name: "description_" + l, value: c?.descriptions?.[l] ?? "", maxlength: 300, lang: l, autocomplete: "off" }),
    }));
    const close = modal(c ? t("kb.edit_category") : t("kb.new_category"), form(async () => {
      const names: Record<string, string> = {};
      const descriptions: Record<string, string> = {};
      for (const r of rows) {
        if (r.name.value.trim()) names[r.l] = r.name.value.trim();
        if (r.desc.value.trim()) descriptions[r.l] = r.desc.value.trim();
      }
      const body = { names, descriptions };
      if (await attempt(() => (c ? kbApi.updateCategory(c.id, body) : kbApi.createCategory({ ...body, position: cats.length })))) {
        close();
        await reload();
      }
    },
    rows.map((r) => h("fieldset", { class: "kb-category-locale", dataset: { locale: r.l } },
      h("legend", null, localeName(r.l)),
      h("label", { class: "field" }, h("span", { class: "field-label" }, t("kb.category_name")), r.name),
      h("label", { class: "field" }, h("span", { class: "field-label" }, t("kb.category_description")), r.desc))),
    h("div", { class: "form-actions" }, submit(t("action.save")))), { wide: true });
  }

  render();
}
