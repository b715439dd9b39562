import { LitElement, css, html } from 'lit';
import { LANGUAGES, i18n, isLanguage, t } from './i18n';
import { loginErrorKey } from './errors';
import { RECONNECTED, defaultTransport, type PhoneEvent, type Transport } from './transport';
import type { AuthType } from './views/login-view';
import type { UserInfo } from './views/home-view';
import './views/login-view';
import './views/home-view';
import './views/call-panel';
import './views/audio-settings';
import './views/pnps-query';
import type { PNPSQuery } from './views/pnps-query';
import type { CallView, RecentCall } from './views/call-panel';
import type { AudioDevices, AudioSettings } from './views/audio-settings';

/** The reference's AudioHandlingEnum. */
export type AudioHandling = 'default' | 'legacy';

/** phone-error names about the sound devices (beside the reference's user-click-needed). */
const AUDIO_NOTICES = new Set(['audio-device-unavailable', 'audio-device-lost', 'audio-device-restored']);

/** The reference's UserRoleNumberInterface and PublicUserRoleInterface. */
export interface UserRoleNumber {
  Default: boolean;
  DisplayNumber: string;
  DisplayName: string;
}
export interface PublicUserRole {
  Name: string;
  Numbers: UserRoleNumber[];
  SelectedNumber?: UserRoleNumber;
  QueueId?: string;
  Recorded?: boolean;
}

/** The reference's PublicUserStatusInterface. */
export interface PublicUserStatus {
  EndDate?: string | null;
  EventSourceCategory: string;
  EventTypeID: number;
  Id?: string;
  Note: string;
  PresenceTypeID: number;
  StartDate?: string | null;
  Timestamp?: string | null;
  TransferNumber?: string | null;
  WrapUpEnd?: string | null;
}

/** The reference's AuthHeaderInterface. */
export interface AuthHeaderValue {
  value: string;
  expiresIn: number;
}

/** The reference's LoginOptionsInterface (Keycloak has no desktop meaning). */
export interface LoginOptions {
  type: 'Credentials' | 'AuthHeader' | 'SSO';
  username?: string;
  userId?: string;
  authHeader?: AuthHeaderValue;
  password?: string;
  isInIframe?: boolean;
  siloName?: string;
  /** The browser phone's Keycloak object; unused here: SSO runs in the system browser. */
  keycloak?: unknown;
  /** VoiceDesk addition: keep a Credentials or SSO login (its secret or refresh token in the OS keyring) for a silent sign-in at the next start. */
  rememberMe?: boolean;
}

/** The reference's CallTransferStateInterface. */
export interface CallTransferState {
  callId: string;
  confirmed: boolean;
  transferredTo?: string;
}

/** The reference's CallExtraDataInterface (ExtraDataType 1: strong authentication). */
export interface CallExtraData {
  CallId: string;
  ExtraDataType?: number;
  Keyword: string;
  Value: string;
}

/** The reference's OutboundServiceCallDataInterface. */
export interface OutboundServiceCallData {
  callbackListId?: string;
  callbackRequestId?: string;
  queueId?: string;
  cli?: string;
}

/** The reference's call event payload; times are Date objects as in the reference. */
/** How many finished calls the recent calls list keeps. */
const RECENT_MAX = 20;

export interface CallEventDetail {
  callId: string;
  callDirection: 'incoming' | 'outbound';
  phoneNumber: string;
  startTime: Date;
  isConsulted: boolean;
  endTime?: Date;
  endReason?: string;
  displayName?: string;
  /** Service calls: when the caller entered the queue (UTC), and the queue. */
  queueArrivalTime?: string;
  queueId?: string;
  queueName?: string;
  transferredTo?: string;
  userData?: Record<string, unknown>;
  wrapUpDuration?: string;
}

/** The backend sends times as ISO strings; the reference's detail has Dates. */
export function toCallDetail(raw: unknown): CallEventDetail {
  const d = { ...(raw as Record<string, unknown>) };
  d.startTime = new Date(String(d.startTime));
  if (d.endTime) d.endTime = new Date(String(d.endTime));
  return d as unknown as CallEventDetail;
}

interface BackendState {
  loggedIn: boolean;
  user?: UserInfo;
  language: string;
  discoveryUrl: string;
  /** A kiosk station (the administrator's lock): no settings, no sign-out. */
  kiosk?: boolean;
  /** The calls in progress (backend/phone CallView), for a UI that (re)attaches mid-call. */
  calls?: Array<{ detail: unknown; state: CallView['state']; held?: boolean; muted?: boolean; connectedAt?: string }>;
}

/** The app's desktop choices (desktop.go's DesktopSettings). */
interface DesktopSettings {
  available: boolean;
  keepRunning: boolean;
  startMinimized: boolean;
  tray: boolean;
  kiosk: boolean;
  /** Starts at login (an XDG autostart entry). */
  autostart?: boolean;
}

/** Which apps open phone links (backend/linkhandler's State). */
interface LinkHandlerState {
  handlers: Record<string, string>;
  ours: boolean;
}

/** The integration API's setting (integration.go's IntegrationSettings). */
interface IntegrationSettings {
  available: boolean;
  enabled: boolean;
  port: number;
  origins: string[];
  fixed: boolean;
  tokenFixed: boolean;
  rpc?: string;
  token?: string;
  error?: string;
}

/**
 * <webrtc-client-ui>: the phone's element. Its public methods and events
 * are the reference's; each method is carried to the Go backend, which owns
 * the semantics (validation, state, errors), and backend events come back
 * as CustomEvents with the reference's detail.
 */
