// The reply box: Reply or Private note (and Reply privately on a public
// comment), canned responses by typing "/" at the start, @mentions of
// agents in notes, a small emoji picker, files attached with the paperclip,
// by pasting or by dropping them, the channel's messaging window and
// templates, and articles of the knowledge base.
import { api, APIError, conversationApi, publicApi } from "../api";
import { acceptList, checkFiles, fileSize, maxFiles, sizeLimit } from "../attach";
import { h, replace } from "../dom";
import { t } from "../i18n";
import { icon } from "../icons";
import { capabilitiesOf, inboxById, me, state } from "../state";
import type { CannedResponse, Conversation, Email, EmailDraft, Message, TemplateUse, User } from "../types";
import { errorText, iconButton, popup, toast } from "../ui";
import { suggestReplyButton } from "./aiassist";
import { addressBox, replySubject } from "./email";
import { knowledgePicker } from "./kbpicker";
import { replyLimits } from "./replylimits";
import { personalDataWarning, serverRefusal } from "./replyguard";
import { templatePicker, type TemplatePicker } from "./templates";
import { toneGuard } from "./toneguard";
import { closedNotice, windowState, windowTicker, type WindowState } from "./window";

export interface Composer {
  el: HTMLElement;
  focus(mode?: "reply" | "note"): void;
  /** Adds files to the message, refusing with a message those the server would. */
  addFiles(files: File[]): void;
  /** Opens the search of the knowledge base, whose articles go into the reply. */
  knowledge(): void;
  /** Shows the channel's limits again, after the conversation or its messages changed. */
  refresh(): void;
  destroy(): void;
}

/** What the agent does in the box, for the others in the conversation. */
export interface ComposerHooks {
  /** Called on each change of a box with text; reply is false in a note. */
  typing(reply: boolean): void;
  /** Called when the message is sent or the box emptied. */
  stopTyping(): void;
  /** The time of the customer's last message loaded, for the channel's messaging window. */
  lastCustomerAt(): string | null;
  /** The newest email of the conversation, whose subject and copies a reply follows. */
  lastEmail?(): Email | null;
  /** A private reply to a public comment opened (or continued) this private conversation. */
  repliedPrivately?(c: Conversation): void;
}

interface EmailFields {
  subject: string;
  cc: string[];
  bcc: string[];
  /** The agent changed the subject: it is no longer filled in from the thread. */
  edited: boolean;
}

// Drafts, files included, are kept per conversation while the tab is open.
const drafts = new Map<number, { text: string; note: boolean; privately?: boolean; files: File[]; email?: EmailFields }>();

const emojis = [
  "😀", "😊", "🙂", "😉", "😍", "🥰", "😅", "😂", "🤔", "😐", "😢", "😭", "😡", "😮", "😴", "🙏",
  "👍", "👎", "👌", "👏", "🙌", "💪", "👋", "🤝", "❤️", "💔", "⭐", "🔥", "🎉", "✅", "❌", "⚠️",
  "📦", "🚚", "💳", "💰", "📞", "📧", "⏰", "🛒",
];

/** Fills {{contact.name}}, {{agent.name}} and {{conversation.id}} in a canned response. */
export function fillVariables(text: string, conv: Conversation, agent: User): string {
  const contact = conv.contact;
  const values: Record<string, string> = {
    "contact.name": contact?.name ?? "",
    "contact.first_name": (contact?.name ?? "").split(/\s+/)[0] ?? "",
    "contact.email": contact?.email ?? "",
    "contact.phone": contact?.phone ?? "",
    "agent.name": agent.name,
    "conversation.id": String(conv.display_id),
  };
  return text.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (all, name: string) => values[name] ?? all);
}

// The text a popup completes: "/code" filling the whole box, or "@name"
// just before the caret.
function cannedQuery(ta: HTMLTextAreaElement): string | null {
  const m = /^\/(\S*)$/.exec(ta.value.slice(0, ta.selectionStart));
  return m && ta.value.slice(ta.selectionStart).trim() === "" ? m[1] : null;
}

function mentionQuery(ta: HTMLTextAreaElement): { start: number; query: string } | null {
  const before = ta.value.slice(0, ta.selectionStart);
  const m = /(^|\s)@([\p{L}\p{M}\p{N}_.\-]*(?: [\p{L}\p{M}\p{N}_.\-]*)?)$/u.exec(before);
  if (!m) return null;
  return { start: before.length - m[2].length - 1, query: m[2] };
}

