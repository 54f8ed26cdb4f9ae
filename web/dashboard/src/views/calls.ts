// Phone calls in a conversation: each call, callback request and voicemail
// is a compact card in the timeline rather than a chat bubble, and the
// header's Call button rings the agent's phone and then connects the
// customer. The platform's reports update a card live (message.updated).
import { api, APIError } from "../api";
import { h, type Child } from "../dom";
import { clockTime, intlTag, longTime, num, t } from "../i18n";
import { icon, type IconName } from "../icons";
import { navigate } from "../router";
import { capabilitiesOf, me, userName } from "../state";
import type { Call, Conversation, Message } from "../types";
import { button, errorText, modal, toast } from "../ui";

/** Whether a message is a call's entry or a voicemail, shown as a card. */
export const isCallEntry = (m: Message) => !!m.details?.call || !!m.details?.voicemail;

/** How long a call lasted, as a phone shows it: 0:42, 3:12, 1:05:00. */
function callDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const two = new Intl.NumberFormat(intlTag(), { minimumIntegerDigits: 2, useGrouping: false });
  const hours = Math.floor(s / 3600);
  const mins = Math.floor((s % 3600) / 60);
  const secs = two.format(s % 60);
  return hours ? `${num(hours)}:${two.format(mins)}:${secs}` : `${num(mins)}:${secs}`;
}

/** A call that still rings or lasts. */
const isLive = (c: Call) => !c.outcome && (c.status === "queued" || c.status === "ringing" || c.status === "in-progress");

function liveState(c: Call): string {
  if (c.status === "in-progress") return t("call.in_progress");
  return c.direction === "outbound" && c.status === "queued" ? t("call.calling") : t("call.ringing");
}

/** The card's icon and its line: "Incoming call · answered by Rahim · 3:12". */
function callSummary(c: Call): { icon: IconName; tone: string; parts: string[] } {
  const agent = c.agent_id ? userName(c.agent_id) : "";
  const length = c.duration_seconds ? callDuration(c.duration_seconds) : "";
  if (c.direction === "outbound") {
    const head = agent ? t("call.outgoing_by", { name: agent }) : t("call.outgoing");
    if (isLive(c)) return { icon: "phoneOut", tone: "live", parts: [head, liveState(c)] };
    switch (c.outcome) {
      case "answered":
        return { icon: "phoneOut", tone: "", parts: [head, length] };
      case "voicemail":
        return { icon: "voicemail", tone: "", parts: [head, t("call.reached_voicemail")] };
      case "busy":
        return { icon: "phoneBusy", tone: "missed", parts: [head, t("call.busy")] };
      case "failed":
        return { icon: "phoneFailed", tone: "missed", parts: [head, t("call.failed")] };
    }
    return { icon: "phoneMissed", tone: "missed", parts: [head, t("call.no_answer")] };
  }
  const head = t("call.incoming");
  if (isLive(c)) return { icon: "phoneIn", tone: "live", parts: [head, c.status === "in-progress" && agent ? t("call.answered_by", { name: agent }) : "", liveState(c)] };
  switch (c.outcome) {
    case "answered":
      return { icon: "phoneIn", tone: "", parts: [head, agent ? t("call.answered_by", { name: agent }) : t("call.answered"), length] };
    case "voicemail":
      return { icon: "voicemail", tone: "missed", parts: [t("call.missed"), t("call.voicemail_left")] };
    case "busy":
      return { icon: "phoneBusy", tone: "missed", parts: [t("call.missed"), t("call.busy")] };
    case "failed":
      return { icon: "phoneFailed", tone: "missed", parts: [head, t("call.failed")] };
  }
  return { icon: "phoneMissed", tone: "missed", parts: [t("call.missed")] };
}

const tel = (number: string) => h("a", { href: "tel:" + number.replace(/[^\d+]/g, ""), class: "call-number" }, number);

const when = (m: Message) => h("time", { datetime: m.created_at, title: longTime(m.created_at) }, clockTime(m.created_at));

function card(m: Message, side: string, tone: string, glyph: IconName, ...body: Child[]): HTMLElement {
  return h(
    "div",
    { class: "msg call-entry " + side + (tone ? " " + tone : ""), dataset: { id: String(m.id) } },
    h("div", { class: "call-card" }, h("span", { class: "call-icon" }, icon(glyph)), h("div", { class: "call-text" }, body)),
  );
}

