import { LitElement, css, html, type PropertyValues } from 'lit';
import { PhoneApi } from './api';
import { AttributeSync } from './attributes';
import { loginErrorKey } from './errors';
import { t } from './i18n';
import { Shortcuts } from './shortcuts';
import { PhoneStore } from './store';
import { defaultTransport, type Transport } from './transport';
import type { AudioHandling, AuthHeaderValue, CallExtraData, CallTransferState, Colleague, LoginOptions } from './types';
import type { OutboundServiceCallData, PublicUserRole, PublicUserStatus } from './types';
import type { AuthType } from './views/login-view';
import './views/login-view';
import './views/home-view';
import './views/call-panel';
import './views/colleagues-view';
import './views/pnps-query';
import './views/settings-view';
import { savedTheme, themeStyles, type Theme } from './theme';
import { sectionStyles } from './views/settings-view';

export * from './types';

/**
 * <webrtc-client-ui>: the phone's element. Its public methods and events
 * are the reference's; each method is carried to the Go backend, which owns
 * the semantics (validation, state, errors), and backend events come back
 * as CustomEvents with the reference's detail (the store re-dispatches
 * them). The element holds only its attributes, a login under way and
 * which screen is shown; what the host sets (the auth type, the web UI's
 * link) is kept by the backend, so the window and integrations agree.
 */
/** The element's width from which it lays out two columns. */
const WIDE_PX = 860;

export class WebrtcClientUi extends LitElement {
  static properties = {
    discoveryUrl: { type: String, attribute: 'discovery-url' },
    clientId: { type: String, attribute: 'client-id' },
    pnpsMissionType: { type: String, attribute: 'pnps-mission-type' },
    disablePnpsQuery: { type: Boolean, attribute: 'disable-pnps-query' },
    /** VoiceDesk's addition: off, all, queue or requested; and the delay in seconds. */
    autoAnswer: { type: String, attribute: 'auto-answer' },
    autoAnswerDelay: { type: Number, attribute: 'auto-answer-delay' },
    /** VoiceDesk's addition: auto (follow the OS), light or dark. */
    theme: { type: String, reflect: true },
    busy: { state: true },
    ssoWaiting: { state: true },
    screen: { state: true },
    tab: { state: true },
  };

  declare discoveryUrl: string | undefined;
  declare clientId: string;
  declare pnpsMissionType: string;
  declare disablePnpsQuery: boolean;
  declare autoAnswer: string | undefined;
  declare autoAnswerDelay: number | undefined;
  declare theme: Theme;
  /** A login is under way (and, for SSO, waits for the system browser). */
  declare busy: boolean;
  declare ssoWaiting: boolean;
  /** The signed-in screen shown: the phone, or its settings. */
  declare screen: 'main' | 'settings';
  /** Under the calls: the dialer or the Colleagues view. */
  declare tab: 'dialer' | 'colleagues';

  readonly api = new PhoneApi(defaultTransport());
  readonly store = new PhoneStore(this, this.api);
  private readonly attrSync = new AttributeSync(this, this.api, (err) => this.store.set({ notice: err.message }));

  constructor() {
    super();
    this.discoveryUrl = undefined;
    this.clientId = 'voice-for-browser';
    this.pnpsMissionType = 'default';
    this.disablePnpsQuery = false;
    this.autoAnswer = undefined;
    this.autoAnswerDelay = undefined;
    this.theme = savedTheme();
    this.busy = false;
    this.ssoWaiting = false;
    this.screen = 'main';
    this.tab = 'dialer';
    new Shortcuts(this, this.store, this);
  }

  /** Set before the element connects to use another transport (tests, browser mode). */
  get transport(): Transport {
    return this.api.transport;
  }
  set transport(t: Transport) {
    this.api.transport = t;
  }

