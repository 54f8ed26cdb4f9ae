// Money and durations as agents read them, in the interface's language.
import { intlTag, num } from "./i18n";

/** An amount in a currency ("৳9,800.00"); a plain number when the code is unknown. */
export function money(amount: string | number, currency: string): string {
  const n = typeof amount === "number" ? amount : Number(amount);
  if (!Number.isFinite(n)) return [amount, currency].filter(Boolean).join(" ");
  if (/^[A-Z]{3}$/.test(currency)) {
    try {
      return new Intl.NumberFormat(intlTag(), { style: "currency", currency }).format(n);
    } catch {
      // An unknown code falls through to the plain number.
    }
  }
  return [num(n), currency].filter(Boolean).join(" ");
}

/** The "9800 BDT" a live visitor's cart is reported as, formatted. */
export function cartText(cart: string): string {
  const [amount, currency = ""] = cart.trim().split(/\s+/);
  return amount ? money(amount, currency) : "";
}

/** A length of time in its largest sensible units ("1 hr, 5 min"). */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const unit = (n: number, u: "second" | "minute" | "hour") =>
    new Intl.NumberFormat(intlTag(), { style: "unit", unit: u, unitDisplay: "short" }).format(n);
  if (s < 60) return unit(s, "second");
  if (s < 3600) return unit(Math.floor(s / 60), "minute");
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return m ? unit(h, "hour") + " " + unit(m, "minute") : unit(h, "hour");
}
