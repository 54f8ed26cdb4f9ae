// The trend of the Mentions view: mentions per day by sentiment, drawn as
// a small stacked bar chart (SVG, built node by node) with the same counts
// in a table beside it, which screen readers read instead of the chart.
import { h } from "../dom";
import { num, t } from "../i18n";
import type { MentionDay, MentionTrend } from "../types";
import { dayLabel, svg } from "./charts";

const sentiments = ["negative", "neutral", "positive"] as const;

const total = (d: MentionDay) => d.negative + d.neutral + d.positive;

/** The chart: one stacked bar a day, negative at the bottom. */
function chart(days: MentionDay[]): SVGSVGElement {
  const width = 300;
  const height = 120;
  const top = 4;
  const bottom = 1;
  const max = Math.max(1, ...days.map(total));
  const slot = width / days.length;
  const bar = Math.max(2, slot * 0.7);
  const scale = (height - top - bottom) / max;
  const bars = days.map((d, i) => {
    let y = height - bottom;
    const x = i * slot + (slot - bar) / 2;
    const parts = sentiments.filter((s) => d[s] > 0).map((s) => {
      const hgt = d[s] * scale;
      y -= hgt;
      return svg("rect", { x: x.toFixed(1), y: y.toFixed(1), width: bar.toFixed(1), height: hgt.toFixed(1), class: "bar " + s });
    });
    const g = svg("g", { class: "day" }, ...parts);
    g.appendChild(svg("title", {})).textContent = `${dayLabel(d.date)}: ${num(total(d))}`;
    return g;
  });
  // The SVG stretches to the width it is given, so its words are HTML.
  return svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "trend-chart", role: "img", "aria-hidden": "true", preserveAspectRatio: "none" },
    svg("line", { x1: 0, x2: width, y1: height - bottom, y2: height - bottom, class: "axis" }), ...bars);
}

/** The first, middle and last days, under the chart. */
function axis(days: MentionDay[]): HTMLElement {
  const mid = days[Math.floor((days.length - 1) / 2)];
  return h("div", { class: "trend-axis", "aria-hidden": "true" }, [days[0], mid, days[days.length - 1]].map((d) => h("span", null, dayLabel(d.date))));
}

/** The counts by day, newest first, with the totals of the period. */
function countsTable(days: MentionDay[]): HTMLElement {
  const sum = (s: (typeof sentiments)[number]) => days.reduce((n, d) => n + d[s], 0);
  return h(
    "table",
    { class: "trend-table" },
    h("caption", null, t("mentions.trend_caption")),
    h("thead", null, h("tr", null, h("th", { scope: "col" }, t("mentions.day")), sentiments.map((s) => h("th", { scope: "col", class: s }, t("mentions.sentiment." + s))))),
    h(
      "tbody",
      null,
      [...days].reverse().filter((d, i) => i === 0 || total(d) > 0).map((d) =>
        h("tr", null, h("th", { scope: "row" }, dayLabel(d.date, true)), sentiments.map((s) => h("td", { class: s }, num(d[s]))))),
    ),
    h("tfoot", null, h("tr", null, h("th", { scope: "row" }, t("mentions.total")), sentiments.map((s) => h("td", { class: s }, num(sum(s)))))),
  );
}

/** The trend block: the chart, its legend, and the table beside them. */
export function trendView(trend: MentionTrend): HTMLElement {
  return h(
    "section",
    { class: "mention-trend", "aria-label": t("mentions.trend") },
    h(
      "div",
      { class: "trend-graphic" },
      h("span", { class: "trend-max", "aria-hidden": "true" }, num(Math.max(1, ...trend.days.map(total)))),
      chart(trend.days),
      axis(trend.days),
      h("ul", { class: "trend-legend", "aria-hidden": "true" }, sentiments.map((s) => h("li", { class: s }, h("span", { class: "swatch " + s }), t("mentions.sentiment." + s)))),
    ),
    countsTable(trend.days),
  );
}
