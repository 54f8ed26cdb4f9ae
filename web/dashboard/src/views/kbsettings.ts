// The help center's settings, for administrators: its title, its
// introduction in each language, brand color, custom domain, languages
// and default language, whether it is public; and the account's address
// name, which its public address carries (/hc/{slug}).
import { kbApi, type KBSettings } from "../api";
import { h, replace } from "../dom";
import { t } from "../i18n";
import { emit, state } from "../state";
import { field, select } from "../ui";
import type { KBContext } from "./kb";
import { kbLocales, localeName } from "./kbcontent";
import { attempt, checkboxes, form, submit } from "./forms";

const known = ["en", "bn", "hi"];

/** The help center's public address on this server, whole, for a link. */
function publicURL(s: KBSettings | null, slug: string): string {
  const path = s?.url || (slug ? "/hc/" + slug : "");
  return path ? location.origin + path : "";
}

export function kbSettings(el: HTMLElement, ctx: KBContext): void {
  const s = ctx.settings;
  const locales = kbLocales(s);
  const title = h("input", { name: "title", value: s?.title ?? "", maxlength: 120, required: true });
  const color = h("input", { type: "color", name: "color", value: /^#[0-9a-f]{6}$/i.test(s?.color ?? "") ? (s?.color as string) : "#0f766e" });
  const domain = h("input", { name: "domain", value: s?.domain ?? "", placeholder: "help.example.com", autocomplete: "off", spellcheck: "false", inputmode: "url" });
  const chosen = checkboxes([...new Set([...known, ...locales])].map((l) => ({ value: l, label: localeName(l) })), locales, "locales");
  const defaultLocale = select(locales.map((l) => ({ value: l, label: localeName(l) })), s?.default_locale || locales[0], () => {}, { name: "default_locale" });
  const enabled = h("input", { type: "checkbox", name: "enabled", checked: s?.enabled ?? false });
  // "Still need help?" on every page: a website chat inbox's widget, else a
  // contact address.
  const chatInboxes = state.inboxes.filter((i) => i.channel === "widget");
  const chat = select([{ value: "0", label: t("kb.chat_none") }, ...chatInboxes.map((i) => ({ value: String(i.id), label: i.name }))],
    String(s?.chat_inbox_id ?? 0), () => {}, { name: "chat_inbox_id" });
  const contact = h("input", { name: "contact_url", type: "url", value: s?.contact_url ?? "", placeholder: "https://example.com/contact", autocomplete: "off", spellcheck: "false" });
  const intros = new Map<string, HTMLTextAreaElement>();
  const introFields = h("div", { class: "kb-intros" });

  // The introductions and the default language follow the languages chosen.
  function follow(): void {
    const ls = chosen.values();
    const def = ls.includes(defaultLocale.value) ? defaultLocale.value : ls[0] ?? "";
    replace(defaultLocale, ls.map((l) => h("option", { value: l, selected: l === def }, localeName(l))));
    replace(introFields, ls.map((l) => {
      if (!intros.has(l)) intros.set(l, h("textarea", { name: "intro_" + l, rows: 2, maxlength: 300, lang: l, value: s?.intro?.[l] ?? "" }));
      return field(t("kb.intro_in", { language: localeName(l) }), intros.get(l) as HTMLTextAreaElement);
    }));
  }
  chosen.el.addEventListener("change", follow);
  follow();

  const slug = h("input", { name: "slug", value: state.account?.slug ?? "", pattern: "[a-z0-9][a-z0-9-]{1,62}", required: true, autocomplete: "off", spellcheck: "false" });
  const address = h("p", { class: "kb-address" });
  const showAddress = () => {
    const url = publicURL(ctx.settings, state.account?.slug ?? "");
    const domain = ctx.settings?.domain ? "https://" + ctx.settings.domain + "/" : "";
    const link = (href: string, cls: string) => h("a", { href, target: "_blank", rel: "noopener", class: cls }, href);
    replace(address, url ? [h("span", { class: "hint" }, t("kb.public_address")), " ", link(url, "kb-public-url"), domain ? link(domain, "kb-domain-url") : null] : null);
  };
  showAddress();

  replace(el, h("div", { class: "kb-section kb-settings" },
    form(async () => {
      const v = slug.value.trim().toLowerCase();
      await attempt(async () => {
        const account = await kbApi.setSlug(v);
        if (state.account) state.account = { ...state.account, ...account, slug: account?.slug ?? v };
        ctx.settings = await kbApi.settings().catch(() => ctx.settings);
        emit("me");
        showAddress();
      });
    },
    h("h2", null, t("kb.address_title")),
    field(t("kb.slug"), slug, t("kb.slug_hint")),
    address,
    h("div", { class: "form-actions" }, submit(t("action.save")))),
    form(async () => {
      const ls = chosen.values();
      const intro: Record<string, string> = {};
      for (const l of ls) {
        const v = intros.get(l)?.value.trim();
        if (v) intro[l] = v;
      }
      const next: KBSettings = { title: title.value.trim(), intro, color: color.value, domain: domain.value.trim().toLowerCase(), default_locale: defaultLocale.value, locales: ls, enabled: enabled.checked,
        chat_inbox_id: Number(chat.value), contact_url: contact.value.trim() };
      await attempt(async () => {
        ctx.settings = await kbApi.setSettings(next);
        showAddress();
      });
    },
    h("h2", null, t("kb.settings_title")),
    h("label", { class: "check kb-enabled" }, enabled, h("span", null, t("kb.enabled")), h("span", { class: "hint" }, t("kb.enabled_hint"))),
    field(t("kb.hc_title"), title),
    h("div", { class: "field" }, h("span", { class: "field-label" }, t("kb.languages")), chosen.el, h("span", { class: "hint" }, t("kb.languages_hint"))),
    field(t("kb.default_locale"), defaultLocale, t("kb.default_locale_hint")),
    introFields,
    field(t("kb.color"), color),
    field(t("kb.domain"), domain, t("kb.domain_hint")),
    field(t("kb.chat"), chat, t("kb.chat_hint")),
    field(t("kb.contact_url"), contact, t("kb.contact_url_hint")),
    h("div", { class: "form-actions" }, submit(t("action.save"))))));
}
