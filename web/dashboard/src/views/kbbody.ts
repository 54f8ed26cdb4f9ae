// An article's body: Markdown in a text box beside its preview, rendered
// by the server as the help center renders it a moment after typing
// stops, and an image button that uploads a picture and puts its Markdown
// where the caret is.
import { kbApi } from "../api";
import { debounce, h, replace } from "../dom";
import { t } from "../i18n";
import { errorText, iconButton, toast } from "../ui";
import { articleHTML } from "./kbcontent";

export interface BodyEditor {
  el: HTMLElement;
  value(): string;
  set(text: string): void;
}

const imageTypes = "image/png,image/jpeg,image/gif,image/webp";
const maxImage = 5 << 20;

/** The body editor; changed is called on every edit. */
export function bodyEditor(changed: () => void): BodyEditor {
  const ta = h("textarea", { name: "body", class: "kb-body-input", rows: 14, "aria-label": t("kb.body"), placeholder: t("kb.body_placeholder"), spellcheck: "true" });
  const preview = h("div", { class: "kb-preview kb-prose", "aria-live": "polite", "aria-label": t("kb.preview") });
  let gen = 0;

  async function render(): Promise<void> {
    const mine = ++gen;
    const text = ta.value;
    if (!text.trim()) {
      replace(preview, h("p", { class: "hint" }, t("kb.preview_empty")));
      return;
    }
    try {
      const r = await kbApi.preview(text);
      if (mine === gen) replace(preview, articleHTML(r.html));
    } catch (e) {
      if (mine === gen) replace(preview, h("p", { class: "hint" }, errorText(e)));
    }
  }
  const later = debounce(() => void render(), 350);
  ta.addEventListener("input", () => {
    changed();
    later();
  });

  /** Puts a block where the caret is, replacing a selection, as a paragraph of its own. */
  function insert(text: string): void {
    const start = ta.selectionStart;
    const before = ta.value.slice(0, start);
    const after = ta.value.slice(ta.selectionEnd);
    const lead = !before || before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
    const trail = !after || after.startsWith("\n\n") ? "" : after.startsWith("\n") ? "\n" : "\n\n";
    const piece = lead + text + trail;
    ta.value = before + piece + after;
    const caret = start + lead.length + text.length;
    ta.setSelectionRange(caret, caret);
    ta.focus();
    changed();
    void render();
  }

  const file = h("input", { type: "file", accept: imageTypes, hidden: true, class: "kb-image-input", onchange: () => void upload() });
  const imageBtn = iconButton("image", t("kb.image"), () => file.click(), "kb-image-btn");
  async function upload(): Promise<void> {
    const f = file.files?.[0];
    file.value = "";
    if (!f) return;
    if (!imageTypes.split(",").includes(f.type)) {
      toast(t("kb.image_type"), "error");
      return;
    }
    if (f.size > maxImage) {
      toast(t("kb.image_size"), "error");
      return;
    }
    imageBtn.disabled = true;
    imageBtn.classList.add("busy");
    try {
      insert((await kbApi.upload(f)).markdown);
    } catch (e) {
      toast(errorText(e), "error");
    } finally {
      imageBtn.disabled = false;
      imageBtn.classList.remove("busy");
    }
  }

  const el = h("div", { class: "kb-body-editor" },
    h("div", { class: "kb-write" },
      h("div", { class: "kb-body-head" }, h("span", { class: "field-label" }, t("kb.body")), h("span", { class: "hint" }, t("kb.markdown_hint")), imageBtn, file),
      ta),
    h("div", { class: "kb-preview-wrap" }, h("span", { class: "field-label" }, t("kb.preview")), preview));
  return {
    el,
    value: () => ta.value,
    set(text) {
      ta.value = text;
      void render();
    },
  };
}
