// Settings › Automation: the account's rules (on or off, event, last run),
// a builder of a rule from lists (event, an all/any group of conditions,
// actions with their values) with the server's errors shown beside the
// condition or action at fault, and a rule's page with its runs.
import { loadSLAPolicies, slaPolicies } from "./sla";
import { APIError, automationApi, type AutomationRuleInput } from "../api";
import { h, replace, type Child } from "../dom";
import { localeNames, longTime, num, t } from "../i18n";
import { icon } from "../icons";
import { navigate, type Route } from "../router";
import { state } from "../state";
import type { AutomationRule, AutomationRun, RuleAction, RuleCondition } from "../types";
import { button, confirmDialog, empty, errorText, iconButton, select, toast } from "../ui";
import { form, submit } from "./forms";

type Option = { value: string; label: string };

const events = ["message_created", "conversation_created", "conversation_updated", "conversation_resolved", "contact_created", "sla_breached"];

// A new contact has no conversation: its rules read only these, and only
// send an email or call a webhook.
const contactAttributes = ["contact_attribute", "cart_value", "business_hours"];
const contactActions = ["send_email", "call_webhook"];
const attributesOf = (event: string) => (event === "contact_created" ? contactAttributes : Object.keys(attributes));
const actionsOf = (event: string) => (event === "contact_created" ? contactActions : Object.keys(actions));

/** How the dashboard offers an attribute: its operators and its values. */
interface Attribute {
  ops: string[];
  kind: "number" | "string" | "boolean";
  /** The values to choose from; none: a text or number box. */
  options?: () => Option[];
  /** A box for a number (step), when there is no list. */
  step?: number;
}

const priorities = (): Option[] => [0, 1, 2, 3, 4].map((p) => ({ value: String(p), label: t("priority." + p) }));

function channelOptions(): Option[] {
  const names = new Set<string>([...state.channels.map((c) => c.name), ...state.inboxes.map((i) => i.channel)]);
  return [...names].sort().map((n) => ({ value: n, label: t("channel." + n) === "channel." + n ? n : t("channel." + n) }));
}

const attributes: Record<string, Attribute> = {
  content: { ops: ["contains", "equals", "not_equals"], kind: "string" },
  message_type: { ops: ["equals", "not_equals"], kind: "string", options: () => ["incoming", "outgoing"].map((v) => ({ value: v, label: t("automation.message_type." + v) })) },
  private: { ops: ["equals"], kind: "boolean", options: () => [{ value: "true", label: t("automation.yes") }, { value: "false", label: t("automation.no") }] },
  public: { ops: ["equals"], kind: "boolean", options: () => [{ value: "true", label: t("automation.public.true") }, { value: "false", label: t("automation.public.false") }] },
  inbox_id: { ops: ["equals", "not_equals", "in"], kind: "number", options: () => state.inboxes.map((i) => ({ value: String(i.id), label: i.name })) },
  channel: { ops: ["equals", "not_equals", "in"], kind: "string", options: channelOptions },
  language: { ops: ["equals", "not_equals", "in"], kind: "string", options: () => (["en", "bn", "hi"] as const).map((l) => ({ value: l, label: localeNames[l] })) },
  sentiment: { ops: ["equals", "not_equals", "in"], kind: "string", options: () => ["negative", "neutral", "positive"].map((m) => ({ value: m, label: t("mood." + m) })) },
  urgency: { ops: ["gte"], kind: "number", options: () => [0.25, 0.5, 0.75, 0.9].map((u) => ({ value: String(u), label: num(u * 100) + "%" })) },
  labels: { ops: ["contains", "in"], kind: "string", options: () => state.labels.map((l) => ({ value: l.name, label: l.name })) },
  priority: { ops: ["equals", "not_equals", "in", "gte"], kind: "number", options: priorities },
  status: { ops: ["equals", "not_equals", "in"], kind: "string", options: () => ["open", "pending", "snoozed", "resolved"].map((s) => ({ value: s, label: t("status." + s) })) },
  contact_attribute: { ops: ["equals", "not_equals", "contains"], kind: "string" },
  cart_value: { ops: ["gte", "lte"], kind: "number", step: 0.01 },
  business_hours: { ops: ["equals"], kind: "string", options: () => ["in", "out"].map((v) => ({ value: v, label: t("automation.hours." + v) })) },
};

