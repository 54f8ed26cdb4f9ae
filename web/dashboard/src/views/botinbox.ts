// One inbox's bot: on or off, its confidence threshold, its hand-off
// thresholds and the wait it tells customers of, for the inbox picked.
import { api } from "../api";
import { h, replace } from "../dom";
import { t } from "../i18n";
import { state } from "../state";
import type { BotSettings } from "../types";
import { empty, errorText, field, select } from "../ui";
import { attempt, form, submit } from "./forms";

export async function inboxBot(el: HTMLElement, inboxID = state.inboxes[0]?.id ?? 0): Promise<void> {
  if (!inboxID) {
    replace(el, empty(t("bot.no_inboxes")));
    return;
  }
  let cur: BotSettings;
  try {
    cur = await api.botSettings(inboxID);
  } catch (e) {
    replace(el, empty(errorText(e)));
    return;
  }
  const pick = select(state.inboxes.map((i) => ({ value: i.id, label: i.name })), inboxID, (v) => void inboxBot(el, Number(v)), { name: "bot_inbox" });
  const enabled = h("input", { type: "checkbox", name: "enabled", checked: cur.enabled });
  const share = (name: string, v: number) => h("input", { type: "number", name, min: 0, max: 1, step: 0.05, value: String(v), required: true, dir: "ltr" });
  const threshold = share("threshold", cur.threshold);
  const negativity = share("negativity", cur.negativity);
  const anger = share("anger", cur.anger);
  const urgency = share("urgency", cur.urgency);
  const minutes = h("input", { type: "number", name: "wait_minutes", min: 0, max: 10080, step: 1, value: String(cur.wait_minutes), dir: "ltr" });
  const waitText = h("input", { name: "wait_text", value: cur.wait_text, maxlength: 200 });
  replace(
    el,
    form(
      async () => {
        await attempt(async () => {
          cur = await api.setBotSettings(inboxID, {
            enabled: enabled.checked,
            threshold: Number(threshold.value),
            negativity: Number(negativity.value),
            anger: Number(anger.value),
            urgency: Number(urgency.value),
            wait_minutes: Number(minutes.value),
            wait_text: waitText.value.trim(),
          });
        });
      },
      h("h2", null, t("bot.settings_title")),
      field(t("bot.inbox"), pick),
      h("label", { class: "check" }, enabled, t("bot.enabled")),
      field(t("bot.threshold"), threshold, t("bot.threshold_hint")),
      field(t("bot.negativity"), negativity, t("bot.off_hint")),
      field(t("bot.anger"), anger, t("bot.off_hint")),
      field(t("bot.urgency"), urgency, t("bot.off_hint")),
      field(t("bot.wait_minutes"), minutes),
      field(t("bot.wait_text"), waitText, t("bot.wait_text_hint")),
      h("div", { class: "form-actions" }, submit(t("action.save"))),
    ),
  );
}
