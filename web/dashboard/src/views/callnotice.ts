// The notice of a customer's call while it rings: who calls, how many
// conversations they have open, whether it rings this agent's phone, and a
// button to their conversation. It goes when the call is answered or ends,
// or when the agent closes it.
import { api } from "../api";
import { h, replace } from "../dom";
import { t, tn } from "../i18n";
import { icon } from "../icons";
import * as inbox from "../inbox";
import { contactName } from "../names";
import { chime } from "../notify";
import { onEvent } from "../realtime";
import { me } from "../state";
import type { Call, Conversation, Message, RealtimeEvent } from "../types";
import { iconButton } from "../ui";

// A call whose last report was lost must not keep its notice for ever:
// nobody lets a phone ring this long.
const maxRinging = 2 * 60e3;

interface Notice {
  el: HTMLElement;
  call: Call;
  conv: Conversation | null;
  open: number | null;
  timer: number;
}

const notices = new Map<number, Notice>();
let box: HTMLElement | null = null;
let openConversation: (id: number) => void = () => {};

const ringing = (c: Call) => c.direction === "inbound" && c.status === "ringing" && !c.outcome;

function render(m: Message, n: Notice): void {
  const who = n.conv?.contact ? contactName(n.conv.contact) : n.call.from || t("contact.unknown");
  const mine = (n.call.rang ?? []).includes(me().id);
  replace(
    n.el,
    h("span", { class: "call-icon" }, icon("phoneIn")),
    h(
      "div",
      { class: "call-notice-text" },
      h("strong", null, t("call.incoming_from", { name: who })),
      h(
        "span",
        { class: "hint" },
        [mine ? t("call.ringing_you") : "", n.open ? tn("call.open_conversations", n.open) : ""].filter(Boolean).join(" · "),
      ),
    ),
    h(
      "button",
      {
        type: "button",
        class: "btn primary small open-call",
        onclick: () => {
          openConversation(m.conversation_id);
          dismiss(m.id);
        },
      },
      t("call.open"),
    ),
    iconButton("close", t("action.close"), () => dismiss(m.id), "small"),
  );
}

function dismiss(id: number): void {
  const n = notices.get(id);
  if (!n) return;
  clearTimeout(n.timer);
  n.el.remove();
  notices.delete(id);
}

// Who calls and how many conversations of theirs are open, when known.
async function learn(m: Message, n: Notice, conv: Conversation): Promise<void> {
  n.conv = await inbox.withContact(conv);
  if (notices.get(m.id) !== n) return;
  render(m, n);
  try {
    const theirs = await api.contactConversations(conv.contact_id);
    n.open = theirs.filter((c) => c.status === "open").length;
  } catch {
    return; // the count is a courtesy
  }
  if (notices.get(m.id) === n) render(m, n);
}

function show(m: Message, call: Call, conv: Conversation | undefined): void {
  if (!box) {
    box = h("div", { class: "call-notices", role: "region", "aria-live": "assertive", "aria-label": t("call.notices") });
    document.body.appendChild(box);
  }
  const n: Notice = {
    el: h("div", { class: "call-notice", dataset: { id: String(m.id), conversation: String(m.conversation_id) } }),
    call,
    conv: conv ?? inbox.find(m.conversation_id) ?? null,
    open: null,
    timer: window.setTimeout(() => dismiss(m.id), maxRinging),
  };
  notices.set(m.id, n);
  box.appendChild(n.el);
  render(m, n);
  chime();
  if (n.conv) void learn(m, n, n.conv);
  else void api.conversation(m.conversation_id).then((c) => learn(m, n, c), () => {});
}

function onCallEvent(ev: RealtimeEvent): void {
  const m = ev.data?.message;
  const call = m?.details?.call;
  if (!m || !call) return;
  if (ev.type === "message.created" && ringing(call)) {
    if (!notices.has(m.id)) show(m, call, ev.data?.conversation);
    return;
  }
  const n = notices.get(m.id);
  if (!n || ev.type !== "message.updated") return;
  if (!ringing(call)) {
    dismiss(m.id);
    return;
  }
  n.call = call;
  render(m, n);
}

/** Shows the notices of ringing calls from now on; open opens a conversation. */
export function startCallNotices(open: (conversationId: number) => void): void {
  openConversation = open;
  onEvent(onCallEvent);
}
