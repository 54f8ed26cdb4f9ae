// The chat window: launcher, conversation list, thread, composer, pre-chat
// form, rating, and what arrives over the socket. Everything lives in a
// shadow root, so the host page's CSS neither styles nor breaks it.
import css from "../style.css";
import { CallRequest, callButtons, callPanel, callStatus, Phone } from "./call";
import { ApiError, Conn, Conv, Frame, Msg } from "./conn";
import { add, clear, h, icon } from "./dom";
import { dir, lang, setStrings, Strings, t, time } from "./i18n";
import { Help } from "./kb";

export interface Settings {
  title: string;
  color: string;
  text_color: string;
  position: string;
  launcher_icon: string;
  launcher_text: string;
  greeting: string;
  away_message: string;
  reply_time: string;
  avatars: string[];
  team: string[];
  online: boolean;
  in_hours: boolean;
  pre_chat: { enabled: boolean; message: string; fields: { name: string; required: boolean }[] };
  attachments: boolean;
  max_file_bytes: number;
  file_types: string[];
  csat: boolean;
  email_transcript: boolean;
  campaigns: { id: string; message: string; url_pattern: string; time_on_page: number; business_hours_only: boolean }[];
  phone?: Phone;
}

interface Visitor {
  id: string;
  name: string;
  email: string;
  phone: string;
  verified: boolean;
  visits: number;
}

interface Session {
  token: string;
  visitor: Visitor;
  settings: Settings;
  locale: string;
  strings: Strings;
  conversations: Conv[];
  seq: number;
}

export interface User {
  id?: string;
  name?: string;
  email?: string;
  phone?: string;
  hash?: string;
}

const ICONS: Record<string, string> = {
  chat: '<svg viewBox="0 0 24 24" width="26" height="26" fill="currentColor"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>',
  help: '<svg viewBox="0 0 24 24" width="26" height="26" fill="currentColor"><path d="M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm1 17h-2v-2h2zm2.1-7.8-.9.9c-.7.7-1.2 1.3-1.2 2.9h-2v-.5c0-1.1.4-2.1 1.2-2.8l1.2-1.3A2 2 0 1 0 10 9H8a4 4 0 1 1 7.1 2.2z"/></svg>',
  wave: '<svg viewBox="0 0 24 24" width="26" height="26" fill="currentColor"><path d="M7 11V5a1.5 1.5 0 0 1 3 0v5h1V3.5a1.5 1.5 0 0 1 3 0V10h1V5a1.5 1.5 0 0 1 3 0v9a8 8 0 0 1-14.6 4.5L4 14.6a1.5 1.5 0 0 1 2.5-1.7z"/></svg>',
  close: '<svg viewBox="0 0 24 24" width="22" height="22" fill="none" stroke="currentColor" stroke-width="2.4" stroke-linecap="round"><path d="M6 6l12 12M18 6L6 18"/></svg>',
  clip: '<svg viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"><path d="M21 11l-8.5 8.5a5 5 0 0 1-7-7L14 4a3.5 3.5 0 0 1 5 5l-8.5 8.5a2 2 0 0 1-3-3L15 7"/></svg>',
  smile: '<svg viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"><circle cx="12" cy="12" r="9"/><path d="M8 14a5 5 0 0 0 8 0M9 9.5h.01M15 9.5h.01"/></svg>',
  send: '<svg viewBox="0 0 24 24" width="20" height="20" fill="currentColor"><path d="M3 20l18-8L3 4v6l12 2-12 2z"/></svg>',
  more: '<svg viewBox="0 0 24 24" width="20" height="20" fill="currentColor"><circle cx="5" cy="12" r="2"/><circle cx="12" cy="12" r="2"/><circle cx="19" cy="12" r="2"/></svg>',
  back: '<svg viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" stroke-width="2.4" stroke-linecap="round"><path d="M15 5l-7 7 7 7"/></svg>',
};

const EMOJI = "😀 😂 😊 😍 🙂 😉 😎 🤔 😢 😡 👍 👎 🙏 👏 🎉 ❤️ 🔥 ✅ ❌ ⭐ 📦 🛒 💳 🚚 📞 ✉️ ⏰ 👋".split(" ");
const FACES = ["😞", "🙁", "😐", "🙂", "😍"];

type Listener = (data?: unknown) => void;