/** How the dashboard offers an action's value. */
interface Action {
  /** The values to choose from. */
  options?: () => Option[];
  number?: boolean;
  /** A text to write. */
  text?: boolean;
  /** An object of fields, each a box or a list. */
  fields?: Field[];
}

interface Field {
  key: string;
  kind: "text" | "textarea" | "email" | "url" | "password";
  options?: () => Option[];
  number?: boolean;
}

const emailInboxes = (): Option[] => state.inboxes.filter((i) => i.channel === "email").map((i) => ({ value: String(i.id), label: i.name }));

const snoozes = [30, 60, 240, 1440, 10080];

const actions: Record<string, Action> = {
  add_label: { options: () => state.labels.map((l) => ({ value: l.name, label: l.name })) },
  remove_label: { options: () => state.labels.map((l) => ({ value: l.name, label: l.name })) },
  set_priority: { options: priorities, number: true },
  assign_agent: { options: () => state.users.map((u) => ({ value: String(u.id), label: u.name })), number: true },
  assign_team: { options: () => state.teams.map((tm) => ({ value: String(tm.id), label: tm.name })), number: true },
  send_message: { text: true },
  add_private_note: { text: true },
  snooze: { options: () => snoozes.map((m) => ({ value: String(m), label: t("automation.snooze." + m) })), number: true },
  resolve: {},
  send_canned_response: { options: () => state.canned.map((c) => ({ value: String(c.id), label: "/" + c.short_code })), number: true },
  send_email: {
    fields: [
      { key: "inbox_id", kind: "text", options: emailInboxes, number: true },
      { key: "to", kind: "email" },
      { key: "subject", kind: "text" },
      { key: "content", kind: "textarea" },
    ],
  },
  call_webhook: { fields: [{ key: "url", kind: "url" }, { key: "secret", kind: "password" }] },
  apply_sla: { options: () => slaPolicies.map((p) => ({ value: String(p.id), label: p.name })), number: true },
};

/** The rule being built: what the form shows and saves. */
interface Draft {
  name: string;
  event: string;
  enabled: boolean;
  mode: "all" | "any";
  conditions: RuleCondition[];
  actions: RuleAction[];
}

function draftOf(r: AutomationRule | null): Draft {
  if (!r) return { name: "", event: "message_created", enabled: true, mode: "all", conditions: [], actions: [] };
  const any = (r.conditions.any?.length ?? 0) > 0;
  return {
    name: r.name,
    event: r.event,
    enabled: r.enabled,
    mode: any ? "any" : "all",
    conditions: structuredClone((any ? r.conditions.any : r.conditions.all) ?? []),
    actions: structuredClone(r.actions ?? []),
  };
}

function input(d: Draft): AutomationRuleInput {
  return { name: d.name.trim(), event: d.event, enabled: d.enabled, conditions: d.conditions.length ? { [d.mode]: d.conditions } : {}, actions: d.actions };
}

/** A value as the server takes it: a number, true or false, or text. */
function typed(kind: string, v: string): unknown {
  if (kind === "number") return v === "" ? null : Number(v);
  if (kind === "boolean") return v === "true";
  return v;
}

/** A fresh condition of an attribute, with its first operator and value. */
function newCondition(attribute: string): RuleCondition {
  const a = attributes[attribute];
  const first = a.options?.()[0]?.value;
  const c: RuleCondition = { attribute, operator: a.ops[0], value: first === undefined ? (a.kind === "number" ? null : "") : typed(a.kind, first) };
  if (attribute === "contact_attribute") c.key = "";
  return c;
}

function newAction(action: string): RuleAction {
  const a = actions[action];
  if (a.text) return { action, value: "" };
  if (a.fields) {
    const value: Record<string, unknown> = {};
    for (const f of a.fields) {
      const first = f.options?.()[0]?.value;
      value[f.key] = f.options ? (first === undefined ? 0 : f.number ? Number(first) : first) : "";
    }
    return { action, value };
  }
  const first = a.options?.()[0]?.value;
  if (first === undefined) return { action };
  return { action, value: a.number ? Number(first) : first };
}

/** A select whose options include value even when the list lacks it (a deleted label). */
function pick(options: Option[], value: string, onchange: (v: string) => void, attrs: Record<string, string>): HTMLSelectElement {
  const list = options.some((o) => o.value === value) || value === "" ? options : [...options, { value, label: value }];
  return select(list, value, onchange, attrs);
}