export class WebrtcClientUi extends LitElement {
  static properties = {
    discoveryUrl: { type: String, attribute: 'discovery-url' },
    clientId: { type: String, attribute: 'client-id' },
    pnpsMissionType: { type: String, attribute: 'pnps-mission-type' },
    disablePnpsQuery: { type: Boolean, attribute: 'disable-pnps-query' },
    loggedIn: { state: true },
    kiosk: { state: true },
    desktopSettings: { state: true },
    integration: { state: true },
    linkHandler: { state: true },
    linkHandlerNotice: { state: true },
    integrationNotice: { state: true },
    showToken: { state: true },
    user: { state: true },
    language: { state: true },
    authType: { state: true },
    busy: { state: true },
    ssoWaiting: { state: true },
    error: { state: true },
    calls: { state: true },
    notice: { state: true },
    audioDevices: { state: true },
    userStatus: { state: true },
    roles: { state: true },
    recording: { state: true },
    pnpsQuery: { state: true },
    selectedRole: { state: true },
    audioSettings: { state: true },
    screen: { state: true },
    recent: { state: true },
    quality: { state: true },
    uiUrl: { state: true },
    micLevel: { state: true },
  };

  declare discoveryUrl: string | undefined;
  declare clientId: string;
  declare pnpsMissionType: string;
  declare disablePnpsQuery: boolean;
  declare loggedIn: boolean;
  declare kiosk: boolean;
  declare desktopSettings: DesktopSettings | null;
  declare integration: IntegrationSettings | null;
  declare linkHandler: LinkHandlerState | null;
  declare linkHandlerNotice: string;
  declare integrationNotice: string;
  declare showToken: boolean;
  declare user: UserInfo | null;
  declare language: string;
  declare authType: AuthType;
  declare busy: boolean;
  declare ssoWaiting: boolean;
  declare error: string;
  declare calls: CallView[];
  /** The last call's end, or a failed call action, shown under the calls. */
  declare notice: string;
  declare audioDevices: AudioDevices | null;
  declare userStatus: PublicUserStatus | null;
  /** The roles of a V2 user and the selected one; null for V1 users. */
  declare roles: PublicUserRole[] | null;
  /** The ids of the calls being recorded (set by the recording methods). */
  declare recording: Set<string>;
  /** The PNPS query on show (from the backend's pnps-query event). */
  declare pnpsQuery: PNPSQuery | null;
  declare selectedRole: PublicUserRole | null;
  declare audioSettings: AudioSettings | null;
  /** The signed-in screen shown: the phone, or its settings. */
  declare screen: 'main' | 'settings';
  /** The last calls, newest first, kept per user in this profile's storage. */
  declare recent: RecentCall[];
  /** Line quality per connected call id, from CallStats. */
  declare quality: Record<string, string>;
  /** The platform's web UI (updateBeneUiUrl), linked from the phone. */
  declare uiUrl: string;
  /** The microphone test's level (dBFS) while it runs. */
  declare micLevel: number | null;
  private qualityTimer: ReturnType<typeof setInterval> | null = null;
  private dtmfChain: Promise<unknown> = Promise.resolve();
  private readonly onKey = (e: KeyboardEvent) => this.shortcut(e);

  /** Set before the element connects to use another transport (tests, browser mode). */
  transport: Transport;
  private unsubscribe: (() => void) | null = null;

  constructor() {
    super();
    this.discoveryUrl = undefined;
    this.clientId = 'voice-for-browser';
    this.pnpsMissionType = 'default';
    this.disablePnpsQuery = false;
    this.loggedIn = false;
    this.kiosk = false;
    this.desktopSettings = null;
    this.integration = null;
    this.linkHandler = null;
    this.linkHandlerNotice = '';
    this.integrationNotice = '';
    this.showToken = false;
    this.user = null;
    this.language = 'en';
    this.authType = 'loginForm';
    this.busy = false;
    this.ssoWaiting = false;
    this.error = '';
    this.calls = [];
    this.notice = '';
    this.audioDevices = null;
    this.audioSettings = null;
    this.userStatus = null;
    this.roles = null;
    this.recording = new Set();
    this.pnpsQuery = null;
    this.selectedRole = null;
    this.screen = 'main';
    this.recent = [];
    this.quality = {};
    this.uiUrl = '';
    this.micLevel = null;
    this.transport = defaultTransport();
  }

  static styles = css`
    :host { display: flow-root; max-width: 420px; margin: 0 auto; padding: 0 16px 16px; box-sizing: border-box; font-family: system-ui, 'Segoe UI', Roboto, sans-serif; color: #1c2430; }
    .settings { background: #fff; border-radius: 12px; padding: 12px 20px 16px; box-shadow: 0 1px 3px rgba(0,0,0,.12); margin-top: 16px; }
    .bar { display: flex; align-items: center; gap: 12px; }
    .bar h2 { font-size: 18px; margin: 0; }
    .back { font: inherit; font-weight: 600; padding: 8px 12px; border-radius: 8px; border: 0; background: #e7edf7; color: #133d7a; cursor: pointer; }
    label { display: block; font-size: 13px; color: #4a5566; margin-top: 12px; }
    select { display: block; width: 100%; font: inherit; padding: 6px; margin-top: 4px; border-radius: 6px; border: 1px solid #b9c3d3; }
    button:focus-visible, select:focus-visible, a:focus-visible { outline: 3px solid #f5a623; outline-offset: 1px; }
    .ui-link { display: block; margin-top: 12px; color: #133d7a; font-weight: 600; }
    .desktop h2 { font-size: 16px; margin: 4px 0 8px; }
    .check { display: flex; gap: 8px; align-items: center; color: #1c2430; font-size: 14px; }
    .hint { font-size: 13px; color: #4a5566; margin: 10px 0 0; }
    .links { display: flex; flex-wrap: wrap; gap: 6px 10px; align-items: center; margin-top: 12px; font-size: 14px; }
    .links-title { flex: 1 1 100%; font-size: 13px; color: #4a5566; }
    .links .ok { color: #1e7a3c; }
    .links button { font: inherit; font-size: 13px; padding: 4px 10px; border-radius: 6px; border: 0; background: #e7edf7; color: #133d7a; cursor: pointer; }
    .desktop .notice.error { font-size: 13px; margin: 6px 0 0; color: #b3261e; }
    .integration h2 { font-size: 16px; margin: 4px 0 8px; }
    .integration input[type=number], .integration textarea { display: block; width: 100%; box-sizing: border-box; font: inherit; padding: 6px; margin-top: 4px; border-radius: 6px; border: 1px solid #b9c3d3; }
    .integration .field { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin-top: 10px; font-size: 13px; }
    .integration .field span { color: #4a5566; min-width: 56px; }
    .integration code { flex: 1 1 100%; font-size: 12px; word-break: break-all; background: #f1f4f9; border-radius: 6px; padding: 4px 6px; }
    .integration .field button { font: inherit; font-size: 13px; padding: 4px 10px; border-radius: 6px; border: 0; background: #e7edf7; color: #133d7a; cursor: pointer; }
    .integration .field button:disabled { opacity: .5; cursor: default; }
    .integration .notice { font-size: 13px; margin: 10px 0 0; color: #133d7a; }
    .integration .notice.error { color: #b3261e; }
  `;