export function mountComposer(conv: () => Conversation, onSent: (m: Message) => void, hooks: ComposerHooks): Composer {
  const id = conv().id;
  const draft = drafts.get(id);
  let note = draft?.note ?? false;
  // A reply to a public comment sent to its writer alone (Reply privately).
  let privately = draft?.privately ?? false;
  let files: File[] = draft?.files ?? [];
  let sending = false;
  const limits = replyLimits(conv);
  const email = emailFields();

  const ta = h("textarea", {
    class: "composer-input",
    rows: 3,
    "aria-label": t("composer.message"),
    value: draft?.text ?? "",
  });
  const sendBtn = h("button", { type: "submit", class: "btn primary send" }, icon("send", "icon small"), h("span", { class: "send-label" }, ""));
  const replyTab = h("button", { type: "button", class: "mode", role: "tab", onclick: () => setMode(false) }, icon("reply", "icon small"), t("composer.reply"));
  const noteTab = h("button", { type: "button", class: "mode", role: "tab", onclick: () => setMode(true) }, icon("lock", "icon small"), t("composer.note"));
  const canPrivately = () => !!conv().public && capabilitiesOf(conv().inbox_id).private_reply;
  const privateTab = h("button", { type: "button", class: "mode private-reply", role: "tab", hidden: !canPrivately(), onclick: () => setMode(false, true, true) }, icon("user", "icon small"), t("composer.private_reply"));
  if (conv().public) replyTab.replaceChildren(icon("globe", "icon small"), t("composer.public_reply"));
  // The channel's messaging window, its notice once closed, and its templates.
  const windowEl = h("span", { class: "window-slot", "aria-live": "polite" });
  const closedEl = h("div", { class: "window-notice" });
  const guard = h("div", { class: "reply-guard" });
  // Replies (never notes) are checked for tone before they go.
  const tone = toneGuard(() => conv().id);
  let win: WindowState = { kind: "none" };
  let picker: TemplatePicker | null = null;
  const templateBtn = capabilitiesOf(conv().inbox_id).templates ? iconButton("note", t("templates.choose"), () => showPicker(true), "template-btn") : null;
  const suggest = h("div", { class: "suggest", role: "listbox", hidden: true });
  const emojiBtn = h("button", { type: "button", class: "icon-btn", title: t("composer.emoji"), "aria-label": t("composer.emoji"), onclick: () => openEmoji() }, icon("smile"));
  const fileInput = h("input", {
    type: "file",
    class: "attach-input",
    multiple: true,
    hidden: true,
    onchange: () => {
      addFiles([...(fileInput.files ?? [])]);
      fileInput.value = "";
    },
  });
  const attachBtn = iconButton("paperclip", t("composer.attach"), () => fileInput.click(), "attach-btn");
  const aiBtn = suggestReplyButton(() => conv().id, () => ta.value, (text) => {
    ta.value = text;
    saveDraft();
    update();
    ta.focus();
  });
  const knowledge = knowledgePicker(conv, (text) => insertText(text));
  const chips = h("ul", { class: "attach-chips", "aria-label": t("attach.pending"), hidden: true });
  const fileError = h("div", { class: "attach-error", role: "alert", hidden: true });
  const form = h(
    "form",
    { class: "composer" },
    h("div", { class: "modes", role: "tablist" }, replyTab, privateTab, noteTab, windowEl),
    suggest,
    closedEl,
    email?.el,
    ta,
    chips,
    fileError,
    limits.notice,
    tone.hint,
    tone.notice,
    guard,
    h("div", { class: "composer-foot" }, emojiBtn, attachBtn, templateBtn, knowledge.button, aiBtn, fileInput, h("span", { class: "hint composer-hint" }, ""), limits.counter, sendBtn),
  );

  function setMode(n: boolean, focus = true, priv = false): void {
    note = n;
    privately = !n && priv && canPrivately();
    const pub = !note && !privately && !!conv().public;
    form.classList.toggle("note", note);
    form.classList.toggle("public", pub);
    form.classList.toggle("privately", privately);
    if (email) email.el.hidden = note;
    for (const [tab, on] of [[replyTab, !note && !privately], [privateTab, privately], [noteTab, note]] as const) {
      tab.classList.toggle("active", on);
      tab.setAttribute("aria-selected", String(on));
    }
    ta.placeholder = note ? t("composer.note_placeholder") : privately ? t("composer.private_placeholder") : pub ? t("composer.public_placeholder") : t("composer.reply_placeholder");
    const hint = form.querySelector(".composer-hint");
    if (hint) hint.textContent = note ? t("composer.note_hint") : privately ? t("composer.private_hint") : t("composer.reply_hint");
    const label = sendBtn.querySelector(".send-label");
    if (label) label.textContent = note ? t("composer.add_note") : privately ? t("composer.send_privately") : t("composer.send");
    replace(guard);
    if (note) tone.clear();
    else tone.typed(ta.value);
    applyWindow();
    showFileRules();
    saveDraft();
    if (focus) ta.focus();
    update();
  }

  function saveDraft(): void {
    // Every change of the box is kept here, so the limits follow it too.
    limits.update(ta.value, note);
    const kept = email?.draft();
    if (ta.value || files.length || kept?.edited || kept?.cc.length || kept?.bcc.length) drafts.set(id, { text: ta.value, note, privately, files, email: kept });
    else drafts.delete(id);
  }

  // The paperclip offers what this reply may carry: on a channel that
  // takes no files only notes may have them.
  function showFileRules(): void {
    const rules = limits.files(note);
    attachBtn.hidden = rules.types.size === 0 || privately || replyBlocked();
    if (templateBtn) templateBtn.hidden = note || privately;
    fileInput.accept = acceptList(rules);
    const title = t("attach.button", { n: maxFiles, size: sizeLimit(rules.maxSize) });
    attachBtn.title = title;
    attachBtn.setAttribute("aria-label", title);
    limits.update(ta.value, note);
  }

  function showFileErrors(errors: string[]): void {
    fileError.hidden = errors.length === 0;
    replace(fileError, errors.map((e) => h("div", null, e)));
  }

  function renderChips(): void {
    chips.hidden = files.length === 0;
    replace(
      chips,
      files.map((f, i) =>
        h(
          "li",
          { class: "attach-chip" },
          icon("paperclip", "icon small"),
          h("span", { class: "attach-name", title: f.name }, f.name),
          h("span", { class: "attach-size" }, fileSize(f.size)),
          h(
            "button",
            {
              type: "button",
              class: "chip-x",
              "aria-label": t("action.remove") + " " + f.name,
              title: t("action.remove"),
              onclick: () => {
                files = files.filter((_, j) => j !== i);
                showFileErrors([]);
                renderChips();
                saveDraft();
                ta.focus();
              },
            },
            "×",
          ),
        ),
      ),
    );
  }

  function addFiles(added: File[]): void {
    if (!added.length) return;
    const rules = limits.files(note);
    if (rules.types.size === 0) {
      showFileErrors([t("attach.none_channel", { channel: rules.channel })]);
      return;
    }
    const { accepted, errors } = checkFiles(files.length, added, rules);
    files = files.concat(accepted);
    showFileErrors(errors);
    renderChips();
    saveDraft();
    ta.focus();
  }

  // Suggestion popup shared by canned responses and mentions.
  let items: { label: string; hint: string; pick: () => void }[] = [];
  let active = 0;

  function renderSuggest(): void {
    suggest.hidden = items.length === 0;
    if (!items.length) return;
    active = Math.min(active, items.length - 1);
    replace(
      suggest,
      items.map((it, i) =>
        h(
          "button",
          {
            type: "button",
            class: "suggest-item" + (i === active ? " active" : ""),
            role: "option",
            "aria-selected": i === active ? "true" : "false",
            onmousedown: (e: MouseEvent) => {
              e.preventDefault();
              it.pick();
            },
          },
          h("span", { class: "suggest-label" }, it.label),
          h("span", { class: "suggest-hint" }, it.hint),
        ),
      ),
    );
    suggest.children[active]?.scrollIntoView({ block: "nearest" });
  }

  function closeSuggest(): void {
    items = [];
    renderSuggest();
  }

  function insertCanned(c: CannedResponse): void {
    ta.value = fillVariables(c.content, conv(), me());
    ta.setSelectionRange(ta.value.length, ta.value.length);
    closeSuggest();
    saveDraft();
    ta.focus();
  }

  function insertMention(u: User, start: number): void {
    const before = ta.value.slice(0, start);
    const after = ta.value.slice(ta.selectionStart);
    const text = "@" + u.name + " ";
    ta.value = before + text + after;
    const caret = before.length + text.length;
    ta.setSelectionRange(caret, caret);
    closeSuggest();
    saveDraft();
    ta.focus();
  }

  /** Puts text where the caret is, on a line of its own, for the agent to edit. */
  function insertText(text: string): void {
    const start = ta.selectionStart;
    const before = ta.value.slice(0, start);
    const after = ta.value.slice(ta.selectionEnd);
    const piece = (before && !before.endsWith("\n") ? "\n" : "") + text + (after && !after.startsWith("\n") ? "\n" : "");
    ta.value = before + piece + after;
    ta.setSelectionRange(before.length + piece.length, before.length + piece.length);
    saveDraft();
    if (!note) tone.typed(ta.value);
    ta.focus();
  }

  function update(): void {
    const cq = cannedQuery(ta);
    if (cq !== null) {
      const q = cq.toLowerCase();
      const found = state.canned
        .filter((c) => c.short_code.toLowerCase().includes(q))
        .sort((a, b) => Number(!a.short_code.toLowerCase().startsWith(q)) - Number(!b.short_code.toLowerCase().startsWith(q)));
      items = found.slice(0, 8).map((c) => ({ label: "/" + c.short_code, hint: c.content, pick: () => insertCanned(c) }));
      if (!found.length) items = [];
      suggest.dataset.kind = "canned";
      renderSuggest();
      return;
    }
    const mq = note ? mentionQuery(ta) : null;
    if (mq) {
      const q = mq.query.toLocaleLowerCase();
      items = state.users
        .filter((u) => u.name.toLocaleLowerCase().includes(q) || u.email.toLowerCase().startsWith(q))
        .slice(0, 8)
        .map((u) => ({ label: u.name, hint: u.email, pick: () => insertMention(u, mq.start) }));
      suggest.dataset.kind = "mention";
      renderSuggest();
      return;
    }
    closeSuggest();
  }

  function openEmoji(): void {
    const grid = h(
      "div",
      { class: "menu emoji-grid", role: "listbox", "aria-label": t("composer.emoji") },
      emojis.map((e) =>
        h(
          "button",
          {
            type: "button",
            class: "emoji",
            onclick: () => {
              close();
              const s = ta.selectionStart;
              ta.value = ta.value.slice(0, s) + e + ta.value.slice(ta.selectionEnd);
              ta.setSelectionRange(s + e.length, s + e.length);
              saveDraft();
              ta.focus();
            },
          },
          e,
        ),
      ),
    );
    const close = popup(emojiBtn, grid);
  }

  /**
   * The subject, Cc and Bcc of a reply on a channel that has them (email):
   * the subject follows the thread's ("Re: …") until the agent edits it;
   * Cc starts with the others the customer's last email was copied to.
   */
  function emailFields() {
    const caps = capabilitiesOf(conv().inbox_id);
    if (!caps.subject && !caps.cc) return null;
    const saved = draft?.email;
    let edited = saved?.edited ?? false;
    let filledCc = !!saved;
    const subject = h("input", { class: "email-subject-input", name: "subject", "aria-label": t("email.subject"), placeholder: t("email.subject"), value: saved?.subject ?? "", autocomplete: "off",
      oninput: () => {
        edited = true;
        saveDraft();
      },
      // Enter in the subject goes on to the message rather than sending it.
      onkeydown: (e: KeyboardEvent) => {
        if (e.key !== "Enter") return;
        e.preventDefault();
        ta.focus();
      } });
    const cc = addressBox(t("email.cc"), "cc", saved?.cc ?? [], () => saveDraft());
    const bcc = addressBox(t("email.bcc"), "bcc", saved?.bcc ?? [], () => saveDraft());
    // Cc and Bcc take room only once used: a button each opens its box.
    const reveal = (box: HTMLElement, label: string) => {
      const btn = h("button", { type: "button", class: "btn tiny ghost show-" + label.toLowerCase(), onclick: () => {
        show(true);
        box.querySelector("input")?.focus();
      } }, label);
      const show = (on: boolean) => {
        box.hidden = !on;
        btn.hidden = on || !caps.cc;
      };
      return { btn, show };
    };
    const ccToggle = reveal(cc.el, t("email.cc"));
    const bccToggle = reveal(bcc.el, t("email.bcc"));
    ccToggle.show(!!saved?.cc.length);
    bccToggle.show(!!saved?.bcc.length);
    const toggles = h("span", { class: "email-toggles" }, ccToggle.btn, bccToggle.btn);
    const el = h("div", { class: "email-fields" }, caps.subject ? h("div", { class: "email-subject-row" }, h("span", { class: "address-label" }, t("email.subject")), subject, toggles) : toggles, caps.cc ? [cc.el, bcc.el] : null);
    return {
      el,
      draft: (): EmailFields => ({ subject: subject.value, cc: cc.chips(), bcc: bcc.chips(), edited }),
      /** Follows the thread's subject, and copies the others of its first email seen. */
      refresh() {
        const last = hooks.lastEmail?.();
        if (!last) return;
        if (!edited) subject.value = replySubject(last.subject);
        if (!filledCc && caps.cc) {
          filledCc = true;
          const own = String(inboxById(conv().inbox_id)?.settings?.address ?? "").toLowerCase();
          const customer = (conv().contact?.email ?? "").toLowerCase();
          const skip = new Set([own, customer, last.from?.address?.toLowerCase() ?? ""]);
          const list = [...(last.to ?? []), ...(last.cc ?? [])].map((a) => a.address).filter((a) => a && !skip.has(a.toLowerCase()));
          if (list.length) {
            cc.set([...new Set(list)]);
            ccToggle.show(true);
          }
        }
      },
      /** The headers to send, or null when a box holds something that is not an address. */
      values(): EmailDraft | null {
        const c = cc.values();
        const b = bcc.values();
        if (!c || !b) return null;
        const out: EmailDraft = {};
        if (caps.subject) out.subject = subject.value.trim();
        if (caps.cc) {
          out.cc = c;
          out.bcc = b;
        }
        return out;
      },
      /** After a reply: the Cc stays with the thread, the Bcc and an edited subject go. */
      clear() {
        edited = false;
        bcc.set([]);
        bccToggle.show(false);
        this.refresh();
      },
    };
  }

  /** A free-form reply is not allowed now: the channel's window closed (notes always are). */
  function replyBlocked(): boolean {
    return !note && !privately && !conv().public && win.kind === "closed";
  }

  // Outside every window the box takes no free-form reply: it says why and
  // offers what is allowed (a template, where the channel has them).
  let pickerOffered = false;
  function applyWindow(): void {
    const blocked = replyBlocked();
    ta.disabled = blocked;
    sendBtn.disabled = blocked || sending;
    form.classList.toggle("window-shut", blocked);
    if (blocked) ta.placeholder = t("window.placeholder");
    replace(closedEl, blocked ? closedNotice(conv(), win, () => showPicker(true)) : null);
    if (blocked && win.kind === "closed" && win.templates && !pickerOffered) {
      pickerOffered = true;
      showPicker(true, false);
    }
  }

  const ticker = windowTicker(windowEl, () => {
    const c = conv();
    return windowState(c, c.last_incoming_at !== undefined ? c.last_incoming_at : hooks.lastCustomerAt());
  }, (s) => {
    win = s;
    applyWindow();
    showFileRules();
  });

  function showPicker(on: boolean, focus = true): void {
    if (on && !picker) {
      picker = templatePicker(() => conv().inbox_id, { send: sendTemplate, close: () => showPicker(false) });
      form.insertBefore(picker.el, ta);
    }
    if (!picker) return;
    picker.el.hidden = !on;
    form.classList.toggle("picking", on);
    if (on) {
      picker.open();
      if (focus) picker.el.querySelector<HTMLElement>(".template-filter")?.focus();
    }
  }

  async function sendTemplate(v: { template: TemplateUse; content: string }): Promise<void> {
    try {
      // A template's text is its own: the server fills it in.
      onSent(await publicApi.reply(id, "", { template: v.template }));
      replace(guard);
      showPicker(false);
      toast(t("templates.sent"));
    } catch (e) {
      replace(guard, serverRefusal(e));
      throw e;
    }
  }

  // The agent's choice after the server refused a public reply that shows
  // personal data: the text stays in the box whatever they choose.
  function warnPersonalData(message: string): void {
    replace(guard, personalDataWarning(message, {
      privately: canPrivately() ? () => {
        setMode(false, false, true);
        void send(false, true);
      } : undefined,
      anyway: () => void send(true, true),
      dismiss: () => {
        replace(guard);
        ta.focus();
      },
    }));
  }

  // toneChecked: the agent already saw the draft's tone check, or chose to
  // send it anyway.
  async function send(allowPersonalData = false, toneChecked = false): Promise<void> {
    const content = ta.value.trim();
    if ((!content && !files.length) || sending || replyBlocked()) return;
    const headers = email && !note ? email.values() : undefined;
    if (headers === null) return;
    // The notice under the box already says why a text is refused.
    if (limits.refusal(content)) return;
    // Files added to a note and then sent as a reply meet the channel's rules here.
    const refused = checkFiles(0, files, limits.files(note)).errors;
    if (refused.length) {
      showFileErrors(refused);
      return;
    }
    if (privately && files.length) {
      showFileErrors([t("composer.private_no_files")]);
      return;
    }
    if (!note && !toneChecked && content) {
      sending = true;
      sendBtn.disabled = true;
      const ok = await tone.allow(content, {
        send: () => void send(allowPersonalData, true),
        use: (suggestion) => {
          ta.value = suggestion;
          saveDraft();
          ta.focus();
        },
        edit: () => ta.focus(),
      });
      sending = false;
      sendBtn.disabled = replyBlocked();
      if (!ok) return;
    }
    sending = true;
    sendBtn.disabled = true;
    hooks.stopTyping();
    try {
      if (privately) {
        const r = await publicApi.privateReply(id, content);
        hooks.repliedPrivately?.(r.conversation);
        toast(t("composer.sent_privately", { id: r.conversation.display_id }));
      } else {
        const m = files.length
          ? await conversationApi.sendWithFiles(id, content, note, files, headers, allowPersonalData)
          : allowPersonalData
            ? await publicApi.reply(id, content, { allow_personal_data: true })
            : await api.send(id, content, note, headers);
        onSent(m);
      }
      ta.value = "";
      limits.update("", note);
      files = [];
      renderChips();
      showFileErrors([]);
      replace(guard);
      tone.clear();
      if (!note) email?.clear();
      drafts.delete(id);
      closeSuggest();
      if (privately) setMode(false, false);
    } catch (e) {
      if (e instanceof APIError && e.code === "personal_data" && !note) warnPersonalData(e.message);
      else if (e instanceof APIError && e.code === "window_closed") {
        replace(guard, serverRefusal(e));
        if (capabilitiesOf(conv().inbox_id).templates) showPicker(true, false);
      } else toast(errorText(e), "error");
    } finally {
      sending = false;
      sendBtn.disabled = replyBlocked();
    }
  }

  // Leaving the box closes the popup, a moment later so a click on one of
  // its items still lands; coming back before then keeps it.
  let blurTimer = 0;
  ta.addEventListener("input", () => {
    clearTimeout(blurTimer);
    active = 0;
    saveDraft();
    update();
    if (!note) tone.typed(ta.value);
    if (ta.value.trim()) hooks.typing(!note);
    else hooks.stopTyping();
  });
  // A pasted screenshot or file is attached; text on the clipboard wins, so
  // that cells copied from a spreadsheet paste as text, not as a picture.
  ta.addEventListener("paste", (e) => {
    const data = e.clipboardData;
    if (!data || !data.files.length || data.getData("text/plain")) return;
    e.preventDefault();
    addFiles([...data.files]);
  });
  ta.addEventListener("click", update);
  ta.addEventListener("focus", () => clearTimeout(blurTimer));
  ta.addEventListener("blur", () => {
    blurTimer = window.setTimeout(closeSuggest, 150);
  });
  ta.addEventListener("keydown", (e) => {
    if (items.length) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        active = (active + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
        renderSuggest();
        return;
      }
      if (e.key === "Enter" || e.key === "Tab") {
        e.preventDefault();
        items[active]?.pick();
        return;
      }
      if (e.key === "Escape") {
        e.preventDefault();
        e.stopPropagation();
        closeSuggest();
        return;
      }
    }
    if (e.key === "Escape") {
      ta.blur();
      return;
    }
    const coarse = window.matchMedia("(pointer: coarse)").matches;
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && (e.ctrlKey || e.metaKey || !coarse)) {
      e.preventDefault();
      void send();
    }
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void send();
  });

  setMode(note, false, privately);
  renderChips();
  return {
    el: form,
    focus(mode) {
      if (mode) setMode(mode === "note", true, mode === "reply" && privately);
      else ta.focus();
    },
    addFiles,
    knowledge: () => knowledge.open(),
    refresh: () => {
      privateTab.hidden = !canPrivately();
      ticker.refresh();
      showFileRules();
      email?.refresh();
    },
    destroy() {
      ticker.stop();
      tone.destroy();
      saveDraft();
    },
  };
}
