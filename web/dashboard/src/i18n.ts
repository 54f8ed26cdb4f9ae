// Interface strings and locale-aware formatting. English is bundled; Bengali
// and Hindi are loaded on demand as separate chunks.
import en from "../i18n/en.json";
import type { Locale } from "./types";

type Catalog = Record<string, string>;
type Vars = Record<string, string | number>;

export const locales: Locale[] = ["en", "bn", "hi"];

/** Each locale's own name, shown in language pickers. */
export const localeNames: Record<Locale, string> = { en: "English", bn: "বাংলা", hi: "हिन्दी" };

// The BCP 47 tags used with Intl: Bangladesh Bengali writes Bengali digits.
const intlTags: Record<Locale, string> = { en: "en", bn: "bn-BD", hi: "hi-IN" };

const english: Catalog = en;
let catalog: Catalog = english;
let current: Locale = "en";
let plural = new Intl.PluralRules(intlTags.en);

const loaders: Record<Locale, () => Promise<{ default: Catalog }>> = {
  en: async () => ({ default: english }),
  bn: () => import("../i18n/bn.json"),
  hi: () => import("../i18n/hi.json"),
};

export function isLocale(s: unknown): s is Locale {
  return s === "en" || s === "bn" || s === "hi";
}

/** The locale to start with: the browser's first language that we speak. */
export function detectLocale(): Locale {
  for (const l of navigator.languages ?? [navigator.language]) {
    const base = l.toLowerCase().split("-")[0];
    if (isLocale(base)) return base;
  }
  return "en";
}

export function locale(): Locale {
  return current;
}

export function intlTag(): string {
  return intlTags[current];
}

/** Switches the interface language, loading its catalog first. */
export async function setLocale(l: Locale): Promise<void> {
  const mod = await loaders[l]();
  catalog = mod.default;
  current = l;
  plural = new Intl.PluralRules(intlTags[l]);
  numberFmt = new Intl.NumberFormat(intlTags[l]);
  document.documentElement.lang = l;
}

/** Translates key, replacing {name} placeholders with vars. */
export function t(key: string, vars?: Vars): string {
  const s = catalog[key] ?? english[key] ?? key;
  if (!vars) return s;
  return s.replace(/\{(\w+)\}/g, (all, name: string) => {
    const v = vars[name];
    if (v === undefined) return all;
    return typeof v === "number" ? num(v) : v;
  });
}

/** Translates key, or returns fallback when no catalog has it. */
export function tOr(key: string, fallback: string, vars?: Vars): string {
  return key in catalog || key in english ? t(key, vars) : fallback;
}

/** Translates a counted phrase: key.one or key.other by the locale's rules. */
export function tn(key: string, n: number, vars?: Vars): string {
  const form = plural.select(n) === "one" ? "one" : "other";
  return t(key + "." + form, { n, ...vars });
}

let numberFmt = new Intl.NumberFormat(intlTags.en);

export function num(n: number): string {
  return numberFmt.format(n);
}

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

// The time of day in the locale's own words: Bengali's and Hindi's short
// time pattern carries the English "AM"/"PM" beside their digits, so they
// name the part of the day instead ("২:৪০ দুপুর", "दोपहर 2:40").
function timeOptions(): Intl.DateTimeFormatOptions {
  return current === "en" ? { hour: "numeric", minute: "2-digit" } : { hour: "numeric", minute: "2-digit", dayPeriod: "short" };
}

/** A compact timestamp for lists: time today, weekday this week, else date. */
export function shortTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  const now = new Date();
  const tag = intlTags[current];
  if (sameDay(d, now)) return new Intl.DateTimeFormat(tag, timeOptions()).format(d);
  if (now.getTime() - d.getTime() < 6 * 86400e3 && d < now) {
    return new Intl.DateTimeFormat(tag, { weekday: "short" }).format(d);
  }
  const opts: Intl.DateTimeFormatOptions = { day: "numeric", month: "short" };
  if (d.getFullYear() !== now.getFullYear()) opts.year = "numeric";
  return new Intl.DateTimeFormat(tag, opts).format(d);
}

/** A full date and time, for titles and details. */
export function longTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const opts: Intl.DateTimeFormatOptions = current === "en" ? { dateStyle: "medium", timeStyle: "short" } : { day: "numeric", month: "short", year: "numeric", ...timeOptions() };
  return new Intl.DateTimeFormat(intlTags[current], opts).format(new Date(iso));
}

/** The time of day of a timestamp. */
export function clockTime(iso: string): string {
  return new Intl.DateTimeFormat(intlTags[current], timeOptions()).format(new Date(iso));
}

/** A day heading for the timeline. */
export function dayHeading(iso: string): string {
  const d = new Date(iso);
  const now = new Date();
  const rel = new Intl.RelativeTimeFormat(intlTags[current], { numeric: "auto" });
  if (sameDay(d, now)) return rel.format(0, "day");
  const yesterday = new Date(now.getTime() - 86400e3);
  if (sameDay(d, yesterday)) return rel.format(-1, "day");
  return new Intl.DateTimeFormat(intlTags[current], { dateStyle: "full" }).format(d);
}

/** How long ago a timestamp was, in the largest whole unit ("5 min ago"). */
export function ago(iso: string | null | undefined): string {
  if (!iso) return "";
  const secs = Math.round((new Date(iso).getTime() - Date.now()) / 1000);
  const rel = new Intl.RelativeTimeFormat(intlTags[current], { numeric: "auto", style: "short" });
  const abs = Math.abs(secs);
  if (abs < 60) return rel.format(0, "second");
  if (abs < 3600) return rel.format(Math.round(secs / 60), "minute");
  if (abs < 86400) return rel.format(Math.round(secs / 3600), "hour");
  return rel.format(Math.round(secs / 86400), "day");
}
