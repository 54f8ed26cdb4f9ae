// Email in the dashboard: a message's subject and headers in the timeline,
// and the addresses a reply is copied to. ./emailfull has the original in a
// sandboxed frame, a new outgoing email and the mail providers' presets.
import { h, linkify, replace } from "../dom";
import { longTime, t } from "../i18n";
import { icon } from "../icons";
import { capabilitiesOf, state } from "../state";
import type { Attachment, Email, EmailAddress, Inbox, Message } from "../types";
import { emailFrame } from "./emailfull";

/** A subject without its reply and forward prefixes, to tell when a thread's subject changes. */
export function baseSubject(s: string): string {
  let x = s.trim();
  for (;;) {
    const y = x.replace(/^(re|fwd?|aw|wg|sv)\s*(\[\d+\])?\s*[:：]\s*/i, "");
    if (y === x) return x.toLocaleLowerCase();
    x = y;
  }
}

/** The subject of a reply: "Re: " once before the thread's subject. */
export function replySubject(s: string): string {
  const x = s.trim();
  if (!x) return "";
  return /^re\s*:/i.test(x) ? x : "Re: " + x;
}

/** An address as a header writes it: Name <address>. */
export function formatAddress(a: EmailAddress): string {
  return a.name ? `${a.name} <${a.address}>` : a.address;
}

const addressPattern = /^[^\s@<>(),;:"[\]]+@[^\s@<>(),;:"[\]]+\.[^\s@<>(),;:"[\]]{2,}$/;

/** Whether s is one email address, as a Cc or To box takes it. */
export const validAddress = (s: string) => addressPattern.test(s.trim());

/** The inboxes an agent can start an email from: those whose channel writes a subject. */
export function emailInboxes(): Inbox[] {
  return state.inboxes.filter((i) => capabilitiesOf(i.id).subject);
}

/** The email of the conversation's newest message that has one. */
export function lastEmail(messages: Message[]): Email | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const e = messages[i].email;
    if (e) return e;
  }
  return null;
}

/**
 * The subject line and headers of an email message, for the top of its
 * bubble: the subject only when it differs from the previous email's, the
 * addresses in one line that unfolds into From, To, Cc, Bcc and the date.
 */
export function emailHead(m: Message, showSubject: boolean): HTMLElement | null {
  const e = m.email;
  if (!e) return null;
  const to = e.to ?? [];
  const cc = e.cc ?? [];
  const bcc = e.bcc ?? [];
  const short = (list: EmailAddress[]) => list.map((a) => a.name || a.address).join(", ");
  const summary = [t("email.to") + " " + short(to), cc.length ? t("email.cc") + " " + short(cc) : "", bcc.length ? t("email.bcc") + " " + short(bcc) : ""]
    .filter(Boolean)
    .join(" · ");
  const row = (label: string, list: EmailAddress[]) => (list.length ? [h("dt", null, label), h("dd", null, list.map(formatAddress).join(", "))] : null);
  const details = h(
    "dl",
    { class: "email-headers", hidden: true },
    row(t("email.from"), e.from?.address ? [e.from] : []),
    row(t("email.to"), to),
    row(t("email.cc"), cc),
    row(t("email.bcc"), bcc),
    h("dt", null, t("email.date")),
    h("dd", null, longTime(m.created_at)),
  );
  const toggle = h(
    "button",
    {
      type: "button",
      class: "email-summary",
      "aria-expanded": "false",
      title: t("email.details"),
      onclick: () => {
        details.hidden = !details.hidden;
        toggle.setAttribute("aria-expanded", String(!details.hidden));
        toggle.classList.toggle("open", !details.hidden);
      },
    },
    h("span", { class: "email-summary-text" }, summary),
    icon("back", "icon small chevron"),
  );
  return h("div", { class: "email-head" }, showSubject && e.subject ? h("div", { class: "email-subject" }, e.subject) : null, toggle, details);
}

/** Whether the whole original says more than the new words shown. */
export function hasMore(m: Message): boolean {
  const e = m.email;
  if (!e) return false;
  if (e.html) return true;
  return !!e.text && e.text.trim() !== m.content.trim();
}

