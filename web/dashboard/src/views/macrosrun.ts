// Running a macro on a conversation: the conversation's Macros button and
// the "m" key open a list of the macros the agent may run (type to filter,
// arrows to move, Enter to choose); a confirmation shows what the macro
// will do before it runs.
import { macrosApi } from "../api";
import { h, replace } from "../dom";
import { num, t, tn } from "../i18n";
import { icon } from "../icons";
import type { Conversation, Macro } from "../types";
import { button, empty, errorText, modal, toast } from "../ui";
import { actionText } from "./macrosform";

let open = false;

/** The conversation's Macros button; a phone has it in the actions menu. */
export function macrosButton(conversation: () => Conversation | null, done: (c: Conversation) => void): HTMLButtonElement {
  return h(
    "button",
    { type: "button", class: "btn macros-btn wide-only", title: t("macros.run_title"), "aria-label": t("macros.run_title"), onclick: () => void openMacros(conversation, done) },
    icon("bolt", "icon small"),
    h("span", { class: "btn-label" }, t("macros.title")),
  );
}

/** Opens the list of macros to run on the conversation. */
export async function openMacros(conversation: () => Conversation | null, done: (c: Conversation) => void): Promise<void> {
  if (open || !conversation()) return;
  open = true;
  let macros: Macro[];
  try {
    macros = await macrosApi.list();
  } catch (e) {
    open = false;
    toast(errorText(e), "error");
    return;
  }
  const filter = h("input", { type: "search", class: "macro-filter", placeholder: t("macros.filter"), "aria-label": t("macros.filter"), autocomplete: "off" });
  const list = h("div", { class: "macro-picker", role: "listbox", "aria-label": t("macros.title") });
  const items = (): HTMLElement[] => [...list.querySelectorAll<HTMLElement>(".macro-choice")];
  const render = () => {
    const q = filter.value.trim().toLocaleLowerCase();
    const shown = macros.filter((m) => m.name.toLocaleLowerCase().includes(q));
    replace(
      list,
      shown.length
        ? shown.map((m) =>
            h(
              "button",
              { type: "button", class: "macro-choice", role: "option", dataset: { id: String(m.id) }, onclick: () => choose(m) },
              icon("bolt", "icon small"),
              h("span", { class: "macro-name" }, m.name),
              h("span", { class: "menu-hint" }, tn("macros.steps", m.actions.length, { n: num(m.actions.length) })),
            ),
          )
        : empty(macros.length ? t("macros.no_match") : t("macros.none_to_run")),
    );
  };
  filter.addEventListener("input", render);
  const move = (e: KeyboardEvent) => {
    const all = items();
    if (!all.length) return;
    const i = all.indexOf(document.activeElement as HTMLElement);
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const next = e.key === "ArrowDown" ? (i + 1) % all.length : i <= 0 ? all.length - 1 : i - 1;
      all[next].focus();
    } else if (e.key === "Enter" && e.target === filter) {
      e.preventDefault();
      all[0].click();
    }
  };
  const close = modal(t("macros.title"), [filter, list], { onClose: () => (open = false) });
  filter.closest(".dialog")?.addEventListener("keydown", (e) => move(e as KeyboardEvent));
  render();

  function choose(m: Macro): void {
    close();
    confirmRun(m, conversation, done);
  }
}

/** Shows what a macro will do and runs it when the agent says so. */
function confirmRun(m: Macro, conversation: () => Conversation | null, done: (c: Conversation) => void): void {
  let busy = false;
  const run = button([icon("bolt", "icon small"), t("macros.run")], async () => {
    const c = conversation();
    if (busy || !c) return;
    busy = true;
    run.disabled = true;
    try {
      done(await macrosApi.run(c.id, m.id));
      close();
      toast(t("macros.ran", { name: m.name }));
    } catch (e) {
      close();
      toast(errorText(e), "error");
    }
  }, "primary run-macro");
  const close = modal(t("macros.confirm", { name: m.name }), [
    h("ol", { class: "macro-steps" }, m.actions.map((a) => h("li", null, actionText(a)))),
    h("div", { class: "form-actions" }, button(t("action.cancel"), () => close()), run),
  ]);
  run.focus();
}
