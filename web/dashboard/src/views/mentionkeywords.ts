// Settings › Mentions: the keywords and brand names the account follows in
// the public comments and mentions of its channels.
import { mentionsApi } from "../api";
import { h } from "../dom";
import { longTime, t } from "../i18n";
import type { MentionKeyword } from "../types";
import { field, modal, select } from "../ui";
import { attempt, form, submit, table } from "./forms";

export async function mentionKeywords(el: HTMLElement): Promise<void> {
  await table<MentionKeyword>(el, {
    load: mentionsApi.keywords,
    addLabel: t("keywords.create"),
    columns: [t("keywords.term"), t("keywords.kind"), t("keywords.since")],
    emptyText: t("keywords.none"),
    row: (k) => [h("span", { class: "chip keyword" }, k.term), t("keywords.kind." + k.kind), longTime(k.created_at)],
    edit: (k, done) => {
      const term = h("input", { name: "term", value: k?.term ?? "", required: true, maxlength: 60 });
      const kind = select([{ value: "keyword", label: t("keywords.kind.keyword") }, { value: "brand", label: t("keywords.kind.brand") }], k?.kind ?? "keyword", () => {}, { name: "kind" });
      const close = modal(
        k ? t("keywords.edit") : t("keywords.create"),
        form(
          async () => {
            const body = { term: term.value.trim(), kind: kind.value };
            if (await attempt(() => (k ? mentionsApi.updateKeyword(k.id, body) : mentionsApi.createKeyword(body)))) {
              close();
              done();
            }
          },
          field(t("keywords.term"), term, t("keywords.term_hint")),
          field(t("keywords.kind"), kind),
          h("div", { class: "form-actions" }, submit(t("action.save"))),
        ),
      );
    },
    remove: (k) => mentionsApi.deleteKeyword(k.id),
    removeText: (k) => t("keywords.delete_confirm", { name: k.term }),
  });
}
