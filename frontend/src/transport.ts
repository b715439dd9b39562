/**
 * A rejection from the backend: the reference's message, and the phone's
 * stable code for it when it has one (backend/phone ErrorCode). The screen
 * and integrations match codes, never the English words.
 */
export class BackendError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
    this.name = 'BackendError';
  }
}

/** What a transport rejected with, as an Error (a BackendError when the backend sent a code). */
export function toBackendError(e: unknown): Error {
  if (e instanceof Error) return e;
  if (e && typeof e === 'object' && 'message' in e) {
    const { message, code } = e as { message: unknown; code?: unknown };
    return new BackendError(String(message), typeof code === 'string' && code ? code : undefined);
  }
  return new BackendError(String(e));
}

/** An event from the backend's phone: the reference's event name and detail. */
export interface PhoneEvent {
  name: string;
  detail?: unknown;
}

/**
 * How the element reaches the Go backend. Inside the app this is Wails'
 * bindings; the browser-mode bridge (a later transport) offers the same.
 */
export interface Transport {
  invoke<T>(method: string, ...args: unknown[]): Promise<T>;
  subscribe(handler: (e: PhoneEvent) => void): () => void;
}

type Bound = Record<string, (...args: unknown[]) => Promise<unknown>>;
type WailsWindow = Window & {
  // App is the phone surface, Window the window's own (app.go, window.go).
  go?: { main?: { App?: Bound; Window?: Bound } };
  runtime?: { EventsOn(name: string, cb: (...data: unknown[]) => void): () => void };
};

/** The backend's event channel name, set in app.go. */
export const EVENT_CHANNEL = 'phone-event';

export class WailsTransport implements Transport {
  constructor(private readonly win: WailsWindow = window as WailsWindow) {}

  static available(win: Window = window): boolean {
    return Boolean((win as WailsWindow).go?.main?.App);
  }

  async invoke<T>(method: string, ...args: unknown[]): Promise<T> {
    const main = this.win.go?.main;
    const fn = main?.App?.[method] ?? main?.Window?.[method];
    if (!fn) throw new Error(`Backend method ${method} is not available`);
    try {
      return (await fn(...args)) as T;
    } catch (e) {
      // Wails rejects with {message, code} (main.go's ErrorFormatter).
      throw toBackendError(e);
    }
  }

  subscribe(handler: (e: PhoneEvent) => void): () => void {
    const rt = this.win.runtime;
    if (!rt) return () => {};
    return rt.EventsOn(EVENT_CHANNEL, (e) => handler(e as PhoneEvent));
  }
}

/** Used when no backend is reachable: every call rejects clearly. */
export class NoTransport implements Transport {
  async invoke<T>(method: string): Promise<T> {
    throw new Error(`VoiceDesk backend is not connected (${method})`);
  }
  subscribe(): () => void {
    return () => {};
  }
}

/** The name of the JSON-RPC notification carrying a phone event. */
export const BRIDGE_EVENT = EVENT_CHANNEL;
/** A pseudo-event the bridge transport gives after it reconnected: the element reads the state again. */
export const RECONNECTED = 'vd-transport-reconnected';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/**
 * Browser mode: the same backend through the app's WebSocket bridge
 * (backend/bridge), JSON-RPC 2.0 with the events as notifications. The page
 * is served by the bridge with ?token= in its address; the token is kept
 * for the tab's reloads and taken out of the address bar.
 */
export class BridgeTransport implements Transport {
  private ws: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly queue: string[] = [];
  private readonly handlers = new Set<(e: PhoneEvent) => void>();
  private retry = 250;
  private everOpen = false;

  constructor(private readonly url: string) {
    this.connect();
  }

  /** The bridge's address for this page, or null when the page was not served by a bridge. */
  static fromLocation(loc: Location = window.location, store: Storage | null = safeSession()): string | null {
    const params = new URLSearchParams(loc.search);
    let token = params.get('token');
    if (token) {
      store?.setItem('voicedesk-bridge-token', token);
      params.delete('token');
      const rest = params.toString();
      history.replaceState(null, '', loc.pathname + (rest ? `?${rest}` : '') + loc.hash);
    } else {
      token = store?.getItem('voicedesk-bridge-token') ?? null;
    }
    if (!token || !/^https?:$/.test(loc.protocol)) return null;
    return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/rpc?token=${encodeURIComponent(token)}`;
  }

  private connect() {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.retry = 250;
      for (const m of this.queue.splice(0)) ws.send(m);
      if (this.everOpen) this.dispatch({ name: RECONNECTED });
      this.everOpen = true;
    };
    ws.onmessage = (m) => this.onMessage(String(m.data));
    ws.onclose = () => {
      this.ws = null;
      // Requests in flight are lost with the connection: they reject
      // rather than hang.
      for (const [, p] of this.pending) p.reject(new Error('VoiceDesk backend connection lost'));
      this.pending.clear();
      setTimeout(() => this.connect(), this.retry);
      this.retry = Math.min(this.retry * 2, 5000);
    };
  }

  private onMessage(text: string) {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    for (const m of Array.isArray(msg) ? msg : [msg]) {
      const r = m as { id?: number; result?: unknown; error?: { message: string; data?: { code?: string } }; method?: string; params?: PhoneEvent };
      if (r.method === BRIDGE_EVENT && r.params) {
        this.dispatch(r.params);
        continue;
      }
      if (typeof r.id !== 'number') continue;
      const p = this.pending.get(r.id);
      if (!p) continue;
      this.pending.delete(r.id);
      if (r.error) p.reject(new BackendError(r.error.message, r.error.data?.code));
      else p.resolve(r.result ?? undefined);
    }
  }

  private dispatch(e: PhoneEvent) {
    for (const h of this.handlers) h(e);
  }

  invoke<T>(method: string, ...args: unknown[]): Promise<T> {
    const id = this.nextId++;
    // The bridge serves the reference's spelling (call, answerCall, state):
    // the Go method's name with its first letter in lower case.
    const name = method.charAt(0).toLowerCase() + method.slice(1);
    const msg = JSON.stringify({ jsonrpc: '2.0', id, method: name, params: args.map((a) => (a === undefined ? null : a)) });
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(msg);
      else this.queue.push(msg);
    });
  }

  subscribe(handler: (e: PhoneEvent) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }
}

function safeSession(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/** The transport for this page: the app's bindings, else the bridge that served it, else none. */
export function defaultTransport(): Transport {
  if (WailsTransport.available()) return new WailsTransport();
  const url = BridgeTransport.fromLocation();
  return url ? new BridgeTransport(url) : new NoTransport();
}