  connectedCallback(): void {
    super.connectedCallback();
    this.unsubscribe = this.transport.subscribe((e) => this.onBackendEvent(e));
    window.addEventListener('keydown', this.onKey);
    void this.start();
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    this.unsubscribe = null;
    window.removeEventListener('keydown', this.onKey);
    if (this.qualityTimer) clearInterval(this.qualityTimer);
    this.qualityTimer = null;
  }

  /**
   * Alt+A answers and Alt+R rejects the ringing call, Alt+H hangs up the
   * call under way: an agent's hands stay on the keyboard. (Alt, not Ctrl:
   * Ctrl+A/R/H are the text field's and the browser's.)
   */
  private shortcut(e: KeyboardEvent) {
    if (!this.loggedIn || !e.altKey || e.ctrlKey || e.metaKey) return;
    const ringing = this.calls.find((c) => c.state === 'incoming');
    const current = this.calls.find((c) => c.state !== 'incoming' && !c.held) ?? this.calls.find((c) => c.state !== 'incoming');
    let act: Promise<unknown> | null = null;
    if (e.code === 'KeyA' && ringing) act = this.answerCall(ringing.detail.callId);
    else if (e.code === 'KeyR' && ringing) act = this.rejectCall(ringing.detail.callId);
    else if (e.code === 'KeyH' && current) act = this.endCall(current.detail.callId);
    if (!act) return;
    e.preventDefault();
    this.screenAction(act);
  }

  // Line quality of the connected calls, every two seconds while there
  // are any: an idle phone wakes nothing.
  updated(): void {
    const connected = this.isConnected && this.calls.some((c) => c.state === 'connected');
    if (connected && !this.qualityTimer) {
      this.qualityTimer = setInterval(() => void this.pollQuality(), 2000);
    } else if (!connected && this.qualityTimer) {
      clearInterval(this.qualityTimer);
      this.qualityTimer = null;
      if (Object.keys(this.quality).length) this.quality = {};
    }
  }

  /**
   * A keypad press: the keys go out one after the other in the order
   * pressed (each sendDTMF waits for the one before; sent at once, two
   * requests could reach the backend in either order).
   */
  private keypad(callId: string, key: string) {
    const next = this.dtmfChain.catch(() => undefined).then(() => this.sendDTMF(callId, key, { duration: 160, interToneGap: 60 }));
    this.dtmfChain = next;
    this.screenAction(next);
  }

  private async pollQuality() {
    const connected = this.calls.filter((c) => c.state === 'connected');
    if (!connected.length) return; // updated() stops the poll and clears the figures
    const next: Record<string, string> = {};
    await Promise.all(
      connected.map(async (c) => {
        try {
          const s = await this.transport.invoke<{ quality: string }>('CallStats', c.detail.callId);
          if (s.quality) next[c.detail.callId] = s.quality;
        } catch {
          // The call ended meanwhile, or has no media yet.
        }
      }),
    );
    this.quality = next;
  }

  private recentKey(): string | null {
    return this.user ? `voicedesk-recent:${this.user.userId || this.user.username}` : null;
  }

  private loadRecent() {
    const key = this.recentKey();
    try {
      const raw = key ? localStorage.getItem(key) : null;
      this.recent = raw ? (JSON.parse(raw) as RecentCall[]).slice(0, RECENT_MAX) : [];
    } catch {
      this.recent = [];
    }
  }

  private remember(c: CallView, d: CallEventDetail) {
    if (d.isConsulted) return;
    const entry: RecentCall = {
      number: d.phoneNumber,
      name: d.displayName,
      direction: d.callDirection === 'incoming' ? 'incoming' : 'outbound',
      missed: d.callDirection === 'incoming' && !c.connectedAt,
      at: new Date(d.startTime).getTime() || Date.now(),
      connectedMs: c.connectedAt ? Date.now() - c.connectedAt : 0,
    };
    this.recent = [entry, ...this.recent].slice(0, RECENT_MAX);
    const key = this.recentKey();
    try {
      if (key) localStorage.setItem(key, JSON.stringify(this.recent));
    } catch {
      // Storage full or off: the list lives as long as the page.
    }
  }

  private async start() {
    try {
      if (this.discoveryUrl) await this.setDiscoveryUrl(this.discoveryUrl);
      if (this.clientId && this.clientId !== 'voice-for-browser') await this.setClientId(this.clientId);
      if (this.pnpsMissionType && this.pnpsMissionType !== 'default') await this.setPNPSMissionType(this.pnpsMissionType);
      if (this.disablePnpsQuery) await this.transport.invoke('DisablePNPSQuery', true);
      await this.refresh();
    } catch (e) {
      this.error = (e as Error).message;
    }
    // The reference: emitted after the app is initialized, before authentication.
    this.emit('init');
  }

  private async refresh() {
    const s = await this.transport.invoke<BackendState>('State');
    this.loggedIn = s.loggedIn;
    this.kiosk = !!s.kiosk;
    if (this.kiosk && this.screen === 'settings') this.screen = 'main';
    this.user = s.user ?? null;
    // The backend's calls replace the list: after a reload or the bridge's
    // reconnect mid-call the screen shows the calls again, not an empty list.
    this.calls = (s.calls ?? []).map((c) => ({
      detail: toCallDetail(c.detail),
      state: c.state,
      held: !!c.held,
      muted: !!c.muted,
      connectedAt: c.connectedAt ? Date.parse(c.connectedAt) : undefined,
    }));
    await this.applyLanguage(s.language);
    if (this.loggedIn) {
      this.loadRecent();
      await Promise.all([this.loadAudio(), this.loadRoles(), this.loadStatus()]);
    } else {
      this.screen = 'main';
    }
  }

