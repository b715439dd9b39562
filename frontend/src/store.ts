/**
 * The phone's state as the screen shows it, kept from the backend's events
 * and reads: a Lit ReactiveController, so its host re-renders when it
 * changes. It owns the list of calls, the recent calls (per user, in this
 * profile's storage), the calls' line quality, the keypad's queue and the
 * notices; it re-dispatches every backend event on its host as the
 * reference's CustomEvent. The element only renders it and carries the
 * reference's methods.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { PhoneApi } from './api';
import { i18n, isLanguage, t } from './i18n';
import { RECONNECTED, type PhoneEvent } from './transport';
import { toCallDetail } from './types';
import type { CallEventDetail, CallState, CallView, Colleague, Colleagues, ConferenceEvent, PublicUserRole, PublicUserStatus, RecentCall } from './types';
import type { AudioDevices, AudioSettings } from './views/audio-settings';
import type { UserInfo } from './views/home-view';
import type { AuthType } from './views/login-view';
import type { PNPSQuery } from './views/pnps-query';

/** How many finished calls the recent calls list keeps. */
const RECENT_MAX = 20;

/** phone-error names about the sound devices (beside the reference's user-click-needed). */
const AUDIO_NOTICES = new Set(['audio-device-unavailable', 'audio-device-lost', 'audio-device-restored']);
/** phone-error details that are a notice and nothing else (VoiceDesk's own). */
const NOTICES = new Set(['not-remembered']);

/** The call life-cycle events that move a call to a state (callstate.go's, in the element's words). */
const CALL_STATES: Record<string, CallState | undefined> = {
  'call-started': 'calling',
  'call-in-progress': 'ringing',
  'call-incoming': 'incoming',
  'call-answered': 'connected',
  'call-confirmed': 'connected',
};

/** The events that set a connected call's flags. */
const CALL_FLAGS: Record<string, ['held' | 'muted', boolean] | undefined> = {
  'call-paused': ['held', true],
  'call-resumed': ['held', false],
  'call-muted': ['muted', true],
  'call-unmuted': ['muted', false],
};

/** phone-error names that say where the registration is (State.connection's words). */
const CONNECTION: Record<string, string | undefined> = {
  'connection-lost': 'reconnecting',
  'connection-restored': 'registered',
  'connection-failed': 'failed',
};

type Host = ReactiveControllerHost & EventTarget;

export class PhoneStore implements ReactiveController {
  loggedIn = false;
  /** A kiosk station (the administrator's lock): no settings, no sign-out. */
  kiosk = false;
  user: UserInfo | null = null;
  language = 'en';
  calls: CallView[] = [];
  /** The last calls, newest first, kept per user in this profile's storage. */
  recent: RecentCall[] = [];
  /** The ids of the calls being recorded (set by the recording methods). */
  recording = new Set<string>();
  /** Line quality per connected call id: call-quality-changed, or CallStats after a reload. */
  quality: Record<string, string> = {};
  userStatus: PublicUserStatus | null = null;
  /** The roles of a V2 user and the selected one; null for V1 users. */
  roles: PublicUserRole[] | null = null;
  selectedRole: PublicUserRole | null = null;
  /** The PNPS query on show (from the backend's pnps-query event). */
  pnpsQuery: PNPSQuery | null = null;
  /** disable-pnps-query: the queries are not shown. */
  pnpsOff = false;
  audioSettings: AudioSettings | null = null;
  audioDevices: AudioDevices | null = null;
  /** The last call's end, or a failed call action, shown under the calls. */
  notice = '';
  /** The Colleagues view: the last search's answer (null until one is made), its words and its failure. */
  colleagues: Colleagues | null = null;
  colleaguesQuery = '';
  colleaguesError = '';
  private colleaguesSeq = 0;
  /** The words of the newest search asked for (its answer may still be on its way). */
  private colleaguesWanted = '';
  /**
   * The wrap-up after an answered service call (its wrapUpDuration): until
   * when (ms since the epoch) and the queue's name; null when none is on.
   */
  wrapUp: { until: number; queue: string } | null = null;
  /** The login screen's error. */
  error = '';
  /** The registration while signed in: 'registered', 'reconnecting' (a banner says so) or 'failed'. */
  connection = '';
  /** What the host set (setAuthType, updateBeneUiUrl), here or through the integration API. */
  authType: AuthType = 'loginForm';
  uiUrl = '';

