// Settings › Macros: the macros the agent may run, theirs and the
// account's. Agents change their own personal macros; administrators also
// the account's.
import { macrosApi } from "../api";
import { h, replace } from "../dom";
import { t } from "../i18n";
import { icon } from "../icons";
import { isAdmin, me } from "../state";
import type { Macro } from "../types";
import { button, confirmDialog, empty, errorText, iconButton } from "../ui";
import { attempt } from "./forms";
import { actionText, editMacro } from "./macrosform";

/** Whether the signed-in user may change a macro. */
function mayChange(m: Macro): boolean {
  return m.visibility === "account" ? isAdmin() : m.user_id === me().id;
}

export async function macrosSettings(el: HTMLElement): Promise<void> {
  const reload = () => void macrosSettings(el);
  let list: Macro[];
  try {
    list = await macrosApi.list();
  } catch (e) {
    replace(el, empty(errorText(e)));
    return;
  }
  const item = (m: Macro) =>
    h(
      "li",
      { class: "macro-item", dataset: { id: String(m.id) } },
      h(
        "div",
        { class: "macro-item-head" },
        h("strong", { class: "macro-name" }, m.name),
        h("span", { class: "badge macro-visibility " + m.visibility }, t("macros.visibility." + m.visibility)),
        mayChange(m)
          ? h(
              "span",
              { class: "actions" },
              iconButton("edit", t("action.edit"), () => editMacro(m, reload)),
              iconButton("trash", t("action.delete"), async () => {
                if (!(await confirmDialog(t("macros.delete_confirm", { name: m.name }), t("action.delete"), true))) return;
                if (await attempt(() => macrosApi.remove(m.id), t("deleted"))) reload();
              }),
            )
          : null,
      ),
      h("ol", { class: "macro-steps" }, m.actions.map((a) => h("li", null, actionText(a)))),
    );
  replace(
    el,
    h("p", { class: "hint" }, t("macros.help")),
    h("div", { class: "toolbar" }, button([icon("plus", "icon small"), t("macros.create")], () => editMacro(null, reload), "primary add")),
    list.length ? h("ul", { class: "macro-list" }, list.map(item)) : empty(t("macros.none")),
  );
}
