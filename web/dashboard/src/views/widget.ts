// The website chat widget of one inbox: its look, texts, business hours,
// pre-chat form, campaigns and security, edited beside a live preview, with
// the snippet to embed and how its campaigns and ratings did.
import { api, widgetApi } from "../api";
import { debounce, h, replace, type Child } from "../dom";
import { ago, intlTag, locale, longTime, num, t, tn } from "../i18n";
import { icon } from "../icons";
import { isAdmin, reloadInboxes } from "../state";
import type { CampaignReport, CSATReport, Inbox, PreChatFieldName, WidgetCampaign, WidgetEmbed, WidgetSettings } from "../types";
import { button, empty, errorText, field, iconButton, pageHeader, toast } from "../ui";
import { hoursEditor } from "./hours";
import { callsSection } from "./widgetcalls";

/** The languages the widget speaks (web/widget/locales). */
const widgetLocales = [
  "en", "ar", "bn", "de", "es", "fa", "fr", "hi", "id", "it", "ja", "ko", "ms",
  "ne", "nl", "pl", "pt", "ru", "sw", "ta", "th", "tr", "ur", "vi", "zh-CN", "zh-TW",
];

const preChatFields: PreChatFieldName[] = ["name", "email", "phone"];

function languageName(tag: string): string {
  try {
    const name = new Intl.DisplayNames([intlTag()], { type: "language" }).of(tag);
    return name && name !== tag ? `${name} (${tag})` : tag;
  } catch {
    return tag;
  }
}

/** Fills what the server may send as null, so the form can edit in place. */
function complete(s: WidgetSettings): WidgetSettings {
  return {
    ...s,
    avatars: s.avatars ?? [],
    allowed_domains: s.allowed_domains ?? [],
    campaigns: (s.campaigns ?? []).map((c) => ({ ...c })),
    business_hours: { ...s.business_hours, days: { ...(s.business_hours?.days ?? {}) } },
    pre_chat: { ...s.pre_chat, fields: (s.pre_chat?.fields ?? []).map((f) => ({ ...f })) },
    phone_inbox_id: s.phone_inbox_id ?? 0,
    call_us: !!s.call_us,
    call_me_back: !!s.call_me_back,
  };
}

const lines = (s: string): string[] => s.split(/[\n,]/).map((x) => x.trim()).filter(Boolean);

function section(title: string, ...children: Child[]): HTMLElement {
  return h("section", { class: "form widget-section" }, h("h2", null, title), children);
}

