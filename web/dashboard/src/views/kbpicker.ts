// The reply box's Knowledge button: a search over the knowledge base's
// published articles, internal ones included and marked. Choosing one puts
// text in the reply for the agent to edit: an internal article's text (in
// the conversation's language where it has one), or a public article's
// title, a line about it and its public address.
import { kbApi, type KBArticle, type KBHit } from "../api";
import { debounce, h, highlight, replace } from "../dom";
import { t } from "../i18n";
import { icon } from "../icons";
import type { Conversation } from "../types";
import { errorText, popup, toast } from "../ui";
import { firstLine, htmlText, markdownText, translationOf } from "./kbcontent";

/** The text a chosen article puts in a reply written in language. */
export function replyText(a: KBArticle, hit: KBHit, language: string): string {
  if (hit.internal || a.internal) {
    // The published text (its rendering), not a newer draft of it.
    const own = translationOf(a, language);
    const tr = own?.html ? own : translationOf(a, hit.locale);
    return (tr?.html ? htmlText(tr.html) : markdownText(tr?.body ?? "")) || tr?.title || hit.title;
  }
  // A public article is linked in the customer's language where it is published.
  const own = translationOf(a, language);
  const tr = own?.url ? own : translationOf(a, hit.locale);
  const url = tr?.url || hit.url;
  const about = (tr?.description || firstLine(tr?.html ? htmlText(tr.html) : markdownText(tr?.body ?? ""))).replace(/\s+/g, " ").trim();
  const address = /^https?:\/\//i.test(url) ? url : url ? location.origin + url : "";
  return [tr?.title || hit.title, about, address].filter(Boolean).join("\n");
}

export interface KnowledgePicker {
  button: HTMLButtonElement;
  open(): void;
}

/** The button and its popover; insert puts the chosen text in the reply. */
export function knowledgePicker(conv: () => Conversation, insert: (text: string) => void): KnowledgePicker {
  const button = h("button", { type: "button", class: "icon-btn kb-knowledge-btn", title: t("kb.knowledge") + " (b)", "aria-label": t("kb.knowledge"), "aria-haspopup": "dialog" }, icon("book"));
  let close: (() => void) | null = null;

  function open(): void {
    if (close && document.body.contains(box)) return;
    replace(list, h("li", { class: "menu-empty" }, t("kb.knowledge_hint")));
    input.value = "";
    hits = [];
    close = popup(button, box);
    input.focus();
  }

  const input = h("input", { type: "search", class: "kb-knowledge-input", placeholder: t("kb.search_placeholder"), "aria-label": t("kb.search"), autocomplete: "off" });
  const list = h("ul", { class: "kb-knowledge-list", role: "listbox", "aria-label": t("kb.results") });
  const box = h("div", { class: "menu kb-knowledge", role: "dialog", "aria-label": t("kb.knowledge") }, input, list);
  let hits: KBHit[] = [];
  let active = 0;
  let gen = 0;

  function render(): void {
    replace(list, hits.map((hit, i) => h("li", { role: "option", "aria-selected": String(i === active) },
      h("button", { type: "button", class: "kb-knowledge-hit" + (i === active ? " active" : ""), dataset: { id: String(hit.article_id), locale: hit.locale }, onclick: () => void choose(hit) },
        h("span", { class: "kb-knowledge-title" },
          h("span", { class: "kb-knowledge-name" }, hit.title),
          hit.internal ? h("span", { class: "kb-internal" }, icon("lock", "icon small"), t("kb.internal")) : null,
          h("span", { class: "kb-chip-locale" }, hit.locale)),
        h("span", { class: "snippet" }, highlight(hit.snippet))))));
    list.querySelector(".active")?.scrollIntoView({ block: "nearest" });
  }

  const search = debounce(async () => {
    const q = input.value.trim();
    const mine = ++gen;
    if (!q) {
      hits = [];
      replace(list, h("li", { class: "menu-empty" }, t("kb.knowledge_hint")));
      return;
    }
    try {
      const found = await kbApi.search(q, 8);
      if (mine !== gen) return;
      hits = found;
      active = 0;
      if (hits.length) render();
      else replace(list, h("li", { class: "menu-empty" }, t("kb.no_results")));
    } catch (e) {
      if (mine === gen) replace(list, h("li", { class: "menu-empty" }, errorText(e)));
    }
  }, 200);
  input.addEventListener("input", search);
  input.addEventListener("keydown", (e) => {
    if (!hits.length) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      active = (active + (e.key === "ArrowDown" ? 1 : hits.length - 1)) % hits.length;
      render();
    } else if (e.key === "Enter") {
      e.preventDefault();
      void choose(hits[active]);
    }
  });

  async function choose(hit: KBHit): Promise<void> {
    try {
      const a = await kbApi.article(hit.article_id);
      close?.();
      close = null;
      insert(replyText(a, hit, (conv().language || "").split("-")[0]));
    } catch (e) {
      toast(errorText(e), "error");
    }
  }

  button.addEventListener("click", open);
  return { button, open };
}