export class Widget {
  conn: Conn;
  help: Help;
  settings: Settings | null = null;
  visitor: Visitor | null = null;
  convs: Conv[] = [];
  msgs = new Map<number, Msg[]>();
  current = 0;
  isOpen = false;
  /** Opening was asked for before the session had its settings. */
  openSoon = false;
  listing = false;
  /** The call panel shows in place of the conversation. */
  calling = false;
  /** The number the team will call back, once the visitor asked. */
  callRequested = "";
  // Set when the visitor asked for a new conversation: the next message
  // starts one even though another is open.
  fresh = false;
  unread = 0;
  user: User | null = null;
  /** Who of the team is typing: a name, "" for someone unnamed, null for nobody. */
  who: string | null = null;
  private whoTimer = 0;
  campaign: { id: string; message: string } | null = null;
  notice = "";
  rated = new Set<number>();
  private listeners = new Map<string, Listener[]>();
  private typingTimer = 0;
  private lastTyping = 0;
  private shadow: ShadowRoot;
  private box: HTMLElement;
  private launcher: HTMLButtonElement;
  private panel: HTMLElement | null = null;
  private body: HTMLElement | null = null;
  private input: HTMLTextAreaElement | null = null;
  private storeKey: string;

  constructor(
    base: string,
    private inbox: string,
    private preview?: { settings: Settings; strings: Strings; locale: string },
  ) {
    this.storeKey = "sahay:" + inbox;
    this.conn = new Conn(base, (f) => this.frame(f), () => this.renderNotice());
    this.help = new Help(this.conn, () => this.helpChanged());
    const host = h("div", { id: "sahay-widget" });
    this.shadow = host.attachShadow({ mode: "open" });
    this.box = h("div", { class: "sahay", part: "root" });
    this.shadow.append(h("style", null, css), this.box);
    this.launcher = h("button", { class: "launcher", type: "button", onclick: () => this.toggle() });
    this.box.append(this.launcher);
    document.body.appendChild(host);
    this.renderLauncher();
    document.addEventListener("visibilitychange", () => this.markSeen());
  }

  on(ev: string, fn: Listener): void {
    this.listeners.set(ev, [...(this.listeners.get(ev) || []), fn]);
  }

  emit(ev: string, data?: unknown): void {
    for (const fn of this.listeners.get(ev) || []) {
      try {
        fn(data);
      } catch (e) {
        console.error(e);
      }
    }
  }

  // --- session ---------------------------------------------------------

  async start(user: User | null, locales: string[]): Promise<void> {
    if (this.preview) {
      setStrings(this.preview.locale, this.preview.strings);
      this.apply(this.preview.settings);
      this.open();
      return;
    }
    let saved: { token?: string } = {};
    try {
      saved = JSON.parse(localStorage.getItem(this.storeKey) || "{}");
    } catch {}
    const s = await this.conn.req<Session>("POST", "/widget/v1/session", {
      inbox: this.inbox,
      token: saved.token || "",
      user,
      locales,
    });
    // Only a user the server accepted is sent again when the session restarts.
    this.user = user;
    this.conn.stop();
    this.conn.token = s.token;
    this.conn.seq = s.seq;
    try {
      localStorage.setItem(this.storeKey, JSON.stringify({ token: s.token }));
    } catch {}
    setStrings(s.locale, s.strings);
    this.visitor = s.visitor;
    this.convs = s.conversations;
    this.msgs.clear();
    this.current = 0;
    const open = this.convs.find((c) => c.status !== "resolved") || this.convs[0];
    if (open) await this.load(open.id);
    this.apply(s.settings);
    this.conn.connect();
    this.campaigns();
  }

  private async load(id: number): Promise<void> {
    const r = await this.conn.req<{ conversation: Conv; messages: Msg[] }>("GET", `/widget/v1/conversations/${id}/messages`);
    this.upsertConv(r.conversation);
    this.msgs.set(id, r.messages);
    this.current = id;
  }

  private apply(s: Settings): void {
    this.settings = s;
    this.box.style.setProperty("--c", s.color);
    this.box.style.setProperty("--ct", s.text_color);
    this.box.className = "sahay " + (s.position === "left" ? "left" : "right") + (this.isOpen ? " open" : "");
    this.renderLauncher();
    if (this.panel) this.build();
    if (this.openSoon) {
      this.openSoon = false;
      this.open();
    }
  }

  async setLocale(loc: string): Promise<void> {
    const s = await this.conn.req<{ locale: string; strings: Strings }>("GET", "/widget/v1/locales/" + encodeURIComponent(loc));
    setStrings(s.locale, s.strings);
    try {
      localStorage.setItem("sahay:locale", s.locale);
    } catch {}
    this.renderLauncher();
    if (this.panel) this.build();
  }

  reset(): void {
    try {
      localStorage.removeItem(this.storeKey);
    } catch {}
    this.start(null, [lang()]).catch((e) => this.fail(e));
  }

  fail(e: unknown): void {
    console.error("Sahay:", e instanceof Error ? e.message : e);
    this.emit("error", e);
  }

  // --- open and close --------------------------------------------------

