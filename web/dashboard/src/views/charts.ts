// Small charts drawn as inline SVG, built node by node: bars (grouped or
// stacked) and lines by day, and a weekday × hour heatmap. The SVG
// stretches to the width it is given, so the words around it (the scale,
// the days) are HTML, and every chart sits beside a table of the same
// numbers, which is what screen readers read.
import { h, type Child } from "../dom";
import { intlTag, num } from "../i18n";

const svgNS = "http://www.w3.org/2000/svg";

/** Creates an SVG element with attributes and children. */
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: SVGElement[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(svgNS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.appendChild(c);
  return el;
}

function titled<T extends SVGElement>(el: T, text: string): T {
  el.appendChild(svg("title", {})).textContent = text;
  return el;
}

/** The day as the reader reads it: "6 Dec", "৬ ডিসে", "6 दिस॰". */
export function dayLabel(date: string, long = false): string {
  const d = new Date(date + "T12:00:00Z");
  return d.toLocaleDateString(intlTag(), long ? { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" } : { day: "numeric", month: "short", timeZone: "UTC" });
}

/** One measure drawn by day: its values (null where nothing was measured). */
export interface Series {
  key: string;
  label: string;
  values: (number | null)[];
}

export interface ChartOptions {
  /** What the chart shows, for its title and label. */
  title: string;
  /** How a value reads: a count, a duration, a percentage. */
  format?: (n: number) => string;
  stacked?: boolean;
  /** The top of the scale when it is fixed (1 for rates). */
  max?: number;
  /** The colour of the first series, when it continues another chart's. */
  first?: number;
}

const width = 600;
const height = 160;

function frame(opts: ChartOptions, top: number, days: string[], ...content: SVGElement[]): HTMLElement {
  const fmt = opts.format ?? num;
  const chart = titled(svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "report-chart", role: "img", "aria-label": opts.title, preserveAspectRatio: "none" },
    svg("line", { x1: 0, x2: width, y1: height - 0.5, y2: height - 0.5, class: "axis" }),
    svg("line", { x1: 0, x2: width, y1: 0.5, y2: 0.5, class: "grid" }), ...content), opts.title);
  const mid = days[Math.floor((days.length - 1) / 2)];
  return h("div", { class: "chart-graphic" },
    h("span", { class: "chart-max", "aria-hidden": "true" }, fmt(top)),
    chart,
    h("div", { class: "chart-axis", "aria-hidden": "true" }, (days.length > 2 ? [days[0], mid, days[days.length - 1]] : days).map((d) => h("span", null, dayLabel(d)))));
}

/** The legend of a chart's series, matching their colours by position. */
export function legend(series: { key: string; label: string }[], first = 0): HTMLElement {
  return h("ul", { class: "chart-legend", "aria-hidden": "true" }, series.map((s, i) => h("li", null, h("span", { class: `swatch s${first + i} ${s.key}` }), s.label)));
}

/** Bars by day: side by side, or stacked with the first series at the bottom. */
export function barChart(days: string[], series: Series[], opts: ChartOptions): HTMLElement {
  const fmt = opts.format ?? num;
  const totals = days.map((_, i) => series.map((s) => s.values[i] ?? 0));
  const top = opts.max ?? Math.max(1, ...totals.map((v) => (opts.stacked ? v.reduce((a, b) => a + b, 0) : Math.max(0, ...v))));
  const slot = width / Math.max(1, days.length);
  const groupW = Math.max(2, slot * 0.75);
  const barW = opts.stacked ? groupW : groupW / series.length;
  const scale = (height - 2) / top;
  const groups = days.map((d, i) => {
    const x0 = i * slot + (slot - groupW) / 2;
    let y = height - 1;
    const bars = series.flatMap((s, j) => {
      const v = s.values[i];
      if (!v) return [];
      const bh = Math.max(1, v * scale);
      const x = opts.stacked ? x0 : x0 + j * barW;
      const by = opts.stacked ? (y -= bh) : height - 1 - bh;
      return [svg("rect", { x: x.toFixed(1), y: by.toFixed(1), width: barW.toFixed(1), height: bh.toFixed(1), class: `bar s${j} ${s.key}` })];
    });
    return titled(svg("g", { class: "day" }, ...bars), `${dayLabel(d)}: ${series.map((s) => `${s.label} ${s.values[i] === null ? "—" : fmt(s.values[i] ?? 0)}`).join(", ")}`);
  });
  return frame(opts, top, days, ...groups);
}

/** Lines by day; a day without a value breaks its line. */
export function lineChart(days: string[], series: Series[], opts: ChartOptions): HTMLElement {
  const top = opts.max ?? Math.max(1, ...series.flatMap((s) => s.values.map((v) => v ?? 0)));
  const slot = width / Math.max(1, days.length);
  const scale = (height - 4) / top;
  const lines = series.map((s, j) => {
    let d = "";
    let pen = false;
    s.values.forEach((v, i) => {
      if (v === null) {
        pen = false;
        return;
      }
      const x = (i + 0.5) * slot;
      const y = height - 2 - v * scale;
      // A lone point is a zero-length segment, which the round cap shows as a dot.
      const next = s.values[i + 1];
      d += pen ? `L${x.toFixed(1)} ${y.toFixed(1)}` : `M${x.toFixed(1)} ${y.toFixed(1)}` + (next === null || next === undefined ? "h0.01" : "");
      pen = true;
    });
    return svg("path", { d, class: `line s${(opts.first ?? 0) + j} ${s.key}`, "vector-effect": "non-scaling-stroke" });
  });
  return frame(opts, top, days, ...lines);
}

/** A weekday × hour grid of counts, darker where busier. */
export function heatmap(cells: number[][], max: number, rows: string[], title: string): HTMLElement {
  const top = Math.max(1, max);
  const rects = cells.flatMap((row, r) => row.map((n, c) =>
    titled(svg("rect", { x: c + 0.06, y: r + 0.06, width: 0.88, height: 0.88, rx: 0.12, class: "cell" + (n ? "" : " none"), "fill-opacity": n ? (0.15 + 0.85 * (n / top)).toFixed(2) : 1 }),
      `${rows[r]} ${hourLabel(c)}: ${num(n)}`)));
  const chart = titled(svg("svg", { viewBox: "0 0 24 7", class: "heatmap-chart", role: "img", "aria-label": title, preserveAspectRatio: "none" }, ...rects), title);
  return h("div", { class: "heatmap" },
    h("div", { class: "heatmap-days", "aria-hidden": "true" }, rows.map((r) => h("span", null, r))),
    chart,
    h("div", { class: "heatmap-hours", "aria-hidden": "true" }, [0, 6, 12, 18].map((n) => h("span", null, hourLabel(n)))));
}

/** An hour of the day in the reader's numerals: "06", "০৬". */
export function hourLabel(hour: number): string {
  return new Intl.NumberFormat(intlTag(), { minimumIntegerDigits: 2, useGrouping: false }).format(hour);
}

/** A table of a chart's numbers, scrolling inside its card. */
export function dataTable(caption: string, head: string[], rows: Child[][], foot?: Child[]): HTMLElement {
  return h("div", { class: "report-table", tabindex: 0, role: "region", "aria-label": caption },
    h("table", null,
      h("caption", null, caption),
      h("thead", null, h("tr", null, head.map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", null, rows.map(([first, ...rest]) => h("tr", null, h("th", { scope: "row" }, first), rest.map((c) => h("td", null, c))))),
      foot ? h("tfoot", null, h("tr", null, h("th", { scope: "row" }, foot[0]), foot.slice(1).map((c) => h("td", null, c)))) : null));
}