/** The value control of a condition: a list, checkboxes for "in", or a box. */
function conditionValue(c: RuleCondition, i: number): HTMLElement {
  const a = attributes[c.attribute];
  const name = `condition_${i}_value`;
  const options = a.options?.();
  if (options && c.operator === "in") {
    const chosen = (Array.isArray(c.value) ? c.value : [c.value]).map(String);
    const boxes = options.map((o) => {
      const box = h("input", { type: "checkbox", name, value: o.value, checked: chosen.includes(o.value) });
      box.addEventListener("change", () => {
        c.value = boxes.filter((b) => b.checked).map((b) => typed(a.kind, b.value));
      });
      return box;
    });
    return h("div", { class: "checks rule-value" }, boxes.map((b, k) => h("label", { class: "check" }, b, options[k].label)));
  }
  if (options) {
    if (Array.isArray(c.value)) c.value = c.value[0] ?? typed(a.kind, options[0]?.value ?? "");
    return pick(options, c.value === null || c.value === undefined ? "" : String(c.value), (v) => (c.value = typed(a.kind, v)), { name, class: "rule-value", "aria-label": t("automation.value") });
  }
  const box = h("input", { name, class: "rule-value", value: c.value === null || c.value === undefined ? "" : String(c.value), "aria-label": t("automation.value"), placeholder: t("automation.value_hint") });
  if (a.kind === "number") {
    box.type = "number";
    if (a.step) box.step = String(a.step);
  }
  box.addEventListener("input", () => (c.value = typed(a.kind, box.value)));
  return box;
}

/** The boxes of an action whose value is an object (an email, a webhook). */
function actionFields(act: RuleAction, fields: Field[], i: number, saved: boolean): HTMLElement {
  const value = (act.value && typeof act.value === "object" ? act.value : {}) as Record<string, unknown>;
  act.value = value;
  return h(
    "div",
    { class: "rule-value rule-fields" },
    fields.map((f) => {
      const name = `action_${i}_${f.key}`;
      const label = t(`automation.${act.action}.${f.key}`);
      const current = value[f.key] === undefined || value[f.key] === null ? "" : String(value[f.key]);
      if (f.options) {
        const options = f.options();
        if (!options.length) return h("span", { class: "hint" }, t("automation.no_email_inbox"));
        return pick(options, current, (v) => (value[f.key] = f.number ? Number(v) : v), { name, "aria-label": label });
      }
      const box =
        f.kind === "textarea"
          ? h("textarea", { name, rows: 2, "aria-label": label, placeholder: label })
          : h("input", { name, type: f.kind, "aria-label": label, placeholder: f.kind === "password" && saved ? t("automation.call_webhook.secret_kept") : label, autocomplete: f.kind === "password" ? "new-password" : "off", spellcheck: f.kind === "url" || f.kind === "email" || f.kind === "password" ? "false" : "true" });
      box.value = current;
      box.addEventListener("input", () => (value[f.key] = box.value));
      return box;
    }),
  );
}

function actionValue(act: RuleAction, i: number, saved = false): HTMLElement | null {
  const a = actions[act.action];
  const name = `action_${i}_value`;
  if (a.fields) return actionFields(act, a.fields, i, saved);
  if (a.text) {
    const box = h("textarea", { name, rows: 2, class: "rule-value", "aria-label": t("automation.message"), placeholder: t("automation.message_hint") });
    box.value = typeof act.value === "string" ? act.value : "";
    box.addEventListener("input", () => (act.value = box.value));
    return box;
  }
  const options = a.options?.();
  if (!options) return null;
  const v = act.value === null || act.value === undefined ? "" : String(act.value);
  if (!options.length) return h("span", { class: "hint rule-value" }, t("automation.nothing_to_pick"));
  return pick(options, v, (x) => (act.value = a.number ? Number(x) : x), { name, class: "rule-value", "aria-label": t("automation.value") });
}

