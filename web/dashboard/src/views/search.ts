// Search across messages, contacts and conversations. Matching (including
// Bengali and Hindi) is the server's; this page renders the highlights.
import { api } from "../api";
import { debounce, h, highlight, replace } from "../dom";
import { num, shortTime, t } from "../i18n";
import { icon } from "../icons";
import { navigate, type Route } from "../router";
import type { SearchResult } from "../types";
import { avatar, empty, errorText, pageHeader } from "../ui";
import { contactName } from "../names";

function section(title: string, count: number, items: HTMLElement[]): HTMLElement {
  return h(
    "section",
    { class: "results" },
    h("h2", null, title, h("span", { class: "count" }, num(count))),
    items.length ? h("ul", { class: "result-list" }, items) : h("p", { class: "hint" }, t("search.none")),
  );
}

function render(out: HTMLElement, r: SearchResult): void {
  const messages = r.messages ?? [];
  const contacts = r.contacts ?? [];
  const convs = r.conversations ?? [];
  if (!messages.length && !contacts.length && !convs.length) {
    replace(out, empty(t("search.nothing")));
    return;
  }
  replace(
    out,
    section(
      t("search.messages"),
      messages.length,
      messages.map((m) =>
        h(
          "li",
          { class: "result message-result" },
          h(
            "a",
            { href: "/conversations/" + m.message.conversation_id, "data-nav": "" },
            h(
              "div",
              { class: "row" },
              h("strong", { class: "name" }, m.contact_name || t("contact.unknown")),
              h("span", { class: "ref" }, "#" + num(m.display_id)),
              h("time", { class: "time" }, shortTime(m.message.created_at)),
            ),
            h("div", { class: "snippet" }, highlight(m.highlight || m.message.content)),
          ),
        ),
      ),
    ),
    section(
      t("search.contacts"),
      contacts.length,
      contacts.map((c) =>
        h(
          "li",
          { class: "result" },
          h(
            "a",
            { href: "/contacts/" + c.id, "data-nav": "" },
            avatar(contactName(c)),
            h("span", { class: "pick-main" }, h("strong", null, contactName(c)), h("span", { class: "hint" }, [c.email, c.phone].filter(Boolean).join(" · "))),
          ),
        ),
      ),
    ),
    section(
      t("search.conversations"),
      convs.length,
      convs.map((c) =>
        h(
          "li",
          { class: "result" },
          h(
            "a",
            { href: "/conversations/" + c.id, "data-nav": "" },
            h("div", { class: "row" }, h("span", { class: "ref" }, "#" + num(c.display_id)), h("strong", null, c.contact ? contactName(c.contact) : ""), h("span", { class: "status-badge " + c.status }, t("status." + c.status))),
            h("div", { class: "snippet" }, c.last_message),
          ),
        ),
      ),
    ),
  );
}

export function mountSearch(el: HTMLElement, route: Route): () => void {
  const input = h("input", {
    type: "search",
    class: "search-input",
    placeholder: t("search.placeholder"),
    "aria-label": t("nav.search"),
    value: route.query.get("q") ?? "",
    autocomplete: "off",
  });
  const out = h("div", { class: "search-results" });
  let seq = 0;
  const run = async () => {
    const q = input.value.trim();
    navigate(q ? "/search?q=" + encodeURIComponent(q) : "/search", true);
    const my = ++seq;
    if (!q) {
      replace(out, empty(t("search.hint")));
      return;
    }
    replace(out, h("div", { class: "loading" }, t("list.loading")));
    try {
      const r = await api.search(q);
      if (my === seq) render(out, r);
    } catch (e) {
      if (my === seq) replace(out, empty(errorText(e)));
    }
  };
  const later = debounce(() => void run(), 300);
  input.addEventListener("input", later);
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      void run();
    }
  });
  replace(
    el,
    h(
      "div",
      { class: "page search-page" },
      pageHeader(t("nav.search")),
      h("form", { class: "search-bar", role: "search", onsubmit: (e: SubmitEvent) => e.preventDefault() }, icon("search"), input),
      out,
    ),
  );
  input.focus();
  void run();
  return () => {
    seq++;
  };
}
