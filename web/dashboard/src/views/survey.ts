// The satisfaction survey in an inbox's dialog: whether a resolved
// conversation sends the customer a survey link (docs/csat.md). The
// website widget asks in the chat instead, so its dialog has no such box.
import { api } from "../api";
import { h } from "../dom";
import { t } from "../i18n";

/** The survey box of an inbox's dialog; show() follows the channel, save() stores a change for the saved id. */
export function surveySection(id: number | null): { el: HTMLElement; show: (channel: string) => void; save: (id: number, channel: string) => Promise<void> } {
  // Disabled until the saved setting is read: a click before it would be
  // undone by the answer.
  const box = h("input", { type: "checkbox", name: "survey_on_resolve", disabled: !!id });
  let loaded = false;
  if (id) {
    void api
      .inboxSurvey(id)
      .then((s) => {
        box.checked = s.survey_on_resolve;
        loaded = s.survey_on_resolve;
      })
      .finally(() => {
        box.disabled = false;
      });
  }
  const el = h("fieldset", { class: "field survey-settings" },
    h("legend", null, t("survey.title")),
    h("label", { class: "check" }, box, t("survey.on_resolve")),
    h("p", { class: "hint" }, t("survey.hint")));
  return {
    el,
    show: (channel) => {
      el.hidden = channel === "widget";
    },
    save: async (target, channel) => {
      if (channel === "widget" || box.checked === loaded) return;
      await api.setInboxSurvey(target, box.checked);
      loaded = box.checked;
    },
  };
}
