// Live visitors: who is on the site now in each of the agent's website chat
// inboxes, refreshed every few seconds, with a way to start a chat.
import { api, widgetApi } from "../api";
import { cartText, duration } from "../commerce";
import { h, replace, type Child } from "../dom";
import { ago, num, t, tn, tOr } from "../i18n";
import { icon } from "../icons";
import { navigate } from "../router";
import { on, state } from "../state";
import type { Contact, Inbox, LiveVisitor } from "../types";
import { avatar, button, empty, errorText, field, modal, pageHeader, toast } from "../ui";
import { contactName, visitorName } from "../names";

/** How often the list is refreshed while the page is visible. */
const refreshMs = 5000;

function host(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return u.host + u.pathname + u.search;
  } catch {
    return url;
  }
}

/** Asks for the first message and starts a chat; the visitor's widget opens with it. */
function startChat(inbox: Inbox, v: LiveVisitor, name: string): void {
  const content = h("textarea", { name: "content", rows: 4, required: true, placeholder: t("visitors.message_placeholder") });
  const error = h("p", { class: "form-error", role: "alert" });
  let busy = false;
  const close = modal(
    t("visitors.start_title", { name }),
    h(
      "form",
      {
        class: "start-chat-form",
        onsubmit: async (e: SubmitEvent) => {
          e.preventDefault();
          const text = content.value.trim();
          if (!text || busy) return;
          busy = true;
          try {
            const r = await widgetApi.startChat(inbox.id, v.id, text);
            close();
            toast(t("visitors.started"));
            navigate("/conversations/" + r.conversation.id);
          } catch (err) {
            error.textContent = errorText(err);
          } finally {
            busy = false;
          }
        },
      },
      field(t("composer.message"), content, t("visitors.start_hint")),
      error,
      h("div", { class: "form-actions" }, h("button", { type: "submit", class: "btn primary" }, icon("send", "icon small"), t("composer.send"))),
    ),
  );
}

