// Settings › SLAs: the account's SLA policies in the order they are tried,
// and an administrator's editor of one (docs/sla.md). Also the SLA clock
// chip of a conversation: "due in 12m", "breached 5m ago".
import { slaApi, type ConversationSLA, type SLAPolicy, type SLAPolicyInput } from "../api";
import { h, replace } from "../dom";
import { num, t } from "../i18n";
import { icon } from "../icons";
import { isAdmin, state } from "../state";
import type { Conversation } from "../types";
import { button, confirmDialog, empty, errorText, field, iconButton, modal, select } from "../ui";
import { attempt, checkboxes, form, submit } from "./forms";

type Target = "first_response" | "next_response" | "resolution";
const targets: Target[] = ["first_response", "next_response", "resolution"];
const units = [
  { value: "60", key: "sla.unit.minutes" },
  { value: "3600", key: "sla.unit.hours" },
  { value: "86400", key: "sla.unit.days" },
];

/** A duration in words: "1h 30m", "2d". */
export function slaSpan(seconds: number): string {
  const m = Math.max(1, Math.round(Math.abs(seconds) / 60));
  if (m < 60) return t("sla.span.m", { m: num(m) });
  const hours = Math.floor(m / 60);
  if (hours < 48) return m % 60 ? t("sla.span.hm", { h: num(hours), m: num(m % 60) }) : t("sla.span.h", { h: num(hours) });
  return t("sla.span.d", { d: num(Math.round(hours / 24)) });
}

function targetsText(p: SLAPolicy): string {
  return targets
    .filter((k) => p[`${k}_seconds`] > 0)
    .map((k) => t("sla.target." + k) + " " + slaSpan(p[`${k}_seconds`]))
    .join(" · ");
}

function scopeText(p: SLAPolicy): string {
  const parts: string[] = [];
  if (p.inbox_ids.length) parts.push(p.inbox_ids.map((id) => state.inboxes.find((i) => i.id === id)?.name ?? "#" + id).join(", "));
  if (p.team_ids.length) parts.push(p.team_ids.map((id) => state.teams.find((tm) => tm.id === id)?.name ?? "#" + id).join(", "));
  if (p.labels.length) parts.push(p.labels.join(", "));
  if (p.priorities.length) parts.push(p.priorities.map((n) => t("priority." + n)).join(", "));
  return parts.length ? parts.join(" · ") : t("sla.applies_all");
}

export async function slaSettings(el: HTMLElement): Promise<void> {
  const reload = () => void slaSettings(el);
  let list: SLAPolicy[];
  try {
    list = await slaApi.list();
  } catch (e) {
    replace(el, empty(errorText(e)));
    return;
  }
  const item = (p: SLAPolicy) =>
    h(
      "li",
      { class: "sla-item", dataset: { id: String(p.id) } },
      h(
        "div",
        { class: "macro-item-head" },
        h("strong", { class: "sla-name" }, p.name),
        h("span", { class: "badge" }, p.business_hours ? t("sla.business_hours") : t("sla.calendar")),
        isAdmin()
          ? h(
              "span",
              { class: "actions" },
              iconButton("edit", t("action.edit"), () => editPolicy(p, reload)),
              iconButton("trash", t("action.delete"), async () => {
                if (!(await confirmDialog(t("sla.delete_confirm", { name: p.name }), t("action.delete"), true))) return;
                if (await attempt(() => slaApi.remove(p.id), t("deleted"))) reload();
              }),
            )
          : null,
      ),
      h("div", { class: "sla-targets" }, targetsText(p)),
      h("div", { class: "hint sla-scope" }, scopeText(p)),
    );
  replace(
    el,
    h("h2", null, t("settings.sla")),
    h("p", { class: "hint" }, t("sla.help")),
    isAdmin() ? h("div", { class: "toolbar" }, button([icon("plus", "icon small"), t("sla.create")], () => editPolicy(null, reload), "primary add")) : null,
    list.length ? h("ol", { class: "macro-list sla-list" }, list.map(item)) : empty(t("sla.none")),
  );
}