  open(): void {
    if (this.isOpen) return;
    // Asked before the session has its settings (a page's button calling
    // Sahay.open() as it loads): open as soon as it has them.
    if (!this.settings) {
      this.openSoon = true;
      return;
    }
    this.isOpen = true;
    this.unread = 0;
    this.box.classList.add("open");
    if (!this.panel) this.build();
    this.renderLauncher();
    this.scroll();
    this.markSeen();
    // A preview sits in the dashboard's editor: taking the focus there would
    // pull it out of the field being edited each time the preview reloads.
    // The pre-chat form, while it shows, comes before the message box.
    const first = this.body?.querySelector<HTMLInputElement>("form.pre input");
    if (!this.preview) (first || this.input)?.focus({ preventScroll: true });
    this.emit("open");
  }

  close(): void {
    this.openSoon = false;
    if (!this.isOpen) return;
    this.isOpen = false;
    this.box.classList.remove("open");
    this.renderLauncher();
    this.emit("close");
  }

  toggle(): void {
    if (this.isOpen) this.close();
    else this.open();
  }

  private renderLauncher(): void {
    const s = this.settings;
    clear(this.launcher);
    this.launcher.dir = dir();
    this.launcher.setAttribute("aria-label", this.isOpen ? t("close") : s?.launcher_text || t("launcher"));
    this.launcher.setAttribute("aria-expanded", String(this.isOpen));
    add(this.launcher, [
      icon(this.isOpen ? ICONS.close : ICONS[s?.launcher_icon || "chat"] || ICONS.chat),
      !this.isOpen && s?.launcher_text ? h("span", { class: "ltext" }, s.launcher_text) : null,
      this.unread && !this.isOpen ? h("span", { class: "badge" }, String(this.unread)) : null,
    ]);
  }

  // --- the panel -------------------------------------------------------

  private build(): void {
    const s = this.settings;
    if (!s) return;
    this.panel?.remove();
    const status = statusLine(s);
    const avatars = s.avatars.length
      ? s.avatars.map((src) => h("img", { class: "av", src, alt: "" }))
      : s.team.map((n) => h("span", { class: "av" }, initials(n)));
    this.body = h("div", { class: "body", role: "log", "aria-live": "polite" });
    this.panel = h(
      "section",
      { class: "panel", role: "dialog", "aria-label": s.title || t("title"), dir: dir(), lang: lang() },
      h(
        "header",
        null,
        this.convs.length > 1
          ? h("button", { class: "hb", type: "button", title: t("conversations"), "aria-label": t("conversations"), onclick: () => this.showList() }, icon(ICONS.back))
          : null,
        h("div", { class: "avs" }, avatars),
        h("div", { class: "ht" }, h("strong", null, s.title || t("title")), h("small", { class: s.online ? "on" : "" }, status)),
        h("button", { class: "hb", type: "button", title: t("menu"), "aria-label": t("menu"), onclick: () => this.menu() }, icon(ICONS.more)),
        h("button", { class: "hb", type: "button", title: t("close"), "aria-label": t("close"), onclick: () => this.close() }, icon(ICONS.close)),
      ),
      s.phone ? callButtons(s.phone, (form) => this.showCall(form)) : null,
      h("div", { class: "notice", hidden: true }),
      this.body,
      this.composer(),
    );
    this.box.insertBefore(this.panel, this.launcher);
    this.render();
  }