  /** Reads the availability for its picker (a reload or reconnect has no event for it until it changes). */
  private async loadStatus() {
    try {
      this.userStatus = await this.getUserStatus();
    } catch {
      // Shown as unknown until the next user-status-changed.
    }
  }

  /** Reads the roles for the picker; a V1 user (no roles) gets none. */
  private async loadRoles() {
    try {
      const [roles, role] = await Promise.all([this.getUserRoles(), this.getUserRole()]);
      this.roles = roles;
      this.selectedRole = role;
    } catch {
      this.roles = null;
      this.selectedRole = null;
    }
  }

  /** Reads the desktop choices (tray, start minimized) for the settings view. */
  private async loadDesktop() {
    try {
      this.desktopSettings = await this.transport.invoke<DesktopSettings>('DesktopSettings');
    } catch {
      this.desktopSettings = null; // an older backend, or none: no section
      return;
    }
    if (!this.desktopSettings.available) return;
    try {
      this.linkHandler = await this.transport.invoke<LinkHandlerState>('LinkHandler');
      this.linkHandlerNotice = '';
    } catch (err) {
      this.linkHandler = null;
      this.linkHandlerNotice = (err as Error).message; // e.g. no xdg-utils: said, not hidden
    }
  }

  /** Makes VoiceDesk the desktop's app for tel:, callto: and sip: links. */
  private registerLinks() {
    this.linkHandlerNotice = '';
    this.transport
      .invoke<LinkHandlerState>('RegisterLinkHandler')
      .then((st) => (this.linkHandler = st))
      .catch((err) => (this.linkHandlerNotice = (err as Error).message));
  }

  private renderLinks() {
    const lh = this.linkHandler;
    const other = lh && !lh.ours ? Object.values(lh.handlers).find((h) => h && h !== 'voicedesk.desktop') : '';
    return html`<div class="links">
      <span class="links-title">${t('desktop.links')}</span>
      ${lh?.ours
        ? html`<span id="links-ours" class="ok">✓ ${t('desktop.linksOurs')}</span>`
        : html`<button type="button" id="links-register" @click=${() => this.registerLinks()}>${t('desktop.linksRegister')}</button>`}
      ${other ? html`<p class="hint">${t('desktop.linksOther', { app: other.replace(/\.desktop$/, '') })}</p>` : ''}
      ${this.linkHandlerNotice ? html`<p class="notice error" role="alert">${this.linkHandlerNotice}</p>` : ''}
    </div>`;
  }

  private setDesktop(patch: Partial<DesktopSettings>) {
    if (!this.desktopSettings) return;
    const next = { ...this.desktopSettings, ...patch };
    this.desktopSettings = next;
    this.screenAction(this.transport.invoke('SetDesktopSettings', next).finally(() => this.loadDesktop()));
  }

  private renderDesktop() {
    const d = this.desktopSettings;
    if (!d?.available || d.kiosk) return '';
    return html`<section class="settings desktop" aria-labelledby="desktop-h">
      <h2 id="desktop-h">${t('desktop.title')}</h2>
      <label class="check"><input type="checkbox" id="keep-running" .checked=${d.keepRunning}
        @change=${(e: Event) => this.setDesktop({ keepRunning: (e.target as HTMLInputElement).checked })} />${t('desktop.keepRunning')}</label>
      <label class="check"><input type="checkbox" id="start-minimized" .checked=${d.startMinimized}
        @change=${(e: Event) => this.setDesktop({ startMinimized: (e.target as HTMLInputElement).checked })} />${t('desktop.startMinimized')}</label>
      <label class="check"><input type="checkbox" id="autostart" .checked=${!!d.autostart}
        @change=${(e: Event) => this.setDesktop({ autostart: (e.target as HTMLInputElement).checked })} />${t('desktop.autostart')}</label>
      ${d.tray ? '' : html`<p class="hint">${t('desktop.noTray')}</p>`}
      ${this.renderLinks()}
    </section>`;
  }

  /** Reads the integration API's setting for the settings view. */
  private async loadIntegration() {
    try {
      this.integration = await this.transport.invoke<IntegrationSettings>('IntegrationSettings');
    } catch {
      this.integration = null; // not the window's backend (a browser on the bridge): no section
    }
  }

  /** Turns the integration API on or off, moves it or changes its pages: at once, and kept. */
  private setIntegration(patch: Partial<IntegrationSettings>) {
    if (!this.integration) return;
    const next = { ...this.integration, ...patch };
    this.integration = next;
    this.integrationNotice = '';
    this.transport
      .invoke<IntegrationSettings>('SetIntegrationSettings', next)
      .then((v) => (this.integration = v))
      .catch((err) => {
        this.integrationNotice = (err as Error).message;
        void this.loadIntegration(); // what is in force, not what was typed
      });
  }

  private renewToken() {
    this.integrationNotice = '';
    this.transport
      .invoke<IntegrationSettings>('RenewIntegrationToken')
      .then((v) => {
        this.integration = v;
        this.integrationNotice = t('integration.renewed');
      })
      .catch((err) => (this.integrationNotice = (err as Error).message));
  }

  /** Copies text with the app's clipboard (Wails' runtime), else the browser's. */
  private async copy(text: string) {
    const rt = (window as unknown as { runtime?: { ClipboardSetText?(s: string): Promise<boolean> } }).runtime;
    try {
      if (rt?.ClipboardSetText) {
        if (!(await rt.ClipboardSetText(text))) throw new Error('clipboard');
      } else {
        await navigator.clipboard.writeText(text);
      }
      this.integrationNotice = t('integration.copied');
    } catch (err) {
      this.integrationNotice = (err as Error).message;
    }
  }

