// A new outgoing conversation on a channel that opens one only with an
// approved template (WhatsApp): from one of those inboxes, to a contact or
// to a phone number in international form, with the template's variables
// filled in. It opens the new conversation once sent.
import { publicApi } from "../api";
import { h } from "../dom";
import { t, tOr } from "../i18n";
import { capabilitiesOf, state } from "../state";
import type { Contact, Inbox } from "../types";
import { errorText, field, modal, select, toast } from "../ui";
import { templatePicker } from "./templates";

/** The inboxes whose channel starts conversations with templates. */
export function templateInboxes(): Inbox[] {
  return state.inboxes.filter((i) => capabilitiesOf(i.id).templates);
}

/** A phone number as the platform takes it: + and the country code, digits only. */
export function e164(s: string): string | null {
  const digits = s.replace(/[\s().-]/g, "");
  return /^\+[1-9]\d{6,14}$/.test(digits) ? digits : null;
}

export function newTemplateDialog(open: (conversationId: number) => void, contact?: Contact): void {
  const inboxes = templateInboxes();
  if (!inboxes.length) {
    toast(t("start.no_inbox"), "error");
    return;
  }
  const from = select(inboxes.map((i) => ({ value: i.id, label: i.name + " · " + tOr("channel." + i.channel, i.channel) })), inboxes[0].id, () => picker.open(), { name: "inbox" });
  const to = h("input", { type: "tel", name: "to", required: true, value: contact?.phone ?? "", placeholder: "+8801712345678", autocomplete: "off", inputmode: "tel" });
  const error = h("p", { class: "form-error", role: "alert" });
  const picker = templatePicker(() => Number(from.value), {
    send: async (v) => {
      error.textContent = "";
      const number = e164(to.value);
      const known = !!contact && !!contact.phone && e164(contact.phone) === number;
      if (!number && !known) {
        error.textContent = t("start.bad_number");
        to.focus();
        throw new Error("bad number");
      }
      try {
        const r = await publicApi.start({ inbox_id: Number(from.value), ...(known && contact ? { contact_id: contact.id } : { to: number ?? "" }), content: "", template: v.template });
        close();
        toast(t("templates.sent"));
        open(r.conversation.id);
      } catch (e) {
        error.textContent = errorText(e);
        throw e;
      }
    },
  });
  const close = modal(
    t("start.title"),
    h(
      "div",
      { class: "form new-template-conversation" },
      h("p", { class: "hint" }, t("start.hint")),
      field(t("start.from"), from),
      field(t("start.to"), to, t("start.to_hint")),
      picker.el,
      error,
    ),
    { wide: true },
  );
  picker.open();
  if (!contact?.phone) to.focus();
}
