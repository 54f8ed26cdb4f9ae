// Small shared widgets: buttons, form fields, modal dialogs, menus, toasts,
// avatars and label chips.
import { APIError } from "./api";
import { dismissable, h, type Child } from "./dom";
import { t } from "./i18n";
import { icon, type IconName } from "./icons";
import { labelByName } from "./state";
import type { User } from "./types";

/** How available a user is now: their choice while the dashboard is open, "closed" otherwise. */
export function availabilityOf(u: Pick<User, "availability" | "connected">): { state: string; label: string } {
  const state = u.connected ? u.availability : "closed";
  return { state, label: t("availability." + state) };
}

/** A user-facing message for a failed call. */
export function errorText(e: unknown): string {
  if (e instanceof APIError) {
    if (e.status === 0) return t("error.network");
    if (e.status === 403) return t("error.forbidden");
    return e.message || t("error.generic");
  }
  return t("error.generic");
}

let toastBox: HTMLElement | null = null;

/** Shows a short message at the bottom of the screen. */
export function toast(message: string, kind: "info" | "error" = "info"): void {
  if (!toastBox) {
    toastBox = h("div", { class: "toasts", role: "status", "aria-live": "polite" });
    document.body.appendChild(toastBox);
  }
  const el = h("div", { class: "toast " + kind }, message);
  toastBox.appendChild(el);
  setTimeout(() => el.remove(), kind === "error" ? 6000 : 3000);
}

export function iconButton(name: IconName, label: string, onclick: (e: MouseEvent) => void, cls = ""): HTMLButtonElement {
  return h("button", { type: "button", class: "icon-btn " + cls, title: label, "aria-label": label, onclick }, icon(name));
}

export function button(label: Child, onclick: (e: MouseEvent) => void, cls = ""): HTMLButtonElement {
  return h("button", { type: "button", class: "btn " + cls, onclick }, label);
}

/** A labelled form control. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLLabelElement {
  return h("label", { class: "field" }, h("span", { class: "field-label" }, label), control, hint ? h("span", { class: "hint" }, hint) : null);
}

export function select<T extends string | number>(
  options: { value: T; label: string }[],
  value: T,
  onchange: (v: string) => void,
  attrs: Record<string, string> = {},
): HTMLSelectElement {
  const el = h("select", attrs, options.map((o) => h("option", { value: String(o.value), selected: o.value === value }, o.label)));
  el.addEventListener("change", () => onchange(el.value));
  return el;
}

/**
 * Opens a modal dialog. The body is built by the caller; returns a function
 * that closes it.
 */
export function modal(title: string, body: Child, opts: { onClose?: () => void; wide?: boolean } = {}): () => void {
  const previous = document.activeElement as HTMLElement | null;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    undismiss();
    overlay.remove();
    opts.onClose?.();
    previous?.focus?.();
  };
  const dialog = h(
    "div",
    { class: "dialog" + (opts.wide ? " wide" : ""), role: "dialog", "aria-modal": "true", "aria-label": title },
    h("header", { class: "dialog-head" }, h("h2", null, title), h("button", { type: "button", class: "icon-btn", "aria-label": t("action.close"), title: t("action.close"), onclick: () => close() }, icon("close"))),
    h("div", { class: "dialog-body" }, body),
  );
  const overlay = h("div", { class: "overlay" }, dialog);
  document.body.appendChild(overlay);
  const undismiss = dismissable(dialog, close);
  const first = dialog.querySelector<HTMLElement>("input, textarea, select, button:not(.icon-btn)");
  (first ?? dialog).focus?.();
  return close;
}

/** Asks a yes/no question in a dialog. */
export function confirmDialog(message: string, confirmLabel: string, danger = false): Promise<boolean> {
  return new Promise((resolve) => {
    let answered = false;
    const close = modal(
      t("confirm.title"),
      [
        h("p", null, message),
        h(
          "div",
          { class: "form-actions" },
          button(t("action.cancel"), () => close()),
          button(confirmLabel, () => {
            answered = true;
            close();
          }, danger ? "danger" : "primary"),
        ),
      ],
      { onClose: () => resolve(answered) },
    );
  });
}

