// A macro's builder: its name, who sees it, and its actions in order, each
// chosen from a list with its value from a picker (an agent, a team, a
// label, a priority, a time, a canned response, or the text of a message). Also how an action
// reads, for the settings list and the confirmation before a run.
import { macrosApi } from "../api";
import { h, replace } from "../dom";
import { num, t } from "../i18n";
import { icon } from "../icons";
import { isAdmin, state, teamById, userName } from "../state";
import type { Macro, MacroAction } from "../types";
import { button, field, iconButton, modal, select } from "../ui";
import { attempt, form, submit } from "./forms";

type Kind = MacroAction["action"];

/** The actions a macro may take, in the order the picker lists them. */
export const actionKinds: Kind[] = ["add_label", "remove_label", "set_priority", "assign_agent", "assign_team", "send_message", "send_canned_response", "add_private_note", "snooze", "resolve"];

/** Snooze lengths offered, in minutes. */
const snoozeMinutes = [30, 60, 240, 1440, 4320, 10080];

function snoozeLabel(minutes: number): string {
  return snoozeMinutes.includes(minutes) ? t("macros.snooze." + minutes) : t("macros.minutes", { n: num(minutes) });
}

/** How an action reads: "Add the label vip", "Send: “Thanks!”". */
export function actionText(a: MacroAction): string {
  const v = a.value;
  switch (a.action) {
    case "assign_agent":
      return t("macros.do.assign_agent", { name: userName(Number(v)) || t("assign.unknown") });
    case "assign_team":
      return t("macros.do.assign_team", { name: teamById(Number(v))?.name ?? "?" });
    case "add_label":
    case "remove_label":
      return t("macros.do." + a.action, { name: String(v ?? "") });
    case "set_priority":
      return t("macros.do.set_priority", { priority: t("priority." + Number(v)) });
    case "send_message":
    case "add_private_note":
      return t("macros.do." + a.action, { text: String(v ?? "") });
    case "send_canned_response":
      return t("macros.do.send_canned_response", { name: "/" + (state.canned.find((c) => c.id === Number(v))?.short_code ?? "?") });
    case "snooze":
      return t("macros.do.snooze", { time: snoozeLabel(Number(v)) });
    case "resolve":
      return t("macros.do.resolve");
  }
  return a.action;
}

/** The value a newly chosen action starts with. */
function firstValue(kind: Kind): MacroAction["value"] {
  switch (kind) {
    case "assign_agent":
      return state.users[0]?.id;
    case "assign_team":
      return state.teams[0]?.id;
    case "add_label":
    case "remove_label":
      return state.labels[0]?.name;
    case "send_canned_response":
      return state.canned[0]?.id;
    case "set_priority":
      return 4;
    case "snooze":
      return 60;
    case "send_message":
    case "add_private_note":
      return "";
  }
  return undefined;
}

/** The picker of an action's value; set is called with each change. */
function valuePicker(a: MacroAction, set: (v: MacroAction["value"]) => void): HTMLElement | null {
  const attrs = { name: "value", "aria-label": t("macros.value") };
  const pick = <T extends string | number>(options: { value: T; label: string }[], asNumber: boolean) => {
    if (!options.length) return h("span", { class: "hint" }, t("macros.nothing_to_pick"));
    return select(options, a.value as T, (v) => set(asNumber ? Number(v) : v), attrs);
  };
  switch (a.action) {
    case "assign_agent":
      return pick(state.users.map((u) => ({ value: u.id, label: u.name })), true);
    case "assign_team":
      return pick(state.teams.map((tm) => ({ value: tm.id, label: tm.name })), true);
    case "add_label":
    case "remove_label":
      return pick(state.labels.map((l) => ({ value: l.name, label: l.name })), false);
    case "send_canned_response":
      return pick(state.canned.map((c) => ({ value: c.id, label: "/" + c.short_code })), true);
    case "set_priority":
      return pick([4, 3, 2, 1, 0].map((p) => ({ value: p, label: t("priority." + p) })), true);
    case "snooze": {
      const minutes = snoozeMinutes.includes(Number(a.value)) ? snoozeMinutes : [...snoozeMinutes, Number(a.value)];
      return pick(minutes.map((m) => ({ value: m, label: snoozeLabel(m) })), true);
    }
    case "send_message":
    case "add_private_note": {
      const text = h("textarea", { ...attrs, rows: 2, required: true, value: String(a.value ?? ""), placeholder: t("macros.text_placeholder") });
      text.addEventListener("input", () => set(text.value));
      return text;
    }
  }
  return null;
}

