// What an admin pastes into a platform's app settings to connect an inbox
// whose channel is called by webhook with a verify token (Messenger,
// Instagram, WhatsApp): the callback URL and the verify token, each with a
// copy button, and a test of the inbox's credentials.
import { api, widgetApi } from "../api";
import { h, replace } from "../dom";
import { t, tOr } from "../i18n";
import { icon } from "../icons";
import { channelInfo } from "../state";
import type { Inbox } from "../types";
import { button, errorText, modal, toast } from "../ui";

/** The setting a platform's webhook verification checks. */
const verifyKey = "verify_token";

/** Whether an inbox's channel is connected by pasting a webhook URL and verify token. */
export function hasWebhookSetup(inbox: Inbox): boolean {
  return !!channelInfo(inbox.channel)?.settings.some((s) => s.key === verifyKey);
}

/** The address the platform calls for an inbox: the server's public one, or else the dashboard's origin. */
export function webhookURL(inbox: Inbox): string {
  return inbox.webhook_url || `${location.origin}/webhooks/${inbox.id}`;
}

/** A value to copy, with its copy button. */
function copyRow(label: string, name: string, value: string, hint?: string): HTMLElement {
  // Shown whole, wrapped where it must, so nothing of it hides on a phone.
  const input = h("code", { class: "copy-value", dataset: { name } }, value);
  const copy = async () => {
    getSelection()?.selectAllChildren(input);
    try {
      await navigator.clipboard.writeText(value);
      toast(t("webhook.copied", { what: label }));
    } catch {
      toast(t("webhook.copy_failed"), "error");
    }
  };
  return h(
    "div",
    { class: "field webhook-copy" },
    h("span", { class: "field-label" }, label),
    h("div", { class: "copy-row" }, input, button([icon("checks", "icon small"), t("webhook.copy")], () => void copy(), "small copy")),
    hint ? h("span", { class: "hint" }, hint) : null,
  );
}

/** Opens the dialog of an inbox's webhook: its address, verify token and connection test. */
export function webhookDialog(inbox: Inbox): void {
  const token = h("div", { class: "token-slot" }, h("p", { class: "hint" }, t("list.loading")));
  const result = h("div", { class: "test-result", role: "status" });
  const testable = !!channelInfo(inbox.channel)?.testable;
  const test = async () => {
    replace(result, h("p", { class: "hint" }, t("inboxes.testing")));
    try {
      const r = await api.testInbox(inbox.id);
      replace(result, r.ok ? h("p", { class: "test-ok" }, icon("check", "icon small"), t("inboxes.test_ok", { name: inbox.name }))
        : [h("p", { class: "test-failed" }, t("inboxes.test_failed_title")), h("p", { class: "test-error" }, r.error ?? "")]);
    } catch (e) {
      replace(result, h("p", { class: "test-failed" }, errorText(e)));
    }
  };
  const close = modal(t("webhook.title", { name: inbox.name }), [
    h("p", { class: "hint" }, tOr(`webhook.steps.${inbox.channel}`, t("webhook.steps"))),
    copyRow(t("webhook.url"), "webhook_url", webhookURL(inbox), t("webhook.url_hint")),
    token,
    result,
    h("div", { class: "form-actions" }, testable ? button([icon("check", "icon small"), t("inboxes.test")], () => void test(), "test-connection") : null, button(t("action.close"), () => close(), "primary")),
  ], { wide: true });
  widgetApi.secrets(inbox.id).then(
    (s) => replace(token, s[verifyKey] ? copyRow(t("webhook.verify_token"), "verify_token", s[verifyKey], t("webhook.verify_hint")) : h("p", { class: "test-failed" }, t("webhook.no_token"))),
    (e) => replace(token, h("p", { class: "test-failed" }, errorText(e))),
  );
}
