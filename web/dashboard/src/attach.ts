// Files an agent attaches to a reply, checked in the browser against the
// server's limits (internal/core/attachments.go) so a wrong file is refused
// at once, with its name, instead of after a long upload.
import { intlTag, t } from "./i18n";
import type { Attachment, Capabilities } from "./types";

/** The most files one message may carry. */
export const maxFiles = 5;

/** The largest file the server stores, in bytes. */
export const maxFileSize = 25 << 20;

// The types the server accepts, with the extensions that name them when the
// browser reports no type or another name for it (Windows calls a CSV file
// application/vnd.ms-excel, and a zip application/x-zip-compressed).
const typesByExtension: Record<string, string> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  heic: "image/heic",
  pdf: "application/pdf",
  txt: "text/plain",
  csv: "text/csv",
  mp3: "audio/mpeg",
  ogg: "audio/ogg",
  oga: "audio/ogg",
  opus: "audio/ogg",
  aac: "audio/aac",
  m4a: "audio/mp4",
  weba: "audio/webm",
  wav: "audio/wav",
  mp4: "video/mp4",
  webm: "video/webm",
  "3gp": "video/3gpp",
  zip: "application/zip",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xls: "application/vnd.ms-excel",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

const allowedTypes = new Set(Object.values(typesByExtension));

/** What files a message may carry: the server's types and size, narrowed by a channel's. */
export interface FileRules {
  types: Set<string>;
  maxSize: number;
  /** The channel that narrowed them, named in refusals; "" for the server's own. */
  channel: string;
}

/** The server's rules, for private notes and channels that add none. */
export const serverRules: FileRules = { types: allowedTypes, maxSize: maxFileSize, channel: "" };

// Whether a channel's pattern ("image/*", "application/pdf", "*/*") covers a type.
function covers(pattern: string, type: string): boolean {
  if (pattern === "*/*" || pattern === type) return true;
  return pattern.endsWith("/*") && type.startsWith(pattern.slice(0, -1));
}

/** The rules of replies on a channel: the server's types it takes, up to the smaller size. */
export function channelRules(caps: Capabilities, channel: string): FileRules {
  const types = new Set([...allowedTypes].filter((ty) => caps.attachments.some((p) => covers(p, ty))));
  const narrower = caps.max_attachment_bytes > 0 && caps.max_attachment_bytes < maxFileSize;
  const maxSize = narrower ? caps.max_attachment_bytes : maxFileSize;
  return { types, maxSize, channel: types.size < allowedTypes.size || narrower ? channel : "" };
}

/** The file picker's accept attribute: every allowed type and the extensions naming them. */
export function acceptList(rules: FileRules): string {
  const exts = Object.entries(typesByExtension).filter(([, ty]) => rules.types.has(ty)).map(([e]) => "." + e);
  return [...rules.types, ...exts].join(",");
}

/** A size limit in whole megabytes, or kilobytes under one. */
export function sizeLimit(bytes: number): string {
  return bytes >= 1 << 20 ? fileSize(Math.floor(bytes / (1 << 20)) * (1 << 20)) : fileSize(bytes);
}

/** The type the server will accept the file as, or "" when it refuses it. */
export function uploadType(f: File, rules: FileRules = serverRules): string {
  const declared = f.type.split(";")[0].trim().toLowerCase();
  if (rules.types.has(declared)) return declared;
  const dot = f.name.lastIndexOf(".");
  const ext = dot >= 0 ? f.name.slice(dot + 1).toLowerCase() : "";
  const ty = typesByExtension[ext] ?? "";
  return rules.types.has(ty) ? ty : "";
}

/**
 * Checks files to add to the ones already pending: the accepted ones
 * (retyped where the browser named the type differently), and a message
 * for each one refused.
 */
export function checkFiles(pending: number, added: File[], rules: FileRules = serverRules): { accepted: File[]; errors: string[] } {
  const accepted: File[] = [];
  const errors: string[] = [];
  let overflow = false;
  for (const f of added) {
    const type = uploadType(f, rules);
    const name = f.name || "?";
    if (!type) {
      errors.push(rules.channel ? t("attach.bad_type_channel", { name, channel: rules.channel }) : t("attach.bad_type", { name }));
    } else if (f.size > rules.maxSize) {
      errors.push(rules.channel ? t("attach.too_large_channel", { name, size: sizeLimit(rules.maxSize), channel: rules.channel }) : t("attach.too_large", { name, size: maxFileSize >> 20 }));
    } else if (pending + accepted.length >= maxFiles) {
      overflow = true;
    } else {
      accepted.push(type === f.type ? f : new File([f], f.name || "file", { type, lastModified: f.lastModified }));
    }
  }
  if (overflow) errors.push(t("attach.too_many", { n: maxFiles }));
  return { accepted, errors };
}

/** A file size in the reader's language: "820 byte", "14 kB", "2.5 MB". */
export function fileSize(bytes: number): string {
  const [value, unit] = bytes < 1000 ? [bytes, "byte"] : bytes < 1e6 ? [bytes / 1024, "kilobyte"] : [bytes / (1 << 20), "megabyte"];
  return new Intl.NumberFormat(intlTag(), { style: "unit", unit, unitDisplay: "short", maximumFractionDigits: unit === "megabyte" ? 1 : 0 }).format(value);
}

const inlineImages = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);

/** Whether the browser can show an attachment as an image. */
export function isInlineImage(a: Pick<Attachment, "content_type">): boolean {
  return inlineImages.has(a.content_type);
}
