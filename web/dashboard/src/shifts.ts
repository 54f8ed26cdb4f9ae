// Dates and times of the support rota in the interface's language, and
// the words of a swap notification: for the Rota page and the
// notifications.
import { intlTag, t } from "./i18n";
import type { Shift } from "./types";

export const weekdays = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/** The date days after a "2026-12-07" date. */
export function addDays(date: string, days: number): string {
  const d = new Date(date + "T00:00:00Z");
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function weekdayOf(date: string): string {
  return weekdays[new Date(date + "T00:00:00Z").getUTCDay()];
}

/** A date as a day heading in the interface's language: "Mon, 7 Dec". */
export function dayName(date: string): string {
  return new Intl.DateTimeFormat(intlTag(), { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" }).format(new Date(date + "T00:00:00Z"));
}

/** A weekday ("mon") by its name in the interface's language. */
export function weekdayName(day: string): string {
  // 2026-12-06 is a Sunday.
  const d = new Date(Date.UTC(2026, 11, 6 + weekdays.indexOf(day)));
  return new Intl.DateTimeFormat(intlTag(), { weekday: "long", timeZone: "UTC" }).format(d);
}

/** An "HH:MM" clock in the interface's digits. */
export function clock(hhmm: string): string {
  const [hh, mm] = hhmm.split(":").map(Number);
  const d = new Date(Date.UTC(1970, 0, 1, hh % 24, mm));
  return new Intl.DateTimeFormat(intlTag(), { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "UTC" }).format(d);
}

export function span(sh: Shift): string {
  return clock(sh.start) + "–" + clock(sh.end);
}

/**
 * A swap notification's line. Its body is "<what> <kind> <date> <start>–<end>",
 * what one of offer, take, recorded, accepted, declined, cancelled.
 */
export function swapText(body: string, who: string): string {
  const [what, kind, date, times] = body.split(" ");
  const [start, end] = (times ?? "").split("–");
  if (!what || !kind || !/^\d{4}-\d{2}-\d{2}$/.test(date ?? "") || !start || !end) return body;
  return t("notify.swap." + what, { name: who, kind: t("rota.kind." + kind), date: dayName(date), time: clock(start) + "–" + clock(end) });
}
