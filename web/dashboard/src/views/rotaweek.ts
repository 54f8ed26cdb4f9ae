// The rota's week: one card a day, from the chosen date, each listing the
// shifts that start that day with who takes them (swaps applied) and what
// the reader may do: offer or take a shift, answer or withdraw a swap, and
// for administrators record or undo a swap and remove the shift.
import { h } from "../dom";
import { t } from "../i18n";
import { channelIcon, icon } from "../icons";
import { isAdmin, me, userName } from "../state";
import { addDays, dayName, span, weekdayOf } from "../shifts";
import type { Rota, Shift, ShiftKind, Swap } from "../types";
import { avatar, iconButton } from "../ui";

/** What the week's buttons ask the page to do. */
export interface WeekActions {
  offer: (sh: Shift, date: string) => void;
  take: (sh: Shift, date: string) => void;
  record: (sh: Shift, date: string) => void;
  decide: (sw: Swap, action: "accept" | "decline" | "cancel") => void;
  remove: (sh: Shift) => void;
}

export function kindIcon(kind: ShiftKind): SVGSVGElement {
  if (kind === "phone") return icon("phone", "icon small");
  if (kind === "social") return icon("megaphone", "icon small");
  return channelIcon("widget", "icon small");
}

export function kindChip(kind: ShiftKind): HTMLElement {
  return h("span", { class: "chip rota-kind " + kind }, kindIcon(kind), t("rota.kind." + kind));
}

/** The swap of a shift's occurrence that still counts, if any. */
export function openSwap(rota: Rota, sh: Shift, date: string): Swap | undefined {
  return rota.swaps.find((s) => s.shift_id === sh.id && s.date === date && (s.status === "pending" || s.status === "accepted"));
}

/** Who answers a pending swap: the one of the two who did not ask. */
export function answerer(sw: Swap): number {
  return sw.requested_by === sw.to_user_id ? sw.from_user_id : sw.to_user_id;
}

function small(label: string, onclick: () => void, cls: string): HTMLButtonElement {
  return h("button", { type: "button", class: "btn small " + cls, onclick }, label);
}

function shiftActions(rota: Rota, sh: Shift, date: string, act: WeekActions): HTMLElement {
  const sw = openSwap(rota, sh, date);
  const mine = me().id;
  const out: (HTMLElement | null)[] = [];
  if (sw?.status === "pending") {
    if (answerer(sw) === mine) {
      out.push(small(t("rota.accept"), () => act.decide(sw, "accept"), "primary rota-accept"), small(t("rota.decline"), () => act.decide(sw, "decline"), "ghost rota-decline"));
    } else if (sw.requested_by === mine || isAdmin()) {
      out.push(small(t("rota.withdraw"), () => act.decide(sw, "cancel"), "ghost rota-withdraw"));
    }
  } else if (sw?.status === "accepted") {
    if (isAdmin()) out.push(small(t("rota.undo"), () => act.decide(sw, "cancel"), "ghost rota-undo"));
  } else if (sh.user_id === mine) {
    out.push(small(t("rota.offer"), () => act.offer(sh, date), "rota-offer"));
  } else {
    // An administrator gives it to a colleague at once (choosing
    // themselves asks the shift's person, as an agent's Take does).
    out.push(isAdmin() ? small(t("rota.record"), () => act.record(sh, date), "rota-record") : small(t("rota.take"), () => act.take(sh, date), "rota-take"));
  }
  if (isAdmin()) out.push(iconButton("trash", t("rota.remove"), () => act.remove(sh), "rota-remove"));
  return h("div", { class: "rota-actions" }, out);
}

function shiftRow(rota: Rota, sh: Shift, date: string, act: WeekActions): HTMLElement {
  const sw = openSwap(rota, sh, date);
  const taker = sw?.status === "accepted" ? sw.to_user_id : sh.user_id;
  const overnight = sh.end <= sh.start && sh.end !== "00:00" ? t("rota.overnight") : "";
  return h(
    "li",
    { class: "rota-shift " + sh.kind + (taker === me().id ? " mine" : ""), dataset: { shift: String(sh.id), date } },
    h("div", { class: "rota-when" }, h("span", { class: "rota-time" }, span(sh)), overnight ? h("span", { class: "hint" }, overnight) : null, kindChip(sh.kind)),
    h(
      "div",
      { class: "rota-who" },
      avatar(userName(taker), "tiny"),
      h("span", { class: "name" }, userName(taker)),
      sw?.status === "accepted" ? h("span", { class: "chip rota-swapped", title: t("rota.swapped_from", { name: userName(sh.user_id) }) }, t("rota.swapped")) : null,
      sw?.status === "pending"
        ? h("span", { class: "chip rota-pending" }, t(sw.requested_by === sw.to_user_id ? "rota.asks_to_take" : "rota.offered_to", { name: userName(sw.to_user_id) }))
        : null,
    ),
    shiftActions(rota, sh, date, act),
  );
}

/** The week from a date: seven day cards. */
export function weekView(rota: Rota, from: string, act: WeekActions): HTMLElement {
  const days = [0, 1, 2, 3, 4, 5, 6].map((i) => addDays(from, i));
  return h(
    "div",
    { class: "rota-week" },
    days.map((date) => {
      const shifts = rota.shifts.filter((s) => s.weekday === weekdayOf(date)).sort((a, b) => a.start.localeCompare(b.start) || a.kind.localeCompare(b.kind));
      return h(
        "section",
        { class: "rota-day" + (date === rota.today ? " today" : ""), dataset: { date } },
        h("h2", null, dayName(date), date === rota.today ? h("span", { class: "chip today" }, t("rota.today")) : null),
        shifts.length ? h("ul", null, shifts.map((sh) => shiftRow(rota, sh, date, act))) : h("p", { class: "hint" }, t("rota.free_day")),
      );
    }),
  );
}
