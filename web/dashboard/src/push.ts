// Web Push on this device: the service worker's push subscription, made
// with the server's VAPID key and registered with the server, so an agent
// hears of notifications while no dashboard is open.
import { notifyApi } from "./api";

/** Where this device stands: why push is impossible, or whether it is on. */
export type PushState = "unsupported" | "blocked" | "off" | "on";

/** Why turning push on failed, beyond a failed API call. */
export class PushError extends Error {
  constructor(readonly reason: "blocked" | "unavailable") {
    super("push " + reason);
  }
}

export function pushSupported(): boolean {
  return "serviceWorker" in navigator && typeof PushManager !== "undefined" && typeof Notification !== "undefined";
}

// The registration main.ts made at start; waits for it, but not forever (it
// never comes when registering failed).
async function registration(): Promise<ServiceWorkerRegistration> {
  let timer = 0;
  const timeout = new Promise<never>((_, reject) => {
    timer = window.setTimeout(() => reject(new Error("push: no service worker")), 10000);
  });
  try {
    return await Promise.race([navigator.serviceWorker.ready, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function pushState(): Promise<PushState> {
  if (!pushSupported()) return "unsupported";
  if (Notification.permission === "denied") return "blocked";
  try {
    const sub = await (await registration()).pushManager.getSubscription();
    return sub ? "on" : "off";
  } catch {
    return "unsupported";
  }
}

/** Decodes unpadded base64url, the encoding of VAPID public keys. */
export function base64urlBytes(s: string): Uint8Array<ArrayBuffer> {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (s.length % 4)) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function sameKey(a: ArrayBuffer | null | undefined, b: Uint8Array): boolean {
  if (!a || a.byteLength !== b.length) return false;
  const x = new Uint8Array(a);
  return x.every((v, i) => v === b[i]);
}

/** Asks for permission, subscribes this device and registers it with the server. */
export async function enablePush(): Promise<void> {
  if ((await Notification.requestPermission()) !== "granted") throw new PushError("blocked");
  const { public_key } = await notifyApi.pushKey();
  if (!public_key) throw new PushError("unavailable");
  const key = base64urlBytes(public_key);
  const reg = await registration();
  let sub = await reg.pushManager.getSubscription();
  // A subscription made with another key (the server's key changed) cannot
  // receive the server's messages: replace it.
  if (sub && !sameKey(sub.options.applicationServerKey, key)) {
    await sub.unsubscribe();
    sub = null;
  }
  sub ??= await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  await notifyApi.subscribe(sub.toJSON());
}

/** Unsubscribes this device and tells the server to forget it. */
export async function disablePush(): Promise<void> {
  const sub = await (await registration()).pushManager.getSubscription();
  if (!sub) return;
  const endpoint = sub.endpoint;
  // Unsubscribe first: should the server not hear of it, its next message
  // finds the subscription gone and it forgets the device then.
  await sub.unsubscribe();
  await notifyApi.unsubscribe(endpoint);
}
