// The realtime connection: one WebSocket that delivers account events in
// sequence order. After a cut it reconnects with exponential backoff and asks
// for everything after the last sequence number it saw, so views resume
// without a reload.
import type { RealtimeEvent } from "./types";

type EventListener = (ev: RealtimeEvent) => void;
type StateListener = (connected: boolean) => void;

const listeners = new Set<EventListener>();
const stateListeners = new Set<StateListener>();
const resetListeners = new Set<() => void>();

let socket: WebSocket | null = null;
let lastSeq = 0;
let everConnected = false;
let attempts = 0;
let timer = 0;
let running = false;
let connected = false;
let pausedUntil = 0; // no reconnect before this time (ms since epoch)

export function onEvent(fn: EventListener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Called when views must refetch: the server asked for it or lost our place. */
export function onReset(fn: () => void): () => void {
  resetListeners.add(fn);
  return () => resetListeners.delete(fn);
}

export function onConnection(fn: StateListener): () => void {
  stateListeners.add(fn);
  return () => stateListeners.delete(fn);
}

export function isConnected(): boolean {
  return connected;
}

export function lastSequence(): number {
  return lastSeq;
}

function setConnected(v: boolean): void {
  if (connected === v) return;
  connected = v;
  for (const fn of [...stateListeners]) fn(v);
}

function reset(): void {
  for (const fn of [...resetListeners]) fn();
}

function url(): string {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  const since = everConnected ? "?since=" + lastSeq : "";
  return `${proto}//${location.host}/api/v1/realtime${since}`;
}

function connect(): void {
  if (!running) return;
  const ws = new WebSocket(url());
  socket = ws;
  ws.onmessage = (m) => {
    if (socket !== ws) return;
    let ev: RealtimeEvent;
    try {
      ev = JSON.parse(String(m.data)) as RealtimeEvent;
    } catch {
      return;
    }
    handle(ev);
  };
  ws.onclose = () => {
    if (socket !== ws) return;
    socket = null;
    setConnected(false);
    schedule();
  };
  ws.onerror = () => ws.close();
}

function handle(ev: RealtimeEvent): void {
  if (ev.type === "hello") {
    attempts = 0;
    const seq = ev.seq ?? 0;
    if (!everConnected) {
      everConnected = true;
      lastSeq = seq;
    } else if (seq < lastSeq) {
      // The server's sequence went backwards (restored data): our place is
      // meaningless, so start over from its current position.
      lastSeq = seq;
      reset();
    }
    setConnected(true);
    return;
  }
  if (ev.type === "reset") {
    lastSeq = ev.seq ?? lastSeq;
    reset();
    return;
  }
  if (ev.seq === 0) {
    for (const fn of [...liveListeners]) fn(ev);
    return;
  }
  if (typeof ev.seq === "number") {
    if (ev.seq <= lastSeq) return; // already seen (replayed after a reconnect)
    lastSeq = ev.seq;
  }
  for (const fn of [...listeners]) fn(ev);
}

let checkSession: () => void = () => {};

/** Sets what to run when reconnecting keeps failing (the session may be gone). */
export function setSessionCheck(fn: () => void): void {
  checkSession = fn;
}

function schedule(): void {
  if (!running) return;
  if (attempts === 2) checkSession();
  clearTimeout(timer);
  const base = Math.min(30000, 500 * 2 ** attempts);
  attempts++;
  const delay = Math.max(base / 2 + Math.random() * (base / 2), pausedUntil - Date.now());
  timer = window.setTimeout(connect, delay);
}

export function startRealtime(): void {
  if (running) return;
  running = true;
  connect();
  // A page that leaves (closed, or kept in the back-forward cache) closes
  // its socket, so the agent stops counting as at the dashboard at once; a
  // page restored from that cache connects again.
  window.addEventListener("pagehide", () => socket?.close());
  window.addEventListener("pageshow", (e) => {
    if (e.persisted && running && !socket) {
      attempts = 0;
      clearTimeout(timer);
      connect();
    }
  });
  window.addEventListener("online", () => {
    if (running && !socket) {
      attempts = 0;
      clearTimeout(timer);
      connect();
    }
  });
}

export function stopRealtime(): void {
  running = false;
  clearTimeout(timer);
  socket?.close();
  socket = null;
  setConnected(false);
}

// Live-only events and frames: presence, typing and read receipts carry
// seq 0; they are never stored or replayed and do not move our place.
const liveListeners = new Set<EventListener>();

/** Subscribes to the live-only events (seq 0): presence, typing, seen. */
export function onLiveEvent(fn: EventListener): () => void {
  liveListeners.add(fn);
  return () => liveListeners.delete(fn);
}

/** Sends a frame on the socket; reports false when it is not open. */
export function sendFrame(frame: object): boolean {
  if (!socket || socket.readyState !== WebSocket.OPEN) return false;
  socket.send(JSON.stringify(frame));
  return true;
}

/**
 * Closes the socket as a network cut would, staying offline for at least
 * pauseMs; the client then reconnects by itself and catches up.
 */
export function dropSocket(pauseMs = 0): void {
  pausedUntil = Date.now() + pauseMs;
  socket?.close();
}
