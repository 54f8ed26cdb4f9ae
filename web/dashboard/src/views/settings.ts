// Settings: the agent's own profile and API tokens, and for admins the
// account, agents, inboxes, teams, labels, canned responses and audit log.
import { api } from "../api";
import { h, replace } from "../dom";
import { isLocale, localeNames, locales, longTime, setLocale, t } from "../i18n";
import { requestSystemNotifications, setSoundEnabled, soundEnabled, systemNotificationsSupported } from "../notify";
import { navigate, type Route } from "../router";
import { emit, isAdmin, loadMeta, me, state, userName } from "../state";
import type { Availability, Label, Locale, Team, User, CannedResponse } from "../types";
import { availabilityOf, avatar, button, empty, errorText, field, labelChip, modal, pageHeader, select, toast } from "../ui";
import { attempt, checkboxes, form, submit, table, userChecks } from "./forms";
import { aiSettings } from "./aisettings";
import { editableHours, hoursEditor } from "./hours";
import { botSettings } from "./bot";
import { inboxes } from "./inboxes";
import { tonePolicy } from "./tonepolicy";
import { mentionKeywords } from "./mentionkeywords";
import { automation } from "./automation";
import { macrosSettings } from "./macros";
import { slaSettings } from "./sla";
import { capacitySection, routingSection, routingSettings } from "./routing";

interface Section {
  key: string;
  admin: boolean;
  render: (el: HTMLElement, route: Route) => void | Promise<void>;
}

const sections: Section[] = [
  { key: "profile", admin: false, render: profile },
  { key: "tokens", admin: false, render: tokens },
  { key: "account", admin: true, render: account },
  { key: "agents", admin: true, render: agents },
  { key: "inboxes", admin: true, render: inboxes },
  { key: "teams", admin: true, render: teams },
  { key: "routing", admin: true, render: routingSettings },
  { key: "labels", admin: true, render: labels },
  { key: "canned", admin: false, render: canned },
  { key: "automation", admin: true, render: automation },
  { key: "macros", admin: false, render: macrosSettings },
  { key: "sla", admin: false, render: slaSettings },
  { key: "ai", admin: true, render: aiSettings },
  { key: "tone", admin: true, render: tonePolicy },
  { key: "mentions", admin: true, render: mentionKeywords },
  { key: "bot", admin: true, render: botSettings },
  { key: "audit", admin: true, render: audit },
];

function profile(el: HTMLElement): void {
  const u = me();
  const name = h("input", { value: u.name, name: "name", required: true, autocomplete: "name" });
  const phone = phoneInput(u.phone);
  const loc = select(locales.map((l) => ({ value: l, label: localeNames[l] })), u.locale, () => {}, { name: "locale" });
  const avail = select((["online", "busy", "offline"] as Availability[]).map((a) => ({ value: a, label: t("availability." + a) })), u.availability, () => {}, { name: "availability" });
  const langs = checkboxes(locales.map((l) => ({ value: l as string, label: localeNames[l] })), u.languages ?? [], "languages");
  const sound = h("input", { type: "checkbox", checked: soundEnabled(), onchange: () => setSoundEnabled(sound.checked) });
  const current = h("input", { type: "password", name: "current_password", autocomplete: "current-password", required: true });
  const next = h("input", { type: "password", name: "new_password", autocomplete: "new-password", required: true, minlength: 8 });
  const again = h("input", { type: "password", name: "confirm_password", autocomplete: "new-password", required: true, minlength: 8 });
  const permission = systemNotificationsSupported() ? Notification.permission : "denied";
  replace(
    el,
    form(
      async () => {
        const locale = loc.value as Locale;
        await attempt(async () => {
          state.me = await api.updateMe({ name: name.value.trim(), locale, availability: avail.value as Availability, languages: langs.values(), phone: phone.value.trim() });
          if (isLocale(state.me.locale)) await setLocale(state.me.locale);
          emit("me");
          emit("locale");
        });
      },
      h("h2", null, t("settings.profile")),
      field(t("profile.name"), name),
      field(t("profile.email"), h("input", { value: u.email, disabled: true })),
      field(t("profile.phone"), phone, t("profile.phone_hint")),
      field(t("profile.locale"), loc),
      field(t("profile.availability"), avail),
      h("div", { class: "field" }, h("span", { class: "field-label" }, t("profile.languages")), langs.el),
      h("div", { class: "form-actions" }, submit(t("action.save"))),
    ),
    h(
      "div",
      { class: "form" },
      h("h2", null, t("settings.notifications")),
      h("label", { class: "check" }, sound, t("profile.sound")),
      systemNotificationsSupported() && permission !== "granted"
        ? button(t("profile.enable_notifications"), async () => {
            const p = await requestSystemNotifications();
            toast(p === "granted" ? t("profile.notifications_on") : t("profile.notifications_blocked"));
            void profile(el);
          })
        : h("p", { class: "hint" }, permission === "granted" ? t("profile.notifications_on") : t("profile.notifications_blocked")),
    ),
    form(
      async () => {
        if (next.value !== again.value) {
          toast(t("password.mismatch"), "error");
          return;
        }
        if (await attempt(() => api.changePassword(current.value, next.value), t("password.changed"))) {
          current.value = next.value = again.value = "";
        }
      },
      h("h2", null, t("password.title")),
      field(t("password.current"), current),
      field(t("password.new"), next, t("password.hint")),
      field(t("password.confirm"), again),
      h("div", { class: "form-actions" }, submit(t("password.change"))),
    ),
  );
}