  private composer(): HTMLElement {
    const s = this.settings!;
    const file = h("input", { type: "file", hidden: true, accept: s.file_types.join(","), onchange: () => this.upload(file) });
    const emoji = h("div", { class: "emoji", hidden: true });
    for (const e of EMOJI) emoji.append(h("button", { type: "button", onclick: () => this.insert(e) }, e));
    this.input = h("textarea", {
      rows: 1,
      placeholder: t("placeholder"),
      "aria-label": t("placeholder"),
      oninput: () => this.typing(),
      onkeydown: (ev: KeyboardEvent) => {
        if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
          ev.preventDefault();
          this.submit();
        }
      },
    });
    return h(
      "footer",
      null,
      emoji,
      h(
        "div",
        { class: "row" },
        this.input,
        h("button", { class: "ib", type: "button", title: t("emoji"), "aria-label": t("emoji"), onclick: () => (emoji.hidden = !emoji.hidden) }, icon(ICONS.smile)),
        s.attachments ? h("button", { class: "ib", type: "button", title: t("attach"), "aria-label": t("attach"), onclick: () => file.click() }, icon(ICONS.clip)) : null,
        file,
        h("button", { class: "ib send", type: "button", title: t("send"), "aria-label": t("send"), onclick: () => this.submit() }, icon(ICONS.send)),
      ),
    );
  }

  private insert(e: string): void {
    const i = this.input!;
    const at = i.selectionStart ?? i.value.length;
    i.value = i.value.slice(0, at) + e + i.value.slice(i.selectionEnd ?? at);
    i.focus();
    i.selectionStart = i.selectionEnd = at + e.length;
  }

  private showList(): void {
    this.help.article = null;
    this.listing = true;
    this.calling = false;
    this.render();
  }

  /** Opens the call panel, at the call-back form or at the number. */
  private showCall(form: boolean): void {
    this.calling = true;
    this.listing = false;
    this.render();
    this.body?.querySelector<HTMLElement>(form ? "form.cbf input" : ".call .tel, .call input")?.focus();
  }

  private async requestCall(req: CallRequest): Promise<void> {
    if (this.preview) return;
    const r = await this.conn.req<{ phone: string }>("POST", "/widget/v1/callback", req);
    this.callRequested = r.phone;
    this.render();
  }

  private renderNotice(): void {
    const n = this.panel?.querySelector<HTMLElement>(".notice");
    if (!n) return;
    const text = this.notice || (!this.conn.online && this.conn.token && !this.preview ? t("reconnecting") : "");
    n.textContent = text;
    n.hidden = !text;
  }

  private say(text: string): void {
    this.notice = text;
    this.renderNotice();
    setTimeout(() => {
      if (this.notice === text) {
        this.notice = "";
        this.renderNotice();
      }
    }, 6000);
  }

  render(): void {
    const b = this.body;
    const s = this.settings;
    if (!b || !s) return;
    const focused = this.shadow.activeElement;
    clear(b);
    this.renderNotice();
    // The message box stays, with what the visitor typed, for their return.
    this.panel!.querySelector("footer")!.hidden = this.calling || !!this.help.article;
    if (this.calling && s.phone) {
      b.append(
        callPanel({
          phone: s.phone,
          requested: this.callRequested,
          visitorPhone: this.visitor?.phone || "",
          send: (req) => this.requestCall(req),
          back: () => {
            this.calling = false;
            this.render();
          },
        }),
      );
      return;
    }
    if (this.help.article) {
      b.append(this.help.view(() => this.closeArticle(), () => this.chat()));
      return;
    }
    if (this.listing) {
      b.append(h("h2", null, t("conversations")));
      b.append(h("button", { class: "conv new", type: "button", onclick: () => this.startNew() }, h("strong", null, "+ " + t("new_conversation"))));
      for (const c of this.convs) {
        b.append(
          h(
            "button",
            { class: "conv", type: "button", onclick: () => this.pick(c.id) },
            h("strong", null, "#" + c.number),
            h("span", null, c.last_message),
            c.status === "resolved" ? h("em", null, t("resolved")) : null,
          ),
        );
      }
      return;
    }
    b.append(h("div", { class: "msg in greet" }, h("p", { dir: "auto" }, s.greeting || t("greeting"))));
    // Before the visitor writes, the help center's articles; a re-render
    // keeps the search box, what is typed in it and its focus.
    const home = this.home();
    if (home) {
      this.help.load();
      if (this.help.enabled) b.append(this.help.section((id) => this.openArticle(id)));
      if (focused && b.contains(focused)) (focused as HTMLElement).focus();
    }
    const pre = this.needsPreChat();
    // The message box waits until the form is sent.
    this.panel!.querySelector("footer")!.hidden = pre;
    if (pre) {
      b.append(this.preChat());
      return;
    }
    if (this.campaign && !this.current) b.append(h("div", { class: "msg in" }, h("p", { dir: "auto" }, this.campaign.message)));
    const list = this.msgs.get(this.current) || [];
    const conv = this.convs.find((c) => c.id === this.current);
    const lastMine = [...list].reverse().find((m) => !m.out);
    for (const m of list) b.append(this.bubble(m, m === lastMine ? conv : undefined));
    if (this.who !== null) b.append(h("div", { class: "typing" }, this.who ? t("typing", { name: this.who }) : t("someone_typing")));
    if (conv && conv.status === "resolved" && s.csat) b.append(this.csat(conv));
    if (!home || !this.help.enabled) this.scroll();
  }

  /** The first view, before the visitor writes, where the help articles show. */
  private home(): boolean {
    return !this.preview && !this.current && !this.fresh && !this.campaign && !(this.msgs.get(0) || []).length;
  }

  /** The suggestions arrived: they go in under the greeting, leaving the rest (a form being filled in) as it is. */
  private helpChanged(): void {
    const b = this.body;
    if (!b || !this.home() || this.calling || this.listing || this.help.article) return;
    b.querySelector(".kb")?.remove();
    if (this.help.enabled) b.querySelector(".greet")?.after(this.help.section((id) => this.openArticle(id)));
  }

  private async openArticle(id: number): Promise<void> {
    try {
      await this.help.read(id);
    } catch (e) {
      return this.say((e as Error).message);
    }
    this.render();
    this.body!.scrollTop = 0;
  }

  private closeArticle(): void {
    this.help.article = null;
    this.render();
  }

  /** "Chat with us" under an article: the chat starts as a new conversation does. */
  private chat(): void {
    this.help.article = null;
    this.startNew();
    this.body?.querySelector<HTMLInputElement>("form.pre input")?.focus();
  }

  private bubble(m: Msg, conv?: Conv): HTMLElement {
    let status = "";
    if (conv) {
      if (m.failed) status = t("failed");
      else if (m.pending) status = t("sending");
      else status = conv.seen_upto >= m.id ? t("seen") : t("sent");
    }
    return h(
      "div",
      { class: "msg " + (m.out ? "in" : "out") + (m.failed ? " failed" : ""), "data-id": m.id || m.cid, onclick: m.failed ? () => this.retry(m) : null },
      m.out && m.sender ? h("b", null, m.sender) : null,
      m.text ? h("p", { dir: "auto" }, m.text) : null,
      // A file is fetched without an Origin header: the page's origin goes
      // as Referer, whatever the site's referrer policy, so an inbox with
      // allowed domains can tell it is theirs.
      (m.files || []).map((f) => {
        const link = { href: this.fileURL(f.url), target: "_blank", rel: "noopener", referrerpolicy: "origin" };
        return f.type.startsWith("image/")
          ? h("a", link, h("img", { src: this.fileURL(f.url), alt: f.name, referrerpolicy: "origin" }))
          : h("a", { ...link, class: "file" }, "📎 " + f.name);
      }),
      h("time", null, m.at ? time(m.at) : ""),
      status ? h("span", { class: "st" }, status) : null,
    );
  }

  private fileURL(u: string): string {
    return this.conn.base + u + "?token=" + encodeURIComponent(this.conn.token);
  }

  private scroll(): void {
    const b = this.body;
    if (b) requestAnimationFrame(() => (b.scrollTop = b.scrollHeight));
  }

  /** Opens an empty thread; the visitor's next message starts a conversation. */
  startNew(): void {
    this.listing = this.calling = false;
    this.fresh = true;
    this.current = 0;
    this.msgs.delete(0);
    this.render();
    this.input?.focus();
  }

  private async pick(id: number): Promise<void> {
    this.help.article = null;
    this.listing = this.calling = false;
    this.fresh = false;
    try {
      await this.load(id);
    } catch (e) {
      this.fail(e);
    }
    this.render();
    this.markSeen();
  }

  // --- pre-chat form ---------------------------------------------------

  private needsPreChat(): boolean {
    const s = this.settings!;
    const v = this.visitor;
    if (!s.pre_chat.enabled || this.preview || this.convs.length || !v) return false;
    return s.pre_chat.fields.some((f) => f.required && !(v as any)[f.name]);
  }

  private preChat(): HTMLElement {
    const s = this.settings!;
    const inputs: Record<string, HTMLInputElement> = {};
    const err = h("p", { class: "err", role: "alert" });
    const form = h(
      "form",
      {
        class: "pre",
        novalidate: true,
        onsubmit: async (ev: Event) => {
          ev.preventDefault();
          const body: Record<string, string> = {};
          for (const f of s.pre_chat.fields) {
            const v = inputs[f.name].value.trim();
            if (f.required && !v) return this.fieldError(err, inputs[f.name], t("field_required"));
            if (f.name === "email" && v && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v)) return this.fieldError(err, inputs[f.name], t("invalid_email"));
            body[f.name] = v;
          }
          try {
            const r = await this.conn.req<Visitor>("POST", "/widget/v1/contact", body);
            this.visitor = { ...this.visitor!, ...r };
            this.render();
            this.input?.focus();
          } catch (e) {
            err.textContent = (e as Error).message;
          }
        },
      },
      h("p", null, s.pre_chat.message || t("prechat_intro")),
    );
    for (const f of s.pre_chat.fields) {
      const input = h("input", {
        name: f.name,
        type: f.name === "email" ? "email" : f.name === "phone" ? "tel" : "text",
        autocomplete: f.name === "phone" ? "tel" : f.name,
        required: f.required,
        value: (this.visitor as any)?.[f.name] || "",
      });
      inputs[f.name] = input;
      form.append(h("label", null, h("span", null, t(f.name), f.required ? "" : " (" + t("optional") + ")"), input));
    }
    form.append(err, h("button", { class: "primary", type: "submit" }, t("start")));
    return form;
  }

  private fieldError(err: HTMLElement, input: HTMLInputElement, text: string): void {
    err.textContent = text;
    input.focus();
  }

  // --- sending ---------------------------------------------------------

  private submit(): void {
    const text = this.input!.value.trim();
    if (!text || this.preview) return;
    this.input!.value = "";
    this.sendText(text);
  }

  sendText(text: string): void {
    const m: Msg = { id: 0, conv: this.current, out: false, text, at: new Date().toISOString(), cid: cid(), pending: true };
    this.push(this.current, m);
    this.transmit(m);
    this.stopTyping();
  }

  private transmit(m: Msg): void {
    // A message in a resolved conversation follows the inbox's reopen rule
    // rather than naming it.
    const open = this.convs.some((c) => c.id === m.conv && c.status !== "resolved");
    const frame = { t: "msg", cid: m.cid, text: m.text, campaign: this.campaign?.id || "", c: open ? m.conv : 0, new: !m.conv && this.fresh };
    if (!this.conn.send(frame)) {
      this.post(m, frame);
      return;
    }
    // If the socket died before the ack, send again over HTTP; the server
    // stores one message per client id.
    setTimeout(() => {
      if (m.pending) this.post(m, frame);
    }, 8000);
  }

  private async post(m: Msg, frame: Record<string, unknown>): Promise<void> {
    try {
      const r = await this.conn.req<{ message: Msg; conversation: Conv }>("POST", "/widget/v1/messages", {
        cid: frame.cid,
        text: frame.text,
        campaign: frame.campaign || undefined,
        conversation: frame.c || undefined,
        new: frame.new || undefined,
      });
      this.acked(m.cid!, r.message, r.conversation);
    } catch (e) {
      m.failed = true;
      m.pending = false;
      this.say((e as Error).message);
      this.render();
    }
  }

  private retry(m: Msg): void {
    m.failed = false;
    m.pending = true;
    this.render();
    this.transmit(m);
  }

  private acked(cidv: string, msg: Msg, conv: Conv): void {
    this.campaign = null;
    this.fresh = false;
    this.upsertConv(conv);
    if (!this.current || this.current !== conv.id) {
      const pending = this.msgs.get(this.current) || [];
      this.msgs.delete(this.current);
      this.current = conv.id;
      const list = this.msgs.get(conv.id) || [];
      for (const p of pending) if (!list.some((x) => x.cid === p.cid)) list.push(p);
      this.msgs.set(conv.id, list);
    }
    const list = this.msgs.get(conv.id)!;
    const i = list.findIndex((x) => x.cid === cidv);
    const dup = list.findIndex((x) => x.id === msg.id && x.cid !== cidv);
    if (dup >= 0) list.splice(dup, 1);
    const j = list.findIndex((x) => x.cid === cidv);
    if (i >= 0 && j >= 0) list[j] = { ...msg, cid: cidv };
    else if (!list.some((x) => x.id === msg.id)) list.push(msg);
    this.render();
  }

  private push(conv: number, m: Msg): void {
    const list = this.msgs.get(conv) || [];
    list.push(m);
    this.msgs.set(conv, list);
    this.render();
  }

  private async upload(input: HTMLInputElement): Promise<void> {
    const f = input.files && input.files[0];
    input.value = "";
    const s = this.settings!;
    if (!f) return;
    if (f.size > s.max_file_bytes) return this.say(t("file_too_large", { size: Math.floor(s.max_file_bytes / 1048576) }));
    if (f.type && !s.file_types.includes(f.type)) return this.say(t("file_type"));
    const form = new FormData();
    const id = cid();
    form.append("cid", id);
    if (this.convs.some((c) => c.id === this.current && c.status !== "resolved")) form.append("conversation", String(this.current));
    else if (this.fresh) form.append("new", "true");
    form.append("file", f);
    this.say(t("uploading"));
    try {
      const r = await this.conn.req<{ message: Msg; conversation: Conv }>("POST", "/widget/v1/attachments", form);
      this.notice = "";
      this.push(this.current, { ...r.message, cid: id });
      this.acked(id, r.message, r.conversation);
    } catch (e) {
      this.say(e instanceof ApiError && e.code === "too_large" ? t("file_too_large", { size: Math.floor(s.max_file_bytes / 1048576) }) : (e as Error).message);
    }
  }

  // --- typing and receipts ---------------------------------------------

  private typing(): void {
    if (!this.current) return;
    const now = Date.now();
    if (now - this.lastTyping > 3000) {
      this.lastTyping = now;
      this.conn.send({ t: "typing", c: this.current, on: true });
    }
    clearTimeout(this.typingTimer);
    this.typingTimer = window.setTimeout(() => this.stopTyping(), 4000);
  }

  private stopTyping(): void {
    clearTimeout(this.typingTimer);
    if (this.lastTyping && this.current) this.conn.send({ t: "typing", c: this.current, on: false });
    this.lastTyping = 0;
  }

  /** Tells the team how far the visitor has seen their replies. */
  markSeen(): void {
    if (this.preview) return;
    const read = this.isOpen && document.visibilityState === "visible";
    for (const [conv, list] of this.msgs) {
      if (conv === 0) continue;
      const want = read && conv === this.current ? "read" : "delivered";
      const todo = list.filter((m) => m.out && m.id && m.status !== "read" && (want === "read" || m.status !== "delivered"));
      if (!todo.length) continue;
      const upto = Math.max(...todo.map((m) => m.id));
      if (this.conn.send({ t: "seen", c: conv, upto, read: want === "read" })) for (const m of todo) m.status = want;
    }
  }

  // --- frames from the server ------------------------------------------

  private frame(f: Frame): void {
    switch (f.t) {
      case "ready":
        this.conn.send({ t: "page", page: { url: location.href, title: document.title }, visit: visit(this.visitor?.visits || 1) });
        this.markSeen();
        break;
      case "msg":
        this.message(f.m as Msg);
        break;
      case "conv":
        this.upsertConv(f.c as Conv);
        this.render();
        break;
      case "ack":
        this.acked(f.cid, f.m, f.c);
        break;
      case "typing":
        if (f.c !== this.current) break;
        clearTimeout(this.whoTimer);
        this.who = f.on ? f.name || "" : null;
        // A lost "off" must not leave the indicator up for ever.
        if (f.on) this.whoTimer = window.setTimeout(() => ((this.who = null), this.render()), 8000);
        this.render();
        break;
      case "seen": {
        const c = this.convs.find((x) => x.id === f.c);
        if (c) {
          c.seen_upto = Math.max(c.seen_upto, f.upto);
          this.render();
        }
        break;
      }
      case "err":
        if (f.cid) {
          for (const list of this.msgs.values())
            for (const m of list)
              if (m.cid === f.cid) {
                m.failed = true;
                m.pending = false;
              }
          this.render();
        }
        this.say(f.message);
        break;
      case "status": {
        // Who is available changed: the header says so, and the call
        // panel whether someone takes calls.
        const s = this.settings;
        if (!s) break;
        s.online = !!f.online;
        const line = this.panel?.querySelector<HTMLElement>(".ht small");
        if (line) {
          line.textContent = statusLine(s);
          line.className = s.online ? "on" : "";
        }
        this.phoneChanged(f.phone);
        break;
      }
      case "resync":
        this.start(this.user, [lang()]).catch((e) => this.fail(e));
        break;
    }
  }

  private phoneChanged(p: Phone | undefined): void {
    const s = this.settings!;
    const was = s.phone;
    if (!p && !was) return;
    s.phone = p;
    if (!p || !was || !!p.number !== !!was.number || p.call_me_back !== was.call_me_back) {
      // What the window offers changed: drawn again, keeping the draft.
      const draft = this.input?.value || "";
      if (!p) this.calling = false;
      if (this.panel) this.build();
      if (this.input) this.input.value = draft;
      return;
    }
    const line = this.body?.querySelector<HTMLElement>(".call .cst");
    if (line) {
      line.textContent = callStatus(p);
      line.className = "cst" + (p.available ? " on" : "");
    }
  }

  private message(m: Msg): void {
    if (!this.msgs.has(m.conv)) {
      if (this.current && this.current !== m.conv && !this.convs.some((c) => c.id === m.conv)) return;
      // The first event of a new conversation may beat the ack of the
      // message that opened it: adopt the pending messages.
      this.msgs.set(m.conv, this.current ? [] : this.msgs.get(0) || []);
      if (!this.current) {
        this.msgs.delete(0);
        this.current = m.conv;
      }
    }
    const list = this.msgs.get(m.conv)!;
    const i = list.findIndex((x) => x.id === m.id);
    if (i >= 0) {
      list[i] = { ...list[i], ...m };
    } else if (!m.out && list.some((x) => x.pending && x.text === m.text)) {
      // Our own message, echoed before its ack: the ack replaces it.
      return;
    } else {
      list.push(m);
      if (m.out) {
        // The team's message comes before an article being read.
        this.help.article = null;
        this.who = null;
        this.emit("message", m);
        if (!this.isOpen) {
          this.unread++;
          this.open();
        }
      }
    }
    if (m.conv === this.current) this.render();
    this.markSeen();
  }

  private upsertConv(c: Conv): void {
    const i = this.convs.findIndex((x) => x.id === c.id);
    if (i >= 0) this.convs[i] = { ...this.convs[i], ...c, seen_upto: Math.max(this.convs[i].seen_upto || 0, c.seen_upto || 0), rating: c.rating || this.convs[i].rating };
    else this.convs.unshift({ ...c, seen_upto: c.seen_upto || 0, rating: c.rating || 0 });
  }

  // --- rating and menu -------------------------------------------------

  private csat(conv: Conv): HTMLElement {
    if (conv.rating || this.rated.has(conv.id)) return h("div", { class: "csat" }, h("p", null, t("csat_thanks")));
    let rating = 0;
    const comment = h("textarea", { rows: 2, placeholder: t("csat_comment"), hidden: true });
    const submit = h("button", { class: "primary", type: "button", hidden: true }, t("csat_submit"));
    const faces = FACES.map((f, i) =>
      h(
        "button",
        {
          class: "face",
          type: "button",
          "aria-label": String(i + 1),
          onclick: (ev: Event) => {
            rating = i + 1;
            for (const b of faces) b.classList.remove("sel");
            (ev.currentTarget as HTMLElement).classList.add("sel");
            comment.hidden = submit.hidden = false;
          },
        },
        f,
      ),
    );
    submit.onclick = async () => {
      try {
        await this.conn.req("POST", `/widget/v1/conversations/${conv.id}/csat`, { rating, comment: comment.value });
        this.rated.add(conv.id);
        conv.rating = rating;
        this.render();
      } catch (e) {
        this.say((e as Error).message);
      }
    };
    return h("div", { class: "csat" }, h("p", null, t("csat_question")), h("div", { class: "faces" }, faces), comment, submit);
  }

  private menu(): void {
    const old = this.panel!.querySelector(".menu");
    if (old) return old.remove();
    const conv = this.current;
    const items: HTMLElement[] = [];
    if (conv && this.settings!.email_transcript) items.push(h("button", { type: "button", onclick: () => this.emailTranscript(conv) }, t("transcript")));
    if (conv) items.push(h("button", { type: "button", onclick: () => this.download(conv) }, t("transcript_download")));
    if (this.convs.length > 1) items.push(h("button", { type: "button", onclick: () => this.showList() }, t("conversations")));
    if (this.current) items.push(h("button", { type: "button", onclick: () => this.startNew() }, t("new_conversation")));
    if (!items.length) return;
    // Hung from the header's lower edge, however tall the header grows, so
    // it never covers the header's buttons.
    const m = h("div", { class: "menu" }, items);
    m.addEventListener("click", () => m.remove());
    this.panel!.querySelector("header")!.append(m);
  }

  private async emailTranscript(conv: number): Promise<void> {
    const email = this.visitor?.email || prompt(t("email")) || "";
    if (!email) return;
    try {
      const r = await this.conn.req<{ sent_to: string }>("POST", `/widget/v1/conversations/${conv}/transcript`, { email });
      this.say(t("transcript_sent", { email: r.sent_to }));
    } catch (e) {
      this.say((e as Error).message);
    }
  }

  private async download(conv: number): Promise<void> {
    try {
      const r = await fetch(this.conn.base + `/widget/v1/conversations/${conv}/transcript?download=1`, {
        method: "POST",
        headers: { Authorization: "Bearer " + this.conn.token },
      });
      if (!r.ok) throw new Error(r.statusText);
      const a = h("a", { href: URL.createObjectURL(await r.blob()), download: `conversation-${conv}.txt` });
      a.click();
    } catch (e) {
      this.say((e as Error).message);
    }
  }

  // --- campaigns -------------------------------------------------------

  private campaigns(): void {
    const s = this.settings!;
    if (this.convs.some((c) => c.status !== "resolved")) return;
    for (const c of s.campaigns) {
      if (c.business_hours_only && !s.in_hours) continue;
      if (!matchURL(c.url_pattern, location.href)) continue;
      const key = "sahay:campaign:" + c.id;
      try {
        if (sessionStorage.getItem(key)) continue;
      } catch {}
      setTimeout(() => {
        if (this.current || this.campaign) return;
        try {
          sessionStorage.setItem(key, "1");
        } catch {}
        this.campaign = c;
        this.conn.req("POST", `/widget/v1/campaigns/${encodeURIComponent(c.id)}/shown`).catch(() => {});
        this.open();
        this.render();
      }, c.time_on_page * 1000);
      return;
    }
  }
}

