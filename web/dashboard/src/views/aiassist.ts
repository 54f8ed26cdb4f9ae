// The optional AI's buttons for agents: "Suggest reply" in the composer,
// which fills the draft, and "Summarize" in a conversation's header. Both
// show only when the account has an AI endpoint (state.ai).
import { api } from "../api";
import { h, replace } from "../dom";
import { t } from "../i18n";
import { state } from "../state";
import { errorText, iconButton, modal, toast } from "../ui";

/** Whether the account's AI is on. */
export function aiEnabled(): boolean {
  return !!state.ai?.enabled;
}

/**
 * The composer's "Suggest reply" button: it asks for drafts and fills the
 * composer with the first; clicking again while that draft is untouched
 * shows the next one, and after the last asks again.
 */
export function suggestReplyButton(conversationId: () => number, draft: () => string, fill: (text: string) => void): HTMLButtonElement | null {
  if (!aiEnabled()) return null;
  let drafts: string[] = [];
  let shown = -1;
  const btn = iconButton("sparkle", t("ai.suggest"), () => void suggest(), "ai-suggest-btn");
  async function suggest(): Promise<void> {
    if (shown >= 0 && shown + 1 < drafts.length && draft() === drafts[shown]) {
      fill(drafts[++shown]);
      return;
    }
    btn.disabled = true;
    btn.classList.add("busy");
    btn.title = t("ai.suggesting");
    try {
      drafts = (await api.suggestReplies(conversationId())).suggestions;
      shown = 0;
      if (drafts.length) fill(drafts[0]);
    } catch (e) {
      toast(errorText(e), "error");
    } finally {
      btn.disabled = false;
      btn.classList.remove("busy");
      btn.title = t("ai.suggest");
    }
  }
  return btn;
}

/** The header's "Summarize" button: the summary opens in a dialog. */
export function summarizeButton(conversationId: number): HTMLButtonElement | null {
  if (!aiEnabled()) return null;
  return iconButton("sparkle", t("ai.summarize"), () => {
    const body = h("div", { class: "ai-summary", "aria-live": "polite" }, h("p", { class: "hint" }, t("ai.summarizing")));
    modal(t("ai.summary_title"), body);
    api.summarize(conversationId).then(
      (s) => replace(body, ...s.summary.split("\n").filter((line) => line.trim()).map((line) => h("p", null, line))),
      (e) => replace(body, h("p", { class: "error", role: "alert" }, errorText(e))),
    );
  }, "ai-summarize-btn wide-only");
}
