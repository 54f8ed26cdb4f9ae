// The widget editor's phone calls: which phone inbox's calls the chat
// window offers, chosen among the account's inboxes whose channel declares
// that it takes calls, and whether it shows "Call us" and "Call me back".
import { h, type Child } from "../dom";
import { t } from "../i18n";
import { channelInfo } from "../state";
import type { Inbox, WidgetSettings } from "../types";

/** The editor's own controls, bound to its draft. */
export interface Controls {
  section(title: string, ...children: Child[]): HTMLElement;
  checkbox(name: string, label: Child, value: boolean, set: (v: boolean) => void, hint?: string): HTMLElement;
  changed(): void;
}

export function callsSection(s: WidgetSettings, inboxes: Inbox[], c: Controls): HTMLElement {
  const phones = inboxes.filter((i) => channelInfo(i.channel)?.capabilities.calls);
  const options = phones.map((i) => ({ value: String(i.id), label: i.name }));
  // A saved choice that takes calls no more stays shown: saving names it,
  // and the server's reason says what to change.
  if (s.phone_inbox_id && !phones.some((i) => i.id === s.phone_inbox_id)) {
    options.push({ value: String(s.phone_inbox_id), label: t("widget.phone_inbox_gone", { id: s.phone_inbox_id }) });
  }
  const pick = h(
    "select",
    { name: "phone_inbox_id" },
    h("option", { value: "" }, t("widget.phone_inbox_none")),
    options.map((o) => h("option", { value: o.value, selected: Number(o.value) === s.phone_inbox_id }, o.label)),
  );
  const callUs = c.checkbox("call_us", t("widget.call_us"), s.call_us, (v) => (s.call_us = v), t("widget.call_us_hint"));
  const callMeBack = c.checkbox("call_me_back", t("widget.call_me_back"), s.call_me_back, (v) => (s.call_me_back = v), t("widget.call_me_back_hint"));
  const toggles = [callUs, callMeBack].map((el) => el.querySelector("input")!);
  // The options need a phone inbox; without one they are off.
  const sync = () => {
    for (const box of toggles) {
      box.disabled = !s.phone_inbox_id;
      if (!s.phone_inbox_id) box.checked = false;
    }
  };
  pick.addEventListener("change", () => {
    s.phone_inbox_id = Number(pick.value) || 0;
    if (!s.phone_inbox_id) s.call_us = s.call_me_back = false;
    sync();
    c.changed();
  });
  sync();
  const label = h("label", { class: "field" }, h("span", { class: "field-label" }, t("widget.phone_inbox")), pick,
    phones.length ? null : h("span", { class: "hint" }, t("widget.phone_inboxes_none"), " ", h("a", { href: "/settings/inboxes", "data-nav": "" }, t("settings.inboxes"))));
  return c.section(t("widget.calls"), h("p", { class: "hint" }, t("widget.calls_help")), label, callUs, callMeBack);
}
