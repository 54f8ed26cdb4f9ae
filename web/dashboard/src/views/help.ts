// The keyboard shortcut overlay, opened with "?".
import { h } from "../dom";
import { t } from "../i18n";
import { modal } from "../ui";

export const shortcutKeys: [string, string][] = [
  ["j", "help.next"],
  ["k", "help.previous"],
  ["x", "help.select"],
  ["r", "help.reply"],
  ["n", "help.note"],
  ["e", "help.resolve"],
  ["m", "help.macros"],
  ["b", "help.knowledge"],
  ["/", "help.search"],
  ["?", "help.help"],
  ["Esc", "help.escape"],
];

let open = false;

export function showHelp(): void {
  if (open) return;
  open = true;
  modal(
    t("help.title"),
    h("dl", { class: "shortcuts" }, shortcutKeys.map(([k, label]) => [h("dt", null, h("kbd", null, k)), h("dd", null, t(label))])),
    { onClose: () => (open = false) },
  );
}