/**
 * A phone number box: the number with its country code, which the server
 * checks (phone inboxes ring it, and call it first when its agent calls a
 * customer).
 */
function phoneInput(value = ""): HTMLInputElement {
  return h("input", { type: "tel", name: "phone", value, autocomplete: "tel", inputmode: "tel", placeholder: "+8801712345678", dir: "ltr" });
}

async function tokens(el: HTMLElement): Promise<void> {
  await table(el, {
    load: api.tokens,
    addLabel: t("tokens.create"),
    columns: [t("tokens.name"), t("tokens.created"), t("tokens.last_used")],
    emptyText: t("tokens.none"),
    row: (tk) => [tk.name, longTime(tk.created_at), tk.last_used_at ? longTime(tk.last_used_at) : "—"],
    edit: (tk, done) => {
      if (tk) return;
      const name = h("input", { name: "name", required: true });
      const close = modal(
        t("tokens.create"),
        form(async () => {
          try {
            const res = await api.createToken(name.value.trim());
            close();
            done();
            const out = h("input", { value: res.token, readonly: true, class: "mono", "aria-label": t("tokens.secret") });
            modal(t("tokens.created_title"), [
              h("p", null, t("tokens.copy_now")),
              out,
              h(
                "div",
                { class: "form-actions" },
                button(t("action.copy"), () => {
                  out.select();
                  void navigator.clipboard?.writeText(res.token).then(() => toast(t("copied")));
                }, "primary"),
              ),
            ]);
          } catch (e) {
            toast(errorText(e), "error");
          }
        }, field(t("tokens.name"), name), h("div", { class: "form-actions" }, submit(t("tokens.create")))),
      );
    },
    remove: (tk) => api.deleteToken(tk.id),
    removeText: (tk) => t("tokens.revoke_confirm", { name: tk.name }),
  });
}

// Browsers list some zones by names IANA has since replaced (Asia/Calcutta);
// pickers offer the current ones, which teams look for and the docs use.
const renamedZones: Record<string, string> = {
  "Asia/Calcutta": "Asia/Kolkata",
  "Asia/Katmandu": "Asia/Kathmandu",
  "Asia/Rangoon": "Asia/Yangon",
  "Asia/Saigon": "Asia/Ho_Chi_Minh",
};

/** The IANA time zones this browser knows, for pickers. */
export function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  try {
    const zones = intl.supportedValuesOf?.("timeZone");
    return zones ? zones.map((z) => renamedZones[z] ?? z).sort() : ["UTC", "Asia/Dhaka", "Asia/Kolkata"];
  } catch {
    return ["UTC", "Asia/Dhaka", "Asia/Kolkata"];
  }
}

