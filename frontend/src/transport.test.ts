import { describe, expect, it } from 'vitest';
import { BridgeTransport, WailsTransport } from './transport';

const store = () => {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) } as unknown as Storage;
};
const loc = (href: string) => new URL(href) as unknown as Location;

describe('BridgeTransport.fromLocation', () => {
  it('takes the token from the address, keeps it for reloads and takes it out of the address bar', () => {
    const s = store();
    history.replaceState(null, '', '/?token=abc%2B1&lang=fi');
    expect(BridgeTransport.fromLocation(loc('http://127.0.0.1:7788/?token=abc%2B1&lang=fi'), s)).toBe('ws://127.0.0.1:7788/rpc?token=abc%2B1');
    expect(location.search).toBe('?lang=fi');
    expect(BridgeTransport.fromLocation(loc('http://127.0.0.1:7788/'), s)).toBe('ws://127.0.0.1:7788/rpc?token=abc%2B1');
  });

  it('is off for a page not served by a bridge', () => {
    expect(BridgeTransport.fromLocation(loc('http://127.0.0.1:7788/'), store())).toBeNull();
    expect(BridgeTransport.fromLocation(loc('file:///index.html?token=x'), store())).toBeNull();
  });
});

describe('WailsTransport', () => {
  // Wails binds two Go values: App (the phone surface) and Window (the
  // window's settings); the element calls both by name.
  const win = {
    go: { main: { App: { Call: async (n: unknown) => `call ${n}` }, Window: { AudioSettings: async () => ({ mic: 'm' }) } } },
  } as unknown as Window;

  it('calls the phone surface and the window surface', async () => {
    const t = new WailsTransport(win as never);
    expect(await t.invoke('Call', '+358')).toBe('call +358');
    expect(await t.invoke('AudioSettings')).toEqual({ mic: 'm' });
  });

  it('rejects a method on neither', async () => {
    const t = new WailsTransport(win as never);
    await expect(t.invoke('Nope')).rejects.toThrow('Backend method Nope is not available');
  });
});
