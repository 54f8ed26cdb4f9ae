// Settings → AI (admins): the account's optional OpenAI-compatible
// endpoint, its URL, model and key, with "Test connection".
import { api } from "../api";
import { h, replace } from "../dom";
import { t } from "../i18n";
import { emit, state } from "../state";
import type { AISettings } from "../types";
import { button, confirmDialog, empty, errorText, field, toast } from "../ui";
import { attempt, form, submit } from "./forms";

export async function aiSettings(el: HTMLElement): Promise<void> {
  let cur: AISettings;
  try {
    cur = await api.ai();
  } catch (e) {
    replace(el, empty(errorText(e)));
    return;
  }
  const baseURL = h("input", { type: "url", name: "base_url", value: cur.base_url ?? "", required: true, placeholder: "https://api.openai.com/v1", dir: "ltr" });
  const model = h("input", { name: "model", value: cur.model ?? "", required: true, placeholder: "gpt-4o-mini", dir: "ltr" });
  const key = h("input", { type: "password", name: "api_key", autocomplete: "off", dir: "ltr", placeholder: cur.key_set ? t("ai.key_stored") : "" });
  const result = h("p", { class: "hint ai-test-result", "aria-live": "polite" });
  const body = () => ({ base_url: baseURL.value.trim(), model: model.value.trim(), ...(key.value.trim() ? { api_key: key.value.trim() } : {}) });
  const saved = (s: AISettings) => {
    state.ai = s;
    emit("meta");
    void aiSettings(el);
  };
  const test = button(t("ai.test"), async () => {
    test.disabled = true;
    replace(result, t("ai.testing"));
    result.classList.remove("error");
    try {
      const r = await api.testAI(body());
      replace(result, t("ai.test_ok", { ms: r.latency_ms }));
    } catch (e) {
      result.classList.add("error");
      replace(result, errorText(e));
    } finally {
      test.disabled = false;
    }
  });
  const off = cur.enabled
    ? button(t("ai.off"), async () => {
        if (!(await confirmDialog(t("ai.off_confirm"), t("ai.off"), true))) return;
        if (await attempt(() => api.deleteAI(), t("ai.turned_off"))) saved({ enabled: false, key_set: false });
      }, "danger")
    : null;
  replace(
    el,
    form(
      async () => {
        try {
          saved(await api.setAI(body()));
          toast(t("saved"));
        } catch (e) {
          toast(errorText(e), "error");
        }
      },
      h("h2", null, t("settings.ai")),
      h("p", { class: "hint" }, t("ai.intro")),
      h("p", { class: "ai-status " + (cur.enabled ? "on" : "off") }, cur.enabled ? t("ai.status_on") : t("ai.status_off")),
      field(t("ai.base_url"), baseURL, t("ai.base_url_hint")),
      field(t("ai.model"), model),
      field(t("ai.api_key"), key, t("ai.api_key_hint")),
      result,
      h("div", { class: "form-actions" }, submit(t("action.save")), test, off),
    ),
  );
}