/** A target's inputs: an amount and a unit; empty is no target. */
function targetInput(k: Target, seconds: number): { el: HTMLElement; value: () => number } {
  const unit = seconds > 0 && seconds % 86400 === 0 ? "86400" : seconds > 0 && seconds % 3600 === 0 ? "3600" : "60";
  const amount = h("input", { type: "number", name: k, min: 0, step: "any", dir: "ltr", value: seconds > 0 ? String(seconds / Number(unit)) : "", "aria-label": t("sla.target." + k) });
  const unitSelect = select(units.map((u) => ({ value: u.value, label: t(u.key) })), unit, () => {}, { name: k + "_unit", "aria-label": t("sla.unit") });
  return {
    el: field(t("sla.target." + k), h("span", { class: "sla-amount" }, amount, unitSelect)),
    value: () => Math.round(Number(amount.value || 0) * Number(unitSelect.value)),
  };
}

/** Opens the editor of a new policy (null) or one to change. */
export function editPolicy(p: SLAPolicy | null, done: () => void): void {
  const name = h("input", { name: "name", value: p?.name ?? "", required: true, maxlength: 80 });
  const inputs = targets.map((k) => targetInput(k, p ? p[`${k}_seconds`] : k === "first_response" ? 3600 : 0));
  const business = h("input", { type: "checkbox", name: "business_hours", checked: p?.business_hours ?? false });
  const warnPercent = h("input", { type: "number", name: "warn_percent", min: 0, max: 99, dir: "ltr", value: String(p?.warn_percent ?? 80) });
  const warnMinutes = h("input", { type: "number", name: "warn_minutes", min: 0, dir: "ltr", value: String(Math.round((p?.warn_seconds ?? 0) / 60)) });
  const position = h("input", { type: "number", name: "position", min: 0, max: 10000, dir: "ltr", value: p ? String(p.position) : "" });
  const inboxes = checkboxes(state.inboxes.map((i) => ({ value: i.id, label: i.name })), p?.inbox_ids ?? [], "inbox_ids");
  const teams = checkboxes(state.teams.map((tm) => ({ value: tm.id, label: tm.name })), p?.team_ids ?? [], "team_ids");
  const labels = checkboxes(state.labels.map((l) => ({ value: l.name, label: l.name })), p?.labels ?? [], "labels");
  const priorities = checkboxes([4, 3, 2, 1, 0].map((n) => ({ value: n, label: t("priority." + n) })), p?.priorities ?? [], "priorities");
  const group = (label: string, c: { el: HTMLElement }) => h("div", { class: "field" }, h("span", { class: "field-label" }, label), c.el);
  const close = modal(
    p ? t("sla.edit") : t("sla.create"),
    form(
      async () => {
        const body: SLAPolicyInput = {
          name: name.value.trim(),
          first_response_seconds: inputs[0].value(),
          next_response_seconds: inputs[1].value(),
          resolution_seconds: inputs[2].value(),
          business_hours: business.checked,
          warn_percent: Math.round(Number(warnPercent.value || 0)),
          warn_seconds: Math.round(Number(warnMinutes.value || 0) * 60),
          inbox_ids: inboxes.values(),
          team_ids: teams.values(),
          labels: labels.values(),
          priorities: priorities.values(),
        };
        if (position.value !== "") body.position = Math.round(Number(position.value));
        if (await attempt(() => (p ? slaApi.update(p.id, body) : slaApi.create(body)))) {
          close();
          done();
        }
      },
      field(t("sla.name"), name),
      ...inputs.map((i) => i.el),
      h("p", { class: "hint" }, t("sla.targets_hint")),
      h("label", { class: "check" }, business, t("sla.count_business_hours")),
      field(t("sla.warn_percent"), warnPercent),
      field(t("sla.warn_minutes"), warnMinutes, t("sla.warn_hint")),
      h("p", { class: "hint" }, t("sla.applies_hint")),
      group(t("sla.inboxes"), inboxes),
      group(t("sla.teams"), teams),
      group(t("sla.labels"), labels),
      group(t("sla.priorities"), priorities),
      field(t("sla.position"), position, t("sla.position_hint")),
      h("div", { class: "form-actions" }, submit(t("action.save"))),
    ),
    { wide: true },
  );
}

