// Routing in the settings: the routing part of an inbox's or a team's
// dialog, an agent's capacity in their dialog, and the account's default
// capacity on a page of its own (docs/routing.md).
import { api } from "../api";
import { h, replace } from "../dom";
import { t } from "../i18n";
import type { Capacity, RoutingSettings } from "../types";
import { empty, errorText, field, select } from "../ui";
import { attempt, form, submit } from "./forms";

type Scope = "inboxes" | "teams";

/** The routing fields of an inbox's or team's dialog, filled in once read; save() stores them for the saved id. */
export function routingSection(scope: Scope, id: number | null): { el: HTMLElement; save: (id: number) => Promise<void> } {
  const modes: RoutingSettings["mode"][] = ["off", "round_robin", "least_loaded"];
  const mode = select(modes.map((m) => ({ value: m, label: t("routing.mode." + m) })), "off", () => sync(), { name: "routing_mode" });
  const onlyAvailable = h("input", { type: "checkbox", name: "only_available", checked: true, onchange: () => sync() });
  const languageAware = h("input", { type: "checkbox", name: "language_aware", checked: true });
  const minutes = h("input", { type: "number", name: "reassign_after_minutes", min: 0, max: 1440, step: "any", value: "5", dir: "ltr" });
  const details = h(
    "div",
    { class: "routing-details" },
    h("label", { class: "check" }, onlyAvailable, t("routing.only_available")),
    h("label", { class: "check" }, languageAware, t("routing.language_aware")),
    field(t("routing.reassign_after"), minutes, t("routing.reassign_hint")),
  );
  const sync = () => {
    details.hidden = mode.value === "off";
    minutes.disabled = !onlyAvailable.checked;
  };
  let changed = false;
  let loaded: RoutingSettings | null = null;
  if (id) {
    void api.routing(scope, id).then((r) => {
      loaded = r;
      if (changed) return;
      mode.value = r.mode;
      onlyAvailable.checked = r.only_available;
      languageAware.checked = r.language_aware;
      minutes.value = String(r.reassign_after_seconds / 60);
      sync();
    });
  }
  const el = h("fieldset", { class: "field routing-settings", oninput: () => (changed = true) },
    h("legend", null, t("routing.title")), h("p", { class: "hint" }, t("routing.hint")), field(t("routing.mode"), mode), details);
  sync();
  return {
    el,
    save: async (target) => {
      const next: RoutingSettings = {
        mode: mode.value as RoutingSettings["mode"],
        only_available: onlyAvailable.checked,
        language_aware: languageAware.checked,
        reassign_after_seconds: onlyAvailable.checked ? Math.round(Number(minutes.value || 0) * 60) : 0,
      };
      // A new inbox or team keeps routing off unless it was turned on; a
      // saved one is written only when changed, and never with the
      // defaults shown before its own settings were read.
      if (!id && next.mode === "off") return;
      if (id && (loaded ? sameRouting(loaded, next) : !changed)) return;
      await api.setRouting(scope, target, next);
    },
  };
}

function sameRouting(a: RoutingSettings, b: RoutingSettings): boolean {
  return a.mode === b.mode && a.only_available === b.only_available && a.language_aware === b.language_aware && a.reassign_after_seconds === b.reassign_after_seconds;
}

/** Number inputs for a capacity; empty stands for null (the default the placeholder names). */
function capacityInputs(cur: Capacity, defaults?: Capacity) {
  const input = (kind: keyof Capacity) =>
    h("input", { type: "number", name: "capacity_" + kind, min: 0, max: 1000, step: 1, dir: "ltr", value: cur[kind] == null ? "" : String(cur[kind]),
      placeholder: defaults?.[kind] != null ? t("capacity.default", { n: defaults[kind] ?? 0 }) : "" });
  const chat = input("chat");
  const email = input("email");
  const value = (i: HTMLInputElement) => (i.value.trim() === "" ? null : Number(i.value));
  return { chat, email, values: (): Capacity => ({ chat: value(chat), email: value(email) }) };
}

/** An agent's capacity in their dialog; save() stores it for the saved user. */
export function capacitySection(userID: number | null): { el: HTMLElement; save: (id: number) => Promise<void> } {
  const el = h("fieldset", { class: "field capacity-settings" }, h("legend", null, t("capacity.title")));
  let inputs: ReturnType<typeof capacityInputs> | null = null;
  let saved: Capacity = { chat: null, email: null };
  void Promise.all([api.accountCapacity(), userID ? api.userCapacity(userID) : Promise.resolve(saved)]).then(([defaults, own]) => {
    saved = own;
    inputs = capacityInputs(own, defaults);
    el.append(h("p", { class: "hint" }, t("capacity.hint")), field(t("capacity.chat"), inputs.chat), field(t("capacity.email"), inputs.email));
  });
  return {
    el,
    save: async (id) => {
      if (!inputs) return;
      const c = inputs.values();
      if (c.chat === saved.chat && c.email === saved.email) return;
      await api.setUserCapacity(id, c);
    },
  };
}

/** The routing page: the account's default capacity. */
export async function routingSettings(el: HTMLElement): Promise<void> {
  let cur: Capacity;
  try {
    cur = await api.accountCapacity();
  } catch (e) {
    replace(el, empty(errorText(e)));
    return;
  }
  const inputs = capacityInputs(cur);
  replace(
    el,
    form(
      async () => {
        await attempt(async () => {
          cur = await api.setAccountCapacity(inputs.values());
        }, t("saved"));
      },
      h("h2", null, t("capacity.account_title")),
      h("p", { class: "hint" }, t("capacity.account_hint")),
      field(t("capacity.chat"), inputs.chat),
      field(t("capacity.email"), inputs.email),
      h("div", { class: "form-actions" }, submit(t("action.save"))),
    ),
  );
}
