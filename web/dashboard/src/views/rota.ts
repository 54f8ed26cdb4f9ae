// The Rota page, for everyone: who is on chat, phone and social now, the
// swaps waiting for the reader's answer, and the week's shifts (see
// rotaweek.ts). Administrators add and remove shifts; everyone offers,
// takes and answers swaps of single days.
import { rotaApi } from "../api";
import { h, replace } from "../dom";
import { t } from "../i18n";
import { onEvent } from "../realtime";
import { isAdmin, me, state, userName } from "../state";
import type { Rota, Shift, ShiftKind, Swap } from "../types";
import { avatar, button, confirmDialog, errorText, field, iconButton, modal, pageHeader, select } from "../ui";
import { attempt, form, submit } from "./forms";
import { addDays, dayName, span, weekdayName, weekdays } from "../shifts";
import { answerer, kindIcon, weekView, type WeekActions } from "./rotaweek";

const kinds: ShiftKind[] = ["chat", "phone", "social"];

/** Who is on each kind of shift now. */
function onNow(rota: Rota): HTMLElement {
  return h(
    "section",
    { class: "rota-now", "aria-label": t("rota.on_now") },
    kinds.map((k) => {
      const on = rota.on_now[k];
      return h(
        "div",
        { class: "rota-now-card " + k, dataset: { kind: k } },
        h("h2", null, kindIcon(k), t("rota.kind." + k)),
        !on.scheduled
          ? h("p", { class: "hint" }, t("rota.no_rota"))
          : on.user_ids.length
            ? h("ul", null, on.user_ids.map((id) => h("li", null, avatar(userName(id), "tiny"), userName(id))))
            : h("p", { class: "hint warn" }, t("rota.nobody")),
      );
    }),
  );
}

/** The swaps that wait for the reader's answer. */
function waiting(rota: Rota, decide: WeekActions["decide"]): HTMLElement | null {
  const mine = rota.swaps.filter((s) => s.status === "pending" && answerer(s) === me().id);
  if (!mine.length) return null;
  return h(
    "section",
    { class: "rota-waiting" },
    h("h2", null, t("rota.waiting")),
    h("ul", null, mine.map((sw) => {
      const sh = rota.shifts.find((s) => s.id === sw.shift_id);
      const vars = { name: userName(sw.requested_by), kind: t("rota.kind." + (sh?.kind ?? "chat")), date: dayName(sw.date), time: sh ? span(sh) : "" };
      return h("li", { class: "rota-request", dataset: { swap: String(sw.id) } },
        h("span", null, t(sw.requested_by === sw.to_user_id ? "rota.request_take" : "rota.request_offer", vars)),
        h("span", { class: "rota-actions" },
          button(t("rota.accept"), () => decide(sw, "accept"), "small primary rota-accept"),
          button(t("rota.decline"), () => decide(sw, "decline"), "small ghost rota-decline")));
    })),
  );
}

function people(except = 0): { value: string; label: string }[] {
  return state.users.filter((u) => u.id !== except).map((u) => ({ value: String(u.id), label: u.name }));
}

/** The administrator's dialog that adds a shift. */
function addShift(done: () => void): void {
  const who = select(people(), String(me().id), () => {}, { name: "user_id" });
  const kind = select(kinds.map((k) => ({ value: k, label: t("rota.kind." + k) })), "chat", () => {}, { name: "kind" });
  const day = select(weekdays.map((d) => ({ value: d, label: weekdayName(d) })), "mon", () => {}, { name: "weekday" });
  const start = h("input", { type: "time", name: "start", value: "09:00", required: true });
  const end = h("input", { type: "time", name: "end", value: "17:00", required: true });
  const close = modal(t("rota.add"), form(async () => {
    if (await attempt(() => rotaApi.addShift({ user_id: Number(who.value), kind: kind.value as ShiftKind, weekday: day.value, start: start.value, end: end.value }), t("rota.added"))) {
      close();
      done();
    }
  }, field(t("rota.person"), who), field(t("rota.kind"), kind), field(t("rota.day"), day),
  h("div", { class: "rota-times" }, field(t("rota.start"), start), field(t("rota.end"), end, t("rota.end_hint"))),
  h("div", { class: "form-actions" }, submit(t("rota.add")))));
}