export function mountVisitors(el: HTMLElement): () => void {
  let destroyed = false;
  let timer = 0;
  const contacts = new Map<number, Contact | null>();
  const total = h("span", { class: "hint visitors-total", "aria-live": "polite" });
  const body = h("div", { class: "visitors-body" });
  replace(el, h("div", { class: "page visitors-page" }, pageHeader(t("nav.visitors"), total), body));

  const widgetInboxes = () => state.inboxes.filter((i) => i.channel === "widget");

  function liveName(v: LiveVisitor): string {
    const c = v.contact_id ? contacts.get(v.contact_id) : null;
    return c ? contactName(c) : visitorName(v.id);
  }

  // Names of known contacts are looked up once each.
  function learnContacts(list: LiveVisitor[]): void {
    for (const v of list) {
      if (!v.contact_id || contacts.has(v.contact_id)) continue;
      contacts.set(v.contact_id, null);
      api.contact(v.contact_id).then((c) => {
        contacts.set(v.contact_id, c);
        render();
      }, () => {});
    }
  }

  function row(inbox: Inbox, v: LiveVisitor, cols: string[]): HTMLElement {
    const name = liveName(v);
    const last = (v.events ?? []).at(-1);
    const recent = (v.recent_pages ?? []).map(pathOf).join("\n");
    const cells: Child[] = [
      h("span", { class: "with-avatar visitor-who" },
        h("span", { class: "avatar-wrap" }, avatar(name, "tiny"), h("span", { class: "presence " + (v.online ? "online" : "offline") })),
        h("span", { class: "pick-main" },
          v.contact_id ? h("a", { href: "/contacts/" + v.contact_id, "data-nav": "", class: "visitor-name" }, name) : h("span", { class: "visitor-name" }, name),
          h("span", { class: "hint" },
            v.returning ? t("visitors.returning", { n: v.visits }) : t("visitors.new"),
            v.online ? null : " · " + t("visitors.left_ago", { ago: ago(v.left_at) }),
          ),
        ),
      ),
      h("span", { class: "pick-main visitor-page" },
        v.page.url
          ? h("a", { href: v.page.url, target: "_blank", rel: "noopener noreferrer", title: v.page.url }, v.page.title || pathOf(v.page.url))
          : "—",
        h("span", { class: "hint", title: recent }, tn("visitors.pages", v.page_count)),
      ),
      h("span", { class: "visitor-time" }, duration(v.time_on_site_seconds)),
      h("span", { class: "pick-main" },
        h("span", null, v.referrer ? host(v.referrer) : t("visitors.direct")),
        h("span", { class: "hint" }, [tOr("visitors.device." + v.device, v.device), v.browser, v.language].filter(Boolean).join(" · ")),
      ),
      h("span", { class: "pick-main" },
        v.cart ? h("strong", { class: "visitor-cart" }, cartText(v.cart)) : h("span", { class: "hint" }, "—"),
        last ? h("span", { class: "hint", title: last.at }, last.name + " · " + ago(last.at)) : null,
      ),
      button([icon("send", "icon small"), t("visitors.start")], () => startChat(inbox, v, name), "small start-chat"),
    ];
    return h("tr", { dataset: { visitor: v.id } }, cells.map((c, i) => h("td", { "data-label": cols[i] ?? "", class: i === cells.length - 1 ? "actions" : "" }, c)));
  }

  function inboxSection(inbox: Inbox, result: PromiseSettledResult<LiveVisitor[]>, multiple: boolean): HTMLElement {
    const cols = [t("visitors.visitor"), t("visitors.page"), t("visitors.time"), t("visitors.source"), t("visitors.cart")];
    const table = (list: LiveVisitor[], cls: string) =>
      h(
        "table",
        { class: "table visitors " + cls },
        h("thead", null, h("tr", null, cols.map((c) => h("th", null, c)), h("th", { class: "actions" }))),
        h("tbody", null, list.map((v) => row(inbox, v, cols))),
      );
    // Who is on the site now, then, apart, who left in the last minutes.
    let content: Child;
    let here: LiveVisitor[] = [];
    if (result.status === "rejected") content = empty(errorText(result.reason));
    else {
      here = result.value.filter((v) => v.online);
      const left = result.value.filter((v) => !v.online);
      content = [
        here.length ? table(here, "here") : empty(t("visitors.none")),
        left.length ? h("h3", { class: "visitors-left-title" }, t("visitors.left_title")) : null,
        left.length ? table(left, "left") : null,
      ];
    }
    return h(
      "section",
      { class: "visitors-inbox", dataset: { inbox: String(inbox.id) } },
      multiple ? h("h2", null, inbox.name, result.status === "fulfilled" ? h("span", { class: "count" }, num(here.length)) : null) : null,
      content,
    );
  }

  let last: { inboxes: Inbox[]; results: PromiseSettledResult<LiveVisitor[]>[] } | null = null;

  function render(): void {
    if (!last || destroyed) return;
    const { inboxes, results } = last;
    let n = 0;
    for (const r of results) if (r.status === "fulfilled") n += r.value.filter((v) => v.online).length;
    total.textContent = t("visitors.online", { n });
    // Rebuilding the rows would drop the keyboard focus; put it back on the
    // same visitor's button.
    const focused = (document.activeElement as HTMLElement | null)?.closest?.("tr[data-visitor]")?.getAttribute("data-visitor");
    replace(body, inboxes.map((inbox, i) => inboxSection(inbox, results[i], inboxes.length > 1)));
    if (focused) body.querySelector<HTMLElement>(`tr[data-visitor="${CSS.escape(focused)}"] .start-chat`)?.focus();
  }

  async function refresh(): Promise<void> {
    clearTimeout(timer);
    const inboxes = widgetInboxes();
    if (!inboxes.length) {
      replace(body, empty(t("visitors.no_inboxes")));
      total.textContent = "";
      return;
    }
    if (!document.hidden) {
      const results = await Promise.allSettled(inboxes.map((i) => widgetApi.visitors(i.id)));
      if (destroyed) return;
      last = { inboxes, results };
      for (const r of results) if (r.status === "fulfilled") learnContacts(r.value);
      render();
    }
    clearTimeout(timer);
    timer = window.setTimeout(() => void refresh(), refreshMs);
  }

  const offMeta = on("meta", () => void refresh());
  const onVisible = () => {
    if (!document.hidden) void refresh();
  };
  document.addEventListener("visibilitychange", onVisible);
  replace(body, h("div", { class: "loading" }, t("list.loading")));
  void refresh();
  return () => {
    destroyed = true;
    clearTimeout(timer);
    offMeta();
    document.removeEventListener("visibilitychange", onVisible);
  };
}