  private renderIntegration() {
    const g = this.integration;
    if (!g?.available || this.kiosk) return '';
    const value = (e: Event) => (e.target as HTMLInputElement | HTMLTextAreaElement).value;
    return html`<section class="settings integration" aria-labelledby="integration-h">
      <h2 id="integration-h">${t('integration.title')}</h2>
      <p class="hint">${t('integration.about')}</p>
      <label class="check"><input type="checkbox" id="integration-on" .checked=${g.enabled} ?disabled=${g.fixed}
        @change=${(e: Event) => this.setIntegration({ enabled: (e.target as HTMLInputElement).checked })} />${t('integration.enabled')}</label>
      ${g.fixed ? html`<p class="hint">${t('integration.fixed')}</p>` : ''}
      <label for="integration-port">${t('integration.port')}</label>
      <input id="integration-port" type="number" min="1024" max="65535" .value=${String(g.port)} ?disabled=${g.fixed}
        @change=${(e: Event) => this.setIntegration({ port: Number(value(e)) })} />
      <label for="integration-origins">${t('integration.origins')}</label>
      <textarea id="integration-origins" rows="2" placeholder="https://crm.example.com" .value=${g.origins.join('\n')} ?disabled=${g.fixed}
        @change=${(e: Event) => this.setIntegration({ origins: value(e).split('\n') })}></textarea>
      ${g.rpc
        ? html`<div class="field"><span>${t('integration.address')}</span>
              <button type="button" id="integration-copy-rpc" @click=${() => void this.copy(g.rpc!)}>${t('integration.copy')}</button>
              <code id="integration-rpc">${g.rpc}</code></div>
            <div class="field"><span>${t('integration.token')}</span>
              <button type="button" id="integration-show" @click=${() => (this.showToken = !this.showToken)}>${this.showToken ? t('integration.hide') : t('integration.show')}</button>
              <button type="button" id="integration-copy-token" @click=${() => void this.copy(g.token!)}>${t('integration.copy')}</button>
              <button type="button" id="integration-renew" ?disabled=${g.tokenFixed} title=${t('integration.renewHint')} @click=${() => this.renewToken()}>${t('integration.renew')}</button>
              <code id="integration-token">${this.showToken ? g.token : '•'.repeat(16)}</code></div>`
        : ''}
      ${g.error ? html`<p class="notice error" role="alert">${g.error}</p>` : ''}
      ${this.integrationNotice ? html`<p class="notice" role="status">${this.integrationNotice}</p>` : ''}
    </section>`;
  }

  /** Reads the sound devices and choices for the settings view. */
  private async loadAudio() {
    try {
      this.audioSettings = await this.transport.invoke<AudioSettings>('AudioSettings');
    } catch {
      this.audioSettings = null;
    }
    try {
      this.audioDevices = await this.transport.invoke<AudioDevices>('AudioDevices');
    } catch {
      this.audioDevices = null; // shown as "no sound devices"
    }
  }

  private async applyLanguage(lang: string) {
    if (!isLanguage(lang)) return;
    await i18n.changeLanguage(lang);
    this.language = lang;
    document.documentElement.lang = lang;
  }

  private onBackendEvent(e: PhoneEvent) {
    if (e.name === 'logged-in' || e.name === 'logged-out' || e.name === RECONNECTED) {
      void this.refresh().catch((err) => (this.error = (err as Error).message));
    }
    if (e.name.startsWith('call-') && e.name !== 'call-supervising-state-changed') {
      const detail = toCallDetail(e.detail);
      this.trackCall(e.name, detail);
      this.emit(e.name, detail);
      return;
    }
    if (e.name === 'user-status-changed') this.userStatus = e.detail as PublicUserStatus;
    if (e.name === 'call-supervising-state-changed') {
      const state = (e.detail as { state?: string } | undefined)?.state;
      if (state && ['connecting', 'started', 'ended', 'failed'].includes(state)) this.notice = t(`supervision.${state}`);
    }
    if (e.name === 'pnps-query' && !this.disablePnpsQuery) this.pnpsQuery = e.detail as PNPSQuery;
    if (e.name === 'user-role-changed') this.selectedRole = e.detail as PublicUserRole;
    if (e.name === 'logged-out') {
      this.userStatus = null;
      this.pnpsQuery = null;
      this.roles = null;
      this.selectedRole = null;
    }
    if (e.name === 'phone-error' && AUDIO_NOTICES.has(String(e.detail))) {
      this.notice = t(`notices.${String(e.detail)}`);
      void this.loadAudio();
    }
    this.emit(e.name, e.detail);
  }

  /** Keeps the list of calls the screen shows, from the backend's events only. */
  private trackCall(name: string, d: CallEventDetail) {
    const states: Record<string, CallView['state'] | undefined> = {
      'call-started': 'calling',
      'call-in-progress': 'ringing',
      'call-incoming': 'incoming',
      'call-answered': 'connected',
      'call-confirmed': 'connected',
    };
    const state = states[name];
    const flag = ({
      'call-paused': ['held', true],
      'call-resumed': ['held', false],
      'call-muted': ['muted', true],
      'call-unmuted': ['muted', false],
    } as const)[name as 'call-paused'];
    if (flag) {
      this.calls = this.calls.map((c) => (c.detail.callId === d.callId ? { ...c, [flag[0]]: flag[1] } : c));
      return;
    }
    const others = this.calls.filter((c) => c.detail.callId !== d.callId);
    const prev = this.calls.find((c) => c.detail.callId === d.callId);
    if (name === 'call-ended') {
      if (prev) this.remember(prev, d);
      this.calls = others;
      if (this.recording.has(d.callId)) this.recording = new Set([...this.recording].filter((id) => id !== d.callId));
      this.notice = t('call.ended', { reason: d.endReason ?? '' });
    } else if (state) {
      const connectedAt = prev?.connectedAt ?? (state === 'connected' ? Date.now() : undefined);
      this.calls = [...others, { ...prev, detail: d, state, connectedAt }];
    }
  }

