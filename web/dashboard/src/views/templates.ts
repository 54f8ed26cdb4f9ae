// The message templates of an inbox whose channel has them (WhatsApp):
// a list filtered by name or language, synced from the platform on demand,
// of which only approved ones can be sent; the chosen one's variables are
// filled in beside a live preview of the text the customer will read.
import { publicApi } from "../api";
import { h, replace } from "../dom";
import { t } from "../i18n";
import { icon } from "../icons";
import type { Template, TemplateUse } from "../types";
import { errorText } from "../ui";

// The templates read per inbox, kept while the tab is open.
const cache = new Map<number, Template[]>();

/** A template's body with its variables filled, those still empty left as {{n}}. */
export function fillTemplate(body: string, params: string[]): string {
  return body.replace(/\{\{\s*(\d+)\s*\}\}/g, (all, n: string) => params[Number(n) - 1]?.trim() || all);
}

/** The number of variables a template's body uses: its params, or the highest {{n}}. */
export function paramCount(tpl: Template): number {
  let n = tpl.params || 0;
  for (const m of tpl.body.matchAll(/\{\{\s*(\d+)\s*\}\}/g)) n = Math.max(n, Number(m[1]));
  return n;
}

const approved = (tpl: Template) => tpl.status.toUpperCase() === "APPROVED";

/** The preview bubble: header, body with the variables as filled so far, footer and buttons. */
function preview(tpl: Template, params: string[]): HTMLElement {
  const parts: (string | HTMLElement)[] = [];
  let last = 0;
  for (const m of tpl.body.matchAll(/\{\{\s*(\d+)\s*\}\}/g)) {
    const i = m.index ?? 0;
    parts.push(tpl.body.slice(last, i));
    const v = params[Number(m[1]) - 1]?.trim();
    parts.push(h("span", { class: v ? "var filled" : "var" }, v || m[0]));
    last = i + m[0].length;
  }
  parts.push(tpl.body.slice(last));
  return h(
    "div",
    { class: "template-preview", "aria-live": "polite", "aria-label": t("templates.preview") },
    tpl.header ? h("div", { class: "template-header" }, tpl.header) : null,
    h("div", { class: "template-body" }, parts),
    tpl.footer ? h("div", { class: "template-footer" }, tpl.footer) : null,
    tpl.buttons?.length ? h("div", { class: "template-buttons" }, tpl.buttons.map((b) => h("span", { class: "template-button" }, b))) : null,
  );
}

export interface TemplatePicker {
  el: HTMLElement;
  /** Shows the list, reading the inbox's templates the first time. */
  open(): void;
  /** The chosen template and its text, or null while none is chosen or a variable is empty. */
  value(): { template: TemplateUse; content: string } | null;
}

/**
 * A template picker for the inbox inboxId gives. send, when given, puts a
 * send button under the preview; close, a close button on the list.
 */
