// The Reports page's charts by day (/reports/series, /reports/sentiment)
// and by weekday and hour (/reports/heatmap), each with its table.
import type { ReportDay, SentimentDay } from "../api";
import { h } from "../dom";
import { intlTag, num, t } from "../i18n";
import { barChart, dataTable, dayLabel, heatmap, hourLabel, legend, lineChart, type Series } from "./charts";
import { count, duration, percent } from "./reportstate";

/** Days with something to show, newest first, for the tables. */
function tableDays<T extends { day: string }>(days: T[], any: (d: T) => boolean): T[] {
  const shown = [...days].reverse().filter(any);
  return shown.length ? shown : [...days].reverse().slice(0, 1);
}

function chartBlock(chart: HTMLElement, series: { key: string; label: string }[], table: HTMLElement): HTMLElement {
  return h("div", { class: "chart-block" }, h("div", { class: "chart-figure" }, chart, legend(series)), table);
}

/** Conversations opened and resolved per day. */
export function volumeChart(days: ReportDay[]): HTMLElement {
  const series: Series[] = [
    { key: "opened", label: t("reports.opened"), values: days.map((d) => d.opened) },
    { key: "resolved", label: t("reports.resolved"), values: days.map((d) => d.resolved) },
  ];
  const rows = tableDays(days, (d) => d.opened + d.resolved > 0).map((d) => [dayLabel(d.day, true), num(d.opened), num(d.resolved)]);
  const sum = (f: (d: ReportDay) => number) => num(days.reduce((n, d) => n + f(d), 0));
  return chartBlock(barChart(days.map((d) => d.day), series, { title: t("reports.volume") }), series,
    dataTable(t("reports.volume"), [t("reports.day"), t("reports.opened"), t("reports.resolved")], rows, [t("reports.total"), sum((d) => d.opened), sum((d) => d.resolved)]));
}

/**
 * The medians of first response, next response and resolution per day.
 * Resolution takes hours where replies take minutes, so it has a chart of
 * its own, and one table holds all three.
 */
export function timesChart(days: ReportDay[], withNext: boolean): HTMLElement {
  const replies: Series[] = [
    { key: "first", label: t("reports.first_response"), values: days.map((d) => d.first_response_median) },
    ...(withNext ? [{ key: "next", label: t("reports.next_response"), values: days.map((d) => d.next_response_median ?? null) }] : []),
  ];
  const resolution: Series[] = [{ key: "resolution", label: t("reports.resolution"), values: days.map((d) => d.resolution_median) }];
  const all = [...replies, ...resolution];
  const rows = tableDays(days, (d) => d.first_response_median !== null || d.resolution_median !== null || (withNext && d.next_response_median !== null))
    .map((d) => [dayLabel(d.day, true), duration(d.first_response_median), ...(withNext ? [duration(d.next_response_median)] : []), duration(d.resolution_median)]);
  const dates = days.map((d) => d.day);
  return h("div", { class: "chart-block" },
    h("div", { class: "chart-figure" }, lineChart(dates, replies, { title: t("reports.reply_times"), format: duration }), legend(replies)),
    h("div", { class: "chart-figure" }, lineChart(dates, resolution, { title: t("reports.resolution"), format: duration, first: replies.length }), legend(resolution, replies.length)),
    dataTable(t("reports.times"), [t("reports.day"), ...all.map((s) => s.label)], rows));
}

/** The CSAT score per day, with how many ratings it stands on. */
export function csatChart(days: ReportDay[]): HTMLElement {
  const series: Series[] = [{ key: "csat", label: t("reports.csat"), values: days.map((d) => d.csat_score) }];
  const rows = tableDays(days, (d) => d.csat_responses > 0).map((d) => [dayLabel(d.day, true), percent(d.csat_score), num(d.csat_responses)]);
  return chartBlock(barChart(days.map((d) => d.day), series, { title: t("reports.csat_by_day"), format: percent, max: 1 }), series,
    dataTable(t("reports.csat_by_day"), [t("reports.day"), t("reports.csat"), t("reports.ratings")], rows));
}

const moods = ["negative", "neutral", "positive"] as const;

/** The customers' messages per day by sentiment, stacked. */
export function sentimentChart(days: SentimentDay[]): HTMLElement {
  const series: Series[] = moods.map((m) => ({ key: m, label: t("mentions.sentiment." + m), values: days.map((d) => d[m]) }));
  const rows = tableDays(days, (d) => d.negative + d.neutral + d.positive > 0).map((d) => [dayLabel(d.day, true), ...moods.map((m) => num(d[m]))]);
  const sum = (m: (typeof moods)[number]) => num(days.reduce((n, d) => n + d[m], 0));
  return chartBlock(barChart(days.map((d) => d.day), series, { title: t("reports.sentiment"), stacked: true }), series,
    dataTable(t("reports.sentiment"), [t("reports.day"), ...series.map((s) => s.label)], rows, [t("reports.total"), ...moods.map(sum)]));
}

/** Monday first, as the heatmap's rows are. */
function weekdays(): string[] {
  const fmt = new Intl.DateTimeFormat(intlTag(), { weekday: "short", timeZone: "UTC" });
  // 2024-01-01 was a Monday.
  return Array.from({ length: 7 }, (_, i) => fmt.format(new Date(Date.UTC(2024, 0, 1 + i))));
}

/** Conversations opened by weekday and hour, and the busiest hours as a table. */
export function trafficHeatmap(cells: number[][], max: number): HTMLElement {
  const days = weekdays();
  const grid = days.map((_, r) => Array.from({ length: 24 }, (_, c) => cells[r]?.[c] ?? 0));
  const total = grid.flat().reduce((a, b) => a + b, 0);
  const table = h("div", { class: "report-table heatmap-table", tabindex: 0, role: "region", "aria-label": t("reports.heatmap") },
    h("table", null,
      h("caption", null, t("reports.heatmap_caption")),
      h("thead", null, h("tr", null, h("th", { scope: "col" }, t("reports.weekday")), grid[0].map((_, c) => h("th", { scope: "col" }, hourLabel(c))))),
      h("tbody", null, grid.map((row, r) => h("tr", null, h("th", { scope: "row" }, days[r]), row.map((n) => h("td", { class: n ? "" : "zero" }, num(n))))))));
  return h("div", { class: "chart-block heatmap-block" },
    h("div", { class: "chart-figure" }, heatmap(grid, max, days, t("reports.heatmap")),
      h("p", { class: "hint" }, t("reports.heatmap_note", { n: count(total), max: count(max) }))),
    table);
}
