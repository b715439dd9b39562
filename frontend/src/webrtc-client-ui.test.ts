import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BackendError, type PhoneEvent, type Transport } from './transport';
import { i18n } from './i18n';
import './webrtc-client-ui';
import type { WebrtcClientUi } from './webrtc-client-ui';
import type { LitElement } from 'lit';

/**
 * A unit-test stand-in for the Go backend: records calls and answers the
 * way backend/phone does. The real backend is exercised by the Go tests and
 * the app smoke test.
 */
class FakeBackend implements Transport {
  calls: Array<{ method: string; args: unknown[] }> = [];
  handler: ((e: PhoneEvent) => void) | null = null;
  state = { loggedIn: false, language: 'en', discoveryUrl: 'x', user: undefined as unknown, kiosk: false };
  desktop = { available: true, keepRunning: true, startMinimized: false, tray: true, kiosk: false, autostart: false };
  /** The backend's rejection of Login: its message and the phone's code (backend/phone ErrorCode). */
  loginError: { message: string; code?: string } | null = null;
  handlingByUser = false;
  roles: Array<{ Name: string; QueueId?: string; Numbers: Array<{ Default: boolean; DisplayNumber: string; DisplayName: string }> }> | null = null;
  integration = { available: true, enabled: false, port: 7788, origins: [] as string[], fixed: false, tokenFixed: false, rpc: '', token: '' };
  integrationOnBridge = false;
  links = { handlers: { tel: 'firefox.desktop', callto: '', sip: '', sips: '' } as Record<string, string>, ours: false } as {
    handlers: Record<string, string>;
    ours: boolean;
    self?: string;
    confirmInSettings?: boolean;
  };
  /** Windows: Register takes the free schemes; one held by the user's choice stays theirs until confirmed in Settings. */
  windowsHeld = '';
  linksError: string | null = null;
  autoAnswer = { mode: 'off', delaySeconds: 0, locked: false };
  headset: { name?: string; state: string; reason?: string } = { state: 'none' };
  audio = { mic: '', speaker: 'usb', ringer: '', echoCancel: true, noiseSuppression: true, autoGain: false, handling: 'default', alerts: true };

  /** The directory SearchColleagues answers from (backend/phone's Colleague), and the favourites' ids. */
  people: Array<Record<string, unknown> & { id: string; name: string }> = [
    { kind: 'user', id: 'u-bob', name: 'Bob Agent', number: '+358401000002', presence: 'available', statusId: 1 },
    { kind: 'queue', id: 'q-sales', name: 'Sales', number: '+358201000100', presence: 'available', members: 2, membersAvailable: 1 },
    { kind: 'user', id: 'u-sara', name: 'Sara Supervisor', number: '+358401000003', presence: 'unavailable', statusId: 6, note: 'lunch' },
    { kind: 'user', id: 'p-aino', name: 'Aino Virtanen', number: '+358403000000', presence: 'unknown' },
    { kind: 'user', id: 'p-eero', name: 'Eero Korhonen', number: '+358403000001', presence: 'on-call', statusId: 1 },
  ];
  favourites: string[] = [];

  async invoke<T>(method: string, ...args: unknown[]): Promise<T> {
    this.calls.push({ method, args });
    switch (method) {
      case 'SearchColleagues': {
        const q = String(args[0]).toLowerCase();
        const found = this.people.filter((p) => p.name.toLowerCase().includes(q)).map((p) => ({ ...p, favourite: this.favourites.includes(p.id) }));
        return { favourites: found.filter((p) => p.favourite), results: found.slice(0, 4), total: found.length } as T;
      }
      case 'SetFavourite': {
        const [id, on] = args as [string, boolean];
        this.favourites = this.favourites.filter((f) => f !== id);
        if (on) this.favourites.push(id);
        return undefined as T;
      }
      case 'State':
        return this.state as T;
      case 'Login':
        if (this.loginError) throw new BackendError(this.loginError.message, this.loginError.code);
        this.state.loggedIn = true;
        this.state.user = { userId: '1', username: 'a@x', displayName: '<img src=x onerror=alert(1)>', number: '+358401', siloName: 'S' };
        queueMicrotask(() => this.handler?.({ name: 'logged-in' }));
        return true as T;
      case 'SetPhoneLanguage': {
        const lang = String(args[0]);
        if (!['en', 'es', 'fi', 'sv', 'nl'].includes(lang)) throw new Error('Unsupported language');
        this.state.language = lang;
        return undefined as T;
      }
      case 'SetAudioHandling':
        if (this.handlingByUser) throw new Error('Audio handling cannot be changed because the user has selected the audio handling mode in the phone UI');
        this.audio.handling = String(args[0]);
        return true as T;
      case 'GetUserRoles':
        if (!this.roles) throw new Error('User roles require the V2 outbound UI mode to be enabled for the user');
        return this.roles as T;
      case 'GetUserRole':
        if (!this.roles) throw new Error('User roles require the V2 outbound UI mode to be enabled for the user');
        return { ...this.roles[0], SelectedNumber: this.roles[0].Numbers[0] } as T;
      case 'AudioSettings':
        return { ...this.audio } as T;
      case 'About':
        return { version: '1.2.3', commit: '0123456789ab', go: 'go1.26.0' } as T;
      case 'DesktopSettings':
        return { ...this.desktop } as T;
      case 'SetDesktopSettings':
        Object.assign(this.desktop, args[0]);
        return undefined as T;
      case 'HeadsetStatus':
        return { ...this.headset } as T;
      case 'AutoAnswerSettings':
        return { ...this.autoAnswer } as T;
      case 'SetAutoAnswerSettings': {
        if (this.autoAnswer.locked) throw new Error("auto-answer is set by the administrator's policy and cannot be changed here");
        const a = args[0] as { mode: string; delaySeconds: number };
        Object.assign(this.autoAnswer, { mode: a.mode, delaySeconds: a.delaySeconds });
        return undefined as T;
      }
      case 'LinkHandler':
        if (this.linksError) throw new Error(this.linksError);
        return { ...this.links } as T;
      case 'RegisterLinkHandler':
        if (this.windowsHeld) {
          for (const k of Object.keys(this.links.handlers)) this.links.handlers[k] = k === 'sip' ? this.windowsHeld : 'VoiceDesk.Link';
          Object.assign(this.links, { ours: false, self: 'VoiceDesk.Link', confirmInSettings: true });
          return { ...this.links } as T;
        }
        for (const k of Object.keys(this.links.handlers)) this.links.handlers[k] = 'voicedesk.desktop';
        this.links.ours = true;
        return { ...this.links } as T;
      case 'IntegrationSettings':
        if (this.integrationOnBridge) throw new Error('method not found: IntegrationSettings');
        return { ...this.integration } as T;
      case 'SetIntegrationSettings': {
        const v = args[0] as typeof this.integration;
        if (v.port < 1024 || v.port > 65535) throw new Error(`port ${v.port}: choose one from 1024 to 65535`);
        Object.assign(this.integration, { enabled: v.enabled, port: v.port, origins: v.origins.map((o) => o.trim()).filter((o) => o) });
        this.integration.rpc = v.enabled ? `ws://127.0.0.1:${v.port}/rpc` : '';
        this.integration.token = v.enabled ? 'a'.repeat(48) : '';
        return { ...this.integration } as T;
      }
      case 'RenewIntegrationToken':
        this.integration.token = 'b'.repeat(48);
        return { ...this.integration } as T;
      case 'AudioDevices':
        return { inputs: [{ id: 'mic1', name: 'Mic', default: true }], outputs: [{ id: 'spk', name: 'Speakers', default: true }] } as T;
      default:
        return true as T;
    }
  }
  subscribe(h: (e: PhoneEvent) => void) {
    this.handler = h;
    return () => (this.handler = null);
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0));

async function mount(backend: FakeBackend, attrs: Record<string, string> = {}) {
  const el = document.createElement('webrtc-client-ui') as WebrtcClientUi;
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.transport = backend;
  const events: string[] = [];
  for (const name of ['init', 'logged-in']) el.addEventListener(name, () => events.push(name));
  document.body.append(el);
  await tick();
  await el.updateComplete;
  return { el, events };
}

function loginView(el: WebrtcClientUi) {
  return el.shadowRoot!.querySelector('vd-login-view')!;
}

/** Signs in and opens the settings screen from the main screen's Settings button. */
async function signInToSettings(el: WebrtcClientUi) {
  await fill(el, 'a@x', 'pw');
  await tick();
  await el.updateComplete;
  await openSettings(el);
}

async function openSettings(el: WebrtcClientUi) {
  el.screen = 'main';
  await el.updateComplete;
  const home = el.shadowRoot!.querySelector('vd-home-view')!;
  await (home as unknown as { updateComplete: Promise<void> }).updateComplete;
  [...home.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent === 'Settings')!.click();
  await tick();
  await el.updateComplete;
}

