// The contact panel: who the customer is, how each channel knows them, their
// custom attributes, earlier conversations, and merging a duplicate.
import { api } from "../api";
import { debounce, h, replace } from "../dom";
import { num, shortTime, t, tOr } from "../i18n";
import { channelIcon, icon } from "../icons";
import { onEvent } from "../realtime";
import { inboxById } from "../state";
import type { Contact, Conversation } from "../types";
import { avatar, button, confirmDialog, empty, errorText, field, iconButton, modal, pageHeader, toast } from "../ui";
import { navigate } from "../router";
import { emailInboxes } from "./email";
import { newEmailDialog } from "./emailfull";
import { ordersSection } from "./orders";
import { contactName } from "../names";

function attrText(v: unknown): string {
  if (v === null || v === undefined) return "";
  return typeof v === "string" ? v : JSON.stringify(v);
}

// Identities scoped to one inbox are named after it; others by channel.
function namespaceLabel(ns: string): string {
  const m = /^inbox:(\d+)$/.exec(ns);
  if (m) return inboxById(Number(m[1]))?.name ?? ns;
  return tOr("channel." + ns, ns);
}

function mergeDialog(contact: Contact, done: (c: Contact) => void): void {
  const results = h("ul", { class: "pick-list" });
  const input = h("input", { type: "search", placeholder: t("contact.merge_search"), "aria-label": t("contact.merge_search") });
  const search = debounce(async () => {
    const q = input.value.trim();
    if (!q) {
      replace(results);
      return;
    }
    try {
      const found = (await api.contacts(q)).filter((c) => c.id !== contact.id);
      replace(
        results,
        found.length
          ? found.map((c) =>
              h(
                "li",
                null,
                h(
                  "button",
                  {
                    type: "button",
                    class: "pick",
                    onclick: async () => {
                      const ok = await confirmDialog(t("contact.merge_confirm", { other: contactName(c), name: contactName(contact) }), t("contact.merge"), true);
                      if (!ok) return;
                      try {
                        const merged = await api.mergeContact(contact.id, c.id);
                        close();
                        toast(t("contact.merged"));
                        done(merged);
                      } catch (e) {
                        toast(errorText(e), "error");
                      }
                    },
                  },
                  avatar(contactName(c)),
                  h("span", { class: "pick-main" }, h("strong", null, contactName(c)), h("span", { class: "hint" }, [c.email, c.phone].filter(Boolean).join(" · "))),
                ),
              ),
            )
          : h("li", { class: "empty" }, t("search.none")),
      );
    } catch (e) {
      replace(results, h("li", { class: "empty" }, errorText(e)));
    }
  }, 250);
  input.addEventListener("input", search);
  const close = modal(t("contact.merge_title", { name: contactName(contact) }), [h("p", { class: "hint" }, t("contact.merge_help")), input, results]);
}

