// Calls: the "Call us" and "Call me back" buttons under the header, and
// the panel they open, with the number to call, whether someone takes
// calls now, and the form that asks the team to call the visitor back.
import { h, icon } from "./dom";
import { t } from "./i18n";

/** The phone line the server offers (settings.phone). */
export interface Phone {
  /** Shown only when the widget offers "Call us". */
  number?: string;
  open: boolean;
  available: boolean;
  call_me_back: boolean;
}

export interface CallRequest {
  phone: string;
  preferred_time: string;
  note: string;
}

const PHONE =
  '<svg viewBox="0 0 24 24" width="16" height="16" fill="currentColor"><path d="M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z"/></svg>';

/** The buttons under the header; pick(true) opens the panel at the form. */
export function callButtons(p: Phone, pick: (form: boolean) => void): HTMLElement {
  return h(
    "div",
    { class: "calls" },
    p.number ? h("button", { class: "cb", type: "button", onclick: () => pick(false) }, icon(PHONE), t("call_us")) : null,
    p.call_me_back ? h("button", { class: "cb", type: "button", onclick: () => pick(true) }, t("call_me_back")) : null,
  );
}

/** Whether someone takes a call now, and, when not, what the visitor can do. */
export function callStatus(p: Phone): string {
  if (p.available) return t("call_available");
  if (p.open) return t(p.call_me_back ? "call_busy_leave" : "call_busy");
  return t(p.call_me_back ? "call_closed_leave" : "call_closed");
}

export interface PanelOptions {
  phone: Phone;
  /** The number the team will call, once the visitor asked. */
  requested: string;
  /** The visitor's number, if they gave one. */
  visitorPhone: string;
  /** Sends the request; a refusal throws with the server's reason. */
  send: (req: CallRequest) => Promise<void>;
  back: () => void;
}

/** The call panel, shown in place of the conversation. */
export function callPanel(o: PanelOptions): HTMLElement {
  const p = o.phone;
  const panel = h(
    "div",
    { class: "call" },
    h("h2", null, p.number ? t("call_us") : t("call_me_back")),
    h("p", { class: "cst" + (p.available ? " on" : "") }, callStatus(p)),
    p.number ? h("a", { class: "tel", href: "tel:" + p.number, dir: "ltr" }, p.number) : null,
  );
  if (p.call_me_back) panel.append(o.requested ? h("p", { class: "ok", role: "status" }, t("call_requested", { phone: o.requested })) : form(o));
  panel.append(h("button", { class: "link", type: "button", onclick: o.back }, t("call_back_to_chat")));
  return panel;
}

function form(o: PanelOptions): HTMLElement {
  const phone = h("input", { name: "phone", type: "tel", autocomplete: "tel", dir: "ltr", required: true, value: o.visitorPhone, placeholder: t("call_phone_example") });
  const time = h("input", { name: "preferred_time", type: "text", maxlength: 100, placeholder: t("call_time_placeholder") });
  const note = h("textarea", { name: "note", rows: 2, maxlength: 1000 });
  const err = h("p", { class: "err", role: "alert" });
  const submit = h("button", { class: "primary", type: "submit" }, t("call_me_back"));
  const optional = " (" + t("optional") + ")";
  return h(
    "form",
    {
      class: "cbf",
      novalidate: true,
      onsubmit: async (ev: Event) => {
        ev.preventDefault();
        err.textContent = "";
        if (!phone.value.trim()) {
          err.textContent = t("field_required");
          phone.focus();
          return;
        }
        submit.disabled = true;
        try {
          await o.send({ phone: phone.value, preferred_time: time.value, note: note.value });
        } catch (e) {
          err.textContent = (e as Error).message;
          phone.focus();
        } finally {
          submit.disabled = false;
        }
      },
    },
    h("label", null, h("span", null, t("call_phone")), phone, h("small", null, t("call_phone_hint"))),
    h("label", null, h("span", null, t("call_time"), optional), time),
    h("label", null, h("span", null, t("call_note"), optional), note),
    err,
    submit,
  );
}