/** The inline images an email's HTML shows, which its list of files leaves out. */
export function inlineOnly(m: Message): (a: Attachment) => boolean {
  const html = m.email?.html ?? "";
  return (a) => !!a.content_id && html.includes(`data-cid="${a.content_id}"`);
}

/** "Show full message": the original, one click away, under the new words. */
export function fullMessageToggle(m: Message): HTMLElement | null {
  if (!hasMore(m)) return null;
  const slot = h("div", { class: "email-full", hidden: true });
  let built = false;
  const btn = h(
    "button",
    {
      type: "button",
      class: "btn tiny ghost email-full-toggle",
      "aria-expanded": "false",
      onclick: () => {
        if (!built) {
          built = true;
          replace(slot, m.email?.html ? emailFrame(m) : h("div", { class: "email-text" }, linkify(m.email?.text ?? "")));
        }
        slot.hidden = !slot.hidden;
        btn.setAttribute("aria-expanded", String(!slot.hidden));
        btn.textContent = slot.hidden ? t("email.show_full") : t("email.hide_full");
      },
    },
    t("email.show_full"),
  );
  return h("div", { class: "email-more" }, btn, slot);
}

/** A box of addresses shown as chips: Enter, a comma or leaving the box adds what was typed. */
export interface AddressBox {
  el: HTMLElement;
  /** The addresses, with what is typed and valid; null when something typed is not an address. */
  values(): string[] | null;
  /** The addresses as chips, leaving what is typed alone. */
  chips(): string[];
  set(list: string[]): void;
}

export function addressBox(label: string, name: string, initial: string[], onchange: () => void): AddressBox {
  let list = [...initial];
  const input = h("input", { type: "email", class: "address-input", name, "aria-label": label, autocomplete: "off", spellcheck: "false", multiple: true });
  const error = h("div", { class: "address-error", role: "alert", hidden: true });
  const chips = h("span", { class: "address-chips" });
  const render = () => {
    replace(
      chips,
      list.map((a, i) =>
        h(
          "span",
          { class: "address-chip" },
          a,
          h("button", { type: "button", class: "chip-x", title: t("action.remove"), "aria-label": t("action.remove") + " " + a, onclick: () => {
            list = list.filter((_, j) => j !== i);
            render();
            onchange();
            input.focus();
          } }, "×"),
        ),
      ),
    );
  };
  // Takes what is typed as chips; false when some of it is not an address.
  const commit = (): boolean => {
    const parts = input.value.split(/[,;\s]+/).map((s) => s.trim()).filter(Boolean);
    if (!parts.length && error.hidden) return true;
    const bad = parts.filter((p) => !validAddress(p));
    for (const p of parts) if (validAddress(p) && !list.some((x) => x.toLowerCase() === p.toLowerCase())) list.push(p);
    input.value = bad.join(", ");
    error.hidden = bad.length === 0;
    error.textContent = bad.length ? t("email.bad_address", { address: bad.join(", ") }) : "";
    input.setCustomValidity(bad.length ? error.textContent : "");
    render();
    onchange();
    return bad.length === 0;
  };
  input.addEventListener("keydown", (e) => {
    // Enter takes the address; it never sends the form the box is in.
    if (e.key === "Enter") e.preventDefault();
    if (e.key === "Enter" || e.key === "," || e.key === ";" || (e.key === " " && input.value.includes("@"))) {
      if (!input.value.trim()) return;
      e.preventDefault();
      e.stopPropagation();
      commit();
    } else if (e.key === "Backspace" && !input.value && list.length) {
      list.pop();
      render();
      onchange();
    }
  });
  input.addEventListener("blur", () => void commit());
  input.addEventListener("input", () => {
    if (!error.hidden && !input.value) commit();
  });
  render();
  const el = h("div", { class: "address-field", dataset: { field: name } }, h("span", { class: "address-label" }, label), h("span", { class: "address-box", onclick: () => input.focus() }, chips, input), error);
  return {
    el,
    values: () => (commit() ? [...list] : null),
    chips: () => [...list],
    set(next) {
      list = [...next];
      render();
    },
  };
}

