// The Reports page's people: the agents' leaderboard for the period
// (/reports/agents) and the live view of the account now (/reports/live).
import type { AgentRow, LiveReport } from "../api";
import { h } from "../dom";
import { clockTime, num, t } from "../i18n";
import { state } from "../state";
import { avatar } from "../ui";
import { dataTable } from "./charts";
import { duration, percent } from "./reportstate";

/** One row an agent, best first, as the server sorts them. */
export function leaderboard(rows: AgentRow[]): HTMLElement {
  if (!rows.length) return h("p", { class: "hint" }, t("reports.no_agents"));
  return dataTable(t("reports.agents"),
    [t("reports.agent"), t("reports.resolved"), t("reports.replies"), t("reports.first_response"), t("reports.resolution"), t("reports.csat"), t("reports.fcr")],
    rows.map((a) => [
      h("span", { class: "report-agent", dataset: { agent: String(a.agent_id) } }, avatar(a.name, "tiny"), a.name),
      num(a.resolved), num(a.replies), duration(a.first_response_median), duration(a.resolution_median),
      a.csat_responses ? `${percent(a.csat_score)} (${num(a.csat_responses)})` : percent(null),
      percent(a.first_contact_resolution_rate),
    ]));
}

function stat(metric: string, label: string, n: number): HTMLElement {
  return h("div", { class: "figure", dataset: { metric, value: String(n) } }, h("span", { class: "figure-label" }, label), h("span", { class: "figure-value" }, num(n)));
}

function inboxName(id: number): string {
  return state.inboxes.find((i) => i.id === id)?.name ?? "";
}

/** Open, unassigned and pending now; who waits longest; who is online. */
export function liveView(live: LiveReport, at: Date): HTMLElement {
  const waiting = live.waiting_longest ?? [];
  const online = live.agents_online ?? [];
  return h("div", { class: "live" },
    h("div", { class: "figures live-figures" },
      stat("live_open", t("reports.live_open"), live.open),
      stat("live_unassigned", t("reports.live_unassigned"), live.unassigned),
      stat("live_pending", t("reports.live_pending"), live.pending)),
    h("div", { class: "live-lists" },
      h("div", null,
        h("h3", null, t("reports.waiting_longest")),
        waiting.length
          ? h("ol", { class: "live-waiting" }, waiting.map((w) => h("li", null,
            h("a", { href: `/conversations/${w.conversation_id}`, "data-nav": "", dataset: { conversation: String(w.conversation_id) } },
              h("span", { class: "live-name" }, w.contact_name || "#" + num(w.display_id)),
              h("span", { class: "hint" }, [inboxName(w.inbox_id), t("reports.waiting_for", { time: duration(w.waiting_seconds) })].filter(Boolean).join(" · "))))))
          : h("p", { class: "hint" }, t("reports.nobody_waiting"))),
      h("div", null,
        h("h3", null, t("reports.agents_online")),
        online.length
          ? h("ul", { class: "live-agents" }, online.map((a) => h("li", null, avatar(a.name, "tiny"), h("span", { class: "live-name" }, a.name),
            h("span", { class: "hint" }, t("reports.open_assigned", { n: a.open_assigned })))))
          : h("p", { class: "hint" }, t("reports.nobody_online")))),
    h("p", { class: "hint live-updated" }, t("reports.live_updated", { time: clockTime(at.toISOString()) })));
}