  static styles = [
    themeStyles,
    css`
      :host { display: flow-root; max-width: 1180px; margin: 0 auto; padding: 0 16px 16px; box-sizing: border-box; font-family: system-ui, 'Segoe UI', Roboto, sans-serif; color: var(--vd-text, #1c2430); }
      /* One column up to a desk window's width (340 px and up); the login
         and settings screens stay a readable column at any width. */
      .narrow, .main { max-width: 420px; margin: 0 auto; }
      /* A wide window or a full-screen kiosk: who and availability on the
         left, the calls and the dialer or colleagues beside them. */
      :host([wide]) .main { max-width: none; display: grid; grid-template-columns: minmax(300px, 380px) minmax(0, 1fr); gap: 0 28px; align-items: start; }
      :host([wide]) .side { position: sticky; top: 0; }
      :host([wide]) .work { padding-top: 14px; }
      button:focus-visible, select:focus-visible, a:focus-visible { outline: 3px solid #f5a623; outline-offset: 1px; }
      .ui-link { display: block; margin-top: 12px; color: var(--vd-accent, #133d7a); font-weight: 600; }
    `,
    sectionStyles,
  ];


  /**
   * Sets the host's `wide` attribute from the element's own width (860 px
   * and more: two columns). Not a CSS container query: with
   * `container-type: inline-size` on the host, WebKitGTK 2.50 painted the
   * page 5-10 times a second during a call instead of once for the call's
   * clock (bench/callbench, 2026-12-07: the page's process 1.2-1.3 CPU-s per
   * call-minute instead of 0.5-0.6). The observer runs only when the size
   * changes; the width does not depend on the attribute, so it cannot loop.
   */
  private readonly widthWatch = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver((entries) => {
    const width = entries[entries.length - 1].contentRect.width;
    this.toggleAttribute('wide', width >= WIDE_PX);
  });

  connectedCallback(): void {
    super.connectedCallback();
    this.widthWatch?.observe(this);
    void this.start();
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.widthWatch?.disconnect();
  }

  protected willUpdate(changed: PropertyValues<this>): void {
    // The page around the element follows (the app's own page: index.html).
    if (changed.has('theme')) document.documentElement.dataset.vdTheme = this.theme;
    if (changed.has('disablePnpsQuery')) this.store.pnpsOff = this.disablePnpsQuery;
    // A kiosk station has no settings screen, and signing out leaves it.
    if (this.screen === 'settings' && (this.store.kiosk || !this.store.loggedIn)) this.screen = 'main';
  }

  /** The attributes go to the backend, then the state is read and init emitted, before any other event. */
  private async start() {
    try {
      await this.attrSync.start();
      await this.store.refresh();
    } catch (e) {
      this.store.set({ error: (e as Error).message });
    }
    this.store.initialized();
  }

  // ---- Public methods of the reference ----

  /** login(options): resolves true, or rejects with the reference's errors. */
  async login(options: LoginOptions): Promise<boolean> {
    return this.signingIn(options?.type === 'SSO', () => this.api.login(options));
  }

  /** Deprecated: login() with type 'SSO'; false when the user has no SSO. Keycloak has no desktop use (the system browser signs in). */
  async loginUsingSSO(username: string, isInIFrame?: boolean, _keycloak?: unknown, siloName?: string): Promise<boolean> {
    return this.signingIn(true, () => this.api.loginUsingSSO(username, isInIFrame ?? null, siloName ?? ''));
  }

  private async signingIn(sso: boolean, run: () => Promise<boolean>): Promise<boolean> {
    this.busy = true;
    this.ssoWaiting = sso;
    this.store.set({ error: '' });
    try {
      return await run();
    } finally {
      this.busy = false;
      this.ssoWaiting = false;
    }
  }

  /** setClientId(id): the client the next SSO login identifies as; resolves true. */
  async setClientId(id: string): Promise<boolean> {
    const ok = await this.api.setClientId(id);
    this.attrSync.noteSent('clientId', id);
    this.clientId = id;
    return ok;
  }

  /** Deprecated: login() with type 'Credentials'; resolves false when the login fails. */
  loginUsingUsernameAndPassword(username: string, password: string, isInIFrame?: boolean, siloName?: string): Promise<boolean> {
    return this.signingIn(false, () => this.api.loginUsingUsernameAndPassword(username, password, isInIFrame ?? null, siloName ?? ''));
  }

