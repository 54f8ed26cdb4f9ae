// What customers are called on screen. The server names an anonymous website
// visitor's contact "Visitor 7F3A", after the start of their random visitor
// id so agents can tell them apart; every screen shows that name in the
// agent's language, and a live visitor with no contact yet gets the same one.
import { t } from "./i18n";
import type { Contact } from "./types";

const placeholder = /^Visitor ([0-9A-F]{4})$/;

/** A contact's stored name as shown: an anonymous visitor's in the agent's language. */
export function shownName(name: string): string {
  const m = placeholder.exec(name);
  return m ? t("visitor.name", { code: m[1] }) : name;
}

/** What to call a contact: their name, else their email or phone, else "Unknown". */
export function contactName(c?: Pick<Contact, "name" | "email" | "phone"> | null): string {
  return (c?.name && shownName(c.name)) || c?.email || c?.phone || t("contact.unknown");
}

/** The name of a live visitor not yet a contact, from their id ("v:7f3a…"), as the server will name them. */
export function visitorName(id: string): string {
  const random = id.startsWith("v:") ? id.slice(2) : "";
  return random.length >= 4 ? t("visitor.name", { code: random.slice(0, 4).toUpperCase() }) : id.replace(/^u:/, "");
}
