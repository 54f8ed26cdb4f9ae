// The visitor's connection to Sahay: the session call, JSON requests with
// the visitor token, and a WebSocket that reconnects with backoff and
// resumes after the last event it saw.

export interface Msg {
  id: number;
  conv: number;
  out: boolean;
  text: string;
  at: string;
  status?: string;
  sender?: string;
  files?: { name: string; type: string; size: number; url: string }[];
  // Local only: a message on its way.
  cid?: string;
  pending?: boolean;
  failed?: boolean;
}

export interface Conv {
  id: number;
  number: number;
  status: string;
  last_message: string;
  last_activity_at: string;
  seen_upto: number;
  rating: number;
}

export type Frame = Record<string, any>;

export class ApiError extends Error {
  constructor(public code: string, message: string, public status: number) {
    super(message);
  }
}

export class Conn {
  token = "";
  seq = 0;
  private ws: WebSocket | null = null;
  private retry = 0;
  private timer = 0;
  private pinger = 0;
  private stopped = false;
  online = false;

  constructor(
    public base: string,
    private onFrame: (f: Frame) => void,
    private onState: (online: boolean) => void,
  ) {}

  async req<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers.Authorization = "Bearer " + this.token;
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    const r = await fetch(this.base + path, { method, headers, body: payload, credentials: "omit" });
    const data = r.status === 204 ? {} : await r.json().catch(() => ({}));
    if (!r.ok) {
      const e = (data as any).error || {};
      throw new ApiError(e.code || "internal", e.message || r.statusText, r.status);
    }
    return data as T;
  }

  connect(): void {
    this.stopped = false;
    clearTimeout(this.timer);
    if (this.ws) return;
    const url = this.base.replace(/^http/, "ws") + "/widget/v1/ws?token=" + encodeURIComponent(this.token) + "&after=" + this.seq;
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      this.retry = 0;
      clearInterval(this.pinger);
      this.pinger = window.setInterval(() => this.send({ t: "ping" }), 25000);
    };
    ws.onmessage = (ev) => {
      let f: Frame;
      try {
        f = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (f.seq) this.seq = Math.max(this.seq, f.seq);
      if (f.t === "ready") {
        this.seq = Math.max(this.seq, f.seq);
        this.setOnline(true);
      }
      this.onFrame(f);
    };
    ws.onclose = () => {
      clearInterval(this.pinger);
      this.ws = null;
      this.setOnline(false);
      if (this.stopped) return;
      // Back off 1, 2, 4 … 30 seconds, with jitter so a restarted server is
      // not hit by every visitor at once.
      const wait = Math.min(30000, 1000 * 2 ** this.retry++) * (0.5 + Math.random() / 2);
      this.timer = window.setTimeout(() => this.connect(), wait);
    };
  }

  private setOnline(v: boolean): void {
    if (this.online !== v) {
      this.online = v;
      this.onState(v);
    }
  }

  /** Sends a frame if the socket is open and reports whether it did. */
  send(f: Frame): boolean {
    if (this.ws && this.ws.readyState === 1 && this.online) {
      this.ws.send(JSON.stringify(f));
      return true;
    }
    return false;
  }

  reconnect(): void {
    this.stop();
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.pinger);
    if (this.ws) {
      this.ws.onclose = null;
      this.ws.close();
      this.ws = null;
    }
    this.setOnline(false);
  }
}