/** A callback request: the number to call, when, and what about. */
function callbackCard(m: Message, c: Call): HTMLElement {
  return card(
    m,
    "incoming",
    "callback",
    "phoneCallback",
    h("div", { class: "call-line" }, t("call.callback")),
    h("div", { class: "call-sub" }, c.from ? tel(c.from) : null, when(m)),
    c.preferred_time ? h("div", { class: "call-detail preferred" }, t("call.preferred", { time: c.preferred_time })) : null,
    m.content ? h("div", { class: "call-note" }, m.content) : null,
  );
}

/** A call's entry: which way, how it went (or goes), who and how long. */
function callCard(m: Message, c: Call): HTMLElement {
  if (c.direction === "callback_request") return callbackCard(m, c);
  const s = callSummary(c);
  const number = c.direction === "outbound" ? c.to : c.from;
  return card(
    m,
    c.direction === "outbound" ? "outgoing" : "incoming",
    s.tone,
    s.icon,
    h("div", { class: "call-line" }, s.tone === "live" ? h("span", { class: "live-dot", "aria-hidden": "true" }) : null, s.parts.filter(Boolean).join(" · ")),
    h("div", { class: "call-sub" }, number ? tel(number) : null, when(m)),
    m.status === "failed" && m.error ? h("div", { class: "call-detail error" }, m.error) : null,
  );
}

/** A voicemail: its recording to play, its length and its transcript. */
function voicemailCard(m: Message): HTMLElement {
  const v = m.details?.voicemail ?? { call: "" };
  const audio = (m.attachments ?? []).find((a) => a.content_type.startsWith("audio/"));
  const transcript = v.transcript === "pending" && !m.content
    ? h("p", { class: "transcript hint" }, t("voicemail.transcribing"))
    : m.content
      ? h("p", { class: "transcript" }, m.content)
      : h("p", { class: "transcript hint" }, t("voicemail.no_transcript"));
  return card(
    m,
    "incoming",
    "voicemail",
    "voicemail",
    h("div", { class: "call-line" }, [t("voicemail.title"), v.duration_seconds ? callDuration(v.duration_seconds) : ""].filter(Boolean).join(" · ")),
    h("div", { class: "call-sub" }, when(m)),
    audio
      ? h("audio", { controls: true, preload: "none", src: audio.url, "aria-label": t("voicemail.recording") })
      : h("p", { class: "call-detail hint" }, t("voicemail.no_recording")),
    transcript,
  );
}

/** The card of a call's entry or a voicemail. */
export function callEntry(m: Message): HTMLElement {
  return m.details?.call ? callCard(m, m.details.call) : voicemailCard(m);
}

/**
 * The header's Call button, for a conversation whose inbox takes calls:
 * Sahay rings the agent's phone, then connects the customer. added takes
 * the call's entry.
 */
export function callButton(conv: Conversation, added: (m: Message) => void): HTMLElement | null {
  if (!capabilitiesOf(conv.inbox_id).calls) return null;
  const b: HTMLButtonElement = h(
    "button",
    {
      type: "button",
      class: "btn call-btn",
      title: t("call.action_hint"),
      "aria-label": t("call.action"),
      onclick: async () => {
        b.disabled = true;
        try {
          added(await api.startCall(conv.id));
          toast(t("call.started"));
        } catch (e) {
          callFailed(e);
        } finally {
          b.disabled = false;
        }
      },
    },
    icon("phone", "icon small"),
    h("span", { class: "btn-label" }, t("call.action")),
  );
  return b;
}

// Why a call was not placed, in a dialog: the server's words, and the way
// to the profile when the agent has no phone number for Sahay to ring.
function callFailed(e: unknown): void {
  const noPhone = e instanceof APIError && e.status === 422 && !me().phone;
  const close = modal(t("call.failed_title"), [
    h("p", { class: "call-error" }, errorText(e)),
    noPhone ? h("p", { class: "hint call-add-phone" }, t("call.add_phone")) : null,
    h(
      "div",
      { class: "form-actions" },
      button(t("action.close"), () => close()),
      noPhone
        ? button(t("call.open_profile"), () => {
            close();
            navigate("/settings/profile");
          }, "primary open-profile")
        : null,
    ),
  ]);
}