/** The builder: the form of a rule, saved by save; errors show beside their field. */
function builder(d: Draft, save: (d: Draft) => Promise<void>, extra: Child = null, saved = false): HTMLFormElement {
  const nameBox = h("input", { name: "name", value: d.name, required: true, maxlength: 80, autocomplete: "off", placeholder: t("automation.name_hint") });
  nameBox.addEventListener("input", () => (d.name = nameBox.value));
  const eventSelect = select(events.map((e) => ({ value: e, label: t("automation.event." + e) })), d.event, (v) => {
    d.event = v;
    // What the event cannot have goes: a new contact has no conversation.
    d.conditions = d.conditions.filter((c) => attributesOf(v).includes(c.attribute));
    d.actions = d.actions.filter((a) => actionsOf(v).includes(a.action));
    drawConditions();
    drawActions();
  }, { name: "event" });
  const errors = {
    name: h("span", { class: "field-error", role: "alert" }),
    event: h("span", { class: "field-error", role: "alert" }),
    conditions: h("span", { class: "field-error", role: "alert" }),
    actions: h("span", { class: "field-error", role: "alert" }),
    form: h("p", { class: "form-error", role: "alert" }),
  };
  const conditionRows = h("div", { class: "rule-rows conditions" });
  const actionRows = h("div", { class: "rule-rows actions" });
  let conditionErrors: HTMLElement[] = [];
  let actionErrors: HTMLElement[] = [];

  const modeSelect = select([{ value: "all", label: t("automation.mode.all") }, { value: "any", label: t("automation.mode.any") }], d.mode, (v) => (d.mode = v as Draft["mode"]), { name: "mode", "aria-label": t("automation.mode") });

  function drawConditions(): void {
    conditionErrors = [];
    replace(
      conditionRows,
      d.conditions.length ? null : h("p", { class: "hint" }, t("automation.no_conditions")),
      d.conditions.map((c, i) => {
        const attr = select(attributesOf(d.event).map((k) => ({ value: k, label: t("automation.attribute." + k) })), c.attribute, (v) => {
          d.conditions[i] = newCondition(v);
          drawConditions();
        }, { name: `condition_${i}_attribute`, class: "rule-attr", "aria-label": t("automation.attribute") });
        let key: HTMLInputElement | null = null;
        if (c.attribute === "contact_attribute") {
          const box = h("input", { name: `condition_${i}_key`, class: "rule-key", value: c.key ?? "", "aria-label": t("automation.key"), placeholder: t("automation.key_hint"), autocomplete: "off", spellcheck: "false" });
          box.addEventListener("input", () => (c.key = box.value.trim()));
          key = box;
        }
        const ops = attributes[c.attribute]?.ops ?? [];
        const op = select(ops.map((o) => ({ value: o, label: t("automation.op." + o) })), c.operator, (v) => {
          const wasIn = c.operator === "in";
          c.operator = v;
          if (v === "in" && !Array.isArray(c.value)) c.value = c.value === "" || c.value === null ? [] : [c.value];
          if (wasIn && v !== "in") c.value = Array.isArray(c.value) ? c.value[0] ?? newCondition(c.attribute).value : c.value;
          drawConditions();
        }, { name: `condition_${i}_operator`, class: "rule-op", "aria-label": t("automation.operator") });
        const err = h("span", { class: "field-error", role: "alert" });
        conditionErrors.push(err);
        return h(
          "div",
          { class: "rule-row", dataset: { index: String(i) } },
          h("div", { class: "rule-controls" }, attr, key, op, conditionValue(c, i), iconButton("trash", t("automation.remove_condition"), () => {
            d.conditions.splice(i, 1);
            drawConditions();
          })),
          err,
        );
      }),
    );
  }

  function drawActions(): void {
    actionErrors = [];
    replace(
      actionRows,
      d.actions.length ? null : h("p", { class: "hint" }, t("automation.no_actions")),
      d.actions.map((act, i) => {
        const kind = select(actionsOf(d.event).map((k) => ({ value: k, label: t("automation.action." + k) })), act.action, (v) => {
          d.actions[i] = newAction(v);
          drawActions();
        }, { name: `action_${i}_action`, class: "rule-attr", "aria-label": t("automation.action") });
        const err = h("span", { class: "field-error", role: "alert" });
        actionErrors.push(err);
        return h(
          "div",
          { class: "rule-row", dataset: { index: String(i) } },
          h("div", { class: "rule-controls" }, kind, actionValue(act, i, saved), iconButton("trash", t("automation.remove_action"), () => {
            d.actions.splice(i, 1);
            drawActions();
          })),
          err,
        );
      }),
    );
  }

  function clearErrors(): void {
    for (const e of [...Object.values(errors), ...conditionErrors, ...actionErrors]) e.textContent = "";
  }

  // The server names what it refused: "condition 2: …", "action 1: …",
  // the name or the event; the message goes beside it.
  function showError(e: unknown): void {
    const msg = errorText(e);
    if (!(e instanceof APIError) || e.status !== 422) {
      errors.form.textContent = msg;
      return;
    }
    let m = /^condition (\d+): /.exec(msg);
    if (m && conditionErrors[Number(m[1]) - 1]) {
      conditionErrors[Number(m[1]) - 1].textContent = msg.slice(m[0].length);
      return;
    }
    m = /^action (\d+): /.exec(msg);
    if (m && actionErrors[Number(m[1]) - 1]) {
      actionErrors[Number(m[1]) - 1].textContent = msg.slice(m[0].length);
      return;
    }
    if (/^name\b/.test(msg)) errors.name.textContent = msg;
    else if (/\bevent\b/.test(msg)) errors.event.textContent = msg;
    else if (/condition/.test(msg)) errors.conditions.textContent = msg;
    else if (/action/.test(msg)) errors.actions.textContent = msg;
    else errors.form.textContent = msg;
  }

  drawConditions();
  drawActions();
  const addCondition = button([icon("plus", "icon small"), t("automation.add_condition")], () => {
    d.conditions.push(newCondition(attributesOf(d.event)[0]));
    drawConditions();
    conditionRows.querySelector<HTMLElement>(`[data-index="${d.conditions.length - 1}"] select`)?.focus();
  }, "add-condition");
  const addAction = button([icon("plus", "icon small"), t("automation.add_action")], () => {
    d.actions.push(newAction(actionsOf(d.event)[0]));
    drawActions();
    actionRows.querySelector<HTMLElement>(`[data-index="${d.actions.length - 1}"] select`)?.focus();
  }, "add-action");
  const enabledBox = h("input", { type: "checkbox", name: "enabled", checked: d.enabled });
  enabledBox.addEventListener("change", () => (d.enabled = enabledBox.checked));

  return form(
    async () => {
      clearErrors();
      try {
        await save(d);
      } catch (e) {
        showError(e);
        toast(errorText(e), "error");
      }
    },
    h("label", { class: "field" }, h("span", { class: "field-label" }, t("automation.name")), nameBox, errors.name),
    h("label", { class: "field" }, h("span", { class: "field-label" }, t("automation.when")), eventSelect, errors.event),
    h("fieldset", { class: "rule-group" }, h("legend", null, t("automation.if")), h("div", { class: "rule-mode" }, modeSelect), conditionRows, errors.conditions, addCondition),
    h("fieldset", { class: "rule-group" }, h("legend", null, t("automation.then")), actionRows, errors.actions, addAction),
    h("label", { class: "check" }, enabledBox, t("automation.enabled")),
    errors.form,
    h("div", { class: "form-actions" }, extra, submit(t("action.save"))),
  );
}