export function mountWidgetSettings(el: HTMLElement, inboxId: number): () => void {
  let destroyed = false;
  let embed: WidgetEmbed | null = null;
  let draft: WidgetSettings | null = null;
  let savedJSON = "";
  let previewLocale = "";
  let previewSeq = 0;
  let shownURL = "";
  let inboxName = "";
  let inboxes: Inbox[] = [];

  const saveButton = button([icon("check", "icon small"), t("action.save")], () => void save(), "primary small widget-save");
  const dirtyHint = h("span", { class: "hint widget-dirty", hidden: true }, t("widget.unsaved"));
  const back = h("a", { href: "/settings/inboxes", "data-nav": "", class: "btn small ghost" }, icon("back", "icon small"), t("settings.inboxes"));
  const titleEl = h("span", null, t("widget.title"));
  const header = pageHeader("", dirtyHint, back, saveButton);
  replace(header.querySelector("h1") as HTMLElement, titleEl);

  const errorBox = h("div", { class: "widget-error", role: "alert", hidden: true });
  const formCol = h("div", { class: "widget-form" }, h("div", { class: "loading" }, t("list.loading")));
  const frame = h("iframe", { class: "widget-preview-frame", title: t("widget.preview") });
  const previewStatus = h("span", { class: "hint widget-preview-status" });
  const localeSelect = h(
    "select",
    { "aria-label": t("widget.preview_language"), class: "widget-preview-locale" },
    h("option", { value: "" }, t("widget.preview_auto")),
    widgetLocales.map((l) => h("option", { value: l }, languageName(l))),
  );
  localeSelect.addEventListener("change", () => {
    previewLocale = localeSelect.value;
    void refreshPreview();
  });
  const previewCol = h(
    "aside",
    { class: "widget-side", "aria-label": t("widget.preview") },
    h("div", { class: "widget-preview-head" }, h("h2", null, t("widget.preview")), localeSelect),
    frame,
    previewStatus,
  );
  const reports = h("div", { class: "widget-reports" });

  replace(
    el,
    h(
      "div",
      { class: "page widget-page" },
      header,
      h("div", { class: "widget-editor" }, h("div", { class: "widget-main" }, errorBox, formCol), previewCol),
      reports,
    ),
  );

  function showError(message: string): void {
    errorBox.hidden = !message;
    replace(errorBox, message ? [icon("alert", "icon small"), h("span", null, message)] : []);
  }

  function previewURL(): string {
    if (!draft || !embed) return "";
    const q = new URLSearchParams({ inbox: embed.website_token, settings: JSON.stringify(draft), locale: previewLocale || draft.locale || locale() });
    return "/widget/preview?" + q.toString();
  }

  // The preview is fetched first: settings the server refuses answer 422 with
  // the reason, which is shown while the last good preview stays.
  async function refreshPreview(): Promise<void> {
    const url = previewURL();
    if (!url) return;
    const seq = ++previewSeq;
    if (url === shownURL) {
      // Back to what the preview shows, which the server accepted.
      previewStatus.textContent = "";
      showError("");
      return;
    }
    previewStatus.textContent = t("widget.preview_updating");
    let message = "";
    try {
      const res = await fetch(url, { credentials: "same-origin" });
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
        message = body?.error?.message || res.statusText;
      }
    } catch {
      message = t("error.network");
    }
    if (seq !== previewSeq || destroyed) return;
    previewStatus.textContent = "";
    showError(message);
    if (message) return;
    shownURL = url;
    frame.src = url;
  }

  const schedulePreview = debounce(() => void refreshPreview(), 350);

  function changed(): void {
    dirtyHint.hidden = JSON.stringify(draft) === savedJSON;
    schedulePreview();
  }

  // Form controls bound to the draft.
  function input(name: string, value: string, set: (v: string) => void, attrs: Record<string, string | number | boolean> = {}): HTMLInputElement {
    const el = h("input", { name, value, autocomplete: "off", ...attrs });
    el.addEventListener("input", () => {
      set(el.value);
      changed();
    });
    return el;
  }

  function textarea(name: string, value: string, set: (v: string) => void, attrs: Record<string, string | number | boolean> = {}): HTMLTextAreaElement {
    const el = h("textarea", { name, rows: 2, value, ...attrs });
    el.addEventListener("input", () => {
      set(el.value);
      changed();
    });
    return el;
  }

  function checkbox(name: string, label: Child, value: boolean, set: (v: boolean) => void, hint?: string): HTMLElement {
    const box = h("input", { type: "checkbox", name, checked: value });
    box.addEventListener("change", () => {
      set(box.checked);
      changed();
    });
    return h("div", { class: "field" }, h("label", { class: "check" }, box, label), hint ? h("span", { class: "hint" }, hint) : null);
  }

  function choice(name: string, options: { value: string; label: string }[], value: string, set: (v: string) => void): HTMLSelectElement {
    const el = h("select", { name }, options.map((o) => h("option", { value: o.value, selected: o.value === value }, o.label)));
    el.addEventListener("change", () => {
      set(el.value);
      changed();
    });
    return el;
  }

  function colorField(name: string, label: string, value: string, set: (v: string) => void): HTMLElement {
    const picker = h("input", { type: "color", value: /^#[0-9a-f]{6}$/i.test(value) ? value : "#000000", "aria-label": label });
    const hex = input(name, value, (v) => {
      set(v.trim());
      if (/^#[0-9a-f]{6}$/i.test(v.trim())) picker.value = v.trim();
    }, { spellcheck: false, maxlength: 7, class: "mono" });
    picker.addEventListener("input", () => {
      hex.value = picker.value;
      set(picker.value);
      changed();
    });
    return field(label, h("div", { class: "color-field" }, picker, hex));
  }

  function appearance(s: WidgetSettings): HTMLElement {
    return section(
      t("widget.appearance"),
      h("div", { class: "field-row" },
        colorField("color", t("widget.color"), s.color, (v) => (s.color = v)),
        colorField("text_color", t("widget.text_color"), s.text_color, (v) => (s.text_color = v)),
      ),
      h("div", { class: "field-row" },
        field(t("widget.position"), choice("position", [
          { value: "right", label: t("widget.position_right") },
          { value: "left", label: t("widget.position_left") },
        ], s.position, (v) => (s.position = v as WidgetSettings["position"]))),
        field(t("widget.launcher_icon"), choice("launcher_icon", [
          { value: "chat", label: t("widget.icon_chat") },
          { value: "help", label: t("widget.icon_help") },
          { value: "wave", label: t("widget.icon_wave") },
        ], s.launcher_icon, (v) => (s.launcher_icon = v as WidgetSettings["launcher_icon"]))),
      ),
      field(t("widget.launcher_text"), input("launcher_text", s.launcher_text, (v) => (s.launcher_text = v), { maxlength: 40, placeholder: t("widget.launcher_text_placeholder") }), t("widget.launcher_text_hint")),
    );
  }

  function texts(s: WidgetSettings): HTMLElement {
    return section(
      t("widget.texts"),
      field(t("widget.window_title"), input("title", s.title, (v) => (s.title = v), { placeholder: inboxName }), t("widget.window_title_hint")),
      field(t("widget.greeting"), textarea("greeting", s.greeting, (v) => (s.greeting = v), { placeholder: t("widget.default_text") }), t("widget.greeting_hint")),
      field(t("widget.reply_time"), choice("reply_time", [
        { value: "minutes", label: t("widget.reply_minutes") },
        { value: "hours", label: t("widget.reply_hours") },
        { value: "day", label: t("widget.reply_day") },
      ], s.reply_time, (v) => (s.reply_time = v as WidgetSettings["reply_time"])), t("widget.reply_time_hint")),
      field(t("widget.away_message"), textarea("away_message", s.away_message, (v) => (s.away_message = v), { placeholder: t("widget.default_text") }), t("widget.away_message_hint")),
      field(t("widget.avatars"), textarea("avatars", (s.avatars ?? []).join("\n"), (v) => (s.avatars = lines(v)), { rows: 3, placeholder: "https://cdn.example.com/team/ayesha.jpg", spellcheck: false }), t("widget.avatars_hint")),
      field(t("widget.locale"), choice("locale", [{ value: "", label: t("widget.locale_auto") }, ...widgetLocales.map((l) => ({ value: l, label: languageName(l) }))], s.locale, (v) => (s.locale = v))),
    );
  }

  function businessHours(s: WidgetSettings): HTMLElement {
    return section(t("widget.hours"), h("p", { class: "hint" }, t("widget.hours_help")), hoursEditor(s.business_hours, changed));
  }

  function preChat(s: WidgetSettings): HTMLElement {
    const pc = s.pre_chat;
    const fields = (pc.fields ??= []);
    const table = h(
      "div",
      { class: "prechat-fields", hidden: !pc.enabled },
      preChatFields.map((name) => {
        const find = () => fields.find((f) => f.name === name);
        const ask = h("input", { type: "checkbox", name: "ask_" + name, checked: !!find() });
        const required = h("input", { type: "checkbox", name: "required_" + name, checked: !!find()?.required, disabled: !find() });
        // Keeps the fields in a fixed order: name, email, phone.
        const sync = () => {
          const chosen = preChatFields
            .map((n) => (n === name ? (ask.checked ? { name, required: required.checked } : null) : fields.find((f) => f.name === n) ?? null))
            .filter((f): f is { name: PreChatFieldName; required: boolean } => f !== null);
          fields.splice(0, fields.length, ...chosen);
          required.disabled = !ask.checked;
          if (!ask.checked) required.checked = false;
          changed();
        };
        ask.addEventListener("change", sync);
        required.addEventListener("change", sync);
        return h("div", { class: "prechat-row" },
          h("label", { class: "check" }, ask, t("contact." + name)),
          h("label", { class: "check" }, required, t("widget.required")),
        );
      }),
    );
    const message = field(t("widget.prechat_message"), textarea("prechat_message", pc.message, (v) => (pc.message = v), { placeholder: t("widget.default_text") }));
    message.hidden = !pc.enabled;
    return section(
      t("widget.prechat"),
      checkbox("pre_chat", t("widget.prechat_enabled"), pc.enabled, (v) => {
        pc.enabled = v;
        table.hidden = message.hidden = !v;
      }, t("widget.prechat_hint")),
      message,
      table,
    );
  }

  function campaigns(s: WidgetSettings): HTMLElement {
    const list = (s.campaigns ??= []);
    const box = h("div", { class: "campaigns" });
    const render = () => {
      replace(
        box,
        list.length ? null : h("p", { class: "hint" }, t("widget.campaigns_none")),
        list.map((c, i) =>
          h(
            "fieldset",
            { class: "campaign", dataset: { campaign: c.id } },
            h("div", { class: "campaign-head" },
              checkbox("campaign_enabled", t("widget.campaign_enabled"), c.enabled, (v) => (c.enabled = v)),
              field(t("widget.campaign_id"), input("campaign_id", c.id, (v) => (c.id = v.trim()), { spellcheck: false, class: "mono", maxlength: 40 })),
              iconButton("trash", t("action.remove"), () => {
                list.splice(i, 1);
                render();
                changed();
              }, "small"),
            ),
            field(t("widget.campaign_message"), textarea("campaign_message", c.message, (v) => (c.message = v), { rows: 2 })),
            h("div", { class: "field-row" },
              field(t("widget.campaign_url"), input("campaign_url", c.url_pattern, (v) => (c.url_pattern = v.trim()), { placeholder: "shop.example.com/cart*", spellcheck: false })),
              field(t("widget.campaign_delay"), input("campaign_delay", String(c.time_on_page), (v) => (c.time_on_page = Number.parseInt(v, 10) || 0), { type: "number", min: 0, max: 3600, step: 1 })),
            ),
            checkbox("campaign_hours", t("widget.campaign_hours_only"), c.business_hours_only, (v) => (c.business_hours_only = v)),
          ),
        ),
      );
    };
    render();
    const add = button([icon("plus", "icon small"), t("widget.campaign_add")], () => {
      let n = list.length + 1;
      while (list.some((c) => c.id === "campaign-" + n)) n++;
      const c: WidgetCampaign = { id: "campaign-" + n, enabled: true, message: "", url_pattern: "*", time_on_page: 20, business_hours_only: false };
      list.push(c);
      render();
      box.querySelector<HTMLTextAreaElement>(`fieldset[data-campaign="${c.id}"] textarea`)?.focus();
      changed();
    }, "small add-campaign");
    return section(t("widget.campaigns"), h("p", { class: "hint" }, t("widget.campaigns_help")), box, add);
  }

  function security(s: WidgetSettings): HTMLElement {
    return section(
      t("widget.security"),
      field(t("widget.domains"), textarea("allowed_domains", (s.allowed_domains ?? []).join("\n"), (v) => (s.allowed_domains = lines(v)), { rows: 3, placeholder: "shop.example.com\n*.example.com", spellcheck: false }), t("widget.domains_hint")),
      checkbox("identity_verification_required", t("widget.identity_required"), s.identity_verification_required, (v) => (s.identity_verification_required = v), t("widget.identity_hint")),
      checkbox("attachments", t("widget.attachments"), s.attachments, (v) => (s.attachments = v)),
      checkbox("csat", t("widget.csat_ask"), s.csat, (v) => (s.csat = v)),
      checkbox("email_continuity", t("widget.email_continuity"), s.email_continuity, (v) => (s.email_continuity = v)),
    );
  }

  function install(e: WidgetEmbed): HTMLElement {
    const copyField = (label: string, value: string, cls: string, hint?: string) => {
      const attrs = { value, readonly: true, class: "mono " + cls, "aria-label": label };
      const out = value.length > 60 ? h("textarea", { ...attrs, rows: 4 }) : h("input", attrs);
      return field(label, h("div", { class: "copy-field" }, out, button(t("action.copy"), () => {
        out.select();
        void navigator.clipboard?.writeText(value).then(() => toast(t("copied")), () => {});
      }, "small")), hint);
    };
    const secretBox = h("div", { class: "identity-secret" });
    const showSecret = button(t("widget.show_secret"), async () => {
      try {
        const secrets = await widgetApi.secrets(inboxId);
        replace(secretBox, copyField(t("widget.identity_secret"), secrets["identity_secret"] ?? "", "secret-value", t("widget.identity_secret_hint")));
      } catch (err) {
        toast(errorText(err), "error");
      }
    }, "small");
    replace(secretBox, showSecret);
    const shopify = h("input", { type: "password", name: "shopify_secret", autocomplete: "off", placeholder: t("widget.shopify_secret_placeholder") });
    return section(
      t("widget.install"),
      copyField(t("widget.snippet"), e.snippet, "snippet", t("widget.snippet_hint")),
      h("p", null, h("a", { href: "/demo?inbox=" + encodeURIComponent(e.website_token), target: "_blank", rel: "noopener" }, t("widget.open_demo"))),
      isAdmin() ? secretBox : null,
      isAdmin()
        ? h("div", { class: "field shopify" },
            h("span", { class: "field-label" }, t("widget.shopify")),
            h("span", { class: "hint" }, t("widget.shopify_hint")),
            copyField(t("widget.shopify_url"), publicBase(e) + "/widget/shopify/" + e.website_token, "shopify-url"),
            h("div", { class: "copy-field" }, shopify, button(t("widget.shopify_save"), async () => {
              if (!shopify.value.trim()) return;
              try {
                await widgetApi.setSecrets(inboxId, { shopify_secret: shopify.value.trim() });
                shopify.value = "";
                toast(t("saved"));
              } catch (err) {
                toast(errorText(err), "error");
              }
            }, "small")),
          )
        : null,
    );
  }

  function renderForm(): void {
    if (!draft || !embed) return;
    const s = draft;
    replace(
      formCol,
      appearance(s),
      texts(s),
      businessHours(s),
      preChat(s),
      callsSection(s, inboxes, { section, checkbox, changed }),
      campaigns(s),
      security(s),
      h("div", { class: "form-actions widget-actions" }, button(t("action.save"), () => void save(), "primary")),
      install(embed),
    );
  }

  async function save(): Promise<void> {
    if (!draft) return;
    saveButton.disabled = true;
    try {
      const inbox = await api.updateInbox(inboxId, { settings: draft as unknown as Record<string, unknown> });
      if (destroyed) return;
      draft = complete(inbox.settings as unknown as WidgetSettings);
      savedJSON = JSON.stringify(draft);
      // The preview shows some saved settings only (the phone line's
      // number): it loads again.
      shownURL = "";
      showError("");
      renderForm();
      changed();
      toast(t("saved"));
      void reloadInboxes();
      void loadReports();
    } catch (e) {
      showError(errorText(e));
      toast(errorText(e), "error");
    } finally {
      saveButton.disabled = false;
    }
  }

  async function loadReports(): Promise<void> {
    const [camps, csat] = await Promise.allSettled([widgetApi.campaigns(inboxId), widgetApi.csat(inboxId)]);
    if (destroyed) return;
    replace(
      reports,
      h("section", { class: "widget-report" }, h("h2", null, t("widget.campaign_results")),
        camps.status === "fulfilled" ? campaignTable(camps.value) : empty(errorText(camps.reason))),
      h("section", { class: "widget-report" }, h("h2", null, t("widget.csat")),
        csat.status === "fulfilled" ? csatReport(csat.value) : empty(errorText(csat.reason))),
    );
  }

  async function load(): Promise<void> {
    try {
      const [e, all] = await Promise.all([widgetApi.embed(inboxId), api.inboxes()]);
      if (destroyed) return;
      const inbox = all.find((i) => i.id === inboxId);
      inboxes = all;
      embed = e;
      draft = complete(e.settings);
      savedJSON = JSON.stringify(draft);
      inboxName = inbox?.name ?? "";
      titleEl.textContent = t("widget.title_of", { name: inboxName });
      document.title = titleEl.textContent + " · Sahay";
      renderForm();
      void refreshPreview();
      void loadReports();
    } catch (e) {
      if (!destroyed) replace(formCol, empty(errorText(e)));
    }
  }

  void load();
  return () => {
    destroyed = true;
    document.title = "Sahay";
  };
}

/** The address visitors reach Sahay at, as the server reports it. */
function publicBase(e: WidgetEmbed): string {
  const at = e.preview_url.indexOf("/widget/preview");
  return at > 0 ? e.preview_url.slice(0, at) : location.origin;
}

function campaignTable(list: CampaignReport[]): HTMLElement {
  if (!list.length) return empty(t("widget.campaigns_none"));
  const pct = new Intl.NumberFormat(intlTag(), { style: "percent", maximumFractionDigits: 0 });
  const cols = [t("widget.campaign_id"), t("widget.campaign_message"), t("widget.campaign_shown"), t("widget.campaign_replied"), t("widget.campaign_rate")];
  return h(
    "table",
    { class: "table campaign-stats" },
    h("thead", null, h("tr", null, cols.map((c) => h("th", null, c)))),
    h(
      "tbody",
      null,
      list.map((c) =>
        h("tr", { dataset: { campaign: c.id } },
          h("td", { "data-label": cols[0] }, h("code", null, c.id), c.enabled ? null : h("span", { class: "status-badge" }, t("widget.campaign_off"))),
          h("td", { "data-label": cols[1] }, h("span", { class: "clip" }, c.message)),
          h("td", { "data-label": cols[2], class: "num shown" }, num(c.shown)),
          h("td", { "data-label": cols[3], class: "num replied" }, num(c.replied)),
          h("td", { "data-label": cols[4], class: "num" }, c.shown ? pct.format(c.replied / c.shown) : "—"),
        ),
      ),
    ),
  );
}

function csatReport(r: CSATReport): HTMLElement {
  const responses = r.responses ?? [];
  if (!r.count) return empty(t("widget.csat_none"));
  const pct = new Intl.NumberFormat(intlTag(), { style: "percent", maximumFractionDigits: 0 });
  const byRating = [5, 4, 3, 2, 1].map((n) => ({ n, count: responses.filter((x) => x.rating === n).length }));
  return h(
    "div",
    { class: "csat" },
    h("div", { class: "csat-score" },
      h("strong", { class: "csat-value" }, pct.format(r.satisfaction)),
      h("span", { class: "hint" }, tn("widget.csat_score", r.count)),
    ),
    h("ul", { class: "csat-bars" }, byRating.map(({ n, count }) => {
      const bar = h("span", { class: "csat-bar" });
      bar.style.setProperty("--share", String(count / r.count));
      return h("li", null, h("span", { class: "csat-stars", "aria-label": t("widget.csat_rating", { n }) }, "★".repeat(n)), bar, h("span", { class: "count" }, num(count)));
    })),
    h("ul", { class: "csat-list" }, responses.slice(0, 10).map((x) =>
      h("li", null,
        h("a", { href: "/conversations/" + x.conversation_id, "data-nav": "" },
          h("span", { class: "csat-stars", "aria-label": t("widget.csat_rating", { n: x.rating }) }, "★".repeat(x.rating)),
          h("span", { class: "preview" }, x.comment || "—"),
          h("time", { class: "time", datetime: x.created_at, title: longTime(x.created_at) }, ago(x.created_at)),
        ),
      ),
    )),
  );
}
