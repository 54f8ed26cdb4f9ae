// Email beyond the timeline's bubbles: an email's original in a sandboxed
// frame, the dialog of a new outgoing email, and the mail providers'
// presets of an email inbox's settings.
import { api, conversationApi } from "../api";
import { acceptList, channelRules, checkFiles, fileSize, maxFiles, sizeLimit } from "../attach";
import { h, replace } from "../dom";
import { t, tOr } from "../i18n";
import { icon } from "../icons";
import { capabilitiesOf, inboxById } from "../state";
import type { Attachment, Contact, EmailDraft, Inbox, Message } from "../types";
import { errorText, field, modal, select, toast } from "../ui";
import { addressBox, emailInboxes } from "./email";

// Elements an email's HTML never needs; the server's sanitizer removed them
// already, and the frame could not run them anyway.
const dropped = "script,style,link,meta,base,iframe,frame,frameset,object,embed,form,input,button,textarea,select,noscript,template";

/**
 * Prepares sanitized email HTML for the frame: inline images point to their
 * attachments, remote ones keep their address in data-src unless images
 * is set, and nothing that could run or navigate the page stays. Returns
 * how many remote images it holds.
 */
export function prepareEmail(root: ParentNode, atts: Attachment[], images: boolean): number {
  root.querySelectorAll(dropped).forEach((el) => el.remove());
  let remote = 0;
  root.querySelectorAll("*").forEach((el) => {
    for (const a of [...el.attributes]) {
      if (/^on/i.test(a.name) || a.name === "srcset" || a.name === "style" && /url\s*\(/i.test(a.value)) el.removeAttribute(a.name);
    }
    if (el instanceof HTMLAnchorElement || el.tagName === "A") {
      const href = el.getAttribute("href") ?? "";
      if (href && !/^(https?:|mailto:|tel:|#)/i.test(href.trim())) el.removeAttribute("href");
      el.setAttribute("target", "_blank");
      el.setAttribute("rel", "nofollow noreferrer noopener");
    }
    if (el.tagName !== "IMG") return;
    const cid = el.getAttribute("data-cid");
    const src = el.getAttribute("src");
    if (src && !src.startsWith("data:")) {
      // An address the sanitizer left in src waits like any remote image.
      el.setAttribute("data-src", src);
      el.removeAttribute("src");
    }
    if (cid) {
      const att = atts.find((a) => a.content_id === cid);
      if (att) el.setAttribute("src", att.url);
      return;
    }
    const remoteSrc = el.getAttribute("data-src") ?? "";
    if (/^https?:\/\//i.test(remoteSrc)) {
      remote++;
      if (images) el.setAttribute("src", remoteSrc);
    }
  });
  return remote;
}

/**
 * The original HTML in a frame of its own: /email-frame is served with a
 * policy that runs no script and loads images only from Sahay, and
 * /email-frame?images=1, asked for by "Load images", loads remote ones
 * too. The frame's sandbox keeps its origin so the dashboard can fill it
 * and fit its height, but allows no script and no navigation of the page.
 */
export function emailFrame(m: Message): HTMLElement {
  const atts = m.attachments ?? [];
  let images = false;
  const frame = h("iframe", {
    class: "email-frame",
    title: t("email.original"),
    sandbox: "allow-same-origin allow-popups allow-popups-to-escape-sandbox",
    referrerpolicy: "no-referrer",
    src: "/email-frame",
  });
  const loadBtn = h("button", { type: "button", class: "btn tiny load-images", hidden: true, onclick: () => {
    images = true;
    loadBtn.hidden = true;
    notice.hidden = true;
    frame.setAttribute("src", "/email-frame?images=1");
  } }, t("email.load_images"));
  const notice = h("div", { class: "email-images", hidden: true }, h("span", { class: "hint" }, t("email.images_blocked")), loadBtn);
  const fit = () => {
    const doc = frame.contentDocument;
    if (doc?.documentElement) frame.style.height = Math.max(60, doc.documentElement.scrollHeight) + "px";
  };
  frame.addEventListener("load", () => {
    const doc = frame.contentDocument;
    if (!doc?.body) return;
    // DOMParser makes an inert document: nothing in it loads or runs
    // until its nodes, cleaned, are moved into the frame.
    const parsed = new DOMParser().parseFromString(m.email?.html ?? "", "text/html");
    const remote = prepareEmail(parsed.body, atts, images);
    // The frame's nodes belong to another window: dom.ts's helpers, which
    // test for this window's Node, are not used on them.
    doc.body.replaceChildren(...[...parsed.body.childNodes].map((n) => doc.importNode(n, true)));
    notice.hidden = images || remote === 0;
    loadBtn.hidden = notice.hidden;
    doc.addEventListener("load", fit, true);
    fit();
  });
  return h("div", { class: "email-original" }, notice, frame);
}


/**
 * The dialog of a new outgoing email: from one of the email inboxes, to the
 * contact (or any address), with a subject, Cc and Bcc. It opens the new
 * conversation once sent.
 */
export function newEmailDialog(open: (conversationId: number) => void, contact?: Contact): void {
  const inboxes = emailInboxes();
  if (!inboxes.length) {
    toast(t("email.no_inbox"), "error");
    return;
  }
  const fromLabel = (i: Inbox) => {
    const address = typeof i.settings?.address === "string" ? i.settings.address : "";
    return address ? `${i.name} <${address}>` : i.name;
  };
  const from = select(inboxes.map((i) => ({ value: i.id, label: fromLabel(i) })), inboxes[0].id, () => {}, { name: "inbox" });
  const to = h("input", { type: "email", name: "to", required: true, value: contact?.email ?? "", autocomplete: "off", spellcheck: "false" });
  const subject = h("input", { name: "subject", required: true, autocomplete: "off" });
  const body = h("textarea", { name: "content", rows: 8, required: true });
  const cc = addressBox(t("email.cc"), "cc", [], () => {});
  const bcc = addressBox(t("email.bcc"), "bcc", [], () => {});
  const copies = h("div", { class: "email-copies", hidden: true }, cc.el, bcc.el);
  const showCopies = h("button", { type: "button", class: "btn tiny ghost show-copies", onclick: () => {
    copies.hidden = false;
    showCopies.hidden = true;
    copies.querySelector("input")?.focus();
  } }, t("email.add_cc"));
  // Files, checked against the chosen inbox's channel as in the reply box.
  let files: File[] = [];
  const rules = () => {
    const id = Number(from.value);
    const ch = inboxById(id)?.channel ?? "";
    return channelRules(capabilitiesOf(id), tOr("channel." + ch, ch));
  };
  const chips = h("ul", { class: "attach-chips", "aria-label": t("attach.pending"), hidden: true });
  const fileError = h("div", { class: "attach-error", role: "alert", hidden: true });
  const renderFiles = (errors: string[] = []) => {
    chips.hidden = files.length === 0;
    replace(chips, files.map((f, i) => h("li", { class: "attach-chip" }, icon("paperclip", "icon small"), h("span", { class: "attach-name", title: f.name }, f.name), h("span", { class: "attach-size" }, fileSize(f.size)),
      h("button", { type: "button", class: "chip-x", title: t("action.remove"), "aria-label": t("action.remove") + " " + f.name, onclick: () => {
        files = files.filter((_, j) => j !== i);
        renderFiles();
      } }, "×"))));
    fileError.hidden = errors.length === 0;
    replace(fileError, errors.map((e) => h("div", null, e)));
  };
  const fileInput = h("input", { type: "file", class: "attach-input", multiple: true, hidden: true, onchange: () => {
    const { accepted, errors } = checkFiles(files.length, [...(fileInput.files ?? [])], rules());
    files = files.concat(accepted);
    fileInput.value = "";
    renderFiles(errors);
  } });
  const attachBtn = h("button", { type: "button", class: "icon-btn attach-btn", onclick: () => {
    fileInput.accept = acceptList(rules());
    fileInput.click();
  } }, icon("paperclip"));
  const attachTitle = t("attach.button", { n: maxFiles, size: sizeLimit(rules().maxSize) });
  attachBtn.title = attachTitle;
  attachBtn.setAttribute("aria-label", attachTitle);
  const sendBtn = h("button", { type: "submit", class: "btn primary" }, icon("send", "icon small"), t("composer.send"));
  const form = h(
    "form",
    {
      class: "form new-email",
      onsubmit: async (e: SubmitEvent) => {
        e.preventDefault();
        const ccList = cc.values();
        const bccList = bcc.values();
        if (!ccList || !bccList) return;
        const address = to.value.trim();
        const draft: EmailDraft = { subject: subject.value.trim(), cc: ccList, bcc: bccList };
        const known = contact && contact.email && contact.email.toLowerCase() === address.toLowerCase();
        sendBtn.disabled = true;
        try {
          const b = { inbox_id: Number(from.value), ...(known ? { contact_id: contact.id } : { to: address }), content: body.value.trim(), email: draft };
          const r = files.length ? await conversationApi.startEmailWithFiles(b, files) : await api.startEmail(b);
          close();
          toast(t("email.sent"));
          open(r.conversation.id);
        } catch (err) {
          toast(errorText(err), "error");
        } finally {
          sendBtn.disabled = false;
        }
      },
    },
    field(t("email.from"), from),
    h("div", { class: "email-to-row" }, field(t("email.to"), to), showCopies),
    copies,
    field(t("email.subject"), subject),
    field(t("composer.message"), body),
    chips,
    fileError,
    h("div", { class: "form-actions" }, attachBtn, fileInput, sendBtn),
  );
  const close = modal(t("email.new"), form, { wide: true });
  (contact?.email ? subject : to).focus();
}

/** Mail providers' servers, which a preset fills in an email inbox's form. */
const mailPresets: { id: string; name: string; settings: Record<string, string> }[] = [
  { id: "gmail", name: "Gmail", settings: { imap_host: "imap.gmail.com", imap_port: "993", imap_tls: "tls", smtp_host: "smtp.gmail.com", smtp_port: "587", smtp_tls: "starttls" } },
  { id: "outlook", name: "Outlook / Office 365", settings: { imap_host: "outlook.office365.com", imap_port: "993", imap_tls: "tls", smtp_host: "smtp.office365.com", smtp_port: "587", smtp_tls: "starttls" } },
  { id: "zoho", name: "Zoho", settings: { imap_host: "imap.zoho.com", imap_port: "993", imap_tls: "tls", smtp_host: "smtp.zoho.com", smtp_port: "465", smtp_tls: "tls" } },
];

/**
 * The presets above the form of a mail channel's settings (one with IMAP
 * and SMTP servers): each fills the servers, ports and security, the user
 * names from the address, and says how the provider makes app passwords.
 */
export function presetBar(form: HTMLElement): HTMLElement | null {
  if (!form.querySelector("[name=imap_host]") || !form.querySelector("[name=smtp_host]")) return null;
  const note = h("p", { class: "hint preset-note", role: "status", hidden: true });
  const set = (name: string, v: string) => {
    const el = form.querySelector<HTMLInputElement | HTMLSelectElement>(`[name=${name}]`);
    if (el) el.value = v;
  };
  const buttons = mailPresets.map((p) =>
    h("button", { type: "button", class: "btn small preset", dataset: { preset: p.id }, "aria-pressed": "false", onclick: () => {
      for (const [k, v] of Object.entries(p.settings)) set(k, v);
      const address = form.querySelector<HTMLInputElement>("[name=address]")?.value.trim() ?? "";
      for (const k of ["imap_username", "smtp_username"]) {
        const el = form.querySelector<HTMLInputElement>(`[name=${k}]`);
        if (el && !el.value && address) el.value = address;
      }
      // The ports and security wait under "Advanced": open it to show what was filled.
      form.querySelectorAll("details.advanced").forEach((d) => ((d as HTMLDetailsElement).open = true));
      buttons.forEach((b) => b.setAttribute("aria-pressed", String(b === buttons[mailPresets.indexOf(p)])));
      note.hidden = false;
      note.textContent = t("inboxes.preset." + p.id);
    } }, p.name),
  );
  return h("div", { class: "presets" }, h("span", { class: "field-label" }, t("inboxes.presets")), h("div", { class: "preset-buttons" }, buttons), note);
}