  private unsubscribe: (() => void) | null = null;
  /** Events held back until init is out (a silent sign-in's logged-in may come first). */
  private early: Array<[string, unknown]> | null = [];
  private dtmfChain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly host: Host,
    readonly api: PhoneApi,
  ) {
    host.addController(this);
  }

  /** Sets fields and re-renders the host. */
  set(patch: Partial<PhoneStore>) {
    Object.assign(this, patch);
    this.host.requestUpdate();
  }

  hostConnected() {
    this.unsubscribe = this.api.transport.subscribe((e) => this.onBackendEvent(e));
  }

  hostDisconnected() {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  // The backend says when a call's line quality changes
  // (call-quality-changed): the window asks for nothing while a call runs.
  // A verdict leaves with its call.
  hostUpdated() {
    const ids = Object.keys(this.quality);
    const kept = ids.filter((id) => this.calls.some((c) => c.detail.callId === id && c.state === 'connected'));
    if (kept.length !== ids.length) this.set({ quality: Object.fromEntries(kept.map((id) => [id, this.quality[id]])) });
  }

  /** Dispatches a reference event on the host; before init, it waits for init. */
  emit(name: string, detail?: unknown) {
    if (this.early) this.early.push([name, detail]);
    else this.host.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  /**
   * The reference's init: "emitted after the app is initialized, before
   * authentication". It goes first; what the backend said meanwhile (a
   * silent sign-in's logged-in) follows in order.
   */
  initialized() {
    const early = this.early ?? [];
    this.early = null;
    this.emit('init');
    for (const [name, detail] of early) this.emit(name, detail);
  }

  /** A screen action: its failure becomes the notice. */
  action(p: Promise<unknown>) {
    this.set({ notice: '' });
    p.catch((err) => this.set({ notice: (err as Error).message }));
  }

  /**
   * A keypad press: the keys go out one after the other in the order
   * pressed (each sendDTMF waits for the one before; sent at once, two
   * requests could reach the backend in either order).
   */
  keypad(callId: string, key: string) {
    const next = this.dtmfChain.catch(() => undefined).then(() => this.api.sendDTMF(callId, key, { duration: 160, interToneGap: 60 }));
    this.dtmfChain = next;
    this.action(next);
  }

  setRecording(callId: string, on: boolean) {
    const ids = new Set(this.recording);
    if (on) ids.add(callId);
    else ids.delete(callId);
    this.set({ recording: ids });
  }

  /** Reads the whole state: at start, at sign-in and -out, after the bridge reconnects. */
  async refresh() {
    const s = await this.api.state();
    // The backend's calls replace the list: after a reload or the bridge's
    // reconnect mid-call the screen shows the calls again, not an empty list.
    const calls = (s.calls ?? []).map((c) => ({
      detail: toCallDetail(c.detail),
      state: c.state,
      held: !!c.held,
      muted: !!c.muted,
      merged: !!c.merged,
      connectedAt: c.connectedAt ? Date.parse(c.connectedAt) : undefined,
    }));
    this.set({ loggedIn: s.loggedIn, kiosk: !!s.kiosk, user: s.user ?? null, calls, connection: s.connection ?? '' });
    // After a reload mid-call the verdict so far is read once; changes come as events.
    void this.readQuality(calls.filter((c) => c.state === 'connected').map((c) => c.detail.callId));
    if (s.authType === 'loginForm' || s.authType === 'JWT') this.set({ authType: s.authType });
    if (s.uiUrl) this.set({ uiUrl: s.uiUrl });
    await this.applyLanguage(s.language);
    if (this.loggedIn) {
      this.loadRecent();
      await Promise.all([this.loadAudio(), this.loadRoles(), this.loadStatus()]);
    }
  }

  async applyLanguage(lang: string) {
    if (!isLanguage(lang)) return;
    await i18n.changeLanguage(lang);
    document.documentElement.lang = lang;
    this.set({ language: lang });
  }

  /** Reads the availability for its picker (a reload or reconnect has no event for it until it changes). */
  private async loadStatus() {
    try {
      this.set({ userStatus: await this.api.getUserStatus() });
    } catch {
      // Shown as unknown until the next user-status-changed.
    }
  }

  /** Reads the roles for the picker; a V1 user (no roles) gets none. */
  private async loadRoles() {
    try {
      const [roles, selectedRole] = await Promise.all([this.api.getUserRoles(), this.api.getUserRole()]);
      this.set({ roles, selectedRole });
    } catch {
      this.set({ roles: null, selectedRole: null });
    }
  }

  /** Reads the sound devices and choices for the settings view. */
  async loadAudio() {
    const [settings, devices] = await Promise.allSettled([this.api.audioSettings(), this.api.audioDevices()]);
    this.set({
      audioSettings: settings.status === 'fulfilled' ? settings.value : null,
      audioDevices: devices.status === 'fulfilled' ? devices.value : null, // shown as "no sound devices"
    });
  }

  private onBackendEvent(e: PhoneEvent) {
    // The bridge greets each connection with init; the element sends its
    // own once it has started (initialized).
    if (e.name === 'init') return;
    if (e.name === 'logged-in' || e.name === 'logged-out' || e.name === RECONNECTED) {
      void this.refresh().catch((err) => this.set({ error: (err as Error).message }));
    }
    if (e.name === 'call-quality-changed') {
      const d = e.detail as { callId?: string; quality?: string } | undefined;
      if (d?.callId && d.quality && this.calls.some((c) => c.detail.callId === d.callId)) this.set({ quality: { ...this.quality, [d.callId]: d.quality } });
      this.emit(e.name, e.detail);
      return;
    }
    if (e.name.startsWith('call-') && e.name !== 'call-supervising-state-changed') {
      const detail = toCallDetail(e.detail);
      this.trackCall(e.name, detail);
      this.emit(e.name, detail);
      return;
    }
    switch (e.name) {
      case 'conference-started':
      case 'conference-ended': {
        const ids = new Set((e.detail as ConferenceEvent | undefined)?.callIds ?? []);
        const on = e.name === 'conference-started';
        this.set({ calls: this.calls.map((c) => (ids.has(c.detail.callId) ? { ...c, merged: on } : c)) });
        break;
      }
      case 'colleague-status-changed':
        this.patchColleague(e.detail as Colleague);
        break;
      case 'user-status-changed':
        this.set({ userStatus: e.detail as PublicUserStatus });
        break;
      case 'call-supervising-state-changed': {
        const state = (e.detail as { state?: string } | undefined)?.state;
        if (state && ['connecting', 'started', 'ended', 'failed'].includes(state)) this.set({ notice: t(`supervision.${state}`) });
        break;
      }
      case 'pnps-query':
        if (!this.pnpsOff) this.set({ pnpsQuery: e.detail as PNPSQuery });
        break;
      case 'user-role-changed':
        this.set({ selectedRole: e.detail as PublicUserRole });
        break;
      case 'logged-in':
        this.set({ error: '' });
        break;
      case 'auth-type-changed':
        if (e.detail === 'loginForm' || e.detail === 'JWT') this.set({ authType: e.detail });
        break;
      case 'ui-url-changed':
        this.set({ uiUrl: String(e.detail ?? '') });
        break;
      case 'logged-out':
        this.set({ userStatus: null, pnpsQuery: null, roles: null, selectedRole: null, colleagues: null, colleaguesQuery: '' });
        break;
      case 'phone-error': {
        const name = String(e.detail);
        if (AUDIO_NOTICES.has(name)) {
          this.set({ notice: t(`notices.${name}`) });
          void this.loadAudio();
        }
        if (NOTICES.has(name)) this.set({ notice: t(`notices.${name}`) });
        // The registration: a banner while it is away; given up on, the
        // phone signs out and in again (the login screen says so), or asks
        // the user to (sign-in-again: nothing was remembered).
        const connection = CONNECTION[name];
        if (connection !== undefined) this.set({ connection });
        if (name === 'connection-failed') this.set({ error: t('connection.signingInAgain') });
        if (name === 'sign-in-again') this.set({ error: t('connection.signInAgain') });
      }
    }
    this.emit(e.name, e.detail);
  }

  /**
   * Searches the directory for the Colleagues view; an answer overtaken by
   * a later search (the agent still typing) is dropped.
   */
  async searchColleagues(query: string): Promise<void> {
    const seq = ++this.colleaguesSeq;
    this.colleaguesWanted = query;
    try {
      const found = await this.api.searchColleagues(query);
      if (seq === this.colleaguesSeq) this.set({ colleagues: found, colleaguesQuery: query, colleaguesError: '' });
    } catch (err) {
      if (seq === this.colleaguesSeq) this.set({ colleaguesError: t('colleagues.error', { message: (err as Error).message }) });
    }
  }

  /** Stars or unstars a colleague, then shows the same search again. */
  async toggleFavourite(c: Colleague): Promise<void> {
    try {
      await this.api.setFavourite(c.id, !c.favourite);
    } catch (err) {
      this.set({ colleaguesError: t('colleagues.error', { message: (err as Error).message }) });
      return;
    }
    // The newest search, not the one on show: the agent may have typed
    // while the star was being kept.
    await this.searchColleagues(this.colleaguesWanted);
  }

  // colleague-status-changed: the colleague's new presence, in place,
  // wherever the view shows them (the star is the view's own knowledge).
  private patchColleague(c: Colleague) {
    if (!this.colleagues || !c?.id) return;
    const patch = (list: Colleague[]) => list.map((x) => (x.id === c.id ? { ...c, favourite: x.favourite } : x));
    this.set({ colleagues: { ...this.colleagues, favourites: patch(this.colleagues.favourites), results: patch(this.colleagues.results) } });
  }

  /** Keeps the list of calls the screen shows, from the backend's events only. */
  private trackCall(name: string, d: CallEventDetail) {
    const flag = CALL_FLAGS[name];
    if (flag) {
      this.set({ calls: this.calls.map((c) => (c.detail.callId === d.callId ? { ...c, [flag[0]]: flag[1] } : c)) });
      return;
    }
    const others = this.calls.filter((c) => c.detail.callId !== d.callId);
    const prev = this.calls.find((c) => c.detail.callId === d.callId);
    const state = CALL_STATES[name];
    if (name === 'call-ended') {
      if (prev) this.remember(prev, d);
      if (this.recording.has(d.callId)) this.setRecording(d.callId, false);
      this.set({ calls: others, notice: t('call.ended', { reason: d.endReason ?? '' }) });
      // The reference's "wrap-up time in seconds after call ends": a service
      // call that was answered starts it.
      const secs = Number(d.wrapUpDuration);
      if (prev?.connectedAt && Number.isInteger(secs) && secs > 0) {
        const end = d.endTime instanceof Date && !isNaN(d.endTime.getTime()) ? d.endTime.getTime() : Date.now();
        this.set({ wrapUp: { until: end + secs * 1000, queue: d.queueName ?? '' } });
      }
    } else if (state) {
      const connectedAt = prev?.connectedAt ?? (state === 'connected' ? Date.now() : undefined);
      this.set({ calls: [...others, { ...prev, detail: d, state, connectedAt }] });
    }
  }

  private async readQuality(ids: string[]) {
    for (const id of ids) {
      try {
        const s = await this.api.callStats(id);
        // An event may have come meanwhile: it is newer.
        if (s.quality && !this.quality[id]) this.set({ quality: { ...this.quality, [id]: s.quality } });
      } catch {
        // The call ended meanwhile, or has no media yet: its first verdict comes as an event.
      }
    }
  }

  private recentKey(): string | null {
    return this.user ? `voicedesk-recent:${this.user.userId || this.user.username}` : null;
  }

  private loadRecent() {
    const key = this.recentKey();
    try {
      const raw = key ? localStorage.getItem(key) : null;
      this.set({ recent: raw ? (JSON.parse(raw) as RecentCall[]).slice(0, RECENT_MAX) : [] });
    } catch {
      this.set({ recent: [] });
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
    this.set({ recent: [entry, ...this.recent].slice(0, RECENT_MAX) });
    const key = this.recentKey();
    try {
      if (key) localStorage.setItem(key, JSON.stringify(this.recent));
    } catch {
      // Storage full or off: the list lives as long as the page.
    }
  }
}
