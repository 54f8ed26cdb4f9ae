// Settings → Bot (admins): the questions and answers the built-in bot
// answers from, each inbox's bot (on or off, its thresholds, the wait it
// tells customers of), and a box to try a customer's message on it.
import { api } from "../api";
import { h, replace } from "../dom";
import { localeNames, t } from "../i18n";
import { state } from "../state";
import type { BotLanguage, FAQ } from "../types";
import { button, empty, errorText, field, modal, select } from "../ui";
import { attempt, form, submit, table } from "./forms";
import { inboxBot } from "./botinbox";

const languages: BotLanguage[] = ["en", "bn", "hi"];

export async function botSettings(el: HTMLElement): Promise<void> {
  const faqs = h("div", { class: "bot-faqs" });
  const inboxPart = h("div", { class: "bot-inbox" });
  replace(
    el,
    h("h2", null, t("settings.bot")),
    h("p", { class: "hint" }, t("bot.intro")),
    inboxPart,
    h("h2", null, t("bot.faqs")),
    faqs,
    tryBox(),
  );
  void inboxBot(inboxPart);
  await faqTable(faqs);
}

function inboxName(id: number): string {
  return id ? (state.inboxes.find((i) => i.id === id)?.name ?? "#" + id) : t("bot.all_inboxes");
}

async function faqTable(el: HTMLElement): Promise<void> {
  await table<FAQ>(el, {
    load: api.faqs,
    addLabel: t("bot.faq_create"),
    columns: [t("bot.question"), t("bot.language"), t("bot.inbox"), t("bot.answer")],
    emptyText: t("bot.faq_none"),
    row: (f) => [
      h("span", null, f.question, f.phrasings.length ? h("span", { class: "hint" }, " +" + f.phrasings.length) : null),
      localeNames[f.language],
      inboxName(f.inbox_id),
      h("span", { class: "clip" }, f.answer),
    ],
    edit: editFAQ,
    remove: (f) => api.deleteFAQ(f.id),
    removeText: (f) => t("bot.faq_delete_confirm", { name: f.question }),
  });
}

/** The dialog that writes an entry: every field a form control, none typed as JSON. */
function editFAQ(f: FAQ | null, done: () => void): void {
  const question = h("input", { name: "question", value: f?.question ?? "", required: true, maxlength: 300 });
  const phrasings = h("textarea", { name: "phrasings", rows: 4, value: (f?.phrasings ?? []).join("\n") });
  const answer = h("textarea", { name: "answer", rows: 5, value: f?.answer ?? "", required: true });
  const language = select(languages.map((l) => ({ value: l, label: localeNames[l] })), f?.language ?? "en", () => {}, { name: "language" });
  const inbox = select([{ value: 0, label: t("bot.all_inboxes") }, ...state.inboxes.map((i) => ({ value: i.id, label: i.name }))], f?.inbox_id ?? 0, () => {}, { name: "inbox" });
  const close = modal(
    f ? t("bot.faq_edit") : t("bot.faq_create"),
    form(
      async () => {
        const body = {
          question: question.value.trim(),
          phrasings: phrasings.value.split("\n").map((p) => p.trim()).filter(Boolean),
          answer: answer.value,
          language: language.value as BotLanguage,
          inbox_id: Number(inbox.value),
        };
        if (await attempt(() => (f ? api.updateFAQ(f.id, body) : api.createFAQ(body)))) {
          close();
          done();
        }
      },
      field(t("bot.question"), question),
      field(t("bot.phrasings"), phrasings, t("bot.phrasings_hint")),
      field(t("bot.answer"), answer),
      field(t("bot.language"), language),
      field(t("bot.inbox"), inbox),
      h("div", { class: "form-actions" }, submit(t("action.save"))),
    ),
    { wide: true },
  );
}

/** Tries a customer's message on an inbox's bot and says what it would do. */
function tryBox(): HTMLElement {
  const inbox = select(state.inboxes.map((i) => ({ value: i.id, label: i.name })), state.inboxes[0]?.id ?? 0, () => {}, { name: "try_inbox" });
  const text = h("input", { name: "try_text", placeholder: "কবে রিফান্ড পাব? / refund kab milega?" });
  const result = h("p", { class: "hint bot-try-result", "aria-live": "polite" });
  const percent = (v: number) => Math.round(v * 100);
  const run = async () => {
    if (!text.value.trim()) return;
    try {
      const r = await api.tryBot(Number(inbox.value), text.value);
      if (r.handoff) replace(result, t("bot.try_handoff", { reason: t("handoff.reason." + r.handoff) }));
      else if (r.answers && r.faq) replace(result, t("bot.try_answers", { question: r.faq.question, confidence: percent(r.confidence) }));
      else if (r.faq) replace(result, t("bot.try_unsure", { question: r.faq.question, confidence: percent(r.confidence), threshold: percent(r.threshold) }));
      else replace(result, t("bot.try_nothing"));
    } catch (e) {
      replace(result, errorText(e));
    }
  };
  return state.inboxes.length
    ? form(run, h("h2", null, t("bot.try")), field(t("bot.inbox"), inbox), field(t("bot.try_text"), text), result, h("div", { class: "form-actions" }, button(t("bot.try_button"), () => void run(), "primary")))
    : empty(t("bot.no_inboxes"));
}
