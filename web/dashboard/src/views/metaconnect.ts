// Connect with Facebook: where the server has a Meta app, the new-inbox
// form of the channels it names offers to sign in with Facebook instead of
// pasting tokens; Facebook sends the admin back to the inboxes page with
// the sign-in's key (?meta_connect=…), where they pick a Page or Instagram
// account, or with the reason it failed (?meta_error=…).
import { metaApi, type MetaChoice, type MetaConnectStatus } from "../api";
import { h, replace } from "../dom";
import { t, tOr } from "../i18n";
import { channelIcon } from "../icons";
import { loadMeta } from "../state";
import type { Inbox } from "../types";
import { button, errorText, field, modal } from "../ui";
import { attempt, form, submit } from "./forms";
import { hasWebhookSetup, webhookDialog } from "./webhook";

let status: Promise<MetaConnectStatus> | null = null;

/** Whether the server offers the sign-in, asked once per page load. */
function offered(): Promise<MetaConnectStatus> {
  status ??= metaApi.status().catch(() => ({ configured: false, channels: [] }));
  return status;
}

/**
 * Fills slot with the Connect with Facebook button when the server offers
 * the sign-in for channel, and empties it otherwise.
 */
export async function metaConnectSlot(slot: HTMLElement, channel: string): Promise<void> {
  replace(slot);
  slot.hidden = true;
  const s = await offered();
  if (!s.configured || !s.channels.includes(channel) || slot.dataset.channel !== channel) return;
  const error = h("p", { class: "test-error", role: "alert", hidden: true });
  const go = button(t("meta.connect_button"), async () => {
    go.disabled = true;
    error.hidden = true;
    try {
      const { url } = await metaApi.start(channel);
      location.assign(url);
    } catch (e) {
      error.textContent = errorText(e);
      error.hidden = false;
      go.disabled = false;
    }
  }, "primary meta-connect");
  replace(slot, go, h("p", { class: "hint" }, t("meta.connect_hint")), error);
  slot.hidden = false;
}

/**
 * Opens what the inboxes page shows when Facebook sent the admin back: the
 * choice of a Page or account, or why there is none. It forgets the
 * address's parameters, so a reload does not open it again. done runs once
 * an inbox is made.
 */
export function metaReturn(done: () => void): void {
  const q = new URLSearchParams(location.search);
  const key = q.get("meta_connect");
  const reason = q.get("meta_error");
  if (!key && !reason) return;
  history.replaceState(history.state, "", location.pathname);
  if (reason) {
    const close = modal(t("meta.failed_title"), [
      h("p", { class: "test-error", role: "alert" }, tOr(`meta.error.${reason}`, t("meta.error.failed"))),
      h("div", { class: "form-actions" }, button(t("action.close"), () => close(), "primary")),
    ]);
    return;
  }
  void pickDialog(key as string, done);
}

async function pickDialog(key: string, done: () => void): Promise<void> {
  const body = h("div", { class: "meta-pick" }, h("p", { class: "hint" }, t("meta.loading")));
  const close = modal(t("meta.pick_title"), body, { wide: true });
  let channel: string;
  let items: MetaChoice[];
  try {
    const r = await metaApi.choices(key);
    channel = r.channel;
    items = r.items ?? [];
  } catch (e) {
    replace(body, h("p", { class: "test-error", role: "alert" }, errorText(e)));
    return;
  }
  const name = h("input", { name: "name", value: items[0]?.name ?? "", required: true });
  let chosen = items[0]?.id ?? "";
  const choice = (c: MetaChoice, i: number) =>
    h(
      "label",
      { class: "meta-choice" },
      h("input", {
        type: "radio", name: "choice", value: c.id, checked: i === 0,
        onchange: () => {
          chosen = c.id;
          name.value = c.name;
        },
      }),
      channelIcon(channel),
      h("span", { class: "pick-main" }, h("strong", null, c.name), h("span", { class: "hint" }, c.page_id === c.id ? t("meta.page_id", { id: c.id }) : t("meta.linked_page", { page: c.page_name }))),
    );
  replace(
    body,
    form(
      async () => {
        let saved: Inbox | undefined;
        if (!(await attempt(async () => (saved = await metaApi.connect(key, chosen, name.value.trim())), t("meta.connected")))) return;
        close();
        done();
        void loadMeta();
        if (saved && hasWebhookSetup(saved)) webhookDialog(saved);
      },
      h("p", { class: "hint" }, t(`meta.pick_hint.${channel}`)),
      h("div", { class: "meta-choices", role: "radiogroup", "aria-label": t("meta.pick_title") }, items.map(choice)),
      field(t("inboxes.name"), name),
      h("div", { class: "form-actions" }, submit(t("meta.connect"))),
    ),
  );
}
