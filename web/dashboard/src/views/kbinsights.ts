// The knowledge base's insights for a period: views, searches and votes;
// the most read articles; what customers searched for and did not find
// (what to write next); and the least helpful articles first.
import { kbApi, type KBReport } from "../api";
import { h, replace, type Child } from "../dom";
import { num, shortTime, t } from "../i18n";
import { state } from "../state";
import { empty, errorText, field, select } from "../ui";
import type { KBContext } from "./kb";
import { localeName } from "./kbcontent";
import { card } from "./reportcards";
import { addDays, percent, today } from "./reportstate";

const periods = ["7", "30", "90"];
let period = "30";

function figure(name: string, label: string, value: number): HTMLElement {
  return h("div", { class: "figure", dataset: { metric: name } }, h("span", { class: "figure-label" }, label), h("span", { class: "figure-value" }, num(value)));
}

function table(name: string, head: string[], rows: Child[][], none: string): HTMLElement {
  if (!rows.length) return h("p", { class: "hint" }, none);
  return h("div", { class: "report-table" }, h("table", { dataset: { table: name } },
    h("thead", null, h("tr", null, head.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", null, rows.map((r) => h("tr", null, r.map((c, i) => (i === 0 ? h("th", { scope: "row" }, c) : h("td", null, c))))))));
}

const articleLink = (id: number, title: string) => h("a", { href: `/kb/articles/${id}`, "data-nav": "" }, title || t("kb.untitled"));

function render(r: KBReport): Child[] {
  const votes = r.helpful + r.not_helpful;
  const figures = card("kb-totals", t("kb.insights.totals"), "", "wide");
  replace(figures.body, h("div", { class: "figures" },
    figure("views", t("kb.insights.views"), r.views),
    figure("searches", t("kb.insights.searches"), r.searches),
    figure("helpful", t("kb.insights.helpful"), r.helpful),
    figure("not_helpful", t("kb.insights.not_helpful"), r.not_helpful),
    h("div", { class: "figure", dataset: { metric: "rate" } }, h("span", { class: "figure-label" }, t("kb.insights.rate")), h("span", { class: "figure-value" }, percent(votes ? r.helpful / votes : null)))));
  const viewed = card("kb-most-viewed", t("kb.insights.most_viewed"));
  replace(viewed.body, table("most_viewed", [t("kb.insights.article"), t("kb.insights.views"), t("kb.insights.helpful"), t("kb.insights.not_helpful")],
    (r.most_viewed ?? []).map((a) => [articleLink(a.article_id, a.title), num(a.views), num(a.helpful), num(a.not_helpful)]), t("kb.insights.none")));
  const missing = card("kb-no-result", t("kb.insights.no_result"));
  replace(missing.body, h("p", { class: "hint" }, t("kb.insights.no_result_hint")),
    table("no_result", [t("kb.insights.query"), t("kb.insights.language"), t("kb.insights.times"), t("kb.insights.last")],
      (r.no_result_searches ?? []).map((s) => [s.query, localeName(s.locale), num(s.count), shortTime(s.last_at)]), t("kb.insights.none")));
  const helpful = card("kb-helpfulness", t("kb.insights.helpfulness"), "", "wide");
  replace(helpful.body, h("p", { class: "hint" }, t("kb.insights.helpfulness_hint")),
    table("helpfulness", [t("kb.insights.article"), t("kb.insights.helpful"), t("kb.insights.not_helpful"), t("kb.insights.rate")],
      (r.helpfulness ?? []).map((a) => [articleLink(a.article_id, a.title), num(a.helpful), num(a.not_helpful), percent(a.rate)]), t("kb.insights.none")));
  return [figures.el, viewed.el, missing.el, helpful.el];
}

export function kbInsights(el: HTMLElement, ctx: KBContext): void {
  const zone = state.account?.time_zone ?? "";
  const grid = h("div", { class: "report-grid kb-insights" });
  let gen = 0;
  async function load(): Promise<void> {
    const mine = ++gen;
    const to = today(zone);
    replace(grid, h("p", { class: "loading" }, t("list.loading")));
    try {
      const r = await kbApi.reports(addDays(to, 1 - Number(period)), to);
      if (mine === gen && ctx.open()) replace(grid, render(r));
    } catch (e) {
      if (mine === gen && ctx.open()) replace(grid, empty(errorText(e)));
    }
  }
  const sel = select(periods.map((p) => ({ value: p, label: t("reports.last_days", { n: Number(p) }) })), period, (v) => {
    period = v;
    void load();
  }, { name: "period" });
  replace(el, h("div", { class: "kb-section kb-insights-page" }, h("div", { class: "kb-insights-controls" }, field(t("reports.period"), sel)), grid));
  void load();
}