function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => [...w][0])
    .join("")
    .toUpperCase();
}

function cid(): string {
  const a = new Uint8Array(12);
  crypto.getRandomValues(a);
  return Array.from(a, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The current visit, kept per tab in session storage. */
function visit(visits: number): { start: number; pages: number; referrer: string; visits: number } {
  let v = { start: Date.now(), pages: 0, referrer: document.referrer, visits };
  try {
    v = JSON.parse(sessionStorage.getItem("sahay:visit") || "null") || v;
  } catch {}
  if ((v as any).last !== location.href) v.pages++;
  v.visits = visits;
  try {
    sessionStorage.setItem("sahay:visit", JSON.stringify({ ...v, last: location.href }));
  } catch {}
  return v;
}

/** Reports whether a page URL matches a campaign pattern: "*" any page, a trailing "*" a prefix, else a substring. */
export function matchURL(pattern: string, url: string): boolean {
  const strip = (s: string) => s.trim().replace(/^https?:\/\//, "").toLowerCase();
  const p = strip(pattern);
  const u = strip(url);
  if (!p || p === "*") return true;
  if (p.includes("*")) return new RegExp("^" + p.split("*").map((x) => x.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*") + "$").test(u);
  return u.includes(p);
}

/** The header's line under the title: the expected reply time while the team is online, else the away message. */
function statusLine(s: Settings): string {
  return s.online ? t("reply_" + s.reply_time) : s.away_message || t("away");
}