async function fill(el: WebrtcClientUi, username: string, password: string) {
  const view = loginView(el);
  await (view as unknown as { updateComplete: Promise<void> }).updateComplete;
  const root = view.shadowRoot!;
  const u = root.querySelector<HTMLInputElement>('#username')!;
  const p = root.querySelector<HTMLInputElement>('#password')!;
  u.value = username;
  u.dispatchEvent(new Event('input'));
  p.value = password;
  p.dispatchEvent(new Event('input'));
  root.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
  await tick();
  await tick();
  await el.updateComplete;
  await (loginView(el) as unknown as { updateComplete?: Promise<void> })?.updateComplete;
}

describe('<webrtc-client-ui>', () => {
  let backend: FakeBackend;
  beforeEach(async () => {
    backend = new FakeBackend();
    await i18n.changeLanguage('en');
  });
  afterEach(() => document.body.replaceChildren());

  it('emits init after reading the backend state, and applies discovery-url', async () => {
    const { events } = await mount(backend, { 'discovery-url': 'http://127.0.0.1:9/api/user/' });
    expect(events).toContain('init');
    expect(backend.calls[0]).toEqual({ method: 'SetDiscoveryUrl', args: ['http://127.0.0.1:9/api/user/'] });
    expect(backend.calls.some((c) => c.method === 'State')).toBe(true);
  });

  it('does not call the backend when the username is empty', async () => {
    const { el } = await mount(backend);
    await fill(el, '', 'pw');
    expect(backend.calls.some((c) => c.method === 'Login')).toBe(false);
    expect(loginView(el).shadowRoot!.querySelector('[role=alert]')!.textContent).toBe('Enter your username.');
  });

  it('logs in with Credentials from the form and shows who is signed in, as text', async () => {
    const { el, events } = await mount(backend);
    await fill(el, ' a@x ', 'pw');
    expect(backend.calls.find((c) => c.method === 'Login')!.args[0]).toEqual({ type: 'Credentials', username: 'a@x', password: 'pw', rememberMe: false });
    await tick();
    await el.updateComplete;
    expect(events).toContain('logged-in');
    const home = el.shadowRoot!.querySelector('vd-home-view')!;
    await (home as unknown as { updateComplete: Promise<void> }).updateComplete;
    const h2 = home.shadowRoot!.querySelector('h2')!;
    // A hostile display name is shown as text and creates no element.
    expect(h2.textContent).toBe('Signed in as <img src=x onerror=alert(1)>');
    expect(home.shadowRoot!.querySelector('img')).toBeNull();
  });

  it('shows a translated message when the backend rejects the password', async () => {
    backend.loginError = { message: 'Login failed: username or password is incorrect', code: 'login-bad-credentials' };
    const { el } = await mount(backend);
    await el.setPhoneLanguage('sv');
    await fill(el, 'a@x', 'bad');
    expect(loginView(el).shadowRoot!.querySelector('[role=alert]')!.textContent).toBe('Användarnamnet eller lösenordet är fel.');
  });

  it('translates a login error by its code, whatever its English words', async () => {
    backend.loginError = { message: 'Some other wording of a wrong password', code: 'login-bad-credentials' };
    const { el } = await mount(backend);
    await fill(el, 'a@x', 'bad');
    expect(loginView(el).shadowRoot!.querySelector('[role=alert]')!.textContent).toBe('The username or password is incorrect.');
  });

  it('login() rejects with the backend error and its code for programmatic callers', async () => {
    backend.loginError = { message: 'User is already logged in', code: 'already-logged-in' };
    const { el } = await mount(backend);
    await expect(el.login({ type: 'Credentials', username: 'a', password: 'b' })).rejects.toThrow('User is already logged in');
    await expect(el.login({ type: 'Credentials', username: 'a', password: 'b' })).rejects.toMatchObject({ code: 'already-logged-in' });
  });

  it('switches language from the picker and re-renders', async () => {
    const { el } = await mount(backend);
    const select = loginView(el).shadowRoot!.querySelector<HTMLSelectElement>('#language')!;
    select.value = 'fi';
    select.dispatchEvent(new Event('change'));
    await tick();
    await el.updateComplete;
    await (loginView(el) as unknown as { updateComplete: Promise<void> }).updateComplete;
    expect(backend.calls.find((c) => c.method === 'SetPhoneLanguage')!.args).toEqual(['fi']);
    expect(loginView(el).shadowRoot!.querySelector('h2')!.textContent).toBe('Kirjaudu sisään');
  });

  it('rejects an unsupported language and keeps the current one', async () => {
    const { el } = await mount(backend);
    await expect(el.setPhoneLanguage('de')).rejects.toThrow('Unsupported language');
    expect(el.store.language).toBe('en');
  });

  it('re-emits backend call events with the reference detail (Dates)', async () => {
    const { el } = await mount(backend);
    const got: CustomEvent[] = [];
    el.addEventListener('call-ended', (e) => got.push(e as CustomEvent));
    backend.handler!({ name: 'call-ended', detail: { callId: 'abc', callDirection: 'outbound', phoneNumber: '+358', startTime: '2026-11-24T10:00:00Z', isConsulted: false, endTime: '2026-11-24T10:01:00Z', endReason: 'busy' } });
    expect(got).toHaveLength(1);
    expect(got[0].detail.callId).toBe('abc');
    expect(got[0].detail.startTime).toBeInstanceOf(Date);
    expect((got[0].detail.endTime as Date).toISOString()).toBe('2026-11-24T10:01:00.000Z');
    expect(got[0].bubbles && got[0].composed).toBe(true);
  });

  it('shows the calls in progress again after a reload or a reconnect (from the backend state)', async () => {
    // Signed in with a held call and one ringing: what a window reloaded
    // mid-call, or a browser-mode page whose bridge reconnected, finds.
    Object.assign(backend.state, {
      loggedIn: true,
      user: { userId: '1', username: 'a@x', displayName: 'A', number: '+358401', siloName: 'S' },
      calls: [
        { detail: { callId: 'c1', callDirection: 'outbound', phoneNumber: '+358111', startTime: '2026-11-24T10:00:00Z', isConsulted: false },
          state: 'connected', held: true, connectedAt: '2026-11-24T10:00:05Z' },
        { detail: { callId: 'c2', callDirection: 'incoming', phoneNumber: '+358222', startTime: '2026-11-24T10:01:00Z', isConsulted: false },
          state: 'incoming' },
      ],
    });
    const { el } = await mount(backend);
    const calls = el.store.calls;
    expect(calls.map((c) => [c.detail.callId, c.state, c.held])).toEqual([['c1', 'connected', true], ['c2', 'incoming', false]]);
    expect(calls[0].detail.startTime).toBeInstanceOf(Date);
    expect(calls[0].connectedAt).toBe(Date.parse('2026-11-24T10:00:05Z'));
    // And the calls' own events go on from there: the ringing one answered.
    backend.handler!({ name: 'call-confirmed', detail: { callId: 'c2', callDirection: 'incoming', phoneNumber: '+358222', startTime: '2026-11-24T10:01:00Z', isConsulted: false } });
    const after = el.store.calls;
    expect(after.find((c) => c.detail.callId === 'c2')?.state).toBe('connected');
    expect(after).toHaveLength(2);
    // The availability is read too: no event tells it until it changes.
    expect(backend.calls.some((c) => c.method === 'GetUserStatus')).toBe(true);
  });

  it('carries call methods to the backend by name', async () => {
    const { el } = await mount(backend);
    await el.call('+358401000090');
    await el.answerCall('id1');
    await el.rejectCall('id2');
    await el.endCall('id3');
    const sent = backend.calls.filter((c) => ['Call', 'AnswerCall', 'RejectCall', 'EndCall'].includes(c.method));
    expect(sent).toEqual([
      { method: 'Call', args: ['+358401000090', null] },
      { method: 'AnswerCall', args: ['id1'] },
      { method: 'RejectCall', args: ['id2'] },
      { method: 'EndCall', args: ['id3'] },
    ]);
  });

  it("setAuthType('JWT') replaces the form with a welcome screen; a bad type throws", async () => {
    const { el } = await mount(backend);
    el.setAuthType('JWT');
    await el.updateComplete;
    await (loginView(el) as unknown as { updateComplete: Promise<void> }).updateComplete;
    expect(loginView(el).shadowRoot!.querySelector('form')).toBeNull();
    expect(loginView(el).shadowRoot!.querySelector('.welcome')).not.toBeNull();
    expect(() => el.setAuthType('nope' as never)).toThrow("Use 'loginForm' or 'JWT'");
    // Kept by the backend, so an integration sees it, and set there by one too.
    expect(backend.calls.find((c) => c.method === 'SetAuthType')?.args).toEqual(['JWT']);
    backend.handler!({ name: 'auth-type-changed', detail: 'loginForm' });
    await el.updateComplete;
    await (loginView(el) as unknown as { updateComplete: Promise<void> }).updateComplete;
    expect(loginView(el).shadowRoot!.querySelector('form')).not.toBeNull();
  });

  it('setAudioHandling resolves true, and rejects once the user has chosen in the UI', async () => {
    const { el } = await mount(backend);
    await expect(el.setAudioHandling('legacy')).resolves.toBe(true);
    expect(backend.calls.find((c) => c.method === 'SetAudioHandling')!.args).toEqual(['legacy']);
    backend.handlingByUser = true;
    await expect(el.setAudioHandling('default')).rejects.toThrow('user has selected the audio handling mode');
  });

  it('setPhoneAlerts carries a boolean and throws on anything else', async () => {
    const { el } = await mount(backend);
    el.setPhoneAlerts(false);
    await tick();
    expect(backend.calls.find((c) => c.method === 'SetPhoneAlerts')!.args).toEqual([false]);
    expect(() => el.setPhoneAlerts('no' as never)).toThrow('boolean');
  });

  it('shows the sound settings when signed in, and an unplugged device as not connected', async () => {
    const { el } = await mount(backend);
    await signInToSettings(el);
    const view = el.shadowRoot!.querySelector('vd-audio-settings')!;
    await (view as unknown as { updateComplete: Promise<void> }).updateComplete;
    const speaker = view.shadowRoot!.querySelector<HTMLSelectElement>('#sel-speaker')!;
    expect([...speaker.options].map((o) => o.textContent)).toEqual(['System default', 'Speakers', 'usb (not connected)']);
    const ringer = view.shadowRoot!.querySelector<HTMLSelectElement>('#sel-ringer')!;
    ringer.value = 'spk';
    ringer.dispatchEvent(new Event('change'));
    await tick();
    const set = backend.calls.find((c) => c.method === 'SetAudioSettings')!;
    expect((set.args[0] as { ringer: string }).ringer).toBe('spk');
    // Automatic gain: off until the user turns it on, and sent up with the rest.
    const gain = view.shadowRoot!.querySelector<HTMLInputElement>('#auto-gain')!;
    expect(gain.checked).toBe(false);
    expect(gain.parentElement!.textContent).toContain('Automatic gain');
    gain.checked = true;
    gain.dispatchEvent(new Event('change'));
    await tick();
    expect(backend.calls.filter((c) => c.method === 'SetAudioSettings').pop()!.args[0]).toMatchObject({ autoGain: true, echoCancel: true, noiseSuppression: true });
  });

  it('keeps the desktop choices (tray, start minimized) from the settings screen', async () => {
    const { el } = await mount(backend);
    await signInToSettings(el);
    const keep = el.shadowRoot!.querySelector<HTMLInputElement>('#keep-running')!;
    expect(keep.checked).toBe(true);
    expect(el.shadowRoot!.querySelector('.desktop')!.textContent).not.toContain('No system tray');
    keep.checked = false;
    keep.dispatchEvent(new Event('change'));
    await tick();
    expect(backend.calls.find((c) => c.method === 'SetDesktopSettings')!.args[0]).toMatchObject({ keepRunning: false, startMinimized: false });
    // Start at login: the choice goes to the backend, which writes the entry.
    const auto = el.shadowRoot!.querySelector<HTMLInputElement>('#autostart')!;
    expect(auto.checked).toBe(false);
    auto.checked = true;
    auto.dispatchEvent(new Event('change'));
    await tick();
    expect(backend.calls.filter((c) => c.method === 'SetDesktopSettings').pop()!.args[0]).toMatchObject({ autostart: true });
    expect(backend.desktop.autostart).toBe(true);
    // Without a tray the user is told what closing the window does.
    backend.desktop.tray = false;
    await openSettings(el);
    expect(el.shadowRoot!.querySelector('.desktop')!.textContent).toContain('No system tray is shown: closing the window quits VoiceDesk.');
  });

  it('makes VoiceDesk the app for phone links from the settings, and says why when it cannot', async () => {
    const { el } = await mount(backend);
    await signInToSettings(el);
    const desktop = () => el.shadowRoot!.querySelector('.desktop')!;
    expect(desktop().textContent).toContain('Phone links (tel:, callto:, sip:)');
    expect(desktop().textContent).toContain('Now opened by firefox.');
    el.shadowRoot!.querySelector<HTMLButtonElement>('#links-register')!.click();
    await tick();
    await el.updateComplete;
    expect(backend.calls.some((c) => c.method === 'RegisterLinkHandler')).toBe(true);
    expect(el.shadowRoot!.querySelector('#links-ours')!.textContent).toContain('VoiceDesk opens them.');
    expect(el.shadowRoot!.querySelector('#links-register')).toBeNull();
    // Without the desktop's tools the reason is shown, not an empty line.
    backend.linksError = 'the desktop\'s default apps cannot be read or set here: xdg-mime (xdg-utils) is not installed';
    await openSettings(el);
    await tick();
    await el.updateComplete;
    expect(desktop().querySelector('[role=alert]')!.textContent).toContain('xdg-mime (xdg-utils) is not installed');
  });

  it('on Windows, asks the user to confirm in Default apps where another app holds a scheme', async () => {
    backend.windowsHeld = 'TeamsURL';
    backend.links = { handlers: { tel: '', callto: '', sip: 'TeamsURL', sips: '' }, ours: false, self: 'VoiceDesk.Link' };
    const { el } = await mount(backend);
    await signInToSettings(el);
    const desktop = () => el.shadowRoot!.querySelector('.desktop')!;
    expect(desktop().textContent).toContain('Now opened by TeamsURL.');
    expect(desktop().querySelector('#links-confirm')).toBeNull();
    el.shadowRoot!.querySelector<HTMLButtonElement>('#links-register')!.click();
    await tick();
    await el.updateComplete;
    expect(desktop().querySelector('#links-confirm')!.textContent).toContain('pick VoiceDesk for these links in the Default apps page');
    // Its own ProgID is not named as "another app".
    expect(desktop().textContent).not.toContain('Now opened by VoiceDesk.Link');
  });

  it('turns the integration API on from the settings, shows its address and token, refuses a bad port, renews the token', async () => {
    const copied: string[] = [];
    (window as unknown as { runtime: unknown }).runtime = { ClipboardSetText: async (s: string) => (copied.push(s), true) };
    const { el } = await mount(backend);
    await signInToSettings(el);
    const section = () => el.shadowRoot!.querySelector('.integration')!;
    const $ = <E extends Element>(sel: string) => el.shadowRoot!.querySelector<E>(sel)!;
    expect(section().textContent).toContain('Integration API');
    expect($('#integration-rpc')).toBeNull(); // off: nothing to connect to
    const on = $<HTMLInputElement>('#integration-on');
    on.checked = true;
    on.dispatchEvent(new Event('change'));
    await tick();
    await el.updateComplete;
    expect(backend.calls.find((c) => c.method === 'SetIntegrationSettings')!.args[0]).toMatchObject({ enabled: true, port: 7788 });
    expect($('#integration-rpc').textContent).toBe('ws://127.0.0.1:7788/rpc');
    // The token is masked until asked for; Copy copies it whole.
    expect($('#integration-token').textContent).not.toContain('a'.repeat(48));
    $<HTMLButtonElement>('#integration-show').click();
    await el.updateComplete;
    expect($('#integration-token').textContent).toBe('a'.repeat(48));
    $<HTMLButtonElement>('#integration-copy-token').click();
    await tick();
    await el.updateComplete;
    expect(copied).toEqual(['a'.repeat(48)]);
    expect(section().textContent).toContain('Copied.');
    // The web pages allowed, one per line.
    const origins = $<HTMLTextAreaElement>('#integration-origins');
    origins.value = 'https://crm.example.com\n\n';
    origins.dispatchEvent(new Event('change'));
    await tick();
    expect(backend.integration.origins).toEqual(['https://crm.example.com']);
    // A bad port is refused with the backend's words; the port in force is shown again.
    const port = $<HTMLInputElement>('#integration-port');
    port.value = '80';
    port.dispatchEvent(new Event('change'));
    await tick();
    await tick();
    await el.updateComplete;
    expect(section().textContent).toContain('port 80: choose one from 1024 to 65535');
    expect($<HTMLInputElement>('#integration-port').value).toBe('7788');
    $<HTMLButtonElement>('#integration-renew').click();
    await tick();
    await el.updateComplete;
    expect($('#integration-token').textContent).toBe('b'.repeat(48));
    expect(section().textContent).toContain('New token made');
    delete (window as unknown as { runtime?: unknown }).runtime;
  });

  it('has no integration section where the backend keeps it from the page (a browser on the bridge)', async () => {
    backend.integrationOnBridge = true;
    const { el } = await mount(backend);
    await signInToSettings(el);
    expect(el.shadowRoot!.querySelector('.desktop')).not.toBeNull();
    expect(el.shadowRoot!.querySelector('.integration')).toBeNull();
  });

  it('a kiosk station has no settings, no sign-out and no "remember me"', async () => {
    backend.state.kiosk = true;
    const { el } = await mount(backend);
    const login = loginView(el);
    await (login as unknown as { updateComplete: Promise<void> }).updateComplete;
    expect(login.shadowRoot!.querySelector('#remember')).toBeNull();
    expect(login.shadowRoot!.textContent).toContain('This station signs in by itself from now on.');
    await fill(el, 'a@x', 'pw');
    await tick();
    await el.updateComplete;
    const home = el.shadowRoot!.querySelector('vd-home-view')!;
    await (home as unknown as { updateComplete: Promise<void> }).updateComplete;
    const buttons = [...home.shadowRoot!.querySelectorAll('button')].map((b) => b.textContent);
    expect(buttons).not.toContain('Settings');
    expect(buttons).not.toContain('Sign out');
    // Nor can a script reach the settings screen.
    el.screen = 'settings';
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('#settings-h')).toBeNull();
  });

  it('shows the registration while it is away, and why the user is back at the login screen', async () => {
    const { el } = await mount(backend);
    await fill(el, 'a@x', 'pw');
    await tick();
    await el.updateComplete;
    const home = el.shadowRoot!.querySelector('vd-home-view')!;
    const banner = () => home.shadowRoot!.querySelector('.banner')?.textContent ?? null;
    backend.handler!({ name: 'phone-error', detail: 'connection-lost' });
    await el.updateComplete;
    await (home as unknown as { updateComplete: Promise<void> }).updateComplete;
    expect(banner()).toBe('Connection lost: reconnecting…');
    backend.handler!({ name: 'phone-error', detail: 'connection-restored' });
    await el.updateComplete;
    await (home as unknown as { updateComplete: Promise<void> }).updateComplete;
    expect(banner()).toBeNull();
    // Given up on, with nothing remembered: signed out, and told why.
    backend.state.loggedIn = false;
    backend.handler!({ name: 'phone-error', detail: 'connection-failed' });
    backend.handler!({ name: 'logged-out' });
    backend.handler!({ name: 'phone-error', detail: 'sign-in-again' });
    await tick();
    await el.updateComplete;
    const login = loginView(el) as unknown as { error: string };
    expect(login.error).toBe('The connection to the phone service was lost. Sign in again.');
  });

  it('sends init before a logged-in that a silent sign-in sent while the element started', async () => {
    const orig = backend.invoke.bind(backend);
    let once = true;
    backend.invoke = (async (method: string, ...args: unknown[]) => {
      if (method === 'State' && once) {
        once = false;
        backend.handler?.({ name: 'logged-in' }); // the keyring's sign-in, racing the start
      }
      return orig(method, ...args);
    }) as typeof backend.invoke;
    const { events } = await mount(backend);
    expect(events).toEqual(['init', 'logged-in']);
  });

  it('carries an attribute changed after the element started to the backend', async () => {
    const { el } = await mount(backend, { 'client-id': 'crm' });
    expect(backend.calls.filter((c) => c.method === 'SetClientId').map((c) => c.args[0])).toEqual(['crm']);
    el.setAttribute('client-id', 'other');
    el.setAttribute('disable-pnps-query', '');
    el.setAttribute('discovery-url', 'https://discovery.example.com/');
    await el.updateComplete;
    await tick();
    expect(backend.calls.filter((c) => c.method === 'SetClientId').map((c) => c.args[0])).toEqual(['crm', 'other']);
    expect(backend.calls.find((c) => c.method === 'DisablePNPSQuery')?.args).toEqual([true]);
    expect(backend.calls.find((c) => c.method === 'SetDiscoveryUrl')?.args).toEqual(['https://discovery.example.com/']);
    // A method that set the value itself is not sent twice.
    await el.setClientId('third');
    await el.updateComplete;
    await tick();
    expect(backend.calls.filter((c) => c.method === 'SetClientId').map((c) => c.args[0])).toEqual(['crm', 'other', 'third']);
  });

  it('tells the user when the sound device goes and re-emits the phone-error', async () => {
    const { el } = await mount(backend);
    const got: unknown[] = [];
    el.addEventListener('phone-error', (e) => got.push((e as CustomEvent).detail));
    backend.handler!({ name: 'phone-error', detail: 'audio-device-lost' });
    await el.updateComplete;
    expect(got).toEqual(['audio-device-lost']);
    expect(el.store.notice).toBe('The chosen sound device was disconnected; using the default device.');
  });

  it('tells the user when "remember me" could not keep the login, and re-emits the phone-error', async () => {
    const { el } = await mount(backend);
    const got: unknown[] = [];
    el.addEventListener('phone-error', (e) => got.push((e as CustomEvent).detail));
    backend.handler!({ name: 'phone-error', detail: 'not-remembered' });
    await el.updateComplete;
    expect(got).toEqual(['not-remembered']);
    expect(el.store.notice).toBe('Signed in, but the login could not be kept for the next start (the system keyring is locked or missing).');
  });

  it('carries the AuthHeader methods and makeAPICall to the backend', async () => {
    const { el } = await mount(backend);
    // The reference's argument order; an absent isInIFrame is the backend's
    // to default (true for this method, as the reference says).
    await el.loginUsingAuthHeader({ value: 'Bearer t', expiresIn: 3600 }, 'uid', 'a@x');
    expect(backend.calls.find((c) => c.method === 'LoginUsingAuthHeader')!.args).toEqual([{ value: 'Bearer t', expiresIn: 3600 }, 'uid', 'a@x', null, '']);
    el.setAuthHeader({ value: 'Bearer u', expiresIn: 120 });
    expect(backend.calls.find((c) => c.method === 'SetAuthHeader')!.args).toEqual([{ value: 'Bearer u', expiresIn: 120 }]);
    expect(() => el.setAuthHeader({ value: 'x' } as never)).toThrow('setAuthHeader takes');
    await el.makeAPICall('GET', 'users/[me]');
    expect(backend.calls.find((c) => c.method === 'MakeAPICall')!.args).toEqual(['GET', 'users/[me]', null]);
  });

  it('carries the role methods, with absent arguments as empty strings', async () => {
    backend.roles = [{ Name: 'personal', Numbers: [{ Default: true, DisplayNumber: '+358', DisplayName: 'A' }] }];
    const { el } = await mount(backend);
    await el.getUserRoles();
    await el.getUserRole();
    await el.setUserRole();
    await el.setUserRole('q1', '+358');
    const sent = backend.calls.filter((c) => c.method.includes('UserRole'));
    expect(sent).toEqual([
      { method: 'GetUserRoles', args: [] },
      { method: 'GetUserRole', args: [] },
      { method: 'SetUserRole', args: ['', ''] },
      { method: 'SetUserRole', args: ['q1', '+358'] },
    ]);
  });

  it('shows the availability from user-status-changed and changes it from the picker', async () => {
    const { el } = await mount(backend);
    await fill(el, 'a@x', 'pw');
    await tick();
    backend.handler!({ name: 'user-status-changed', detail: { EventTypeID: 3, Note: 'training', EventSourceCategory: 'User', PresenceTypeID: 0 } });
    await el.updateComplete;
    const home = el.shadowRoot!.querySelector('vd-home-view')!;
    await (home as unknown as { updateComplete: Promise<void> }).updateComplete;
    const select = home.shadowRoot!.querySelector<HTMLSelectElement>('#status')!;
    expect(select.selectedOptions[0].textContent).toBe('Do not disturb');
    expect(home.shadowRoot!.textContent).toContain('training');
    select.value = '6';
    select.dispatchEvent(new Event('change'));
    await tick();
    expect(backend.calls.find((c) => c.method === 'SetUserStatus')!.args).toEqual([6, '']);
  });

  it('SSO from the screen waits for the browser with a Cancel that reaches the backend', async () => {
    let finish: (ok: boolean) => void = () => {};
    backend.invoke = (async function (this: FakeBackend, method: string, ...args: unknown[]) {
      this.calls.push({ method, args });
      if (method === 'Login') return new Promise((resolve) => (finish = resolve));
      if (method === 'State') return this.state;
      return true;
    }).bind(backend) as Transport['invoke'];
    const { el } = await mount(backend, { 'client-id': 'crm-embedding' });
    expect(backend.calls.find((c) => c.method === 'SetClientId')!.args).toEqual(['crm-embedding']);
    const view = loginView(el);
    const root = view.shadowRoot!;
    const u = root.querySelector<HTMLInputElement>('#username')!;
    u.value = 'alice@x';
    u.dispatchEvent(new Event('input'));
    await (view as unknown as { updateComplete: Promise<void> }).updateComplete;
    root.querySelector<HTMLButtonElement>('button.secondary')!.click();
    await tick();
    await el.updateComplete;
    await (view as unknown as { updateComplete: Promise<void> }).updateComplete;
    expect(backend.calls.find((c) => c.method === 'Login')!.args[0]).toEqual({ type: 'SSO', username: 'alice@x', rememberMe: false });
    expect(root.querySelector('.waiting')!.textContent).toContain('Finish signing in in your browser.');
    root.querySelector<HTMLButtonElement>('#sso-cancel')!.click();
    expect(backend.calls.some((c) => c.method === 'CancelLogin')).toBe(true);
    finish(false);
    await tick();
    await el.updateComplete;
    await (view as unknown as { updateComplete: Promise<void> }).updateComplete;
    expect(root.querySelector('.waiting')).toBeNull();
  });

  it('loginUsingSSO and setClientId go to the backend by name', async () => {
    const { el } = await mount(backend);
    await expect(el.loginUsingSSO('a@x', true, undefined, 'S1')).resolves.toBe(true);
    expect(backend.calls.find((c) => c.method === 'LoginUsingSSO')!.args).toEqual(['a@x', true, null, 'S1']);
    await expect(el.setClientId('crm')).resolves.toBe(true);
    expect(el.clientId).toBe('crm');
  });

  it('shows the SSO errors translated', async () => {
    backend.loginError = { message: 'Login failed: SSO (modern authentication) is not enabled for the user', code: 'sso-not-enabled' };
    const { el } = await mount(backend);
    await el.setPhoneLanguage('fi');
    const view = loginView(el);
    const root = view.shadowRoot!;
    const u = root.querySelector<HTMLInputElement>('#username')!;
    u.value = 'bob@x';
    u.dispatchEvent(new Event('input'));
    await (view as unknown as { updateComplete: Promise<void> }).updateComplete;
    root.querySelector<HTMLButtonElement>('button.secondary')!.click();
    await tick();
    await tick();
    await el.updateComplete;
    await (view as unknown as { updateComplete: Promise<void> }).updateComplete;
    expect(root.querySelector('[role=alert]')!.textContent).toBe('Kertakirjautuminen ei ole käytössä tällä tilillä. Kirjaudu salasanalla.');
  });

  it('shows the role picker for a V2 user and sets the role picked', async () => {
    backend.roles = [
      { Name: 'personal', Numbers: [{ Default: true, DisplayNumber: '+358401', DisplayName: 'A' }] },
      { Name: '<b>Sales</b>', QueueId: 'q1', Numbers: [{ Default: true, DisplayNumber: '+358201', DisplayName: 'S' }, { Default: false, DisplayNumber: '+358202', DisplayName: 'C' }] },
    ];
    const { el } = await mount(backend);
    await fill(el, 'a@x', 'pw');
    await tick();
    await tick();
    await el.updateComplete;
    const home = el.shadowRoot!.querySelector('vd-home-view')!;
    await (home as unknown as { updateComplete: Promise<void> }).updateComplete;
    const select = home.shadowRoot!.querySelector<HTMLSelectElement>('#role')!;
    const options = [...select.options].map((o) => o.textContent!.trim());
    expect(options).toEqual(['Personal · +358401', '<b>Sales</b> · +358201', '<b>Sales</b> · +358202']);
    expect(home.shadowRoot!.querySelector('b')).toBeNull();
    select.value = 'q1|+358202';
    select.dispatchEvent(new Event('change'));
    await tick();
    expect(backend.calls.find((c) => c.method === 'SetUserRole')!.args).toEqual(['q1', '+358202']);
  });

  it('hides the role picker for a V1 user', async () => {
    const { el } = await mount(backend);
    await fill(el, 'a@x', 'pw');
    await tick();
    await el.updateComplete;
    const home = el.shadowRoot!.querySelector('vd-home-view')!;
    await (home as unknown as { updateComplete: Promise<void> }).updateComplete;
    expect(home.shadowRoot!.querySelector('#role')).toBeNull();
  });

  it('carries outbound service calls to the backend', async () => {
    const { el } = await mount(backend);
    await el.call('+358401000090', { queueId: 'q1', cli: '+358201' });
    await el.callOutboundQueue('+358401000090', 'q1');
    await el.callOutboundCallback('+358401000090', 'l1', 'r1', '+358201');
    const sent = backend.calls.filter((c) => c.method.startsWith('Call'));
    expect(sent).toEqual([
      { method: 'Call', args: ['+358401000090', { queueId: 'q1', cli: '+358201' }] },
      { method: 'CallOutboundQueue', args: ['+358401000090', 'q1', ''] },
      { method: 'CallOutboundCallback', args: ['+358401000090', 'l1', 'r1', '+358201'] },
    ]);
  });

  it('carries the recording methods to the backend and keeps which calls record', async () => {
    const { el } = await mount(backend);
    await el.startCallRecording('c1');
    expect(el.store.recording.has('c1')).toBe(true);
    await el.stopCallRecording('c1');
    expect(el.store.recording.has('c1')).toBe(false);
    expect(backend.calls.filter((c) => c.method.endsWith('CallRecording'))).toEqual([
      { method: 'StartCallRecording', args: ['c1'] },
      { method: 'StopCallRecording', args: ['c1'] },
    ]);
  });

  it('applies the PNPS attributes, shows a due query and sends the answer', async () => {
    const { el } = await mount(backend, { 'pnps-mission-type': 'salesforce' });
    expect(backend.calls.find((c) => c.method === 'SetPNPSMissionType')!.args).toEqual(['salesforce']);
    await fill(el, 'a@x', 'pw');
    await tick();
    backend.handler!({ name: 'pnps-query', detail: { Id: 'q1', MissionType: 'salesforce', Question: '<b>Recommend?</b>', ScaleMin: 0, ScaleMax: 10 } });
    await el.updateComplete;
    const card = el.shadowRoot!.querySelector('vd-pnps-query')!;
    await (card as unknown as { updateComplete: Promise<void> }).updateComplete;
    const root = card.shadowRoot!;
    expect(root.querySelector('h2')!.textContent).toBe('<b>Recommend?</b>');
    const scores = [...root.querySelectorAll<HTMLButtonElement>('.scale button')];
    expect(scores.map((b) => b.textContent)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    expect(root.querySelector<HTMLButtonElement>('.send')!.disabled).toBe(true);
    scores[9].click();
    await (card as unknown as { updateComplete: Promise<void> }).updateComplete;
    const comment = root.querySelector<HTMLTextAreaElement>('#pnps-comment')!;
    comment.value = ' Clear sound ';
    comment.dispatchEvent(new Event('input'));
    root.querySelector<HTMLButtonElement>('.send')!.click();
    await tick();
    await el.updateComplete;
    expect(backend.calls.find((c) => c.method === 'AnswerPNPS')!.args).toEqual(['q1', 9, 'Clear sound']);
    expect(el.shadowRoot!.querySelector('vd-pnps-query')).toBeNull();
  });

  it('carries auto-answer and auto-answer-delay to the backend as one setting', async () => {
    const { el } = await mount(backend, { 'auto-answer': 'queue', 'auto-answer-delay': '3' });
    expect(backend.calls.filter((c) => c.method === 'SetAutoAnswer').map((c) => c.args)).toEqual([['queue', 3]]);
    el.setAttribute('auto-answer-delay', '5');
    await el.updateComplete;
    await tick();
    expect(backend.calls.filter((c) => c.method === 'SetAutoAnswer').pop()!.args).toEqual(['queue', 5]);
  });

  it('switches to the dark appearance from the settings, reflects it and keeps it', async () => {
    localStorage.removeItem('voicedesk.theme');
    const { el } = await mount(backend);
    expect(el.getAttribute('theme')).toBe('auto');
    await signInToSettings(el);
    const sel = el.shadowRoot!.querySelector<HTMLSelectElement>('#settings-theme')!;
    expect([...sel.options].map((o) => o.textContent)).toEqual(['Like the system', 'Light', 'Dark']);
    sel.value = 'dark';
    sel.dispatchEvent(new Event('change'));
    await el.updateComplete;
    expect(el.getAttribute('theme')).toBe('dark');
    expect(document.documentElement.dataset.vdTheme).toBe('dark');
    expect(localStorage.getItem('voicedesk.theme')).toBe('dark');
    // The next element (a restart) starts dark.
    const { el: next } = await mount(backend);
    expect(next.getAttribute('theme')).toBe('dark');
    localStorage.removeItem('voicedesk.theme');
  });

  it('says in the settings whose headset buttons count, and why not', async () => {
    backend.headset = { name: 'GN Audio A/S Jabra Evolve2 40', state: 'working' };
    const { el } = await mount(backend);
    await signInToSettings(el);
    await tick();
    await el.updateComplete;
    const line = () => el.shadowRoot!.querySelector('#headset-line')!.textContent!;
    expect(line()).toBe('Headset buttons: GN Audio A/S Jabra Evolve2 40 — working');
    backend.headset = { name: 'Jabra Evolve2 40', state: 'no-access', reason: 'permission denied' };
    await openSettings(el);
    await tick();
    await el.updateComplete;
    expect(line()).toBe('Headset buttons: Jabra Evolve2 40 — this user may not open it (permission denied)');
  });

  it('sets auto-answer from the settings, and shows a locked one as locked', async () => {
    const { el } = await mount(backend);
    await signInToSettings(el);
    const mode = el.shadowRoot!.querySelector<HTMLSelectElement>('#auto-answer-mode')!;
    expect(mode.value).toBe('off');
    expect(el.shadowRoot!.querySelector('#auto-answer-delay')).toBeNull();
    mode.value = 'all';
    mode.dispatchEvent(new Event('change'));
    await tick();
    await el.updateComplete;
    expect(backend.calls.find((c) => c.method === 'SetAutoAnswerSettings')!.args[0]).toMatchObject({ mode: 'all' });
    const section = () => el.shadowRoot!.querySelector('.auto-answer')!;
    expect(section().textContent).toContain('a beep plays as it is answered');
    const delay = el.shadowRoot!.querySelector<HTMLInputElement>('#auto-answer-delay')!;
    delay.value = '4';
    delay.dispatchEvent(new Event('change'));
    await tick();
    expect(backend.autoAnswer).toMatchObject({ mode: 'all', delaySeconds: 4 });
    // Locked by the policy: shown, not changeable.
    backend.autoAnswer.locked = true;
    await openSettings(el);
    await tick();
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector<HTMLSelectElement>('#auto-answer-mode')!.disabled).toBe(true);
    expect(el.shadowRoot!.querySelector('#auto-answer-locked')!.textContent).toContain('Set by your administrator.');
  });

  it('with disable-pnps-query tells the backend and shows no query', async () => {
    const { el } = await mount(backend, { 'disable-pnps-query': '' });
    expect(backend.calls.find((c) => c.method === 'DisablePNPSQuery')!.args).toEqual([true]);
    await fill(el, 'a@x', 'pw');
    await tick();
    backend.handler!({ name: 'pnps-query', detail: { Id: 'q1', MissionType: 'default', Question: 'Q', ScaleMin: 0, ScaleMax: 10 } });
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('vd-pnps-query')).toBeNull();
  });

  it('carries setUserData and getCallExtraData to the backend', async () => {
    const { el } = await mount(backend);
    await el.setUserData({ WorkspaceId: '1' });
    await el.getCallExtraData();
    expect(backend.calls.filter((c) => c.method === 'SetUserData' || c.method === 'GetCallExtraData')).toEqual([
      { method: 'SetUserData', args: [{ WorkspaceId: '1' }] },
      { method: 'GetCallExtraData', args: [] },
    ]);
  });

  it('re-emits call-supervising-state-changed with its detail as it is', async () => {
    const { el } = await mount(backend);
    const got: unknown[] = [];
    el.addEventListener('call-supervising-state-changed', (e) => got.push((e as CustomEvent).detail));
    backend.handler!({ name: 'call-supervising-state-changed', detail: { state: 'started', targetUserId: 'u1' } });
    await expect(el.startCallSupervision('u1')).resolves.toBe(true);
    await el.updateJWT('a.b.c');
    expect(backend.calls.find((c) => c.method === 'UpdateJWT')!.args).toEqual(['a.b.c']);
    expect(got).toEqual([{ state: 'started', targetUserId: 'u1' }]);
    expect(backend.calls.find((c) => c.method === 'StartCallSupervision')!.args).toEqual(['u1']);
  });

  it('carries hold, mute and DTMF to the backend and keeps their state from the events', async () => {
    const { el } = await mount(backend);
    await el.pauseCall('c1');
    await el.resumeCall('c1');
    await el.muteCall('c1');
    await el.unmuteCall('c1');
    await el.sendDTMF('c1', '12#', { duration: 100, interToneGap: 50 });
    expect(backend.calls.filter((c) => ['PauseCall', 'ResumeCall', 'MuteCall', 'UnmuteCall', 'SendDTMF'].includes(c.method))).toEqual([
      { method: 'PauseCall', args: ['c1'] },
      { method: 'ResumeCall', args: ['c1'] },
      { method: 'MuteCall', args: ['c1'] },
      { method: 'UnmuteCall', args: ['c1'] },
      { method: 'SendDTMF', args: ['c1', '12#', { duration: 100, interToneGap: 50 }] },
    ]);
    const detail = { callId: 'c1', callDirection: 'outbound', phoneNumber: '+358', startTime: new Date().toISOString(), isConsulted: false };
    const got: string[] = [];
    el.addEventListener('call-paused', (e) => got.push((e as CustomEvent).detail.callId));
    backend.handler!({ name: 'call-confirmed', detail });
    backend.handler!({ name: 'call-paused', detail });
    backend.handler!({ name: 'call-muted', detail });
    expect(got).toEqual(['c1']);
    expect(el.store.calls[0]).toMatchObject({ state: 'connected', held: true, muted: true });
    backend.handler!({ name: 'call-resumed', detail });
    expect(el.store.calls[0].held).toBe(false);
  });

  it('answers, rejects and hangs up from the keyboard (Alt+A, Alt+R, Alt+H)', async () => {
    const { el } = await mount(backend);
    await fill(el, 'a@x', 'pw');
    const detail = (id: string) => ({ callId: id, callDirection: 'incoming', phoneNumber: '1', startTime: new Date().toISOString(), isConsulted: false });
    const key = (code: string, alt = true) => window.dispatchEvent(new KeyboardEvent('keydown', { code, altKey: alt }));
    backend.handler!({ name: 'call-incoming', detail: detail('r1') });
    key('KeyA', false); // without Alt: typing, not a shortcut
    key('KeyR');
    backend.handler!({ name: 'call-ended', detail: detail('r1') });
    backend.handler!({ name: 'call-incoming', detail: detail('a1') });
    key('KeyA');
    backend.handler!({ name: 'call-confirmed', detail: detail('a1') });
    key('KeyH');
    await tick();
    expect(backend.calls.filter((c) => ['AnswerCall', 'RejectCall', 'EndCall'].includes(c.method)).map((c) => `${c.method}:${c.args[0]}`))
      .toEqual(['RejectCall:r1', 'AnswerCall:a1', 'EndCall:a1']);
  });

  it('keeps ended calls in the recent calls per user, a missed one marked, across a reload', async () => {
    localStorage.clear();
    const { el } = await mount(backend);
    await fill(el, 'a@x', 'pw');
    const d = { callId: 'm1', callDirection: 'incoming', phoneNumber: '+358401000091', startTime: new Date().toISOString(), isConsulted: false };
    backend.handler!({ name: 'call-incoming', detail: d });
    backend.handler!({ name: 'call-ended', detail: { ...d, endReason: 'canceled' } });
    const o = { ...d, callId: 'o1', callDirection: 'outbound', phoneNumber: '+358401000090' };
    backend.handler!({ name: 'call-started', detail: o });
    backend.handler!({ name: 'call-confirmed', detail: o });
    backend.handler!({ name: 'call-ended', detail: o });
    expect(el.store.recent.map((r) => [r.number, r.direction, r.missed])).toEqual([
      ['+358401000090', 'outbound', false],
      ['+358401000091', 'incoming', true],
    ]);
    el.remove();
    const again = await mount(new FakeBackend());
    await fill(again.el, 'a@x', 'pw');
    expect(again.el.store.recent.map((r) => r.number)).toEqual(['+358401000090', '+358401000091']);
  });

  it('counts down the wrap-up after an answered service call (wrapUpDuration), and only then', async () => {
    const { el } = await mount(backend);
    await fill(el, 'a@x', 'pw');
    const end = new Date();
    const d = { callId: 'w1', callDirection: 'incoming', phoneNumber: '1', startTime: end.toISOString(), isConsulted: false, queueName: 'Sales', wrapUpDuration: '60' };
    // Not answered: no wrap-up.
    backend.handler!({ name: 'call-incoming', detail: d });
    backend.handler!({ name: 'call-ended', detail: { ...d, endReason: 'canceled', endTime: end.toISOString() } });
    expect(el.store.wrapUp).toBeNull();
    // Answered, but no wrap-up time: none.
    const basic = { ...d, callId: 'w2', wrapUpDuration: undefined };
    backend.handler!({ name: 'call-incoming', detail: basic });
    backend.handler!({ name: 'call-confirmed', detail: basic });
    backend.handler!({ name: 'call-ended', detail: { ...basic, endTime: end.toISOString() } });
    expect(el.store.wrapUp).toBeNull();
    // Answered service call: 60 s from its end.
    const w = { ...d, callId: 'w3' };
    backend.handler!({ name: 'call-incoming', detail: w });
    backend.handler!({ name: 'call-confirmed', detail: w });
    backend.handler!({ name: 'call-ended', detail: { ...w, endTime: end.toISOString() } });
    expect(el.store.wrapUp).toEqual({ until: end.getTime() + 60000, queue: 'Sales' });
    await tick();
    const panel = el.shadowRoot!.querySelector('vd-call-panel')!;
    await (panel as unknown as { updateComplete: Promise<unknown> }).updateComplete;
    const box = panel.shadowRoot!.querySelector('.wrapup')!;
    expect(box.textContent!.replace(/\s+/g, ' ').trim()).toMatch(/^Wrap-up · Sales (01:00|00:59) Ready$/);
    (box.querySelector('button') as HTMLButtonElement).click();
    expect(el.store.wrapUp).toBeNull();
  });

  it('shows the line quality the backend announces, asks for nothing meanwhile, and drops it with the call', async () => {
    const { el } = await mount(backend);
    await fill(el, 'a@x', 'pw');
    const d = { callId: 'q1', callDirection: 'outbound', phoneNumber: '1', startTime: new Date().toISOString(), isConsulted: false };
    const seen: unknown[] = [];
    el.addEventListener('call-quality-changed', (e) => seen.push((e as CustomEvent).detail));
    backend.handler!({ name: 'call-confirmed', detail: d });
    await new Promise((r) => setTimeout(r, 2100));
    expect(backend.calls.filter((c) => c.method === 'CallStats')).toEqual([]); // no poll
    backend.handler!({ name: 'call-quality-changed', detail: { callId: 'q1', quality: 'poor' } });
    backend.handler!({ name: 'call-quality-changed', detail: { callId: 'nobody', quality: 'good' } }); // no such call
    expect(el.store.quality).toEqual({ q1: 'poor' });
    expect(seen).toEqual([{ callId: 'q1', quality: 'poor' }, { callId: 'nobody', quality: 'good' }]);
    await el.updateComplete;
    const panel = el.shadowRoot!.querySelector('vd-call-panel')!;
    await (panel as unknown as { updateComplete: Promise<unknown> }).updateComplete;
    expect(panel.shadowRoot!.querySelector('.q')!.textContent).toBe('Line quality poor');
    backend.handler!({ name: 'call-ended', detail: { ...d, endReason: 'remote-hangup' } });
    await el.updateComplete;
    expect(el.store.quality).toEqual({});
  });

  it('reads the line quality of a call under way once, after a reload', async () => {
    const orig = backend.invoke.bind(backend);
    const now = new Date().toISOString();
    Object.assign(backend.state, {
      loggedIn: true,
      user: { userId: '1', username: 'a@x', displayName: 'A', number: '+358401', siloName: 'S' },
      calls: [{ state: 'connected', connectedAt: now, detail: { callId: 'r1', callDirection: 'outbound', phoneNumber: '1', startTime: now, isConsulted: false } }],
    });
    backend.invoke = (async (method: string, ...args: unknown[]) => {
      if (method !== 'CallStats') return orig(method, ...args);
      backend.calls.push({ method, args });
      return { quality: 'fair' };
    }) as typeof backend.invoke;
    const { el } = await mount(backend);
    await vi.waitFor(() => expect(el.store.quality).toEqual({ r1: 'fair' }));
    expect(backend.calls.filter((c) => c.method === 'CallStats').map((c) => c.args[0])).toEqual(['r1']);
  });

  it('updateBeneUiUrl takes an http(s) URL and links it; anything else throws', async () => {
    const { el } = await mount(backend);
    expect(() => el.updateBeneUiUrl('not a url')).toThrow("Invalid UI URL 'not a url'");
    expect(() => el.updateBeneUiUrl('javascript:alert(1)')).toThrow('use an http(s) URL');
    el.updateBeneUiUrl('https://benedesk-qa.beneservices.com/Account/LogOn/?un=user@company.com');
    await fill(el, 'a@x', 'pw');
    await el.updateComplete;
    const a = el.shadowRoot!.querySelector<HTMLAnchorElement>('a.ui-link')!;
    expect(a.href).toBe('https://benedesk-qa.beneservices.com/Account/LogOn/?un=user@company.com');
    expect(a.rel).toBe('noopener noreferrer');
  });

  it('changes the language from the settings screen', async () => {
    const { el } = await mount(backend);
    await fill(el, 'a@x', 'pw');
    el.screen = 'settings';
    await el.updateComplete;
    const sel = el.shadowRoot!.querySelector<HTMLSelectElement>('#settings-language')!;
    sel.value = 'nl';
    sel.dispatchEvent(new Event('change'));
    await tick();
    await el.updateComplete;
    expect(backend.calls.some((c) => c.method === 'SetPhoneLanguage' && c.args[0] === 'nl')).toBe(true);
    expect(el.shadowRoot!.querySelector('#settings-h')!.textContent).toBe('Instellingen');
  });

  it("ends the settings with the app's version and revision, in the user's language", async () => {
    const { el } = await mount(backend);
    await fill(el, 'a@x', 'pw');
    el.screen = 'settings';
    await el.updateComplete;
    await tick();
    const view = el.shadowRoot!.querySelector('vd-settings-view') as unknown as LitElement;
    await view.updateComplete;
    expect(el.shadowRoot!.querySelector('.about')!.textContent).toBe('VoiceDesk · Version 1.2.3 (0123456789ab)');
    const sel = el.shadowRoot!.querySelector<HTMLSelectElement>('#settings-language')!;
    sel.value = 'fi';
    sel.dispatchEvent(new Event('change'));
    await tick();
    await el.updateComplete;
    await view.updateComplete;
    expect(el.shadowRoot!.querySelector('.about')!.textContent).toBe('VoiceDesk · Versio 1.2.3 (0123456789ab)');
  });

  it('shows the supervision state and runs the microphone test from the settings', async () => {
    const { el } = await mount(backend);
    await fill(el, 'a@x', 'pw');
    backend.handler!({ name: 'call-supervising-state-changed', detail: { state: 'started' } });
    expect(el.store.notice).toBe('Listening in on the call.');
    let levels = 0;
    const orig = backend.invoke.bind(backend);
    backend.invoke = (async (method: string, ...args: unknown[]) => {
      if (method === 'MicLevel') return -20 - levels++;
      return orig(method, ...args);
    }) as typeof backend.invoke;
    el.screen = 'settings';
    await el.updateComplete;
    await tick();
    const view = el.shadowRoot!.querySelector('vd-audio-settings')!;
    await (view as unknown as { updateComplete: Promise<void> }).updateComplete;
    [...view.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent === 'Play the ringtone')!.click();
    [...view.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent === 'Test the microphone')!.click();
    await tick();
    expect(backend.calls.some((c) => c.method === 'TestSound' && c.args[0] === 'ringer')).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(levels).toBe(12);
    expect((el.shadowRoot!.querySelector('vd-settings-view') as unknown as { micLevel: number | null }).micLevel).toBeNull();
  });

  it('sends keypad keys one after the other, in the order pressed', async () => {
    const { el } = await mount(backend);
    await fill(el, 'a@x', 'pw');
    const sent: string[] = [];
    const orig = backend.invoke.bind(backend);
    let first = true;
    backend.invoke = (async (method: string, ...args: unknown[]) => {
      if (method !== 'SendDTMF') return orig(method, ...args);
      // The first key's request is slow: the second must still go after it.
      if (first) {
        first = false;
        await new Promise((r) => setTimeout(r, 30));
      }
      sent.push(String(args[1]));
      return true;
    }) as typeof backend.invoke;
    const d = { callId: 'k1', callDirection: 'outbound', phoneNumber: '1', startTime: new Date().toISOString(), isConsulted: false };
    backend.handler!({ name: 'call-confirmed', detail: d });
    await el.updateComplete;
    const panel = el.shadowRoot!.querySelector('vd-call-panel')!;
    for (const key of ['5', '#']) panel.dispatchEvent(new CustomEvent('vd-dtmf', { detail: { id: 'k1', key } }));
    await new Promise((r) => setTimeout(r, 60));
    expect(sent).toEqual(['5', '#']);
  });

  it('merges and splits calls (mergeCalls, splitCall), marks them from conference-started and -ended, and re-emits both', async () => {
    const { el } = await mount(backend);
    await fill(el, 'a@x', 'pw');
    const d = (id: string) => ({ callId: id, callDirection: 'outbound', phoneNumber: id, startTime: new Date().toISOString(), isConsulted: false });
    backend.handler!({ name: 'call-confirmed', detail: d('m1') });
    backend.handler!({ name: 'call-confirmed', detail: d('m2') });
    const seen: unknown[] = [];
    for (const n of ['conference-started', 'conference-ended']) el.addEventListener(n, (e) => seen.push([n, (e as CustomEvent).detail]));
    await el.mergeCalls();
    await el.splitCall('m2');
    expect(backend.calls.filter((c) => ['MergeCalls', 'SplitCall'].includes(c.method)).map((c) => [c.method, ...c.args])).toEqual([['MergeCalls'], ['SplitCall', 'm2']]);
    backend.handler!({ name: 'conference-started', detail: { callIds: ['m1', 'm2'] } });
    expect(el.store.calls.map((c) => c.merged)).toEqual([true, true]);
    backend.handler!({ name: 'conference-ended', detail: { callIds: ['m1', 'm2'], reason: 'split' } });
    expect(el.store.calls.map((c) => c.merged)).toEqual([false, false]);
    expect(seen).toEqual([
      ['conference-started', { callIds: ['m1', 'm2'] }],
      ['conference-ended', { callIds: ['m1', 'm2'], reason: 'split' }],
    ]);
  });

  describe('Colleagues', () => {
    async function colleagues(el: WebrtcClientUi) {
      await el.updateComplete;
      const panel = el.shadowRoot!.querySelector('vd-call-panel')! as unknown as LitElement;
      await panel.updateComplete;
      return panel;
    }
    async function openTab(el: WebrtcClientUi) {
      const panel = await colleagues(el);
      panel.shadowRoot!.querySelector<HTMLButtonElement>('#tab-colleagues')!.click();
      await el.updateComplete;
      await panel.updateComplete;
      await tick();
      const view = el.shadowRoot!.querySelector('vd-colleagues-view')! as unknown as LitElement;
      await view.updateComplete;
      return { panel, view };
    }
    const rows = (view: LitElement) =>
      [...view.shadowRoot!.querySelectorAll('li')].map((li) => li.querySelector('.name')!.textContent + ' | ' + li.querySelector('.presence')!.textContent!.trim());

    it('opens on a tab, searches as the agent types, and says each presence in words', async () => {
      const { el } = await mount(backend);
      await fill(el, 'a@x', 'pw');
      expect(backend.calls.some((c) => c.method === 'SearchColleagues')).toBe(false); // nothing asked before the tab is opened
      const { panel, view } = await openTab(el);
      expect(panel.shadowRoot!.querySelector('#tab-colleagues')!.getAttribute('aria-selected')).toBe('true');
      expect(panel.shadowRoot!.querySelector('#panel-colleagues')).not.toBeNull();
      expect(panel.shadowRoot!.querySelector('#dial-number')).toBeNull();
      expect(backend.calls.filter((c) => c.method === 'SearchColleagues').map((c) => c.args[0])).toEqual(['']);
      expect(rows(view)).toEqual([
        'Bob Agent | Available',
        'Sales | Queue · 1 of 2 free',
        'Sara Supervisor | Away',
        'Aino Virtanen | Unknown',
      ]);
      expect(view.shadowRoot!.querySelector('#colleague-count')!.textContent).toBe('Showing 4 of 5: type to narrow the list');
      expect(view.shadowRoot!.activeElement?.id).toBe('colleague-search');
      const input = view.shadowRoot!.querySelector<HTMLInputElement>('#colleague-search')!;
      for (const v of ['e', 'ee', 'eer']) {
        input.value = v;
        input.dispatchEvent(new Event('input'));
      }
      await new Promise((r) => setTimeout(r, 200));
      await view.updateComplete;
      // One search for what was typed once typing paused, not one a key.
      expect(backend.calls.filter((c) => c.method === 'SearchColleagues').map((c) => c.args[0])).toEqual(['', 'eer']);
      expect(rows(view)).toEqual(['Eero Korhonen | On a call']);
      input.value = 'zz';
      input.dispatchEvent(new Event('input'));
      await new Promise((r) => setTimeout(r, 200));
      await view.updateComplete;
      expect(view.shadowRoot!.querySelector('#colleague-count')!.textContent).toBe('No one matches “zz”');
    });

    it('keeps favourites first, stars them by button, and shows a colleague-status-changed in place', async () => {
      const { el } = await mount(backend);
      await fill(el, 'a@x', 'pw');
      const { view } = await openTab(el);
      const star = () => view.shadowRoot!.querySelector<HTMLButtonElement>('li[data-colleague="u-sara"] .star')!;
      expect(star().getAttribute('aria-label')).toBe('Favourite: Sara Supervisor');
      expect(star().getAttribute('aria-pressed')).toBe('false');
      star().click();
      await tick();
      await tick();
      await el.updateComplete;
      await view.updateComplete;
      expect(backend.calls.find((c) => c.method === 'SetFavourite')!.args).toEqual(['u-sara', true]);
      expect(view.shadowRoot!.querySelector('h2')!.textContent).toBe('Favourites');
      expect(rows(view)[0]).toBe('Sara Supervisor | Away');
      expect(star().getAttribute('aria-pressed')).toBe('true');
      const seen: unknown[] = [];
      el.addEventListener('colleague-status-changed', (e) => seen.push((e as CustomEvent).detail));
      const news = { kind: 'user', id: 'u-sara', name: 'Sara Supervisor', number: '+358401000003', presence: 'on-call', statusId: 6, favourite: false };
      backend.handler!({ name: 'colleague-status-changed', detail: news });
      await el.updateComplete;
      await view.updateComplete;
      expect(rows(view)[0]).toBe('Sara Supervisor | On a call');
      expect(star().getAttribute('aria-pressed')).toBe('true'); // the view's own knowledge of the star stays
      expect(seen).toEqual([news]); // and a host page hears it too
    });

    it('calls a colleague, and during a connected call transfers to one directly or after consulting', async () => {
      const { el } = await mount(backend);
      await fill(el, 'a@x', 'pw');
      let { view } = await openTab(el);
      view.shadowRoot!.querySelector<HTMLButtonElement>('li[data-colleague="u-bob"] .go')!.click();
      expect(backend.calls.find((c) => c.method === 'Call')!.args[0]).toBe('+358401000002');
      // The search field keeps the focus from the view's opening; happy-dom
      // cannot name the active element of a shadow root through a slotted
      // child's own shadow root (its ShadowRoot.activeElement throws), which
      // the call panel asks as the call connects: the field lets it go.
      view.shadowRoot!.querySelector<HTMLInputElement>('#colleague-search')!.blur();
      const d = { callId: 't1', callDirection: 'outbound', phoneNumber: '+358401000090', startTime: new Date().toISOString(), isConsulted: false };
      backend.handler!({ name: 'call-confirmed', detail: d });
      await el.updateComplete;
      view = el.shadowRoot!.querySelector('vd-colleagues-view')! as unknown as LitElement;
      await view.updateComplete;
      const bob = view.shadowRoot!.querySelector('li[data-colleague="u-bob"]')!;
      expect([...bob.querySelectorAll('.actions button')].map((b) => b.getAttribute('aria-label'))).toEqual([
        'Transfer to Bob Agent',
        'Consult Bob Agent first',
        'Favourite: Bob Agent',
      ]);
      bob.querySelector<HTMLButtonElement>('.go')!.click();
      bob.querySelector<HTMLButtonElement>('.ctl')!.click();
      await tick();
      expect(backend.calls.filter((c) => c.method === 'TransferCall').map((c) => c.args)).toEqual([
        ['direct', '+358401000002'],
        ['consulted', '+358401000002'],
      ]);
    });

    it('shows the newest search after a star that was slow to be kept', async () => {
      const { el } = await mount(backend);
      await fill(el, 'a@x', 'pw');
      const { view } = await openTab(el);
      const orig = backend.invoke.bind(backend);
      backend.invoke = (async (method: string, ...args: unknown[]) => {
        // The star is kept while the search typed meanwhile is on its way.
        if (method === 'SetFavourite') await new Promise((r) => setTimeout(r, 250));
        if (method === 'SearchColleagues' && args[0] === 'sara') await new Promise((r) => setTimeout(r, 200));
        return orig(method, ...args);
      }) as typeof backend.invoke;
      view.shadowRoot!.querySelector<HTMLButtonElement>('li[data-colleague="u-bob"] .star')!.click();
      const input = view.shadowRoot!.querySelector<HTMLInputElement>('#colleague-search')!;
      input.value = 'sara';
      input.dispatchEvent(new Event('input'));
      await new Promise((r) => setTimeout(r, 700));
      await el.updateComplete;
      await view.updateComplete;
      expect(el.store.colleaguesQuery).toBe('sara');
      expect(rows(view)).toEqual(['Sara Supervisor | Away']);
    });

    it('moves between the tabs with the arrow keys', async () => {
      const { el } = await mount(backend);
      await fill(el, 'a@x', 'pw');
      const panel = await colleagues(el);
      const tablist = panel.shadowRoot!.querySelector('[role=tablist]')!;
      let focused = '';
      for (const tab of tablist.querySelectorAll('[role=tab]')) tab.addEventListener('focus', () => (focused = tab.id));
      tablist.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
      await el.updateComplete;
      await panel.updateComplete;
      expect(el.tab).toBe('colleagues');
      await tick();
      expect(focused).toBe('tab-colleagues');
      tablist.dispatchEvent(new KeyboardEvent('keydown', { key: 'Home', bubbles: true }));
      await el.updateComplete;
      expect(el.tab).toBe('dialer');
    });
  });
});