  /** Deprecated: login() with type 'AuthHeader' (isInIFrame defaults to true); resolves false when the login fails. */
  loginUsingAuthHeader(authHeader: AuthHeaderValue, userId: string, username: string, isInIFrame?: boolean, siloName?: string): Promise<boolean> {
    return this.signingIn(false, () => this.api.loginUsingAuthHeader(authHeader, userId, username, isInIFrame ?? null, siloName ?? ''));
  }

  /** setAuthHeader(authHeader): renews an AuthHeader login's token. Throws on a malformed header; a refusal shows as a notice. */
  setAuthHeader(authHeader: AuthHeaderValue): void {
    if (!authHeader || typeof authHeader.value !== 'string' || typeof authHeader.expiresIn !== 'number') {
      throw new Error('setAuthHeader takes { value: string, expiresIn: number }');
    }
    void this.api.setAuthHeader(authHeader).catch((e) => this.store.set({ notice: (e as Error).message }));
  }

  /** makeAPICall(method, relativePath, payload?): the API's answer; [ME] is the user's id. */
  makeAPICall(method: 'GET' | 'POST' | 'PUT' | 'DELETE', relativePath: string, payload?: object): Promise<unknown> {
    return this.api.makeAPICall(method, relativePath, payload ?? null);
  }

  /** getUserStatus(): the user's current availability. */
  getUserStatus = (): Promise<PublicUserStatus> => this.api.getUserStatus();
  /** VoiceDesk addition: change the availability (user-status-changed follows). */
  setUserStatus = (eventTypeId: number, note = ''): Promise<PublicUserStatus> => this.api.setUserStatus(eventTypeId, note);
  /** getUserRoles(): the roles the user may select (V2 outbound UI mode). */
  getUserRoles = (): Promise<PublicUserRole[]> => this.api.getUserRoles();
  /** getUserRole(): the selected role with its SelectedNumber. */
  getUserRole = (): Promise<PublicUserRole> => this.api.getUserRole();
  /** setUserRole(queueId?, number?): true when changed (user-role-changed follows), false for an invalid choice. */
  setUserRole = (queueId?: string, number?: string): Promise<boolean> => this.api.setUserRole(queueId ?? '', number ?? '');

  /** logout(force?): signs out; the desktop app has no page reload to prompt for. */
  logout(force = false): void {
    void this.api.logout(force).catch((e) => this.store.set({ error: (e as Error).message }));
  }

  /** setPhoneLanguage(lang): 'en' | 'es' | 'fi' | 'sv' | 'nl'. */
  async setPhoneLanguage(lang: string): Promise<void> {
    await this.api.setPhoneLanguage(lang);
    await this.store.applyLanguage(lang);
  }

  /** setDiscoveryUrl(url): resolves true when set. */
  setDiscoveryUrl = (url: string): Promise<boolean> => this.api.setDiscoveryUrl(url);
  /** call(targetNumber, outboundServiceCallData?): the call id; the data makes it a queue or callback call. */
  call = (targetNumber: string, data?: OutboundServiceCallData): Promise<string> => this.api.dial(targetNumber, data ?? null);
  /** Deprecated: call() with { queueId, cli }. */
  callOutboundQueue = (targetNumber: string, queueId: string, cli?: string): Promise<string> =>
    this.api.callOutboundQueue(targetNumber, queueId ?? '', cli ?? '');
  /** Deprecated: call() with { callbackListId, callbackRequestId, cli }. */
  callOutboundCallback = (targetNumber: string, callbackListId: string, callbackRequestId: string, cli?: string): Promise<string> =>
    this.api.callOutboundCallback(targetNumber, callbackListId ?? '', callbackRequestId ?? '', cli ?? '');
  /** answerCall(callId): answers an incoming call. */
  answerCall = (callId: string): Promise<void> => this.api.answerCall(callId);
  /** rejectCall(callId): declines an incoming call (603), or ends any other. */
  rejectCall = (callId: string): Promise<void> => this.api.rejectCall(callId);
  /** endCall(callId): ends a call in any state. */
  endCall = (callId: string): Promise<void> => this.api.endCall(callId);

