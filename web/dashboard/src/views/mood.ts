// A conversation's mood as agents see it: a chip with the sentiment of the
// customer's latest analysed message and an arrow for its trend, and the
// list's mood filter.
import { h } from "../dom";
import { t } from "../i18n";
import { moods } from "../inbox";
import type { Mood, MoodLabel } from "../types";
import { menu } from "../ui";

const arrows: Record<string, string> = { rising: "↑", falling: "↓", steady: "→" };

/** The chip of a mood: its label and trend arrow, named in full for screen readers. */
export function moodChip(m: Mood | null | undefined): HTMLElement | null {
  if (!m) return null;
  const label = t("mood." + m.sentiment);
  const full = t("mood.full", { mood: label, trend: t("trend." + m.trend) });
  return h(
    "span",
    { class: "mood-chip " + m.sentiment + " " + m.trend, title: full, "aria-label": full, role: "img" },
    h("span", { class: "mood-label", "aria-hidden": "true" }, label),
    h("span", { class: "mood-trend", "aria-hidden": "true" }, arrows[m.trend] ?? ""),
  );
}

/** Opens the mood filter's menu at anchor; choose gets "" for any mood. */
export function moodMenu(anchor: HTMLElement, current: MoodLabel | "", choose: (m: MoodLabel | "") => void): void {
  menu(
    anchor,
    [
      { label: t("mood.any"), checked: !current, onselect: () => choose("") },
      ...moods.map((m) => ({ label: t("mood." + m), checked: current === m, onselect: () => choose(m) })),
    ],
    t("mood.filter"),
  );
}
