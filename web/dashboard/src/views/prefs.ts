// Notification preferences: which kinds reach the agent by email and by
// Web Push (kept by the server), the chime and desktop notifications of this
// browser, and push on this device.
import { notifyApi } from "../api";
import { h, replace } from "../dom";
import { t } from "../i18n";
import { requestSystemNotifications, setSoundEnabled, soundEnabled, systemNotificationsSupported } from "../notify";
import { disablePush, enablePush, PushError, pushState } from "../push";
import { me, state } from "../state";
import type { NotifyChannel, NotifyKind, NotifyPrefs } from "../types";
import { button, empty, errorText, toast } from "../ui";

const kinds: NotifyKind[] = ["assigned", "mentioned", "handoff", "new_conversation", "swap", "sla_warning", "sla_breached"];

// Email is offered only when the server can send it.
function ways(): NotifyChannel[] {
  return state.emailAvailable ? ["email", "push"] : ["push"];
}

/** The preferences section; it loads the saved choices itself. */
export function notificationPrefs(): HTMLElement {
  const table = h("div", { class: "prefs-table-wrap" });
  const sound = h("input", { type: "checkbox", name: "sound", checked: soundEnabled(), onchange: () => setSoundEnabled(sound.checked) });
  const desktop = h("div", { class: "prefs-desktop" });
  const device = h("div", { class: "prefs-device" });
  void loadTable(table);
  renderDesktop(desktop);
  void renderDevice(device);
  return h(
    "section",
    { class: "notify-prefs" },
    h("h2", null, t("prefs.title")),
    table,
    h("p", { class: "hint prefs-email" }, state.emailAvailable ? t("prefs.hint", { email: me().email }) : t("prefs.no_email")),
    h("label", { class: "check" }, sound, t("profile.sound")),
    desktop,
    h("h3", null, t("prefs.device")),
    device,
  );
}

async function loadTable(el: HTMLElement): Promise<void> {
  let prefs: NotifyPrefs;
  try {
    prefs = await notifyApi.prefs();
  } catch (e) {
    replace(el, empty(errorText(e)));
    return;
  }
  const shown = ways();
  const boxes = kinds.flatMap((kind) =>
    shown.map((way) => ({
      kind,
      way,
      input: h("input", {
        type: "checkbox",
        name: kind + "." + way,
        checked: !!prefs[kind]?.[way],
        "aria-label": t("prefs." + kind) + ": " + t("prefs." + way),
      }),
    })),
  );
  // The server replaces all the choices at once, so every save sends every
  // box; saves run one after another so the last click wins.
  let saving = Promise.resolve();
  const save = () => {
    // Choices not shown (email on a server without it) are kept as they are.
    const all = structuredClone(prefs);
    for (const b of boxes) all[b.kind] = { ...all[b.kind], [b.way]: b.input.checked };
    saving = saving.then(async () => {
      try {
        await notifyApi.setPrefs(all);
        toast(t("saved"));
      } catch (e) {
        toast(errorText(e), "error");
        await loadTable(el);
      }
    });
  };
  for (const b of boxes) b.input.addEventListener("change", save);
  const box = (kind: NotifyKind, way: NotifyChannel) => boxes.find((b) => b.kind === kind && b.way === way)?.input;
  replace(
    el,
    h(
      "table",
      { class: "prefs-table" },
      h("thead", null, h("tr", null, h("th", null, t("prefs.kind")), shown.map((w) => h("th", null, t("prefs." + w))))),
      h(
        "tbody",
        null,
        kinds.map((k) => h("tr", { dataset: { kind: k } }, h("th", { scope: "row" }, t("prefs." + k)), shown.map((w) => h("td", null, box(k, w))))),
      ),
    ),
  );
}

function renderDesktop(el: HTMLElement): void {
  const permission = systemNotificationsSupported() ? Notification.permission : "denied";
  replace(
    el,
    permission === "default"
      ? button(t("profile.enable_notifications"), async () => {
          const p = await requestSystemNotifications();
          toast(p === "granted" ? t("profile.notifications_on") : t("profile.notifications_blocked"));
          renderDesktop(el);
        })
      : h("p", { class: "hint" }, permission === "granted" ? t("profile.notifications_on") : t("profile.notifications_blocked")),
  );
}

async function renderDevice(el: HTMLElement): Promise<void> {
  const state = await pushState();
  const busy = (fn: () => Promise<void>, done: string) => async (e: MouseEvent) => {
    const b = e.currentTarget as HTMLButtonElement;
    b.disabled = true;
    try {
      await fn();
      toast(done);
    } catch (err) {
      toast(err instanceof PushError ? t("push." + err.reason) : errorText(err), "error");
    }
    await renderDevice(el);
  };
  switch (state) {
    case "unsupported":
      replace(el, h("p", { class: "hint" }, t("push.unsupported")));
      break;
    case "blocked":
      replace(el, h("p", { class: "hint" }, t("push.blocked")));
      break;
    case "on":
      replace(el, h("p", { class: "hint" }, t("push.on")), button(t("push.disable"), busy(disablePush, t("push.off")), "push-off"));
      break;
    case "off":
      replace(el, h("p", { class: "hint" }, t("push.off")), button(t("push.enable"), busy(enablePush, t("push.on")), "primary push-on"));
      break;
  }
}