  /** setPNPSMissionType(type): 'default' | 'standalone' | 'salesforce' | 'd365'; before login only. */
  async setPNPSMissionType(type: string): Promise<void> {
    await this.api.setPNPSMissionType(type);
    this.attrSync.noteSent('pnpsMissionType', type);
    this.pnpsMissionType = type;
  }

  /** updateJWT(token): renews the SDK token the SIP WebSocket (re)connects with. */
  updateJWT = (token: string): Promise<void> => this.api.updateJWT(token);
  /** startCallSupervision(targetUserId): true once the supervision call is up (call-supervising-state-changed). */
  startCallSupervision = (targetUserId: string): Promise<boolean> => this.api.startCallSupervision(targetUserId);
  /** setUserData(data): data sent with this user's transfers (serialized under 491 characters). */
  setUserData = (data: object): Promise<boolean> => this.api.setUserData(data);
  /** getCallExtraData(): the platform's extra data (e.g. strong authentication) of the ongoing call. */
  getCallExtraData = (): Promise<CallExtraData[]> => this.api.getCallExtraData();
  /** pauseCall(callId): puts the call on hold (call-paused follows). */
  pauseCall = (callId: string): Promise<void> => this.api.pauseCall(callId);
  /** resumeCall(callId): takes the call off hold (call-resumed follows). */
  resumeCall = (callId: string): Promise<void> => this.api.resumeCall(callId);
  /** muteCall(callId): silence goes to the far end (call-muted follows). */
  muteCall = (callId: string): Promise<void> => this.api.muteCall(callId);
  /** unmuteCall(callId): the microphone again (call-unmuted follows). */
  unmuteCall = (callId: string): Promise<void> => this.api.unmuteCall(callId);
  /** sendDTMF(callId, tones, options?): tones 0-9 A-D # * , with { duration: 40-6000, interToneGap: >= 30 } ms. */
  sendDTMF = (callId: string, tones: string, options?: { duration?: number; interToneGap?: number }): Promise<boolean> =>
    this.api.sendDTMF(callId, tones, options ?? {});
  /** transferCall('direct' | 'consulted', number): resolves with the CallTransferStateInterface. */
  transferCall = (transferType: 'direct' | 'consulted', transferToNumber: string): Promise<CallTransferState> =>
    this.api.transferCall(transferType, transferToNumber);
  /** VoiceDesk addition: mergeCalls() merges the two connected calls (one may be held) into a three-way call; resolves with their ids (conference-started follows). */
  mergeCalls = (): Promise<string[]> => this.api.mergeCalls();
  /** VoiceDesk addition: splitCall(callId) ends the three-way call, keeping callId and holding the other (conference-ended follows). */
  splitCall = (callId: string): Promise<void> => this.api.splitCall(callId);
  /** confirmTransfer(): completes a consulted transfer. */
  confirmTransfer = (): Promise<CallTransferState> => this.api.confirmTransfer();

  /** startCallRecording(callId): the platform records the connected call. */
  async startCallRecording(callId: string): Promise<void> {
    await this.api.startCallRecording(callId);
    this.store.setRecording(callId, true);
  }

  /** stopCallRecording(callId): stops the call's recording. */
  async stopCallRecording(callId: string): Promise<void> {
    await this.api.stopCallRecording(callId);
    this.store.setRecording(callId, false);
  }

  /** setAudioHandling(type): 'default' opens the devices only for calls, 'legacy' keeps them open; rejects when the user chose in the settings. */
  async setAudioHandling(type: AudioHandling): Promise<boolean> {
    const ok = await this.api.setAudioHandling(type);
    void this.store.loadAudio();
    return ok;
  }