/** A dialog that picks the colleague who takes a day's shift. */
function pickColleague(title: string, sh: Shift, date: string, done: () => void): void {
  const who = select(people(sh.user_id), "", () => {}, { name: "user_id" });
  const close = modal(title, form(async () => {
    if (await attempt(() => rotaApi.askSwap({ shift_id: sh.id, date, user_id: Number(who.value) }), t("rota.asked"))) {
      close();
      done();
    }
  }, h("p", null, dayName(date), " · ", span(sh), " · ", t("rota.kind." + sh.kind)), field(t("rota.colleague"), who),
  h("div", { class: "form-actions" }, submit(t("rota.send")))));
}

/** Mounts the Rota page; returns its unmount function. */
export function mountRota(el: HTMLElement): () => void {
  let rota: Rota | null = null;
  let offset = 0;
  let destroyed = false;
  const body = h("div", { class: "rota-body" });

  const act: WeekActions = {
    offer: (sh, date) => pickColleague(t("rota.offer_title"), sh, date, load),
    record: (sh, date) => pickColleague(t("rota.record_title"), sh, date, load),
    take: (sh, date) => void attempt(() => rotaApi.askSwap({ shift_id: sh.id, date }), t("rota.asked")).then(load),
    decide: (sw: Swap, action) => void attempt(() => rotaApi.decide(sw.id, action), t("rota.done." + action)).then(load),
    remove: async (sh) => {
      const ok = await confirmDialog(t("rota.remove_confirm", { name: userName(sh.user_id), kind: t("rota.kind." + sh.kind), time: span(sh) }), t("rota.remove"), true);
      if (ok && (await attempt(() => rotaApi.removeShift(sh.id), t("rota.removed")))) load();
    },
  };

  function render(error = ""): void {
    if (!rota) {
      replace(body, h("p", { class: "hint rota-empty" }, error || t("list.loading")));
      return;
    }
    const from = addDays(rota.today, offset);
    const nav = h("div", { class: "rota-nav" },
      iconButton("back", t("rota.earlier"), () => move(-7), "rota-prev"),
      h("span", { class: "rota-range" }, dayName(from), " – ", dayName(addDays(from, 6))),
      iconButton("back", t("rota.later"), () => move(7), "rota-next"),
      h("span", { class: "hint rota-zone" }, t("rota.zone", { zone: rota.time_zone })));
    (nav.querySelector(".rota-prev") as HTMLButtonElement).disabled = offset === 0;
    replace(body, onNow(rota), waiting(rota, act.decide), nav,
      rota.shifts.length ? weekView(rota, from, act) : h("p", { class: "hint rota-empty" }, isAdmin() ? t("rota.empty_admin") : t("rota.empty")));
  }

  function move(days: number): void {
    offset = Math.max(0, offset + days);
    render();
  }

  function load(): void {
    rotaApi.get().then((r) => {
      if (destroyed) return;
      rota = r;
      render();
    }, (e) => {
      if (!destroyed) render(errorText(e));
    });
  }

  // A swap that concerns the reader arrives as a notification: read the
  // rota again.
  const off = onEvent((ev) => {
    if (ev.type === "notification.created" && ev.data?.notification?.kind === "swap") load();
  });
  replace(el, h("div", { class: "page rota-page" },
    pageHeader(t("rota.title"), isAdmin() ? button(t("rota.add"), () => addShift(load), "small primary rota-add") : null),
    h("div", { class: "list-scroll" }, body)));
  render();
  load();
  return () => {
    destroyed = true;
    off();
  };
}
