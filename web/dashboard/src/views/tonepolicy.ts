// Settings › Tone: the team's own rules for replies, which the tone guard
// checks every draft against: phrases never to write and promises the team
// does not make, one a line.
import { toneApi } from "../api";
import { h, replace } from "../dom";
import { t } from "../i18n";
import { empty, errorText, field } from "../ui";
import { attempt, form, submit } from "./forms";

const lines = (ta: HTMLTextAreaElement) => ta.value.split("\n").map((l) => l.trim()).filter(Boolean);

export async function tonePolicy(el: HTMLElement): Promise<void> {
  let policy;
  try {
    policy = await toneApi.policy();
  } catch (e) {
    replace(el, empty(errorText(e)));
    return;
  }
  const forbidden = h("textarea", { name: "forbidden", rows: 6, value: policy.forbidden.join("\n"), placeholder: t("tone_policy.forbidden_example") });
  const promises = h("textarea", { name: "promises", rows: 6, value: policy.promises.join("\n"), placeholder: t("tone_policy.promises_example") });
  replace(
    el,
    form(
      async () => {
        await attempt(async () => {
          const saved = await toneApi.setPolicy({ forbidden: lines(forbidden), promises: lines(promises) });
          forbidden.value = saved.forbidden.join("\n");
          promises.value = saved.promises.join("\n");
        });
      },
      h("h2", null, t("settings.tone")),
      h("p", { class: "hint" }, t("tone_policy.intro")),
      field(t("tone_policy.forbidden"), forbidden, t("tone_policy.forbidden_hint")),
      field(t("tone_policy.promises"), promises, t("tone_policy.promises_hint")),
      h("div", { class: "form-actions" }, submit(t("action.save"))),
    ),
  );
}
