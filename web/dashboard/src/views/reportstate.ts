// The Reports page's period and filters, kept in the address so a report
// can be shared, and the way its figures read: durations, rates and counts
// in the reader's language, "—" where nothing was measured.
import type { ReportParams } from "../api";
import { intlTag, num } from "../i18n";

export const presets = ["7", "30", "90"] as const;

/** What the page shows: a preset period of days ending today, or from–to. */
export interface ReportState {
  period: string;
  from: string;
  to: string;
  inbox_id: string;
  team_id: string;
  agent_id: string;
  channel: string;
  label: string;
  business_hours: boolean;
}

export const filterKeys = ["inbox_id", "team_id", "agent_id", "channel", "label"] as const;

const isDay = (s: string | null): s is string => !!s && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s + "T00:00:00Z"));

/** Today's date in the account's time zone, YYYY-MM-DD. */
export function today(timeZone: string): string {
  let zone: string | undefined = timeZone || undefined;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
  } catch {
    zone = undefined;
  }
  const parts = new Intl.DateTimeFormat("en", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(new Date());
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")}`;
}

/** The date n days after day (before, when n is negative). */
export function addDays(day: string, n: number): string {
  const d = new Date(day + "T00:00:00Z");
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Reads the page's state from its address; the last 30 days by default. */
export function readState(q: URLSearchParams, timeZone: string): ReportState {
  const s: ReportState = { period: "30", from: "", to: "", inbox_id: "", team_id: "", agent_id: "", channel: "", label: "", business_hours: q.get("business_hours") === "1" };
  for (const k of filterKeys) s[k] = q.get(k) ?? "";
  const from = q.get("from");
  const to = q.get("to");
  if (isDay(from) && isDay(to) && from <= to) {
    s.period = "custom";
    s.from = from;
    s.to = to;
    return s;
  }
  const p = q.get("period");
  if (p && (presets as readonly string[]).includes(p)) s.period = p;
  s.to = today(timeZone);
  s.from = addDays(s.to, 1 - Number(s.period));
  return s;
}

/** The address's query string: a preset as period=N, a custom period as from and to. */
export function stateQuery(s: ReportState): string {
  const q = new URLSearchParams();
  if (s.period === "custom") {
    q.set("from", s.from);
    q.set("to", s.to);
  } else {
    q.set("period", s.period);
  }
  for (const k of filterKeys) if (s[k]) q.set(k, s[k]);
  if (s.business_hours) q.set("business_hours", "1");
  return q.toString();
}

/** The period and filters as the reports endpoints read them. */
export function apiParams(s: ReportState): ReportParams {
  const p: ReportParams = { from: s.from, to: s.to };
  for (const k of filterKeys) if (s[k]) p[k] = s[k];
  if (s.business_hours) p.business_hours = "1";
  return p;
}

/** A CSV export of a report: its path with the page's period and the filters it takes. */
export function csvHref(endpoint: string, s: ReportState, only: (p: ReportParams) => ReportParams = (p) => p): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(only(apiParams(s)))) if (v) q.set(k, v);
  return `/api/v1/reports/${endpoint}.csv?${q}`;
}

/**
 * Whether a filter is set that the sentiment and topics reports do not
 * take. (Business hours do not matter to them: they count messages and
 * measure no time.)
 */
export function beyondVoice(s: ReportState): boolean {
  return !!(s.team_id || s.agent_id || s.label);
}

/** The mark of a figure that was not measured. */
export const none = "—";

function unit(n: number, u: "second" | "minute" | "hour" | "day"): string {
  return new Intl.NumberFormat(intlTag(), { style: "unit", unit: u, unitDisplay: "short" }).format(n);
}

/** A length of time in its two largest units: "45 sec", "9 min", "2 hr 5 min", "3 days 4 hr". */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return none;
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return unit(s, "second");
  if (s < 3600) return unit(Math.round(s / 60), "minute");
  if (s < 86400) {
    const m = Math.floor((s % 3600) / 60);
    return m ? unit(Math.floor(s / 3600), "hour") + " " + unit(m, "minute") : unit(Math.floor(s / 3600), "hour");
  }
  const hr = Math.floor((s % 86400) / 3600);
  return hr ? unit(Math.floor(s / 86400), "day") + " " + unit(hr, "hour") : unit(Math.floor(s / 86400), "day");
}

/** A rate from 0 to 1 as a percentage: "86%", "৮৬%". */
export function percent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return none;
  return new Intl.NumberFormat(intlTag(), { style: "percent", maximumFractionDigits: 0 }).format(rate);
}

/** A change on the period before, signed: "+150%", "−20%". */
export function change(rate: number): string {
  return new Intl.NumberFormat(intlTag(), { style: "percent", maximumFractionDigits: 0, signDisplay: "exceptZero" }).format(rate);
}

/** A count, or the mark of none. */
export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? none : num(n);
}