/** The soonest running due time of a clock, with its target. */
function soonest(c: ConversationSLA): { target: Target; at: number } | null {
  let best: { target: Target; at: number } | null = null;
  for (const k of targets) {
    const due = c[`${k}_due_at`];
    if (!due) continue;
    const at = Date.parse(due);
    if (!best || at < best.at) best = { target: k, at };
  }
  return best;
}

/** How a clock reads now, and its tone: ok, warn (under a fifth of an hour left) or breached. */
export function slaChipText(c: ConversationSLA, now = Date.now()): { text: string; tone: "ok" | "warn" | "breached"; title: string } | null {
  const next = soonest(c);
  if (!next) {
    return c.breached.length ? { text: t("sla.chip.missed"), tone: "breached", title: c.breached.map((k) => t("sla.target." + k)).join(", ") } : null;
  }
  const left = (next.at - now) / 1000;
  const title = t("sla.target." + next.target) + " · " + c.policy_name;
  if (left <= 0) return { text: t("sla.chip.breached", { span: slaSpan(-left) }), tone: "breached", title };
  return { text: t("sla.chip.due", { span: slaSpan(left) }), tone: left < 15 * 60 ? "warn" : "ok", title };
}

/** A live SLA chip for a conversation: read once, then ticking each 30 seconds while in the page. */
export function slaChip(conversationId: number): HTMLElement {
  const chip = h("span", { class: "sla-chip", hidden: true });
  let clock: ConversationSLA | null = null;
  const paint = () => {
    const v = clock ? slaChipText(clock) : null;
    chip.hidden = !v;
    if (!v) return;
    chip.className = "sla-chip " + v.tone;
    chip.title = v.title;
    replace(chip, icon("clock", "icon small"), v.text);
  };
  void slaApi.clock(conversationId).then((c) => {
    clock = c;
    paint();
    const timer = window.setInterval(() => {
      if (!chip.isConnected) {
        window.clearInterval(timer);
        return;
      }
      paint();
    }, 30_000);
  }, () => {});
  return chip;
}

/** The account's policies as last read, for the automation editor's apply_sla picker. */
export let slaPolicies: SLAPolicy[] = [];

export async function loadSLAPolicies(): Promise<void> {
  try {
    slaPolicies = await slaApi.list();
  } catch {
    // The picker is then empty; the rule's other actions still work.
  }
}

// The list's chips: the clocks of the conversations shown are read in one
// request per render, kept a minute for a conversation not changed since.
const listClocks = new Map<number, { key: string; at: number; clock: ConversationSLA | null }>();
let pending: { c: Conversation; chip: HTMLElement }[] = [];

function paintChip(chip: HTMLElement, clock: ConversationSLA | null): void {
  const v = clock ? slaChipText(clock) : null;
  chip.hidden = !v;
  if (!v) return;
  chip.className = "sla-chip " + v.tone;
  chip.title = v.title;
  replace(chip, v.text);
}

async function fetchPending(): Promise<void> {
  const batch = pending;
  pending = [];
  const ids = [...new Set(batch.map((b) => b.c.id))].slice(0, 100);
  try {
    const got = new Map((await slaApi.clocks(ids)).map((x) => [x.conversation_id, x]));
    for (const b of batch) {
      const clock = got.get(b.c.id) ?? null;
      listClocks.set(b.c.id, { key: b.c.updated_at, at: Date.now(), clock });
      paintChip(b.chip, clock);
    }
  } catch {
    // Without clocks the list shows none.
  }
}

/** A conversation list row's SLA chip, filled once the batch of the list's clocks is read, ticking each 30 seconds. */
export function slaListChip(c: Conversation): HTMLElement {
  const chip = h("span", { class: "sla-chip", hidden: true });
  const known = listClocks.get(c.id);
  if (known && known.key === c.updated_at && Date.now() - known.at < 60_000) paintChip(chip, known.clock);
  else {
    if (!pending.length) window.setTimeout(() => void fetchPending(), 0);
    pending.push({ c, chip });
  }
  const timer = window.setInterval(() => {
    if (!chip.isConnected) {
      window.clearInterval(timer);
      return;
    }
    paintChip(chip, listClocks.get(c.id)?.clock ?? null);
  }, 30_000);
  return chip;
}