async function account(el: HTMLElement): Promise<void> {
  let acc;
  try {
    acc = await api.account();
  } catch (e) {
    replace(el, empty(errorText(e)));
    return;
  }
  const a = acc;
  const name = h("input", { value: a.name, name: "name", required: true });
  const zones = timeZones();
  if (a.time_zone && !zones.includes(a.time_zone)) zones.unshift(a.time_zone);
  const tz = select(zones.map((z) => ({ value: z, label: z })), a.time_zone || "UTC", () => {}, { name: "time_zone" });
  const langs = checkboxes(locales.map((l) => ({ value: l as string, label: localeNames[l] })), a.locales ?? [], "locales");
  const hours = editableHours(a.business_hours);
  replace(
    el,
    form(
      async () => {
        await attempt(async () => {
          state.account = await api.updateAccount({ name: name.value.trim(), time_zone: tz.value, locales: langs.values(), business_hours: hours });
          emit("me");
        });
      },
      h("h2", null, t("settings.account")),
      field(t("account.name"), name),
      field(t("account.time_zone"), tz),
      h("div", { class: "field" }, h("span", { class: "field-label" }, t("account.languages")), langs.el, h("span", { class: "hint" }, t("account.languages_hint"))),
      h("h3", null, t("widget.hours")),
      h("p", { class: "hint" }, t("account.hours_help")),
      ...hoursEditor(hours, () => {}, "account_", false),
      h("div", { class: "form-actions" }, submit(t("action.save"))),
    ),
  );
}

const roles = (): { value: string; label: string }[] => [
  { value: "agent", label: t("role.agent") },
  { value: "admin", label: t("role.admin") },
];

async function agents(el: HTMLElement): Promise<void> {
  await table<User>(el, {
    load: api.users,
    addLabel: t("agents.invite"),
    columns: [t("agents.name"), t("agents.email"), t("agents.role"), t("profile.phone"), t("profile.availability")],
    emptyText: t("agents.none"),
    row: (u) => [h("span", { class: "with-avatar" }, avatar(u.name, "tiny"), u.name), u.email, t("role." + u.role), u.phone || "—", h("span", { class: "presence-text " + availabilityOf(u).state }, availabilityOf(u).label)],
    edit: (u, done) => {
      const name = h("input", { name: "name", value: u?.name ?? "", required: true });
      const email = h("input", { name: "email", type: "email", value: u?.email ?? "", required: true, disabled: !!u });
      const role = select(roles(), u?.role === "admin" ? "admin" : "agent", () => {}, { name: "role" });
      const phone = phoneInput(u?.phone);
      const password = h("input", { name: "password", type: "password", required: true, minlength: 8, autocomplete: "new-password" });
      const capacity = capacitySection(u?.id ?? null);
      const close = modal(
        u ? t("agents.edit") : t("agents.invite"),
        form(
          async () => {
            const ok = await attempt(async () => {
              const saved = u
                ? await api.updateUser(u.id, { name: name.value.trim(), phone: phone.value.trim(), ...(u.role === "owner" ? {} : { role: role.value }) })
                : await api.createUser({ email: email.value.trim(), name: name.value.trim(), role: role.value, password: password.value, phone: phone.value.trim() });
              await capacity.save(saved.id);
            });
            if (ok) {
              close();
              done();
              void loadMeta();
            }
          },
          field(t("agents.name"), name),
          field(t("agents.email"), email),
          field(t("profile.phone"), phone, t("agents.phone_hint")),
          u?.role === "owner" ? null : field(t("agents.role"), role),
          u ? null : field(t("agents.password"), password, t("agents.password_hint")),
          capacity.el,
          h("div", { class: "form-actions" }, submit(u ? t("action.save") : t("agents.invite"))),
        ),
      );
    },
    remove: async (u) => {
      await api.deleteUser(u.id);
      void loadMeta();
    },
    removeText: (u) => t("agents.delete_confirm", { name: u.name }),
  });
}

async function teams(el: HTMLElement): Promise<void> {
  await table<Team>(el, {
    load: api.teams,
    addLabel: t("teams.create"),
    columns: [t("teams.name"), t("teams.description"), t("teams.members")],
    emptyText: t("teams.none"),
    row: (tm) => [tm.name, tm.description, (tm.member_ids ?? []).map((id) => userName(id)).filter(Boolean).join(", ")],
    edit: (tm, done) => {
      const name = h("input", { name: "name", value: tm?.name ?? "", required: true });
      const desc = h("input", { name: "description", value: tm?.description ?? "" });
      const members = userChecks(tm?.member_ids ?? []);
      const routing = routingSection("teams", tm?.id ?? null);
      const close = modal(
        tm ? t("teams.edit") : t("teams.create"),
        form(
          async () => {
            const body = { name: name.value.trim(), description: desc.value.trim(), member_ids: members.values() };
            if (await attempt(async () => routing.save((tm ? await api.updateTeam(tm.id, body) : await api.createTeam(body)).id))) {
              close();
              done();
              void loadMeta();
            }
          },
          field(t("teams.name"), name),
          field(t("teams.description"), desc),
          h("div", { class: "field" }, h("span", { class: "field-label" }, t("teams.members")), members.el),
          routing.el,
          h("div", { class: "form-actions" }, submit(t("action.save"))),
        ),
      );
    },
    remove: async (tm) => {
      await api.deleteTeam(tm.id);
      void loadMeta();
    },
    removeText: (tm) => t("teams.delete_confirm", { name: tm.name }),
  });
}

