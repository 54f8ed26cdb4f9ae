// The Reports page, for administrators: a period's headline figures, its
// charts by day and hour, the agents' leaderboard, the voice of the
// customer, and the live view of now. The period and filters live in the
// address, so a report can be shared. A card whose report the server does
// not answer (404) stays hidden.
import { reportsApi, sentimentParams, sentimentScoped, voiceParams, type ReportDay, type ReportSummary } from "../api";
import { h, replace } from "../dom";
import { t } from "../i18n";
import { navigate, type Route } from "../router";
import { isAdmin, state } from "../state";
import { empty, pageHeader } from "../ui";
import { card, fill, summaryFigures, type Card } from "./reportcards";
import { csatChart, sentimentChart, timesChart, trafficHeatmap, volumeChart } from "./reportcharts";
import { controls } from "./reportcontrols";
import { leaderboard, liveView } from "./reportpeople";
import { addDays, apiParams, beyondVoice, csvHref, readState, stateQuery, today, type ReportState } from "./reportstate";
import { voice } from "./reportvoice";

const liveEvery = 30_000;

/** Mounts the Reports page; returns its unmount function. */
export function mountReports(el: HTMLElement, r: Route): () => void {
  if (!isAdmin()) {
    replace(el, h("div", { class: "page reports-page" }, pageHeader(t("reports.title")), empty(t("reports.admins_only"))));
    return () => {};
  }
  const zone = state.account?.time_zone ?? "";
  let s: ReportState = readState(r.query, zone);
  let generation = 0;
  const controlsEl = h("div", { class: "report-controls-wrap" });
  const note = h("p", { class: "hint report-note" });
  const grid = h("div", { class: "report-grid" });
  const live = card("live", t("reports.live"), "", "wide live-card");

  function set(p: Partial<ReportState>): void {
    s = { ...s, ...p };
    // A preset is the days ending today; choosing dates starts from those shown.
    if (s.period !== "custom") s = { ...s, to: today(zone), from: addDays(today(zone), 1 - Number(s.period)) };
    navigate("/reports?" + stateQuery(s), true);
    load();
  }

  function load(): void {
    const gen = ++generation;
    const current = () => gen === generation;
    const p = apiParams(s);
    replace(controlsEl, controls(s, set));
    const cards: Record<string, Card> = {
      summary: card("summary", t("reports.summary"), csvHref("summary", s), "wide"),
      volume: card("volume", t("reports.volume"), csvHref("series", s)),
      times: card("times", t("reports.times"), csvHref("series", s)),
      csat: card("csat", t("reports.csat_by_day"), csvHref("series", s)),
      sentiment: card("sentiment", t("reports.sentiment"), csvHref("sentiment", s, sentimentParams)),
      heatmap: card("heatmap", t("reports.heatmap"), csvHref("heatmap", s), "wide"),
      agents: card("agents", t("reports.agents"), csvHref("agents", s), "wide"),
      voice: card("voice", t("reports.voice"), csvHref("topics", s, voiceParams), "wide"),
    };
    replace(grid, cards.summary.el, live.el, Object.values(cards).slice(1).map((c) => c.el));
    void fill(cards.summary, reportsApi.summary(p), (v: ReportSummary) => {
      replace(note, t(v.business_hours ? "reports.note_business" : "reports.note", { zone: v.time_zone }));
      return summaryFigures(v);
    }, current);
    const series = reportsApi.series(p);
    const days = (v: { days: ReportDay[] | null }) => v.days ?? [];
    void fill(cards.volume, series, (v) => volumeChart(days(v)), current);
    void fill(cards.times, series, (v) => timesChart(days(v), days(v).some((d) => d.next_response_median !== undefined)), current);
    void fill(cards.csat, series, (v) => csatChart(days(v)), current);
    // Sentiment and topics are counted by inbox and channel only: say so
    // when other filters are set rather than leave them out unnoticed.
    const unfiltered = beyondVoice(s) ? h("p", { class: "hint report-unfiltered" }, t("reports.voice_unfiltered")) : null;
    // The sentiment trend is kept for one team, agent or label too.
    const sentimentAll = beyondVoice(s) && !sentimentScoped(p) ? unfiltered?.cloneNode(true) : null;
    void fill(cards.sentiment, reportsApi.sentiment(p), (v) => [sentimentAll, sentimentChart(v.days ?? [])], current);
    void fill(cards.heatmap, reportsApi.heatmap(p), (v) => trafficHeatmap(v.cells ?? [], v.max), current);
    void fill(cards.agents, reportsApi.agents(p), (v) => leaderboard(v.agents ?? []), current);
    void fill(cards.voice, reportsApi.topics(p), (v) => [unfiltered, voice(p, v)], current);
  }

  let destroyed = false;
  let timer = 0;
  // The live view follows the account, not the period: read it again every
  // 30 seconds while the page is open.
  function refreshLive(): void {
    clearTimeout(timer);
    void fill(live, reportsApi.live(), (v) => liveView(v, new Date()), () => !destroyed).then(() => {
      if (!destroyed && !live.el.hidden) timer = window.setTimeout(refreshLive, liveEvery);
    });
  }

  replace(el, h("div", { class: "page reports-page" },
    pageHeader(t("reports.title")),
    h("div", { class: "list-scroll report-body" }, controlsEl, note, grid)));
  if (location.search.slice(1) !== stateQuery(s)) navigate("/reports?" + stateQuery(s), true);
  load();
  refreshLive();
  return () => {
    destroyed = true;
    clearTimeout(timer);
  };
}
