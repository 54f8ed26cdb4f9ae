// What the reply box shows when the server refuses a reply it could take
// another way: a public reply that shows personal data (post it privately,
// or publicly after all), or a reply outside the channel's window.
import { APIError } from "../api";
import { h } from "../dom";
import { t } from "../i18n";
import { icon } from "../icons";
import { errorText } from "../ui";

/**
 * The warning over a public reply that shows a phone number or an address,
 * in the server's words, with the two ways on. privately is left out where
 * the channel cannot answer a comment privately.
 */
export function personalDataWarning(message: string, o: { privately?: () => void; anyway: () => void; dismiss: () => void }): HTMLElement {
  return h(
    "div",
    { class: "composer-notice personal-data", role: "alert" },
    h("p", { class: "guard-title" }, icon("alert", "icon small"), t("guard.personal_data")),
    h("p", { class: "guard-message" }, message),
    h(
      "div",
      { class: "guard-actions" },
      o.privately ? h("button", { type: "button", class: "btn small primary reply-privately", onclick: o.privately }, icon("lock", "icon small"), t("guard.reply_privately")) : null,
      h("button", { type: "button", class: "btn small post-anyway", onclick: o.anyway }, icon("globe", "icon small"), t("guard.post_anyway")),
      h("button", { type: "button", class: "btn small ghost", onclick: o.dismiss }, t("guard.edit")),
    ),
  );
}

/** A refusal of the server the agent must read before sending again (a closed window). */
export function serverRefusal(e: unknown): HTMLElement {
  const closed = e instanceof APIError && e.code === "window_closed";
  return h(
    "div",
    { class: "composer-notice refused" + (closed ? " window-refused" : ""), role: "alert" },
    closed ? h("strong", null, t("guard.window_closed") + " ") : null,
    errorText(e),
  );
}