  /** setPhoneAlerts(value): the ringtone on (true, the default) or off. */
  setPhoneAlerts(value: boolean): void {
    if (typeof value !== 'boolean') throw new Error(`setPhoneAlerts takes a boolean, got ${typeof value}`);
    void this.api
      .setPhoneAlerts(value)
      .then(() => this.store.loadAudio())
      .catch((e) => this.store.set({ notice: (e as Error).message }));
  }

  /** updateBeneUiUrl(url): the platform's web UI, linked from the phone; anything but an http(s) URL is refused. */
  updateBeneUiUrl(url: string): void {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new Error(`Invalid UI URL '${String(url)}'`);
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error(`Invalid UI URL '${url}': use an http(s) URL`);
    this.store.set({ uiUrl: u.href });
    void this.api.updateBeneUiUrl(u.href).catch((e) => this.store.set({ notice: (e as Error).message }));
  }

  /** setAuthType('loginForm' | 'JWT'): 'JWT' shows a welcome screen instead of the form. */
  setAuthType(authType: AuthType): void {
    if (authType !== 'loginForm' && authType !== 'JWT') {
      throw new Error(`Unsupported auth type '${String(authType)}'. Use 'loginForm' or 'JWT'`);
    }
    this.store.set({ authType });
    void this.api.setAuthType(authType).catch((e) => this.store.set({ notice: (e as Error).message }));
  }

  /** The transfer form's directory search (the Colleagues view's, without its state). */
  private findColleagues = (q: string) => this.api.searchColleagues(q);

  // ---- Screen actions ----

  private async loginFromScreen(opts: LoginOptions) {
    try {
      await this.login(opts);
    } catch (err) {
      const { key, message } = loginErrorKey(err as Error);
      this.store.set({ error: t(key, { message }) });
    }
  }

  private openUiUrl(e: Event) {
    // In the app's window the system browser opens it (Wails' runtime); in a browser the link opens a tab.
    const rt = (window as unknown as { runtime?: { BrowserOpenURL(url: string): void } }).runtime;
    if (rt?.BrowserOpenURL) {
      e.preventDefault();
      rt.BrowserOpenURL(this.store.uiUrl);
    }
  }

