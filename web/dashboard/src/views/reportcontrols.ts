// The Reports page's controls: the period (a preset or from–to dates), the
// filters, filled from the account's inboxes, teams, agents, channels and
// labels, and business hours. Each change gives the page a new state.
import { h } from "../dom";
import { t, tOr } from "../i18n";
import { channels, state } from "../state";
import { field, select } from "../ui";
import { filterKeys, presets, type ReportState } from "./reportstate";

type Option = { value: string; label: string };

// Whether the reader opened the filters on a phone; the controls are
// rebuilt with each change and keep it.
let unfolded = false;

function filter(name: keyof ReportState, label: string, all: string, options: Option[], s: ReportState, set: (p: Partial<ReportState>) => void): HTMLElement {
  const value = String(s[name]);
  // A shared link may name something this reader's lists do not have.
  if (value && !options.some((o) => o.value === value)) options = [...options, { value, label: value }];
  return field(label, select([{ value: "", label: all }, ...options], value, (v) => set({ [name]: v }), { name }));
}

/** The controls for state s; set is called with what changed. */
export function controls(s: ReportState, set: (p: Partial<ReportState>) => void): HTMLElement {
  const period = select(
    [...presets.map((p) => ({ value: p, label: t("reports.last_days", { n: Number(p) }) })), { value: "custom", label: t("reports.custom") }],
    s.period,
    (v) => set({ period: v }),
    { name: "period" },
  );
  const from = h("input", { type: "date", name: "from", value: s.from, max: s.to, required: true });
  const to = h("input", { type: "date", name: "to", value: s.to, min: s.from, required: true });
  const dates = () => {
    if (from.value && to.value && from.value <= to.value) set({ period: "custom", from: from.value, to: to.value });
  };
  from.addEventListener("change", dates);
  to.addEventListener("change", dates);
  const bh = h("input", { type: "checkbox", name: "business_hours", checked: s.business_hours, onchange: () => set({ business_hours: bh.checked }) });
  // On a phone the filters fold under a button that counts those set, so
  // the figures show without scrolling past five lists.
  const set_ = filterKeys.filter((k) => s[k]).length + (s.business_hours ? 1 : 0);
  const fold = h("button", { type: "button", class: "btn small only-mobile report-fold", "aria-expanded": String(unfolded),
    onclick: () => {
      unfolded = form.classList.toggle("unfolded");
      fold.setAttribute("aria-expanded", String(unfolded));
    } },
  set_ ? t("reports.filters_set", { n: set_ }) : t("reports.filters"));
  const form = h("form", { class: "report-controls" + (unfolded ? " unfolded" : ""), "aria-label": t("reports.controls"), onsubmit: (e: Event) => e.preventDefault() },
    h("div", { class: "report-period" },
      field(t("reports.period"), period),
      field(t("reports.from"), from),
      field(t("reports.to"), to)),
    fold,
    h("div", { class: "report-filters" },
      filter("inbox_id", t("reports.inbox"), t("reports.all_inboxes"), state.inboxes.map((i) => ({ value: String(i.id), label: i.name })), s, set),
      filter("team_id", t("reports.team"), t("reports.all_teams"), state.teams.map((tm) => ({ value: String(tm.id), label: tm.name })), s, set),
      filter("agent_id", t("reports.agent"), t("reports.all_agents"), state.users.map((u) => ({ value: String(u.id), label: u.name })), s, set),
      filter("channel", t("reports.channel"), t("reports.all_channels"), channels().map((c) => ({ value: c, label: tOr("channel." + c, c) })), s, set),
      filter("label", t("reports.label"), t("reports.all_labels"), state.labels.map((l) => ({ value: l.name, label: l.name })), s, set)),
    h("label", { class: "report-bh" }, bh, h("span", null, t("reports.business_hours"))));
  return form;
}
