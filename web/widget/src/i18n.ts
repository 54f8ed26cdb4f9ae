// Strings of the widget. English is built in; the server sends the chosen
// locale's strings with the session, and setLocale fetches others.
import en from "../locales/en.json";

export type Strings = Record<string, string>;

let strings: Strings = en;
let locale = "en";

const rtl = ["ar", "ur", "fa", "he"];

export function setStrings(loc: string, s: Strings): void {
  locale = loc;
  strings = s;
}

export function lang(): string {
  return locale;
}

export function dir(): "rtl" | "ltr" {
  return rtl.includes(locale.split("-")[0]) ? "rtl" : "ltr";
}

/** Returns the string for key with {name} placeholders filled. */
export function t(key: string, vars?: Record<string, string | number>): string {
  let s = strings[key] ?? (en as Strings)[key] ?? key;
  for (const k in vars || {}) s = s.split("{" + k + "}").join(String(vars![k]));
  return s;
}

// Bengali's and Hindi's short time pattern carries the English "AM"/"PM"
// beside their own digits; naming the part of the day instead reads as
// the language does ("৫:৫৬ বিকাল", "शाम 5:56").
const dayPeriodLocales = ["bn", "hi"];

export function time(at: string): string {
  const opts: Intl.DateTimeFormatOptions = { hour: "numeric", minute: "2-digit" };
  if (dayPeriodLocales.includes(locale.split("-")[0])) opts.dayPeriod = "short";
  try {
    return new Date(at).toLocaleTimeString(locale, opts);
  } catch {
    return "";
  }
}