function outcomeBadge(outcome: string): HTMLElement {
  return h("span", { class: "status-badge run-" + outcome }, t("automation.outcome." + outcome));
}

async function list(el: HTMLElement): Promise<void> {
  let rules: AutomationRule[];
  try {
    rules = await automationApi.rules();
  } catch (e) {
    replace(el, empty(errorText(e)));
    return;
  }
  replace(
    el,
    h("div", { class: "toolbar" }, button([icon("plus", "icon small"), t("automation.create")], () => navigate("/settings/automation/new"), "primary add")),
    h("p", { class: "hint rules-help" }, t("automation.help")),
    rules.length
      ? h(
          "table",
          { class: "table rules" },
          h("thead", null, h("tr", null, [t("automation.on"), t("automation.name"), t("automation.when"), t("automation.last_run")].map((c) => h("th", null, c)))),
          h(
            "tbody",
            null,
            rules.map((r) => {
              const box = h("input", { type: "checkbox", class: "rule-toggle", checked: r.enabled, "aria-label": t("automation.enabled_named", { name: r.name }) });
              box.addEventListener("change", async () => {
                box.disabled = true;
                try {
                  r.enabled = (await automationApi.update(r.id, { enabled: box.checked })).enabled;
                  toast(r.enabled ? t("automation.turned_on") : t("automation.turned_off"));
                } catch (e) {
                  box.checked = r.enabled;
                  toast(errorText(e), "error");
                } finally {
                  box.disabled = false;
                }
              });
              return h(
                "tr",
                { dataset: { id: String(r.id) } },
                h("td", { "data-label": t("automation.on") }, box),
                h("td", { "data-label": t("automation.name") }, h("a", { href: "/settings/automation/" + r.id, "data-nav": "", class: "rule-name" }, r.name)),
                h("td", { "data-label": t("automation.when") }, t("automation.event." + r.event)),
                h("td", { "data-label": t("automation.last_run") }, r.last_run_at ? [longTime(r.last_run_at), " ", outcomeBadge(r.last_outcome ?? "ok")] : t("automation.never")),
              );
            }),
          ),
        )
      : empty(t("automation.none")),
  );
}