export interface MenuItem {
  label: string;
  onselect: () => void;
  checked?: boolean;
  icon?: IconName;
  hint?: string;
}

/** Opens a popup menu under an anchor element. */
export function menu(anchor: HTMLElement, items: MenuItem[], heading?: string): () => void {
  let close = () => {};
  const box = h(
    "div",
    { class: "menu", role: "menu" },
    heading ? h("div", { class: "menu-heading" }, heading) : null,
    items.map((it) =>
      h(
        "button",
        {
          type: "button",
          class: "menu-item" + (it.checked ? " checked" : ""),
          role: "menuitem",
          onclick: () => {
            close();
            it.onselect();
          },
        },
        it.icon ? icon(it.icon) : null,
        h("span", { class: "menu-label" }, it.label),
        it.hint ? h("span", { class: "menu-hint" }, it.hint) : null,
        it.checked ? icon("check", "icon tick") : null,
      ),
    ),
  );
  close = popup(anchor, box);
  return close;
}

/** Places a popup element under (or above) an anchor; returns its closer. */
export function popup(anchor: HTMLElement, box: HTMLElement): () => void {
  document.body.appendChild(box);
  const r = anchor.getBoundingClientRect();
  const bw = Math.min(box.offsetWidth || 240, window.innerWidth - 16);
  const left = Math.max(8, Math.min(r.left, window.innerWidth - bw - 8));
  box.style.left = left + "px";
  const below = window.innerHeight - r.bottom;
  if (below < box.offsetHeight + 8 && r.top > below) {
    box.style.bottom = window.innerHeight - r.top + 4 + "px";
    box.style.maxHeight = r.top - 16 + "px";
  } else {
    box.style.top = r.bottom + 4 + "px";
    box.style.maxHeight = below - 16 + "px";
  }
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    undismiss();
    box.remove();
  };
  const undismiss = dismissable(box, close);
  box.querySelector<HTMLElement>("button, input")?.focus();
  return close;
}

/** The first letter of a name as a reader sees it (a whole grapheme). */
export function initial(name: string): string {
  const s = name.trim();
  if (!s) return "?";
  if (typeof Intl.Segmenter === "function") {
    const first = new Intl.Segmenter().segment(s)[Symbol.iterator]().next().value;
    if (first) return first.segment.toLocaleUpperCase();
  }
  return s.charAt(0).toLocaleUpperCase();
}

function hue(name: string): number {
  let x = 0;
  for (const ch of name) x = (x * 31 + (ch.codePointAt(0) ?? 0)) % 360;
  return x;
}

export function avatar(name: string, cls = ""): HTMLElement {
  const el = h("span", { class: "avatar " + cls, "aria-hidden": "true" }, initial(name));
  el.style.setProperty("--hue", String(hue(name || "?")));
  return el;
}

export function labelChip(name: string, onremove?: () => void): HTMLElement {
  const color = labelByName(name)?.color;
  const el = h(
    "span",
    { class: "chip" },
    h("span", { class: "dot" }),
    name,
    onremove ? h("button", { type: "button", class: "chip-x", "aria-label": t("action.remove") + " " + name, onclick: onremove }, "×") : null,
  );
  if (color && /^#[0-9a-f]{3,8}$/i.test(color)) el.style.setProperty("--label", color);
  return el;
}

/** A page title bar; on phones it carries the button that opens the sidebar. */
export function pageHeader(title: string, ...actions: Child[]): HTMLElement {
  return h(
    "header",
    { class: "page-head" },
    iconButton("menu", t("nav.menu"), () => document.body.classList.add("drawer-open"), "only-mobile"),
    h("h1", null, title),
    h("div", { class: "head-actions" }, actions),
  );
}

export function empty(text: string): HTMLElement {
  return h("div", { class: "empty" }, text);
}
