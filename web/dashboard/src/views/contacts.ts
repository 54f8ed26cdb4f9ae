// The contacts page: every contact the agent may see, newest first, with
// search, filters by label and channel, pages, and a CSV export of what is
// shown. A contact opens on its own page with its conversations.
import { api, exportURL, type ContactParams } from "../api";
import { debounce, h, replace } from "../dom";
import { t, tOr } from "../i18n";
import { channelIcon, icon } from "../icons";
import type { Route } from "../router";
import { channels, inboxById, state } from "../state";
import type { Contact } from "../types";
import { avatar, errorText, pageHeader, select } from "../ui";
import { contactName } from "../names";

// The channels a contact is known on, from their identities.
function contactChannels(c: Contact): string[] {
  const out = new Set<string>();
  for (const id of c.identities ?? []) {
    const m = /^inbox:(\d+)$/.exec(id.namespace);
    const ch = m ? inboxById(Number(m[1]))?.channel : id.namespace;
    if (ch) out.add(ch);
  }
  return [...out];
}

function row(c: Contact): HTMLElement {
  const name = contactName(c);
  return h(
    "li",
    { class: "contact-item", dataset: { id: String(c.id) } },
    h(
      "a",
      { href: "/contacts/" + c.id, "data-nav": "" },
      avatar(name),
      h("span", { class: "contact-main" }, h("span", { class: "name" }, name), h("span", { class: "hint" }, [c.email, c.phone].filter(Boolean).join(" · "))),
      h("span", { class: "contact-channels" }, contactChannels(c).map((ch) => channelIcon(ch, "icon channel small"))),
    ),
  );
}

/** Mounts the contacts page; returns its unmount function. */
export function mountContacts(el: HTMLElement, route: Route): () => void {
  const filters: ContactParams = {
    q: route.query.get("q") ?? "",
    label: route.query.get("label") ?? "",
    channel: route.query.get("channel") ?? "",
  };
  let items: Contact[] = [];
  let next = 0;
  let loading = false;
  let generation = 0;
  let destroyed = false;

  const listEl = h("ul", { class: "contact-list", "aria-label": t("contacts.title") });
  const more = h("button", { type: "button", class: "btn ghost more", hidden: true, onclick: () => void load(true) }, t("list.more"));
  const exportLink = h("a", { class: "btn ghost small export", download: "", title: t("export.csv"), "aria-label": t("export.csv") },
    icon("download", "icon small"), h("span", { class: "btn-label" }, t("export.csv")));
  const search = h("input", { type: "search", value: filters.q ?? "", placeholder: t("contacts.search"), "aria-label": t("contacts.search"), class: "contact-search" });
  const labelSelect = select([{ value: "", label: t("contacts.all_labels") }, ...state.labels.map((l) => ({ value: l.name, label: l.name }))],
    filters.label ?? "", (v) => apply({ label: v }), { "aria-label": t("nav.labels"), class: "contact-label" });
  const channelSelect = select([{ value: "", label: t("contacts.all_channels") }, ...channels().map((c) => ({ value: c, label: tOr("channel." + c, c) }))],
    filters.channel ?? "", (v) => apply({ channel: v }), { "aria-label": t("nav.channels"), class: "contact-channel" });

  function render(error = ""): void {
    if (error && !items.length) replace(listEl, h("li", { class: "empty" }, error));
    else if (!items.length) replace(listEl, h("li", { class: "empty" }, loading ? t("list.loading") : t("contacts.none")));
    else replace(listEl, items.map(row));
    more.hidden = !next;
    more.textContent = loading ? t("list.loading") : t("list.more");
    exportLink.href = exportURL("contacts", { q: filters.q, label: filters.label, channel: filters.channel });
  }

  async function load(append = false): Promise<void> {
    if (append && (!next || loading)) return;
    const gen = ++generation;
    loading = true;
    render();
    try {
      const res = await api.contactPage({ ...filters, before: append ? next : undefined, limit: 50 });
      if (gen !== generation || destroyed) return;
      items = append ? items.concat(res.items ?? []) : res.items ?? [];
      next = res.next_before ?? 0;
      loading = false;
      render();
    } catch (e) {
      if (gen !== generation || destroyed) return;
      loading = false;
      if (!append) items = [];
      render(errorText(e));
    }
  }

  function apply(change: ContactParams): void {
    Object.assign(filters, change);
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (v) q.set(k, String(v));
    const qs = q.toString();
    history.replaceState(null, "", "/contacts" + (qs ? "?" + qs : ""));
    next = 0;
    void load();
  }

  const typed = debounce(() => apply({ q: search.value.trim() }), 250);
  search.addEventListener("input", typed);

  replace(
    el,
    h(
      "div",
      { class: "page contacts-page" },
      pageHeader(t("contacts.title"), exportLink),
      h("div", { class: "contact-filters" }, search, labelSelect, channelSelect),
      h("div", { class: "list-scroll" }, listEl, more),
    ),
  );
  render();
  void load();
  return () => {
    destroyed = true;
  };
}
