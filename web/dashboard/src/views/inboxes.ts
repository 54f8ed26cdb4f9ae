// The inboxes section of the settings: each inbox with its agents and, where
// its channel can check them, a test of its credentials; a new or edited
// inbox asks for the settings its channel declares (GET /api/v1/channels),
// so a channel added to the server needs no change here.
import { api } from "../api";
import { h, replace } from "../dom";
import { t, tOr } from "../i18n";
import { channelIcon, icon } from "../icons";
import { navigate } from "../router";
import { channelInfo, loadMeta, state } from "../state";
import type { BusinessHours, ChannelDescription, ChannelSetting, Inbox } from "../types";
import { button, errorText, field, iconButton, modal, select } from "../ui";
import { editableHours, hoursEditor } from "./hours";
import { presetBar } from "./emailfull";
import { metaConnectSlot, metaReturn } from "./metaconnect";
import { attempt, form, submit, table, userChecks } from "./forms";
import { hasWebhookSetup, webhookDialog } from "./webhook";
import { agentBotDialog } from "./agentbot";
import { routingSection } from "./routing";
import { surveySection } from "./survey";

function inboxMembers(inbox: Inbox, done: () => void): void {
  const checks = userChecks(inbox.member_ids ?? []);
  const close = modal(
    t("inboxes.members_of", { name: inbox.name }),
    form(async () => {
      if (await attempt(() => api.setInboxMembers(inbox.id, checks.values()))) {
        close();
        done();
      }
    }, checks.el, h("div", { class: "form-actions" }, submit(t("action.save")))),
  );
}

/** Checks an inbox's connection to its platform and shows how it went, in the platform's words. */
async function testInbox(inbox: Inbox): Promise<void> {
  const result = h("div", { class: "test-result", role: "status" }, h("p", { class: "hint" }, t("inboxes.testing")));
  const close = modal(t("inboxes.test_of", { name: inbox.name }), [result, h("div", { class: "form-actions" }, button(t("action.close"), () => close(), "primary"))]);
  try {
    const r = await api.testInbox(inbox.id);
    replace(
      result,
      r.ok
        ? h("p", { class: "test-ok" }, icon("check", "icon small"), t("inboxes.test_ok", { name: inbox.name }))
        : [h("p", { class: "test-failed" }, t("inboxes.test_failed_title")), h("p", { class: "test-error" }, r.error ?? ""), h("p", { class: "hint" }, t("inboxes.test_failed_hint"))],
    );
  } catch (e) {
    replace(result, h("p", { class: "test-failed" }, errorText(e)));
  }
}

// A setting's words: the catalog's for the channels it knows, else the server's.
const settingLabel = (ch: string, s: ChannelSetting) => tOr(`setting.${ch}.${s.key}`, s.label);
const settingHelp = (ch: string, s: ChannelSetting) => tOr(`setting.${ch}.${s.key}.help`, s.help ?? "");

/** The inputs of a channel's settings, filled from an inbox being edited; values() is what to save. */
function settingFields(ch: ChannelDescription, inbox: Inbox | null): { el: HTMLElement; values: () => Record<string, unknown> } {
  const saved = inbox?.settings ?? {};
  // Settings edited as a whole object (business hours) keep their draft here.
  const hours = new Map<string, BusinessHours>();
  const inputs = ch.settings.map((s) => {
    const label = settingLabel(ch.name, s) + (s.required ? "" : " " + t("inboxes.optional"));
    if (s.type === "business_hours") {
      const bh = editableHours(saved[s.key]);
      hours.set(s.key, bh);
      const help = settingHelp(ch.name, s);
      const el = h("fieldset", { class: "field hours-setting" }, h("legend", null, label), help ? h("p", { class: "hint" }, help) : null, hoursEditor(bh, () => {}, s.key + "."));
      return { s, control: null, el };
    }
    const value = s.secret ? "" : String(saved[s.key] ?? "");
    const placeholder = s.secret && inbox ? t("inboxes.secret_keep") : s.generated ? t("inboxes.secret_generated") : (s.default ?? "");
    const control =
      s.type === "choice"
        ? select([{ value: "", label: s.default ? tOr(`setting.${ch.name}.${s.key}.${s.default}`, s.default) : t("inboxes.choice_automatic") },
            ...(s.choices ?? []).map((c) => ({ value: c, label: tOr(`setting.${ch.name}.${s.key}.${c}`, c) }))], value, () => {}, { name: s.key })
        : s.type === "integer"
          ? h("input", { name: s.key, type: "number", inputmode: "numeric", min: 0, step: 1, value, placeholder })
          : h("input", { name: s.key, type: s.secret ? "password" : s.type === "url" ? "url" : "text", value, placeholder, autocomplete: s.secret ? "new-password" : "off", spellcheck: "false" });
    // A saved secret is kept when its box is left empty, so it is required only at first.
    control.required = s.required && !(s.secret && inbox);
    return { s, control, el: field(label, control, settingHelp(ch.name, s) || undefined) };
  });
  // Settings with a default are for unusual setups: they wait under "Advanced".
  const advanced = inputs.filter((i) => i.s.default && !i.s.required);
  return {
    el: h(
      "div",
      { class: "channel-settings" },
      inputs.filter((i) => !advanced.includes(i)).map((i) => i.el),
      advanced.length ? h("details", { class: "advanced" }, h("summary", null, t("inboxes.advanced")), advanced.map((i) => i.el)) : null,
    ),
    values: () => {
      const out: Record<string, unknown> = { ...saved };
      for (const [key, bh] of hours) {
        // Hours never switched on are left out rather than saved empty.
        if (bh.enabled || key in saved) out[key] = bh;
      }
      for (const { s, control } of inputs) {
        if (!control) continue;
        const v = control.value.trim();
        if (v) out[s.key] = v;
        else if (!s.secret) delete out[s.key];
      }
      return out;
    },
  };
}