/** Renders the details of a contact into el, refetching it by id. */
export function mountContactPanel(
  el: HTMLElement,
  contactId: number,
  currentConversation: number,
  onChange: (c: Contact) => void,
  onClose?: () => void,
): () => void {
  let contact: Contact | null = null;
  let history: Conversation[] = [];
  let editing = false;
  let destroyed = false;

  async function save(p: Partial<Pick<Contact, "name" | "email" | "phone" | "attributes">>): Promise<void> {
    if (!contact) return;
    try {
      contact = await api.updateContact(contact.id, p);
      editing = false;
      onChange(contact);
      render();
      toast(t("saved"));
    } catch (e) {
      toast(errorText(e), "error");
    }
  }

  function details(c: Contact): HTMLElement {
    if (editing) {
      const name = h("input", { value: c.name, name: "name", autocomplete: "off" });
      const email = h("input", { value: c.email, name: "email", type: "email", autocomplete: "off" });
      const phone = h("input", { value: c.phone, name: "phone", type: "tel", autocomplete: "off" });
      const attrRows = h("div", { class: "attr-edit" });
      const addRow = (k = "", v = "") => {
        const row = h(
          "div",
          { class: "attr-row" },
          h("input", { class: "attr-key", value: k, placeholder: t("contact.attr_key"), "aria-label": t("contact.attr_key") }),
          h("input", { class: "attr-value", value: v, placeholder: t("contact.attr_value"), "aria-label": t("contact.attr_value") }),
          iconButton("trash", t("action.remove"), () => row.remove(), "small"),
        );
        attrRows.appendChild(row);
      };
      for (const [k, v] of Object.entries(c.attributes ?? {})) addRow(k, attrText(v));
      return h(
        "form",
        {
          class: "contact-form",
          onsubmit: (e: SubmitEvent) => {
            e.preventDefault();
            const attributes: Record<string, unknown> = {};
            attrRows.querySelectorAll(".attr-row").forEach((row) => {
              const k = (row.querySelector(".attr-key") as HTMLInputElement).value.trim();
              const v = (row.querySelector(".attr-value") as HTMLInputElement).value;
              if (k) attributes[k] = v;
            });
            void save({ name: name.value.trim(), email: email.value.trim(), phone: phone.value.trim(), attributes });
          },
        },
        field(t("contact.name"), name),
        field(t("contact.email"), email),
        field(t("contact.phone"), phone),
        h("div", { class: "field-label" }, t("contact.attributes")),
        attrRows,
        button([icon("plus", "icon small"), t("contact.add_attribute")], () => addRow(), "ghost small"),
        h(
          "div",
          { class: "form-actions" },
          button(t("action.cancel"), () => {
            editing = false;
            render();
          }),
          h("button", { type: "submit", class: "btn primary" }, t("action.save")),
        ),
      );
    }
    const attrs = Object.entries(c.attributes ?? {});
    return h(
      "div",
      null,
      h(
        "dl",
        { class: "props" },
        h("dt", null, t("contact.email")),
        h("dd", null, c.email ? h("a", { href: "mailto:" + c.email }, c.email) : "—"),
        h("dt", null, t("contact.phone")),
        h("dd", null, c.phone ? h("a", { href: "tel:" + c.phone }, c.phone) : "—"),
      ),
      h("h3", null, t("contact.identities")),
      (c.identities ?? []).length
        ? h("ul", { class: "identities" }, (c.identities ?? []).map((i) => h("li", null, h("span", { class: "ns" }, namespaceLabel(i.namespace)), h("span", { class: "ext" }, i.external_id))))
        : h("p", { class: "hint" }, "—"),
      h("h3", null, t("contact.attributes")),
      attrs.length
        ? h("dl", { class: "props" }, attrs.map(([k, v]) => [h("dt", null, k), h("dd", null, attrText(v))]))
        : h("p", { class: "hint" }, t("contact.no_attributes")),
    );
  }

  function render(): void {
    if (destroyed) return;
    if (!contact) {
      replace(el, h("div", { class: "loading" }, t("list.loading")));
      return;
    }
    const c = contact;
    replace(
      el,
      h(
        "div",
        { class: "contact-card" },
        onClose ? iconButton("close", t("action.close"), onClose, "panel-close") : null,
        avatar(contactName(c), "large"),
        h("h2", { class: "contact-name" }, contactName(c)),
        editing
          ? null
          : h(
              "div",
              { class: "contact-actions" },
              button([icon("edit", "icon small"), t("action.edit")], () => {
                editing = true;
                render();
              }, "small"),
              button([icon("merge", "icon small"), t("contact.merge")], () => mergeDialog(c, (merged) => {
                contact = merged;
                onChange(merged);
                render();
                void loadHistory();
              }), "small"),
              emailInboxes().length
                ? button([channelIcon("email", "icon small"), t("email.new")], () => newEmailDialog((id) => navigate("/conversations/" + id), c), "small new-email")
                : null,
            ),
      ),
      details(c),
      orders.el,
      h("h3", null, t("contact.conversations")),
      historyEl,
    );
    renderHistory();
  }

  // The history has its own element so that its late arrival never rebuilds
  // a form the agent is typing in.
  const historyEl = h("div", { class: "history-box" });
  // The cart and orders of a shop customer, likewise kept apart.
  const orders = ordersSection(contactId);

  function renderHistory(): void {
    replace(
      historyEl,
      history.length
        ? h(
            "ul",
            { class: "history" },
            history.map((cv) =>
              h(
                "li",
                { class: cv.id === currentConversation ? "current" : "" },
                h(
                  "a",
                  { href: "/conversations/" + cv.id, "data-nav": "" },
                  h("span", { class: "ref" }, "#" + num(cv.display_id)),
                  h("span", { class: "status-badge " + cv.status }, t("status." + cv.status)),
                  h("span", { class: "preview" }, cv.last_message),
                  h("time", { class: "time" }, shortTime(cv.last_activity_at)),
                ),
              ),
            ),
          )
        : h("p", { class: "hint" }, "—"),
    );
  }

  async function loadHistory(): Promise<void> {
    if (!contact) return;
    try {
      history = await api.contactConversations(contact.id);
    } catch {
      history = [];
    }
    if (!destroyed) renderHistory();
  }

  async function load(): Promise<void> {
    try {
      contact = await api.contact(contactId);
      render();
      await Promise.all([loadHistory(), orders.reload()]);
    } catch (e) {
      if (!destroyed) replace(el, empty(errorText(e)));
    }
  }

  const off = onEvent((ev) => {
    const c = ev.data?.contact;
    if (ev.type === "contact.updated" && c && contact && c.id === contact.id && !editing) {
      contact = c;
      render();
      void orders.reload();
    }
  });
  render();
  void load();
  return () => {
    destroyed = true;
    off();
  };
}

/** The contact page, reached from search results. */
export function mountContactPage(el: HTMLElement, id: number): () => void {
  const body = h("div", { class: "contact-page-body" });
  replace(el, h("div", { class: "page" }, pageHeader(t("contact.title")), body));
  return mountContactPanel(body, id, 0, () => {});
}