  private emit(name: string, detail?: unknown) {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  // ---- Public methods of the reference ----

  /** login(options): resolves true, or rejects with the reference's errors. */
  async login(options: LoginOptions): Promise<boolean> {
    this.busy = true;
    this.ssoWaiting = options?.type === 'SSO';
    this.error = '';
    try {
      return await this.transport.invoke<boolean>('Login', options);
    } finally {
      this.busy = false;
      this.ssoWaiting = false;
    }
  }

  /**
   * Deprecated in the reference: login() with type 'SSO'. Resolves false
   * when the user has no SSO. The Keycloak object has no desktop use: the
   * sign-in runs in the system browser.
   */
  async loginUsingSSO(username: string, _isInIFrame?: boolean, _keycloak?: unknown, siloName?: string): Promise<boolean> {
    this.busy = true;
    this.ssoWaiting = true;
    this.error = '';
    try {
      return await this.transport.invoke<boolean>('LoginUsingSSO', username, siloName ?? '');
    } finally {
      this.busy = false;
      this.ssoWaiting = false;
    }
  }

  /** setClientId(id): the client the next SSO login identifies as; resolves true. */
  setClientId(id: string): Promise<boolean> {
    return this.transport.invoke<boolean>('SetClientId', id).then((ok) => {
      this.clientId = id;
      return ok;
    });
  }

  /** Deprecated in the reference: login() with type 'Credentials'. */
  loginUsingUsernameAndPassword(username: string, password: string, isInIFrame?: boolean, siloName?: string): Promise<boolean> {
    return this.login({ type: 'Credentials', username, password, isInIframe: isInIFrame ?? false, siloName });
  }

  /** Deprecated in the reference: login() with type 'AuthHeader'. */
  loginUsingAuthHeader(authHeader: AuthHeaderValue, userId: string, username: string, isInIFrame?: boolean, siloName?: string): Promise<boolean> {
    return this.login({ type: 'AuthHeader', authHeader, userId, username, isInIframe: isInIFrame ?? false, siloName });
  }

  /**
   * setAuthHeader(authHeader): renews the impersonation token of an
   * AuthHeader login (after auth-token-expired). Throws on a malformed
   * header; a refusal by the backend shows as a notice.
   */
  setAuthHeader(authHeader: AuthHeaderValue): void {
    if (!authHeader || typeof authHeader.value !== 'string' || typeof authHeader.expiresIn !== 'number') {
      throw new Error('setAuthHeader takes { value: string, expiresIn: number }');
    }
    void this.transport.invoke('SetAuthHeader', authHeader).catch((e) => (this.notice = (e as Error).message));
  }

  /** makeAPICall(method, relativePath, payload?): the API's answer; [ME] is the user's id. */
  makeAPICall(method: 'GET' | 'POST' | 'PUT' | 'DELETE', relativePath: string, payload?: object): Promise<unknown> {
    return this.transport.invoke('MakeAPICall', method, relativePath, payload ?? null);
  }

  /** getUserStatus(): the user's current availability. */
  getUserStatus(): Promise<PublicUserStatus> {
    return this.transport.invoke<PublicUserStatus>('GetUserStatus');
  }

  /** VoiceDesk addition: change the availability (user-status-changed follows). */
  setUserStatus(eventTypeId: number, note = ''): Promise<PublicUserStatus> {
    return this.transport.invoke<PublicUserStatus>('SetUserStatus', eventTypeId, note);
  }

  /** getUserRoles(): the roles the user may select (V2 outbound UI mode). */
  getUserRoles(): Promise<PublicUserRole[]> {
    return this.transport.invoke<PublicUserRole[]>('GetUserRoles');
  }

  /** getUserRole(): the selected role with its SelectedNumber. */
  getUserRole(): Promise<PublicUserRole> {
    return this.transport.invoke<PublicUserRole>('GetUserRole');
  }

  /** setUserRole(queueId?, number?): true when changed (user-role-changed follows), false for an invalid choice. */
  setUserRole(queueId?: string, number?: string): Promise<boolean> {
    return this.transport.invoke<boolean>('SetUserRole', queueId ?? '', number ?? '');
  }

  /** logout(force?): signs out; the desktop app has no page reload to prompt for. */
  logout(force = false): void {
    void this.transport.invoke('Logout', force).catch((e) => (this.error = (e as Error).message));
  }

  /** setPhoneLanguage(lang): 'en' | 'es' | 'fi' | 'sv' | 'nl'. */
  setPhoneLanguage(lang: string): Promise<void> {
    return this.transport.invoke<void>('SetPhoneLanguage', lang).then(() => this.applyLanguage(lang.trim().toLowerCase()));
  }

  /** setDiscoveryUrl(url): resolves true when set. */
  setDiscoveryUrl(url: string): Promise<boolean> {
    return this.transport.invoke<boolean>('SetDiscoveryUrl', url);
  }

  /**
   * call(targetNumber, outboundServiceCallData?): resolves with the call id;
   * the call's life arrives as call-* events. The data makes it a queue or
   * callback call (with an optional CLI) instead of the role selected in the UI.
   */
  call(targetNumber: string, outboundServiceCallData?: OutboundServiceCallData): Promise<string> {
    return this.transport.invoke<string>('Call', targetNumber, outboundServiceCallData ?? null);
  }

  /** Deprecated in the reference: call() with { queueId, cli }. */
  callOutboundQueue(targetNumber: string, queueId: string, cli?: string): Promise<string> {
    return this.transport.invoke<string>('CallOutboundQueue', targetNumber, queueId ?? '', cli ?? '');
  }

  /** Deprecated in the reference: call() with { callbackListId, callbackRequestId, cli }. */
  callOutboundCallback(targetNumber: string, callbackListId: string, callbackRequestId: string, cli?: string): Promise<string> {
    return this.transport.invoke<string>('CallOutboundCallback', targetNumber, callbackListId ?? '', callbackRequestId ?? '', cli ?? '');
  }

  /** answerCall(callId): answers an incoming call. */
  answerCall(callId: string): Promise<void> {
    return this.transport.invoke<void>('AnswerCall', callId);
  }

  /** rejectCall(callId): declines an incoming call (603), or ends any other. */
  rejectCall(callId: string): Promise<void> {
    return this.transport.invoke<void>('RejectCall', callId);
  }

  /** setPNPSMissionType(type): 'default' | 'standalone' | 'salesforce' | 'd365'; before login only. */
  setPNPSMissionType(type: string): Promise<void> {
    return this.transport.invoke<void>('SetPNPSMissionType', type).then(() => {
      this.pnpsMissionType = type;
    });
  }

  private pnpsDone(p: Promise<unknown>) {
    this.pnpsQuery = null;
    this.screenAction(p);
  }

  /** updateJWT(token): renews the SDK token the SIP WebSocket (re)connects with. */
  updateJWT(token: string): Promise<void> {
    return this.transport.invoke<void>('UpdateJWT', token);
  }

  /** startCallSupervision(targetUserId): resolves true once the supervision call is up; states arrive as call-supervising-state-changed. */
  startCallSupervision(targetUserId: string): Promise<boolean> {
    return this.transport.invoke<boolean>('StartCallSupervision', targetUserId);
  }

  /** setUserData(data): data sent with this user's transfers (serialized under 491 characters). */
  setUserData(data: object): Promise<boolean> {
    return this.transport.invoke<boolean>('SetUserData', data);
  }

  /** getCallExtraData(): the platform's extra data (e.g. strong authentication) of the ongoing basic call. */
  getCallExtraData(): Promise<CallExtraData[]> {
    return this.transport.invoke<CallExtraData[]>('GetCallExtraData');
  }

  /** pauseCall(callId): puts the call on hold (call-paused follows). */
  pauseCall(callId: string): Promise<void> {
    return this.transport.invoke<void>('PauseCall', callId);
  }

  /** resumeCall(callId): takes the call off hold (call-resumed follows). */
  resumeCall(callId: string): Promise<void> {
    return this.transport.invoke<void>('ResumeCall', callId);
  }

  /** muteCall(callId): silence goes to the far end (call-muted follows). */
  muteCall(callId: string): Promise<void> {
    return this.transport.invoke<void>('MuteCall', callId);
  }

  /** unmuteCall(callId): the microphone again (call-unmuted follows). */
  unmuteCall(callId: string): Promise<void> {
    return this.transport.invoke<void>('UnmuteCall', callId);
  }

  /** sendDTMF(callId, tones, options?): tones 0-9 A-D # * , with { duration: 40-6000, interToneGap: >= 30 } ms. */
  sendDTMF(callId: string, tones: string, options?: { duration?: number; interToneGap?: number }): Promise<boolean> {
    return this.transport.invoke<boolean>('SendDTMF', callId, tones, options ?? {});
  }

  /** transferCall('direct' | 'consulted', number): resolves with the CallTransferStateInterface. */
  transferCall(transferType: 'direct' | 'consulted', transferToNumber: string): Promise<CallTransferState> {
    return this.transport.invoke<CallTransferState>('TransferCall', transferType, transferToNumber);
  }

  /** confirmTransfer(): completes a consulted transfer. */
  confirmTransfer(): Promise<CallTransferState> {
    return this.transport.invoke<CallTransferState>('ConfirmTransfer');
  }

  /** startCallRecording(callId): the platform records the connected call. */
  async startCallRecording(callId: string): Promise<void> {
    await this.transport.invoke<void>('StartCallRecording', callId);
    this.recording = new Set([...this.recording, callId]);
  }

  /** stopCallRecording(callId): stops the call's recording. */
  async stopCallRecording(callId: string): Promise<void> {
    await this.transport.invoke<void>('StopCallRecording', callId);
    this.recording = new Set([...this.recording].filter((id) => id !== callId));
  }

  /** endCall(callId): ends a call in any state. */
  endCall(callId: string): Promise<void> {
    return this.transport.invoke<void>('EndCall', callId);
  }

  /**
   * setAudioHandling(type): 'default' opens the sound devices only for
   * calls, 'legacy' keeps them open. Resolves true; rejects when the user
   * has chosen the handling in the phone's settings, which wins.
   */
  setAudioHandling(type: AudioHandling): Promise<boolean> {
    return this.transport.invoke<boolean>('SetAudioHandling', type).then((ok) => {
      void this.loadAudio();
      return ok;
    });
  }

  /** setPhoneAlerts(value): the ringtone on (true, the default) or off. */
  setPhoneAlerts(value: boolean): void {
    if (typeof value !== 'boolean') throw new Error(`setPhoneAlerts takes a boolean, got ${typeof value}`);
    void this.transport
      .invoke('SetPhoneAlerts', value)
      .then(() => this.loadAudio())
      .catch((e) => (this.notice = (e as Error).message));
  }

  /**
   * updateBeneUiUrl(url): the platform's web UI, linked from the phone
   * (opened in the system browser). The URL is parsed; anything but an
   * http(s) URL is refused.
   */
  updateBeneUiUrl(url: string): void {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new Error(`Invalid UI URL '${String(url)}'`);
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error(`Invalid UI URL '${url}': use an http(s) URL`);
    this.uiUrl = u.href;
  }

  private openUiUrl(e: Event) {
    // In the app's window the system browser opens it (Wails' runtime); in
    // a browser the link opens a tab.
    const rt = (window as unknown as { runtime?: { BrowserOpenURL(url: string): void } }).runtime;
    if (rt?.BrowserOpenURL) {
      e.preventDefault();
      rt.BrowserOpenURL(this.uiUrl);
    }
  }

  /** setAuthType('loginForm' | 'JWT'): 'JWT' shows a welcome screen instead of the form. */
  setAuthType(authType: AuthType): void {
    if (authType !== 'loginForm' && authType !== 'JWT') {
      throw new Error(`Unsupported auth type '${String(authType)}'. Use 'loginForm' or 'JWT'`);
    }
    this.authType = authType;
  }

  // ---- Screen actions ----

  private async onLogin(e: CustomEvent<{ username: string; password: string; rememberMe: boolean }>) {
    await this.loginFromScreen({ type: 'Credentials', ...e.detail });
  }

  private async onSSO(e: CustomEvent<{ username: string; rememberMe: boolean }>) {
    await this.loginFromScreen({ type: 'SSO', ...e.detail });
  }

  private async loginFromScreen(opts: LoginOptions) {
    try {
      await this.login(opts);
    } catch (err) {
      const { key, message } = loginErrorKey(err as Error);
      this.error = t(key, { message });
    }
  }

  private async onLanguage(e: CustomEvent<{ lang: string }>) {
    try {
      await this.setPhoneLanguage(e.detail.lang);
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  private screenAction(p: Promise<unknown>) {
    this.notice = '';
    p.catch((err) => (this.notice = (err as Error).message));
  }

  /** The settings' microphone test: its level for about four seconds. */
  private async testMic() {
    this.micLevel = -100;
    try {
      for (let i = 0; i < 12 && this.screen === 'settings'; i++) {
        this.micLevel = await this.transport.invoke<number>('MicLevel');
      }
    } catch (e) {
      this.notice = (e as Error).message;
    } finally {
      this.micLevel = null;
    }
  }

  /** The settings screen: language and sound, and the way back. */
  private renderSettings() {
    return html`<section class="settings" aria-labelledby="settings-h">
        <div class="bar">
          <button type="button" class="back" @click=${() => (this.screen = 'main')}>← ${t('home.back')}</button>
          <h2 id="settings-h">${t('settings.title')}</h2>
        </div>
        <label for="settings-language">${t('settings.language')}</label>
        <select id="settings-language"
          @change=${(e: Event) => this.screenAction(this.setPhoneLanguage((e.target as HTMLSelectElement).value))}>
          ${LANGUAGES.map((l) => html`<option value=${l.code} ?selected=${l.code === this.language}>${l.name}</option>`)}
        </select>
        ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : ''}
      </section>
      ${this.renderDesktop()}
      <vd-audio-settings .devices=${this.audioDevices} .settings=${this.audioSettings} .micLevel=${this.micLevel} language=${this.language}
        @vd-audio-refresh=${() => void this.loadAudio()}
        @vd-audio-test=${(e: CustomEvent<{ kind: string }>) => this.screenAction(this.transport.invoke('TestSound', e.detail.kind))}
        @vd-mic-test=${() => void this.testMic()}
        @vd-audio-settings=${(e: CustomEvent<AudioSettings>) =>
          // What the backend kept (a device may have been refused) is shown.
          this.screenAction(this.transport.invoke('SetAudioSettings', e.detail).finally(() => this.loadAudio()))}></vd-audio-settings>
      ${this.renderIntegration()}`;
  }

  render() {
    if (this.loggedIn && this.screen === 'settings' && !this.kiosk) return this.renderSettings();
    return this.loggedIn
      ? html`${this.uiUrl ? html`<a class="ui-link" href=${this.uiUrl} target="_blank" rel="noopener noreferrer" @click=${this.openUiUrl}>${t('home.openWebUi')}</a>` : ''}<vd-home-view .user=${this.user} .status=${this.userStatus} .roles=${this.roles} .selectedRole=${this.selectedRole}
            language=${this.language} ?kiosk=${this.kiosk} @vd-logout=${() => this.logout(true)}
            @vd-settings=${() => ((this.notice = ''), (this.integrationNotice = ''), (this.showToken = false), (this.screen = 'settings'), void this.loadDesktop(), void this.loadIntegration())}
            @vd-role=${(e: CustomEvent<{ queueId: string; number: string }>) => this.screenAction(this.setUserRole(e.detail.queueId, e.detail.number))}
            @vd-status=${(e: CustomEvent<{ id: number }>) => this.screenAction(this.setUserStatus(e.detail.id))}></vd-home-view>
          <vd-call-panel .calls=${this.calls} .recording=${this.recording} .recent=${this.recent} .quality=${this.quality} notice=${this.notice} language=${this.language}
            @vd-hold=${(e: CustomEvent<{ id: string; on: boolean }>) =>
              this.screenAction(e.detail.on ? this.pauseCall(e.detail.id) : this.resumeCall(e.detail.id))}
            @vd-mute=${(e: CustomEvent<{ id: string; on: boolean }>) =>
              this.screenAction(e.detail.on ? this.muteCall(e.detail.id) : this.unmuteCall(e.detail.id))}
            @vd-transfer=${(e: CustomEvent<{ id: string; number: string; kind: 'direct' | 'consulted' }>) =>
              this.screenAction(this.transferCall(e.detail.kind, e.detail.number))}
            @vd-confirm-transfer=${() => this.screenAction(this.confirmTransfer())}
            @vd-dtmf=${(e: CustomEvent<{ id: string; key: string }>) => this.keypad(e.detail.id, e.detail.key)}
            @vd-record=${(e: CustomEvent<{ id: string; on: boolean }>) =>
              this.screenAction(e.detail.on ? this.startCallRecording(e.detail.id) : this.stopCallRecording(e.detail.id))}
            @vd-call=${(e: CustomEvent<{ number: string }>) => this.screenAction(this.call(e.detail.number))}
            @vd-supervise=${(e: CustomEvent<{ target: string }>) => this.screenAction(this.startCallSupervision(e.detail.target))}
            @vd-answer=${(e: CustomEvent<{ id: string }>) => this.screenAction(this.answerCall(e.detail.id))}
            @vd-reject=${(e: CustomEvent<{ id: string }>) => this.screenAction(this.rejectCall(e.detail.id))}
            @vd-end=${(e: CustomEvent<{ id: string }>) => this.screenAction(this.endCall(e.detail.id))}></vd-call-panel>
          ${this.pnpsQuery
            ? html`<vd-pnps-query .query=${this.pnpsQuery} language=${this.language}
                @vd-pnps-answer=${(e: CustomEvent<{ id: string; score: number; comment: string }>) =>
                  this.pnpsDone(this.transport.invoke('AnswerPNPS', e.detail.id, e.detail.score, e.detail.comment))}
                @vd-pnps-dismiss=${(e: CustomEvent<{ id: string }>) => this.pnpsDone(this.transport.invoke('DismissPNPS', e.detail.id))}></vd-pnps-query>`
            : ''}
`
      : html`<vd-login-view language=${this.language} authType=${this.authType} ?busy=${this.busy} ?ssoWaiting=${this.ssoWaiting}
          error=${this.error} ?kiosk=${this.kiosk} @vd-login=${this.onLogin} @vd-sso=${this.onSSO}
          @vd-sso-cancel=${() => void this.transport.invoke('CancelLogin').catch(() => {})}
          @vd-language=${this.onLanguage}></vd-login-view>`;
  }
}

customElements.define('webrtc-client-ui', WebrtcClientUi);
