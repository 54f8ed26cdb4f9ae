// The voice of the customer (/reports/topics): the labels and the words
// customers used most in the period, by language, and what is rising this
// week. Each opens the conversations behind it.
import { reportsApi, type ReportParams, type ReportTopics, type Topic } from "../api";
import { h, replace } from "../dom";
import { intlTag, num, shortTime, t } from "../i18n";
import { errorText, modal } from "../ui";
import { change } from "./reportstate";

/** A language's name in the reader's language: "ইংরেজি" for en in Bengali. */
function languageName(code: string | undefined): string {
  if (!code) return "";
  try {
    return new Intl.DisplayNames(intlTag(), { type: "language" }).of(code) ?? code;
  } catch {
    return code;
  }
}

function topicName(x: Topic): string {
  return x.name ?? x.term ?? "";
}

/** Lists the conversations behind a label or a term, each a link to it. */
function showConversations(p: ReportParams, x: Topic, kind: "label" | "term"): void {
  const list = h("div", { class: "topic-conversations" }, h("p", { class: "hint" }, t("list.loading")));
  const close = modal(t("reports.topic_conversations", { topic: topicName(x) }), list);
  const which = kind === "label" ? { label: topicName(x) } : { term: topicName(x), language: x.language ?? "" };
  reportsApi.topicConversations(p, which).then((r) => {
    const convs = r.conversations ?? [];
    replace(list, convs.length
      ? h("ul", null, convs.map((c) => h("li", null,
        h("a", { href: `/conversations/${c.id}`, "data-nav": "", onclick: close, dataset: { conversation: String(c.id) } },
          h("span", { class: "topic-conv-head" }, h("strong", null, c.contact_name || "#" + num(c.display_id)), h("span", { class: "hint" }, "#" + num(c.display_id) + " · " + shortTime(c.created_at))),
          h("span", { class: "topic-snippet" }, c.snippet)))))
      : h("p", { class: "hint" }, t("reports.no_conversations")));
  }, (e) => replace(list, h("p", { class: "hint error" }, errorText(e))));
}

/** One topic as a button: its name, count and change on the period before. */
function topicButton(p: ReportParams, x: Topic, kind: "label" | "term", withLanguage = false): HTMLElement {
  const up = x.change > 0;
  return h("li", null, h("button", { type: "button", class: "topic", dataset: { topic: topicName(x), kind }, onclick: () => showConversations(p, x, kind) },
    h("span", { class: "topic-name" }, topicName(x)),
    withLanguage && x.language ? h("span", { class: "chip" }, languageName(x.language)) : null,
    h("span", { class: "topic-count" }, num(x.count)),
    h("span", { class: "topic-change " + (up ? "up" : x.change < 0 ? "down" : ""), title: t("reports.previous", { n: x.previous }) }, change(x.change))));
}

const shown = 5;

/** A list of topics, the first five shown and the rest behind a button. */
function block(title: string, cls: string, items: HTMLElement[]): HTMLElement {
  if (!items.length) return h("div", { class: "voice-block " + cls }, h("h3", null, title), h("p", { class: "hint" }, t("reports.no_topics")));
  const list = h("ul", { class: "topics" }, items.slice(0, shown));
  const more = items.length > shown
    ? h("button", { type: "button", class: "btn small ghost topics-more", onclick: () => {
      list.append(...items.slice(shown));
      more?.remove();
    } }, t("reports.more", { n: items.length - shown }))
    : null;
  return h("div", { class: "voice-block " + cls }, h("h3", null, title), list, more);
}

/** The voice of the customer: labels, terms by language, rising topics. */
export function voice(p: ReportParams, v: ReportTopics): HTMLElement {
  const terms = v.terms ?? [];
  const langs = [...new Set(terms.map((x) => x.language ?? ""))];
  return h("div", { class: "voice" },
    block(t("reports.rising"), "voice-rising", (v.rising ?? []).map((x) => topicButton(p, x, x.kind === "label" ? "label" : "term", true))),
    block(t("reports.top_labels"), "voice-labels", (v.labels ?? []).map((x) => topicButton(p, x, "label"))),
    langs.length
      ? langs.map((l) => block(t("reports.top_terms_in", { language: languageName(l) }), "voice-terms", terms.filter((x) => (x.language ?? "") === l).map((x) => topicButton(p, x, "term"))))
      : block(t("reports.top_terms"), "voice-terms", []));
}