/** A row's tool button, kept in its place but out of use where it has nothing to do. */
function tool(b: HTMLButtonElement, usable: boolean): HTMLButtonElement {
  b.disabled = !usable;
  return b;
}

/** Opens the builder for a new macro (null) or one to change. */
export function editMacro(m: Macro | null, done: () => void): void {
  const name = h("input", { name: "name", value: m?.name ?? "", required: true, maxlength: 80, placeholder: t("macros.name_placeholder") });
  const visibilities = [{ value: "personal", label: t("macros.visibility.personal") }, ...(isAdmin() ? [{ value: "account", label: t("macros.visibility.account") }] : [])];
  const visibility = select(visibilities, m?.visibility ?? "personal", () => {}, { name: "visibility" });
  const actions: MacroAction[] = m ? m.actions.map((a) => ({ ...a })) : [{ action: "add_label", value: firstValue("add_label") }];
  const list = h("ol", { class: "macro-actions" });
  const add = button([icon("plus", "icon small"), t("macros.add_action")], () => {
    actions.push({ action: "add_label", value: firstValue("add_label") });
    render();
    list.querySelector<HTMLElement>("li:last-child select")?.focus();
  }, "add-action");

  const move = (i: number, by: number) => {
    const [a] = actions.splice(i, 1);
    actions.splice(i + by, 0, a);
    render();
  };
  function row(a: MacroAction, i: number): HTMLElement {
    const kind = select(actionKinds.map((k) => ({ value: k, label: t("macros.action." + k) })), a.action, (v) => {
      actions[i] = { action: v as Kind, value: firstValue(v as Kind) };
      render();
    }, { name: "action", "aria-label": t("macros.action", { n: num(i + 1) }) });
    return h(
      "li",
      { class: "macro-action" },
      h("span", { class: "step", "aria-hidden": "true" }, num(i + 1)),
      h("div", { class: "macro-action-body" }, kind, valuePicker(a, (v) => (actions[i].value = v))),
      h(
        "div",
        { class: "macro-action-tools" },
        tool(iconButton("up", t("macros.move_up"), () => move(i, -1), "small"), i > 0),
        tool(iconButton("down", t("macros.move_down"), () => move(i, 1), "small"), i < actions.length - 1),
        tool(iconButton("trash", t("macros.remove_action"), () => (actions.splice(i, 1), render()), "small"), actions.length > 1),
      ),
    );
  }
  function render(): void {
    replace(list, actions.map(row));
    add.hidden = actions.length >= 10;
  }
  render();

  const close = modal(
    m ? t("macros.edit") : t("macros.create"),
    form(
      async () => {
        const body = { name: name.value.trim(), visibility: visibility.value as Macro["visibility"], actions: actions.map((a) => (a.action === "resolve" ? { action: a.action } : a)) };
        if (await attempt(() => (m ? macrosApi.update(m.id, body) : macrosApi.create(body)))) {
          close();
          done();
        }
      },
      field(t("macros.name"), name),
      field(t("macros.visibility"), visibility, isAdmin() ? t("macros.visibility_hint") : t("macros.visibility_agent_hint")),
      h("div", { class: "field" }, h("span", { class: "field-label" }, t("macros.actions")), list, add, h("span", { class: "hint" }, t("macros.actions_hint"))),
      h("div", { class: "form-actions" }, submit(t("action.save"))),
    ),
    { wide: true },
  );
}