  render() {
    const s = this.store;
    const act = (p: Promise<unknown>) => s.action(p);
    type Ev<T> = CustomEvent<T>;
    if (!s.loggedIn) {
      return html`<div class="narrow"><vd-login-view language=${s.language} authType=${s.authType} ?busy=${this.busy} ?ssoWaiting=${this.ssoWaiting}
        error=${s.error} ?kiosk=${s.kiosk}
        @vd-login=${(e: Ev<{ username: string; password: string; rememberMe: boolean }>) => this.loginFromScreen({ type: 'Credentials', ...e.detail })}
        @vd-sso=${(e: Ev<{ username: string; rememberMe: boolean }>) => this.loginFromScreen({ type: 'SSO', ...e.detail })}
        @vd-sso-cancel=${() => void this.api.cancelLogin().catch(() => {})}
        @vd-language=${(e: Ev<{ lang: string }>) => this.setPhoneLanguage(e.detail.lang).catch((err) => s.set({ error: (err as Error).message }))}></vd-login-view></div>`;
    }
    if (this.screen === 'settings') {
      return html`<div class="narrow"><vd-settings-view .store=${s} language=${s.language} notice=${s.notice} .devices=${s.audioDevices} .audio=${s.audioSettings}
        @vd-settings-close=${() => (this.screen = 'main')}></vd-settings-view></div>`;
    }
    const pnpsDone = (p: Promise<unknown>) => (s.set({ pnpsQuery: null }), act(p));
    return html`<div class="main"><div class="side">${s.uiUrl ? html`<a class="ui-link" href=${s.uiUrl} target="_blank" rel="noopener noreferrer" @click=${this.openUiUrl}>${t('home.openWebUi')}</a>` : ''}
      <vd-home-view .user=${s.user} .status=${s.userStatus} .roles=${s.roles} .selectedRole=${s.selectedRole}
        language=${s.language} ?kiosk=${s.kiosk} connection=${s.connection} @vd-logout=${() => this.logout(true)}
        @vd-settings=${() => (s.set({ notice: '' }), (this.screen = 'settings'))}
        @vd-role=${(e: Ev<{ queueId: string; number: string }>) => act(this.setUserRole(e.detail.queueId, e.detail.number))}
        @vd-status=${(e: Ev<{ id: number }>) => act(this.setUserStatus(e.detail.id))}></vd-home-view></div>
      <div class="work"><vd-call-panel .calls=${s.calls} .recording=${s.recording} .recent=${s.recent} .quality=${s.quality} notice=${s.notice} .wrapUp=${s.wrapUp} language=${s.language}
        view=${this.tab} .searchColleagues=${this.findColleagues}
        @vd-view=${(e: Ev<{ view: 'dialer' | 'colleagues' }>) => (this.tab = e.detail.view)}
        @vd-wrapup-done=${() => s.set({ wrapUp: null })}
        @vd-hold=${(e: Ev<{ id: string; on: boolean }>) => act(e.detail.on ? this.pauseCall(e.detail.id) : this.resumeCall(e.detail.id))}
        @vd-mute=${(e: Ev<{ id: string; on: boolean }>) => act(e.detail.on ? this.muteCall(e.detail.id) : this.unmuteCall(e.detail.id))}
        @vd-transfer=${(e: Ev<{ number: string; kind: 'direct' | 'consulted' }>) => act(this.transferCall(e.detail.kind, e.detail.number))}
        @vd-confirm-transfer=${() => act(this.confirmTransfer())}
        @vd-merge=${() => act(this.mergeCalls())}
        @vd-split=${(e: Ev<{ id: string }>) => act(this.splitCall(e.detail.id))}
        @vd-dtmf=${(e: Ev<{ id: string; key: string }>) => s.keypad(e.detail.id, e.detail.key)}
        @vd-record=${(e: Ev<{ id: string; on: boolean }>) => act(e.detail.on ? this.startCallRecording(e.detail.id) : this.stopCallRecording(e.detail.id))}
        @vd-call=${(e: Ev<{ number: string }>) => act(this.call(e.detail.number))}
        @vd-supervise=${(e: Ev<{ target: string }>) => act(this.startCallSupervision(e.detail.target))}
        @vd-answer=${(e: Ev<{ id: string }>) => act(this.answerCall(e.detail.id))}
        @vd-reject=${(e: Ev<{ id: string }>) => act(this.rejectCall(e.detail.id))}
        @vd-end=${(e: Ev<{ id: string }>) => act(this.endCall(e.detail.id))}>
        ${this.tab === 'colleagues'
          ? html`<vd-colleagues-view slot="colleagues" .colleagues=${s.colleagues} query=${s.colleaguesQuery} error=${s.colleaguesError} language=${s.language}
              ?inCall=${s.calls.some((c) => c.state === 'connected')}
              @vd-colleague-search=${(e: Ev<{ query: string }>) => void s.searchColleagues(e.detail.query)}
              @vd-favourite=${(e: Ev<{ colleague: Colleague }>) => void s.toggleFavourite(e.detail.colleague)}
              @vd-call=${(e: Ev<{ number: string }>) => act(this.call(e.detail.number))}
              @vd-transfer=${(e: Ev<{ number: string; kind: 'direct' | 'consulted' }>) => act(this.transferCall(e.detail.kind, e.detail.number))}></vd-colleagues-view>`
          : ''}</vd-call-panel>
      ${s.pnpsQuery
        ? html`<vd-pnps-query .query=${s.pnpsQuery} language=${s.language}
            @vd-pnps-answer=${(e: Ev<{ id: string; score: number; comment: string }>) => pnpsDone(this.api.answerPNPS(e.detail.id, e.detail.score, e.detail.comment))}
            @vd-pnps-dismiss=${(e: Ev<{ id: string }>) => pnpsDone(this.api.dismissPNPS(e.detail.id))}></vd-pnps-query>`
        : ''}</div></div>`;
  }
}

customElements.define('webrtc-client-ui', WebrtcClientUi);
