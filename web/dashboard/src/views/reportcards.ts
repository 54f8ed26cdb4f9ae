// The Reports page's cards: a frame with a title and a CSV export, filled
// from one endpoint, hidden while the server does not answer it; and the
// headline figures of the period from /reports/summary.
import { APIError, type ReportSummary } from "../api";
import { h, replace, type Child } from "../dom";
import { t } from "../i18n";
import { icon } from "../icons";
import { errorText } from "../ui";
import { count, duration, percent } from "./reportstate";

/** A card of the page and the element its content goes in. */
export interface Card {
  el: HTMLElement;
  body: HTMLElement;
}

/** A card titled title; csv, when given, is the address of its CSV export. */
export function card(name: string, title: string, csv = "", cls = ""): Card {
  const body = h("div", { class: "report-card-body" }, h("p", { class: "hint" }, t("list.loading")));
  const head = h("header", { class: "report-card-head" }, h("h2", null, title),
    csv ? h("a", { class: "report-csv", href: csv, download: "", "aria-label": t("reports.csv_of", { report: title }), dataset: { csv: name } }, icon("download", "icon small"), t("reports.csv")) : null);
  return { el: h("section", { class: "report-card " + cls, dataset: { card: name }, "aria-label": title }, head, body), body };
}

/**
 * Fills a card from its request. A 404 means the server has no such
 * report: the card hides rather than show an error.
 */
export async function fill<T>(c: Card, request: Promise<T>, render: (v: T) => Child, current: () => boolean): Promise<T | null> {
  try {
    const v = await request;
    if (!current()) return null;
    c.el.hidden = false;
    replace(c.body, render(v));
    return v;
  } catch (e) {
    if (!current()) return null;
    if (e instanceof APIError && e.status === 404) {
      c.el.hidden = true;
    } else {
      c.el.hidden = false;
      replace(c.body, h("p", { class: "hint error" }, errorText(e)));
    }
    return null;
  }
}

/** One headline figure: its name, its value, and a line under it. */
function figure(metric: string, label: string, value: string, sub: Child = null, raw: number | null = null): HTMLElement {
  return h("div", { class: "figure", dataset: { metric, value: raw === null ? "" : String(raw) } },
    h("span", { class: "figure-label" }, label),
    h("span", { class: "figure-value" }, value),
    sub ? h("span", { class: "figure-sub" }, sub) : null);
}

function p90(v: number | null): string | null {
  return v === null ? null : t("reports.p90", { time: duration(v) });
}

/** The headline figures; figures the server does not give yet are left out. */
export function summaryFigures(s: ReportSummary): HTMLElement {
  const nr = s.next_response_seconds;
  const bot = s.bot;
  const csatSub = [t("reports.csat_responses", { n: s.csat.responses })];
  if (s.csat.response_rate !== undefined && s.csat.response_rate !== null) csatSub.push(t("reports.csat_rate", { rate: percent(s.csat.response_rate) }));
  return h("div", { class: "figures" },
    figure("opened", t("reports.opened"), count(s.conversations_opened), null, s.conversations_opened),
    figure("resolved", t("reports.resolved"), count(s.conversations_resolved), null, s.conversations_resolved),
    figure("first_response", t("reports.first_response"), duration(s.first_response_seconds.median), p90(s.first_response_seconds.p90), s.first_response_seconds.median),
    nr ? figure("next_response", t("reports.next_response"), duration(nr.median), p90(nr.p90), nr.median) : null,
    figure("resolution", t("reports.resolution"), duration(s.resolution_seconds.median), p90(s.resolution_seconds.p90), s.resolution_seconds.median),
    figure("csat", t("reports.csat"), percent(s.csat.score), csatSub.join(" · "), s.csat.score),
    figure("fcr", t("reports.fcr"), percent(s.first_contact_resolution_rate), null, s.first_contact_resolution_rate),
    figure("sla", t("reports.sla"), percent(s.sla_compliance_rate), null, s.sla_compliance_rate),
    bot ? figure("bot_resolution", t("reports.bot_resolution"), percent(bot.resolution_rate), bot.conversations ? t("reports.bot_resolved", { n: bot.resolved_by_bot, total: bot.conversations }) : null, bot.resolution_rate) : null,
    bot ? figure("bot_handoff", t("reports.bot_handoff"), percent(bot.handoff_rate), bot.conversations ? t("reports.bot_handed", { n: bot.handed_off, total: bot.conversations }) : null, bot.handoff_rate) : null,
  );
}
