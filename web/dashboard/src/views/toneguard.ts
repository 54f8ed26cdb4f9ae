// The tone guard of the reply box: a reply's draft is checked by the server
// (offline word lists and the team's policy) while the agent pauses typing
// and again on send; a flagged draft is held with its issues and an
// empathetic rephrasing, until the agent uses it, sends anyway or edits.
// Private notes are never checked.
import { toneApi } from "../api";
import { h, replace } from "../dom";
import { t } from "../i18n";
import { icon } from "../icons";
import type { ToneCheck, ToneIssue } from "../types";
import { aiEnabled } from "./aiassist";

/** How long the agent pauses before the draft is checked while typing. */
const typingPause = 900;
/** How long a send waits for a check before it goes without one. */
const sendWait = 2500;

export interface ToneGuard {
  /** The hint under the box while typing, and the held draft's notice. */
  hint: HTMLElement;
  notice: HTMLElement;
  /** Called on each change of a reply's text (not a note's). */
  typed(text: string): void;
  /**
   * Checks text before it is sent: resolves true when it may go now. A
   * flagged draft shows the notice and resolves false; its buttons send
   * (through send) or put the suggestion in the box (through use).
   */
  allow(text: string, o: { send: () => void; use: (suggestion: string) => void; edit: () => void }): Promise<boolean>;
  /** Hides the hint and the notice (a note, a sent reply, an emptied box). */
  clear(): void;
  destroy(): void;
}

export function toneGuard(conversationId: () => number): ToneGuard {
  const hint = h("div", { class: "tone-hint", role: "status", hidden: true });
  const notice = h("div", { class: "tone-slot" });
  // The last check, by its text: sending what was just checked asks nothing more.
  let last: { text: string; result: Promise<ToneCheck | null> } | null = null;
  let timer = 0;

  function check(text: string): Promise<ToneCheck | null> {
    if (last?.text === text) return last.result;
    // A check that fails (offline, rate limited) never keeps a reply back.
    const result = toneApi.check(text, conversationId()).catch(() => null);
    last = { text, result };
    return result;
  }

  function showHint(c: ToneCheck | null): void {
    const first = c?.flagged ? c.issues[0] : undefined;
    hint.hidden = !first;
    replace(hint, first ? [icon("alert", "icon small"), h("span", null, issueLine(first, c!.issues.length))] : null);
  }

  return {
    hint,
    notice,
    typed(text) {
      clearTimeout(timer);
      replace(notice);
      const draft = text.trim();
      if (draft.length < 2) {
        showHint(null);
        return;
      }
      timer = window.setTimeout(async () => {
        const c = await check(draft);
        if (last?.text === draft) showHint(c);
      }, typingPause);
    },
    async allow(text, o) {
      clearTimeout(timer);
      const c = await Promise.race([check(text), new Promise<null>((r) => setTimeout(() => r(null), sendWait))]);
      if (!c?.flagged) {
        showHint(null);
        return true;
      }
      showHint(null);
      const hold = (c: ToneCheck) =>
        replace(notice, toneNotice(c, {
          use: () => {
            replace(notice);
            o.use(c.suggestion ?? "");
          },
          anyway: () => {
            replace(notice);
            o.send();
          },
          edit: () => {
            replace(notice);
            o.edit();
          },
        }));
      hold(c);
      // With AI on, its rephrasing replaces the offline one when it comes,
      // if the draft is still held.
      if (aiEnabled()) {
        const shown = notice.firstElementChild;
        toneApi.check(text, conversationId(), true).then(
          (better) => {
            if (better.flagged && better.suggestion && notice.firstElementChild === shown) hold(better);
          },
          () => {},
        );
      }
      return false;
    },
    clear() {
      clearTimeout(timer);
      showHint(null);
      replace(notice);
    },
    destroy() {
      clearTimeout(timer);
    },
  };
}

/** One issue in a line: its kind, the words as written, and why. */
function issueLine(i: ToneIssue, count: number): string {
  const line = t("tone.kind." + i.kind) + ": “" + i.text + "” — " + t("tone.reason." + i.code);
  return count > 1 ? line + " " + t("tone.more", { n: count - 1 }) : line;
}

/** The held draft's notice: every issue, the suggestion, and the three ways on. */
function toneNotice(c: ToneCheck, o: { use: () => void; anyway: () => void; edit: () => void }): HTMLElement {
  return h(
    "div",
    { class: "composer-notice tone-notice", role: "alert" },
    h("p", { class: "guard-title" }, icon("alert", "icon small"), t("tone.title")),
    h(
      "ul",
      { class: "tone-issues" },
      c.issues.map((i) => h("li", { class: "tone-issue " + i.kind }, h("strong", null, t("tone.kind." + i.kind)), " ", i.kind === "cold" ? null : h("q", null, i.text), " ", t("tone.reason." + i.code))),
    ),
    c.suggestion ? h("p", { class: "tone-suggestion" }, h("span", { class: "tone-suggestion-label" }, t("tone.suggestion")), " ", h("span", { class: "tone-suggestion-text", lang: c.language.split("-")[0] }, c.suggestion)) : null,
    h(
      "div",
      { class: "guard-actions" },
      c.suggestion ? h("button", { type: "button", class: "btn small primary tone-use", onclick: o.use }, t("tone.use")) : null,
      h("button", { type: "button", class: "btn small tone-anyway", onclick: o.anyway }, t("tone.send_anyway")),
      h("button", { type: "button", class: "btn small ghost tone-edit", onclick: o.edit }, t("tone.edit")),
    ),
  );
}
