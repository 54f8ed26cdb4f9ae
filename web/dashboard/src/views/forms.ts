// The pieces every settings section is built from: a form that cannot be
// sent twice at once, a save that reports how it went, checkboxes, and a
// table of items with add, edit and delete.
import { h, replace, type Child } from "../dom";
import { t } from "../i18n";
import { icon } from "../icons";
import { state } from "../state";
import { avatar, button, confirmDialog, empty, errorText, iconButton, toast } from "../ui";

export function form(onsubmit: () => Promise<void> | void, ...children: Child[]): HTMLFormElement {
  let busy = false;
  const f = h(
    "form",
    {
      class: "form",
      onsubmit: async (e: SubmitEvent) => {
        e.preventDefault();
        if (busy) return;
        busy = true;
        f.querySelectorAll<HTMLButtonElement>("button[type=submit]").forEach((b) => (b.disabled = true));
        try {
          await onsubmit();
        } finally {
          busy = false;
          f.querySelectorAll<HTMLButtonElement>("button[type=submit]").forEach((b) => (b.disabled = false));
        }
      },
    },
    children,
  );
  return f;
}

export const submit = (label: string) => h("button", { type: "submit", class: "btn primary" }, label);

export async function attempt(fn: () => Promise<unknown>, success = t("saved")): Promise<boolean> {
  try {
    await fn();
    if (success) toast(success);
    return true;
  } catch (e) {
    toast(errorText(e), "error");
    return false;
  }
}

export function checkboxes<T extends string | number>(options: { value: T; label: Child }[], chosen: T[], name: string): { el: HTMLElement; values: () => T[] } {
  const boxes = options.map((o) => ({ o, box: h("input", { type: "checkbox", name, checked: chosen.includes(o.value) }) }));
  return {
    el: h("div", { class: "checks" }, boxes.map(({ o, box }) => h("label", { class: "check" }, box, o.label))),
    values: () => boxes.filter((b) => b.box.checked).map((b) => b.o.value),
  };
}

export function userChecks(chosen: number[]): { el: HTMLElement; values: () => number[] } {
  return checkboxes(state.users.map((u) => ({ value: u.id, label: [avatar(u.name, "tiny"), u.name] })), chosen, "members");
}

/** A table of items with add, edit and delete, editing in a dialog. */
export interface ListSpec<T extends { id: number }> {
  load: () => Promise<T[]>;
  addLabel: string;
  columns: string[];
  row: (item: T) => Child[];
  edit?: (item: T | null, done: () => void) => void;
  remove?: (item: T) => Promise<void>;
  removeText?: (item: T) => string;
  extra?: (item: T, reload: () => void) => Child;
  emptyText: string;
}

export async function table<T extends { id: number }>(el: HTMLElement, spec: ListSpec<T>): Promise<void> {
  const reload = () => void table(el, spec);
  let items: T[];
  try {
    items = await spec.load();
  } catch (e) {
    replace(el, empty(errorText(e)));
    return;
  }
  replace(
    el,
    spec.edit ? h("div", { class: "toolbar" }, button([icon("plus", "icon small"), spec.addLabel], () => spec.edit?.(null, reload), "primary add")) : null,
    items.length
      ? h(
          "table",
          { class: "table" },
          h("thead", null, h("tr", null, spec.columns.map((c) => h("th", null, c)), h("th", { class: "actions" }))),
          h(
            "tbody",
            null,
            items.map((it) =>
              h(
                "tr",
                { dataset: { id: String(it.id) } },
                spec.row(it).map((c, i) => h("td", { "data-label": spec.columns[i] }, c)),
                h(
                  "td",
                  { class: "actions" },
                  spec.extra?.(it, reload),
                  spec.edit ? iconButton("edit", t("action.edit"), () => spec.edit?.(it, reload)) : null,
                  spec.remove
                    ? iconButton("trash", t("action.delete"), async () => {
                        if (!(await confirmDialog(spec.removeText?.(it) ?? t("confirm.delete"), t("action.delete"), true))) return;
                        if (await attempt(() => spec.remove?.(it) ?? Promise.resolve(), t("deleted"))) reload();
                      })
                    : null,
                ),
              ),
            ),
          ),
        )
      : empty(spec.emptyText),
  );
}

