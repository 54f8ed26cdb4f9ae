// An inbox's external agent bot (admins): the webhook that receives the
// customer messages of the conversations the bot owns, its signing secret
// and its API token, each shown once when made.
import { api, APIError } from "../api";
import { h, replace } from "../dom";
import { longTime, t } from "../i18n";
import type { AgentBot, Inbox } from "../types";
import { button, confirmDialog, errorText, field, modal, toast } from "../ui";
import { form, submit } from "./forms";

/** A value shown once, with a copy button. */
function onceRow(label: string, name: string, value: string): HTMLElement {
  const out = h("input", { value, readonly: true, class: "mono", name, "aria-label": label });
  return h(
    "div",
    { class: "field agent-bot-once" },
    h("span", { class: "field-label" }, label),
    out,
    h("span", { class: "hint" }, t("agent_bot.copy_now")),
    button(t("action.copy"), () => {
      out.select();
      void navigator.clipboard?.writeText(value).then(() => toast(t("copied")));
    }, "small"),
  );
}

/** Opens the dialog of an inbox's agent bot. */
export function agentBotDialog(inbox: Inbox): void {
  const body = h("div", { class: "agent-bot" }, h("p", { class: "hint" }, t("list.loading")));
  modal(t("agent_bot.title", { name: inbox.name }), body, { wide: true });
  void render(body, inbox, null);
}

async function render(el: HTMLElement, inbox: Inbox, shown: HTMLElement | null): Promise<void> {
  let bot: AgentBot | null = null;
  try {
    bot = await api.agentBot(inbox.id);
  } catch (e) {
    if (!(e instanceof APIError && e.status === 404)) {
      replace(el, h("p", { class: "error" }, errorText(e)));
      return;
    }
  }
  const url = h("input", { type: "url", name: "webhook_url", value: bot?.webhook_url ?? "", required: true, placeholder: "https://bot.example.com/sahay", dir: "ltr" });
  const again = (slot: HTMLElement | null) => void render(el, inbox, slot);
  const save = (rotate: boolean) => async () => {
    try {
      const b = await api.setAgentBot(inbox.id, { webhook_url: url.value.trim(), rotate_secret: rotate });
      toast(t("saved"));
      again(b.secret ? onceRow(t("agent_bot.secret"), "secret", b.secret) : null);
    } catch (e) {
      toast(errorText(e), "error");
    }
  };
  const token = bot?.tokens?.[0];
  replace(
    el,
    h("p", { class: "hint" }, t("agent_bot.intro")),
    form(save(false), field(t("agent_bot.webhook_url"), url, t("agent_bot.webhook_hint")), h("div", { class: "form-actions" }, submit(bot ? t("action.save") : t("agent_bot.connect")))),
    shown,
    bot
      ? h(
          "div",
          { class: "agent-bot-token" },
          h("p", null, token ? t("agent_bot.token_made", { when: longTime(token.created_at) }) : t("agent_bot.no_token")),
          h(
            "div",
            { class: "form-actions" },
            button(token ? t("agent_bot.new_token") : t("agent_bot.make_token"), async () => {
              try {
                const r = await api.createAgentBotToken(inbox.id);
                again(onceRow(t("agent_bot.token"), "token", r.token));
              } catch (e) {
                toast(errorText(e), "error");
              }
            }, "primary"),
            button(t("agent_bot.rotate"), () => void save(true)()),
            button(t("agent_bot.disconnect"), async () => {
              if (!(await confirmDialog(t("agent_bot.disconnect_confirm"), t("agent_bot.disconnect"), true))) return;
              try {
                await api.deleteAgentBot(inbox.id);
                again(null);
              } catch (e) {
                toast(errorText(e), "error");
              }
            }, "danger"),
          ),
        )
      : null,
  );
}