export function templatePicker(inboxId: () => number, o: { send?: (v: { template: TemplateUse; content: string }) => Promise<void>; close?: () => void }): TemplatePicker {
  let all: Template[] = [];
  let chosen: Template | null = null;
  let params: string[] = [];
  const status = h("p", { class: "hint template-status", role: "status" });
  const filter = h("input", { type: "search", class: "template-filter", placeholder: t("templates.filter"), "aria-label": t("templates.filter"), oninput: () => renderList() });
  const sync = h("button", { type: "button", class: "btn small sync-templates", onclick: () => void load(true) }, icon("reopen", "icon small"), t("templates.sync"));
  const list = h("ul", { class: "template-list", "aria-label": t("templates.title") });
  const form = h("div", { class: "template-form", hidden: true });
  const el = h(
    "section",
    { class: "template-picker", "aria-label": t("templates.title") },
    h(
      "div",
      { class: "template-tools" },
      h("strong", { class: "template-title" }, t("templates.title")),
      sync,
      o.close ? h("button", { type: "button", class: "icon-btn small", title: t("action.close"), "aria-label": t("action.close"), onclick: o.close }, icon("close", "icon small")) : null,
    ),
    filter,
    status,
    list,
    form,
  );

  async function load(fresh: boolean): Promise<void> {
    const id = inboxId();
    if (!fresh && cache.has(id)) {
      all = cache.get(id) ?? [];
      renderList();
      return;
    }
    status.textContent = fresh ? t("templates.syncing") : t("list.loading");
    sync.disabled = true;
    try {
      all = fresh ? await publicApi.syncTemplates(id) : await publicApi.templates(id);
      cache.set(id, all);
      status.textContent = fresh ? t("templates.synced", { n: all.length }) : "";
    } catch (e) {
      status.textContent = errorText(e);
    } finally {
      sync.disabled = false;
    }
    renderList();
  }

  function renderList(): void {
    const q = filter.value.trim().toLocaleLowerCase();
    const shown = all.filter((tpl) => !q || tpl.name.toLocaleLowerCase().includes(q) || tpl.language.toLocaleLowerCase().includes(q));
    // Approved templates first: the others are shown but cannot be sent.
    shown.sort((a, b) => Number(approved(b)) - Number(approved(a)) || a.name.localeCompare(b.name));
    if (!all.length && !status.textContent) status.textContent = t("templates.none");
    replace(
      list,
      shown.map((tpl) =>
        h(
          "li",
          null,
          h(
            "button",
            {
              type: "button",
              class: "template-item" + (chosen === tpl ? " active" : ""),
              disabled: !approved(tpl),
              "aria-pressed": String(chosen === tpl),
              dataset: { name: tpl.name, language: tpl.language },
              onclick: () => choose(tpl),
            },
            h("span", { class: "template-name" }, tpl.name),
            h("span", { class: "template-lang" }, tpl.language),
            h("span", { class: "template-category" }, tpl.category.toLowerCase()),
            approved(tpl) ? null : h("span", { class: "template-state" }, t("templates.not_approved", { status: tpl.status.toLowerCase() })),
            h("span", { class: "template-snippet" }, tpl.body),
          ),
        ),
      ),
    );
    if (all.length && !shown.length) list.appendChild(h("li", { class: "hint" }, t("templates.no_match")));
  }

  function choose(tpl: Template): void {
    chosen = tpl;
    params = Array.from({ length: paramCount(tpl) }, (_, i) => params[i] ?? "");
    renderList();
    renderForm();
    form.querySelector<HTMLInputElement>("input")?.focus();
  }

  function renderForm(): void {
    const tpl = chosen;
    form.hidden = !tpl;
    if (!tpl) return;
    const shown = h("div", { class: "template-preview-slot" }, preview(tpl, params));
    const sendBtn = o.send ? h("button", { type: "button", class: "btn primary send-template", disabled: !complete(), onclick: (e: MouseEvent) => void send(e.currentTarget as HTMLButtonElement) }, icon("send", "icon small"), t("templates.send")) : null;
    const inputs = params.map((v, i) =>
      h("label", { class: "field template-param" }, h("span", { class: "field-label" }, `{{${i + 1}}}`),
        h("input", { value: v, name: "param" + (i + 1), required: true, autocomplete: "off", oninput: (e: Event) => {
          params[i] = (e.target as HTMLInputElement).value;
          replace(shown, preview(tpl, params));
          if (sendBtn) sendBtn.disabled = !complete();
        } })),
    );
    replace(form, h("div", { class: "template-chosen" }, h("strong", null, tpl.name), " · ", tpl.language), inputs.length ? h("div", { class: "template-params" }, inputs) : null, shown, sendBtn);
  }

  const complete = () => !!chosen && params.every((p) => p.trim());

  function value(): { template: TemplateUse; content: string } | null {
    if (!chosen || !complete()) return null;
    return { template: { name: chosen.name, language: chosen.language, params: params.map((p) => p.trim()) }, content: fillTemplate(chosen.body, params) };
  }

  async function send(btn: HTMLButtonElement): Promise<void> {
    const v = value();
    if (!v || !o.send) return;
    btn.disabled = true;
    try {
      await o.send(v);
      chosen = null;
      params = [];
      renderForm();
      renderList();
    } catch {
      // The caller has shown why; the template and its variables stay for another try.
    } finally {
      btn.disabled = !complete();
    }
  }

  return { el, open: () => void load(false), value };
}