function editInbox(i: Inbox | null, done: () => void): void {
  const name = h("input", { name: "name", value: i?.name ?? "", required: true });
  const offered = i ? [] : state.channels;
  const help = h("p", { class: "hint channel-help" });
  const slot = h("div");
  // Connect with Facebook, where the server offers it for the channel.
  const connect = h("div", { class: "meta-connect-slot", hidden: true });
  let fields: ReturnType<typeof settingFields> | null = null;
  const routing = routingSection("inboxes", i?.id ?? null);
  const survey = surveySection(i?.id ?? null);
  const show = (channel: string) => {
    const ch = channelInfo(channel);
    survey.show(channel);
    connect.dataset.channel = channel;
    if (!i) void metaConnectSlot(connect, channel);
    help.textContent = i ? "" : tOr(`inboxes.${channel}_help`, "");
    help.hidden = !help.textContent;
    fields = ch ? settingFields(ch, i) : null;
    replace(slot, fields?.el ?? null);
    if (fields) slot.prepend(presetBar(fields.el) ?? "");
  };
  const channel = select(offered.map((c) => ({ value: c.name, label: tOr("channel." + c.name, c.name) })), offered[0]?.name ?? "", show, { name: "channel" });
  const close = modal(
    i ? t("inboxes.edit") : t("inboxes.create"),
    form(
      async () => {
        const settings = fields?.values() ?? {};
        let saved: Inbox | undefined;
        const ok = await attempt(async () => {
          saved = i ? await api.updateInbox(i.id, { name: name.value.trim(), settings }) : await api.createInbox(name.value.trim(), channel.value, settings);
          await routing.save(saved.id);
          await survey.save(saved.id, saved.channel);
        });
        if (!ok) return;
        close();
        done();
        void loadMeta();
        if (saved?.warning) modal(t("inboxes.saved_with_warning"), h("p", { class: "test-error", role: "alert" }, saved.warning));
        // The website chat's look and snippet have a page of their own.
        else if (!i && saved?.channel === "widget") navigate(`/settings/inboxes/${saved.id}/widget`);
        // A platform that calls Sahay needs its address and verify token next.
        else if (!i && saved && hasWebhookSetup(saved)) webhookDialog(saved);
      },
      field(t("inboxes.name"), name),
      i ? null : offered.length ? field(t("inboxes.channel"), channel) : h("p", { class: "hint" }, t("inboxes.no_channels")),
      help,
      connect,
      slot,
      routing.el,
      survey.el,
      h("div", { class: "form-actions" }, submit(i ? t("action.save") : t("inboxes.create"))),
    ),
  );
  show(i?.channel ?? channel.value);
}

export async function inboxes(el: HTMLElement): Promise<void> {
  await table<Inbox>(el, {
    load: api.inboxes,
    addLabel: t("inboxes.create"),
    columns: [t("inboxes.name"), t("inboxes.channel"), t("inboxes.endpoint"), t("inboxes.members")],
    emptyText: t("inboxes.none"),
    row: (i) => [
      h("span", { class: "with-avatar" }, channelIcon(i.channel), i.name),
      tOr("channel." + i.channel, i.channel),
      i.channel === "api"
        ? h("code", null, `POST /api/v1/inboxes/${i.id}/messages`)
        : i.channel === "widget"
          ? h("a", { href: `/settings/inboxes/${i.id}/widget`, "data-nav": "", class: "btn small widget-link" }, t("inboxes.widget_settings"))
          : hasWebhookSetup(i)
            ? h("button", { type: "button", class: "btn small webhook-link", onclick: () => webhookDialog(i) }, icon("link", "icon small"), t("webhook.button"))
            : "—",
      String((i.member_ids ?? []).length),
    ],
    extra: (i, reload) => [
      channelInfo(i.channel)?.testable ? iconButton("check", t("inboxes.test"), () => void testInbox(i)) : null,
      iconButton("users", t("inboxes.members"), () => inboxMembers(i, reload)),
      iconButton("bot", t("agent_bot.button"), () => agentBotDialog(i), "agent-bot-btn"),
    ],
    edit: editInbox,
    remove: async (i) => {
      await api.deleteInbox(i.id);
      void loadMeta();
    },
    removeText: (i) => t("inboxes.delete_confirm", { name: i.name }),
  });
  metaReturn(() => void inboxes(el));
}
