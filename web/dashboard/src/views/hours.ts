// The business-hours editor, shared by the widget's settings and any
// channel setting of type "business_hours" (a phone line's hours).

import { h } from "../dom";
import { intlTag, t } from "../i18n";
import type { BusinessHours, Holiday } from "../types";
import { field } from "../ui";
import { timeZones } from "./settings";

const weekdays = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

function weekdayName(day: string): string {
  // 7 January 2024 was a Sunday.
  const d = new Date(2024, 0, 7 + weekdays.indexOf(day));
  return new Intl.DateTimeFormat(intlTag(), { weekday: "long" }).format(d);
}

/** A copy of saved hours (or none) that the editor may change in place. */
export function editableHours(saved: unknown): BusinessHours {
  const b = (saved && typeof saved === "object" ? saved : {}) as Partial<BusinessHours>;
  const out: BusinessHours = { enabled: !!b.enabled, time_zone: b.time_zone || "", days: { ...(b.days ?? {}) } };
  // No holidays saves as no key at all, as the server writes hours back.
  if (b.holidays?.length) out.holidays = [...b.holidays];
  return out;
}

/** Holidays as lines "2026-12-25 Victory Day", and back; the server checks the dates. */
function holidayLines(list: Holiday[]): string {
  return list.map((d) => (d.name ? d.date + " " + d.name : d.date)).join("\n");
}

function parseHolidays(text: string): Holiday[] {
  const out: Holiday[] = [];
  for (const line of text.split("\n")) {
    const l = line.trim();
    if (!l) continue;
    const at = l.search(/\s/);
    const date = at < 0 ? l : l.slice(0, at);
    const name = at < 0 ? "" : l.slice(at).trim();
    out.push(name ? { date, name } : { date });
  }
  return out;
}

/**
 * The controls for bh, edited in place: a switch, the time zone (unless
 * withZone is false: the account's hours are in its own), ranges per
 * weekday ("09:00-13:00,14:00-18:00"; empty is closed) and holidays.
 * name prefixes the inputs' names so two editors on a page stay apart.
 */
export function hoursEditor(bh: BusinessHours, changed: () => void, name = "", withZone = true): HTMLElement[] {
  const days = (bh.days ??= {});
  const zones = timeZones();
  if (bh.time_zone && !zones.includes(bh.time_zone)) zones.unshift(bh.time_zone);
  const rows = h("div", { class: "hours", hidden: !bh.enabled });
  for (const d of weekdays) {
    const range = h("input", { name: name + "hours_" + d, value: days[d] ?? "", autocomplete: "off", placeholder: t("widget.closed"), spellcheck: false, class: "mono" });
    range.addEventListener("input", () => {
      const v = range.value.trim();
      if (v) days[d] = v;
      else delete days[d];
      changed();
    });
    rows.appendChild(h("label", { class: "hours-row" }, h("span", { class: "hours-day" }, weekdayName(d)), range));
  }
  const zoneSelect = h("select", { name: name + "time_zone" }, zones.map((z) => h("option", { value: z, selected: z === (bh.time_zone || "UTC") }, z)));
  zoneSelect.addEventListener("change", () => {
    bh.time_zone = zoneSelect.value;
    changed();
  });
  const zone = field(t("account.time_zone"), zoneSelect);
  zone.hidden = !bh.enabled || !withZone;
  const holidays = h("textarea", { name: name + "holidays", rows: 3, spellcheck: false, class: "mono", placeholder: "2026-12-25 Christmas" });
  holidays.value = holidayLines(bh.holidays ?? []);
  holidays.addEventListener("input", () => {
    const list = parseHolidays(holidays.value);
    if (list.length) bh.holidays = list;
    else delete bh.holidays;
    changed();
  });
  const holidayField = field(t("hours.holidays"), holidays, t("hours.holidays_hint"));
  holidayField.hidden = !bh.enabled;
  const box = h("input", { type: "checkbox", name: name + "business_hours", checked: bh.enabled });
  box.addEventListener("change", () => {
    bh.enabled = box.checked;
    rows.hidden = holidayField.hidden = !box.checked;
    zone.hidden = !box.checked || !withZone;
    changed();
  });
  return [h("div", { class: "field" }, h("label", { class: "check" }, box, t("widget.hours_enabled"))), zone, rows, holidayField];
}