async function labels(el: HTMLElement): Promise<void> {
  await table<Label>(el, {
    load: api.labels,
    addLabel: t("labels.create"),
    columns: [t("labels.name"), t("labels.description")],
    emptyText: t("labels.none"),
    row: (l) => [labelChip(l.name), l.description],
    edit: (l, done) => {
      const name = h("input", { name: "name", value: l?.name ?? "", required: true, pattern: "[^\\s,]+", title: t("labels.name_hint") });
      const color = h("input", { name: "color", type: "color", value: l?.color || "#0f766e" });
      const desc = h("input", { name: "description", value: l?.description ?? "" });
      const close = modal(
        l ? t("labels.edit") : t("labels.create"),
        form(
          async () => {
            const body = { name: name.value.trim(), color: color.value, description: desc.value.trim() };
            if (await attempt(() => (l ? api.updateLabel(l.id, body) : api.createLabel(body)))) {
              close();
              done();
              void loadMeta();
            }
          },
          field(t("labels.name"), name, t("labels.name_hint")),
          field(t("labels.color"), color),
          field(t("labels.description"), desc),
          h("div", { class: "form-actions" }, submit(t("action.save"))),
        ),
      );
    },
    remove: async (l) => {
      await api.deleteLabel(l.id);
      void loadMeta();
    },
    removeText: (l) => t("labels.delete_confirm", { name: l.name }),
  });
}

async function canned(el: HTMLElement): Promise<void> {
  await table<CannedResponse>(el, {
    load: api.canned,
    addLabel: t("canned.create"),
    columns: [t("canned.short_code"), t("canned.content")],
    emptyText: t("canned.none"),
    row: (c) => [h("code", null, "/" + c.short_code), h("span", { class: "clip" }, c.content)],
    edit: (c, done) => {
      const code = h("input", { name: "short_code", value: c?.short_code ?? "", required: true, pattern: "[^\\s/]+" });
      const content = h("textarea", { name: "content", rows: 5, value: c?.content ?? "", required: true });
      const close = modal(
        c ? t("canned.edit") : t("canned.create"),
        form(
          async () => {
            const body = { short_code: code.value.trim(), content: content.value };
            if (await attempt(() => (c ? api.updateCanned(c.id, body) : api.createCanned(body)))) {
              close();
              done();
              void loadMeta();
            }
          },
          field(t("canned.short_code"), code, t("canned.short_code_hint")),
          field(t("canned.content"), content, t("canned.variables")),
          h("div", { class: "form-actions" }, submit(t("action.save"))),
        ),
      );
    },
    remove: async (c) => {
      await api.deleteCanned(c.id);
      void loadMeta();
    },
    removeText: (c) => t("canned.delete_confirm", { name: "/" + c.short_code }),
  });
}

async function audit(el: HTMLElement): Promise<void> {
  await table(el, {
    load: api.auditLog,
    addLabel: "",
    columns: [t("audit.when"), t("audit.who"), t("audit.action"), t("audit.target")],
    emptyText: t("audit.none"),
    row: (a) => [longTime(a.created_at), userName(a.user_id) || String(a.user_id || "—"), h("code", null, a.action), a.target_type ? `${a.target_type} ${a.target_id}` : "—"],
  });
}

export function mountSettings(el: HTMLElement, route: Route): () => void {
  const visible = sections.filter((s) => !s.admin || isAdmin());
  const current = visible.find((s) => s.key === route.section) ?? visible[0];
  if (route.section !== current.key) navigate("/settings/" + current.key, true);
  const body = h("div", { class: "settings-body" });
  replace(
    el,
    h(
      "div",
      { class: "page settings-page" },
      pageHeader(t("nav.settings")),
      h(
        "div",
        { class: "settings" },
        h(
          "nav",
          { class: "settings-nav", "aria-label": t("nav.settings") },
          visible.map((s) => h("a", { href: "/settings/" + s.key, "data-nav": "", class: "nav-item" + (s === current ? " active" : "") }, t("settings." + s.key))),
        ),
        body,
      ),
    ),
  );
  void current.render(body, route);
  return () => {};
}
