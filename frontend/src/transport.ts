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

type WailsWindow = Window & {
  go?: { main?: { App?: Record<string, (...args: unknown[]) => Promise<unknown>> } };
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
    const fn = this.win.go?.main?.App?.[method];
    if (!fn) throw new Error(`Backend method ${method} is not available`);
    try {
      return (await fn(...args)) as T;
    } catch (e) {
      // Wails rejects with the Go error's text; callers get an Error.
      throw e instanceof Error ? e : new Error(String(e));
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
