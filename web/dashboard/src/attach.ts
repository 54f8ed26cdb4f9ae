// Files an agent attaches to a reply, checked in the browser against the
// server's limits (internal/core/attachments.go) so a wrong file is refused
// at once, with its name, instead of after a long upload.
import { intlTag, t } from "./i18n";
import type { Attachment } from "./types";

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

/** The file picker's accept attribute: every allowed type and extension. */
export const acceptList = [...allowedTypes, ...Object.keys(typesByExtension).map((e) => "." + e)].join(",");

/** The type the server will accept the file as, or "" when it refuses it. */
export function uploadType(f: File): string {
  const declared = f.type.split(";")[0].trim().toLowerCase();
  if (allowedTypes.has(declared)) return declared;
  const dot = f.name.lastIndexOf(".");
  const ext = dot >= 0 ? f.name.slice(dot + 1).toLowerCase() : "";
  return typesByExtension[ext] ?? "";
}

/**
 * Checks files to add to the ones already pending: the accepted ones
 * (retyped where the browser named the type differently), and a message
 * for each one refused.
 */
export function checkFiles(pending: number, added: File[]): { accepted: File[]; errors: string[] } {
  const accepted: File[] = [];
  const errors: string[] = [];
  let overflow = false;
  for (const f of added) {
    const type = uploadType(f);
    if (!type) {
      errors.push(t("attach.bad_type", { name: f.name || "?" }));
    } else if (f.size > maxFileSize) {
      errors.push(t("attach.too_large", { name: f.name, size: maxFileSize >> 20 }));
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