/** A run's detail with the actions it names in the reader's language: "add_label; set_priority". */
function runDetail(detail: string): string {
  detail = detail.replace(/(; )?contact \d+$/, "");
  if (!detail) return "—";
  return detail
    .split("; ")
    .map((part) => {
      const name = /^(\w+)(: .*)?$/.exec(part);
      return name && name[1] in actions ? t("automation.action." + name[1]) + (name[2] ?? "") : part;
    })
    .join("; ");
}

/** What a run acted on: its conversation, or the new contact of a contact_created rule. */
function runTarget(r: AutomationRun): Child {
  if (r.conversation_display_id) return h("a", { href: "/conversations/" + r.conversation_id, "data-nav": "", class: "run-conversation" }, "#" + num(r.conversation_display_id));
  const contact = /contact (\d+)$/.exec(r.detail);
  if (contact) return h("a", { href: "/contacts/" + contact[1], "data-nav": "", class: "run-contact" }, t("automation.new_contact"));
  return "—";
}

function runsTable(runs: AutomationRun[]): HTMLElement {
  if (!runs.length) return empty(t("automation.no_runs"));
  const cols = [t("automation.run_at"), t("automation.conversation"), t("automation.outcome"), t("automation.detail")];
  return h(
    "table",
    { class: "table runs" },
    h("thead", null, h("tr", null, cols.map((c) => h("th", null, c)))),
    h(
      "tbody",
      null,
      runs.map((r) =>
        h(
          "tr",
          { dataset: { id: String(r.id), outcome: r.outcome } },
          h("td", { "data-label": cols[0] }, longTime(r.at)),
          h("td", { "data-label": cols[1] }, runTarget(r)),
          h("td", { "data-label": cols[2] }, outcomeBadge(r.outcome)),
          h("td", { "data-label": cols[3], class: "run-detail" }, runDetail(r.detail)),
        ),
      ),
    ),
  );
}

async function page(el: HTMLElement, id: number): Promise<void> {
  let rule: AutomationRule | null = null;
  if (id) {
    try {
      rule = await automationApi.rule(id);
    } catch (e) {
      replace(el, empty(errorText(e)));
      return;
    }
  }
  const back = h("a", { href: "/settings/automation", "data-nav": "", class: "back-link" }, icon("back", "icon small"), t("automation.all_rules"));
  const d = draftOf(rule);
  const save = async (d: Draft) => {
    if (rule) {
      rule = await automationApi.update(rule.id, input(d));
      toast(t("saved"));
      title.textContent = rule.name;
    } else {
      const made = await automationApi.create(input(d));
      toast(t("automation.created"));
      navigate("/settings/automation/" + made.id, true);
    }
  };
  const remove = rule
    ? button(t("action.delete"), async () => {
        if (!rule || !(await confirmDialog(t("automation.delete_confirm", { name: rule.name }), t("action.delete"), true))) return;
        try {
          await automationApi.remove(rule.id);
          toast(t("deleted"));
          navigate("/settings/automation");
        } catch (e) {
          toast(errorText(e), "error");
        }
      }, "danger")
    : null;
  const title = h("h2", null, rule ? rule.name : t("automation.create"));
  const runsBox = h("div", { class: "runs-box" });
  const loadRuns = async () => {
    if (!rule) return;
    try {
      replace(runsBox, runsTable(await automationApi.runs(rule.id)));
    } catch (e) {
      replace(runsBox, empty(errorText(e)));
    }
  };
  replace(
    el,
    back,
    h("div", { class: "rule-page" }, title, builder(d, save, remove, !!rule)),
    rule
      ? h(
          "section",
          { class: "rule-runs" },
          h("div", { class: "section-head" }, h("h2", null, t("automation.runs")), button(t("automation.refresh"), () => void loadRuns(), "refresh-runs")),
          h("p", { class: "hint" }, t("automation.runs_help")),
          runsBox,
        )
      : null,
  );
  await loadRuns();
}

/** Settings › Automation: the list, or a rule's page (/settings/automation/{id} or /new). */
export async function automation(el: HTMLElement, route: Route): Promise<void> {
  await loadSLAPolicies();
  if (route.sub === "new") return page(el, 0);
  if (/^\d+$/.test(route.sub)) return page(el, Number(route.sub));
  return list(el);
}
