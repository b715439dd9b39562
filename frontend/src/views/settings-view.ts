import { LitElement, css, html } from 'lit';
import { LANGUAGES, t } from '../i18n';
import type { PhoneStore } from '../store';
import type { About } from '../types';
import type { AudioDevices, AudioSettings } from './audio-settings';
import './audio-settings';
import './desktop-settings';
import './autoanswer-settings';
import { THEMES, saveTheme, type Theme } from '../theme';
import './headset-status';
import './integration-settings';

/**
 * The settings sections' styles. The sections render in the element's
 * shadow root (they have none of their own), so the element adopts these.
 */
export const sectionStyles = css`
  .settings { background: var(--vd-surface, #fff); border-radius: 12px; padding: 12px 20px 16px; box-shadow: 0 1px 3px rgba(0,0,0,.12); margin-top: 16px; }
  .bar { display: flex; align-items: center; gap: 12px; }
  .bar h2 { font-size: 18px; margin: 0; }
  .back { font: inherit; font-weight: 600; padding: 8px 12px; border-radius: 8px; border: 0; background: var(--vd-soft, #e7edf7); color: var(--vd-accent, #133d7a); cursor: pointer; }
  label { display: block; font-size: 13px; color: var(--vd-muted, #4a5566); margin-top: 12px; }
  select { display: block; width: 100%; font: inherit; padding: 6px; margin-top: 4px; border-radius: 6px; border: 1px solid var(--vd-border, #b9c3d3); }
  .desktop h2 { font-size: 16px; margin: 4px 0 8px; }
  .check { display: flex; gap: 8px; align-items: center; color: var(--vd-text, #1c2430); font-size: 14px; }
  .hint { font-size: 13px; color: var(--vd-muted, #4a5566); margin: 10px 0 0; }
  .links { display: flex; flex-wrap: wrap; gap: 6px 10px; align-items: center; margin-top: 12px; font-size: 14px; }
  .links-title { flex: 1 1 100%; font-size: 13px; color: var(--vd-muted, #4a5566); }
  .links .ok { color: var(--vd-ok, #1e7a3c); }
  .links button { font: inherit; font-size: 13px; padding: 4px 10px; border-radius: 6px; border: 0; background: var(--vd-soft, #e7edf7); color: var(--vd-accent, #133d7a); cursor: pointer; }
  .desktop .notice.error { font-size: 13px; margin: 6px 0 0; color: var(--vd-error, #b3261e); }
  .integration h2, .auto-answer h2, .headset h2 { font-size: 16px; margin: 4px 0 8px; }
  .headset .ok { font-size: 14px; color: var(--vd-ok, #1e7a3c); margin: 6px 0 0; }
  .auto-answer input[type=number] { display: block; width: 6em; font: inherit; padding: 6px; margin-top: 4px; border-radius: 6px; border: 1px solid var(--vd-border, #b9c3d3); }
  .auto-answer .notice.error { font-size: 13px; margin: 6px 0 0; color: var(--vd-error, #b3261e); }
  .integration input[type=number], .integration textarea { display: block; width: 100%; box-sizing: border-box; font: inherit; padding: 6px; margin-top: 4px; border-radius: 6px; border: 1px solid var(--vd-border, #b9c3d3); }
  .integration .field { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin-top: 10px; font-size: 13px; }
  .integration .field span { color: var(--vd-muted, #4a5566); min-width: 56px; }
  .integration code { flex: 1 1 100%; font-size: 12px; word-break: break-all; background: var(--vd-soft2, #f1f4f9); border-radius: 6px; padding: 4px 6px; }
  .integration .field button { font: inherit; font-size: 13px; padding: 4px 10px; border-radius: 6px; border: 0; background: var(--vd-soft, #e7edf7); color: var(--vd-accent, #133d7a); cursor: pointer; }
  .integration .field button:disabled { opacity: .5; cursor: default; }
  .integration .notice { font-size: 13px; margin: 10px 0 0; color: var(--vd-accent, #133d7a); }
  .about { font-size: 12px; color: var(--vd-muted, #4a5566); text-align: center; margin: 16px 0 4px; user-select: text; }
`;

/**
 * The settings screen: language, the Desktop section, sound, the
 * integration API, and the way back (vd-settings-close). Each section is
 * its own view; this one runs the microphone test while it is shown.
 * Rendered in the element's tree (no shadow root), under its styles.
 */
export class SettingsView extends LitElement {
  // The store's fields the screen shows come as properties (the store is
  // one object: Lit sees its changes only through them).
  static properties = {
    store: { attribute: false },
    language: { type: String },
    notice: { type: String },
    devices: { attribute: false },
    audio: { attribute: false },
    micLevel: { state: true },
    about: { state: true },
  };
  declare store: PhoneStore;
  declare language: string;
  declare notice: string;
  declare devices: AudioDevices | null;
  declare audio: AudioSettings | null;
  /** The microphone test's level (dBFS) while it runs. */
  declare micLevel: number | null;
  /** The app's version line (asked once, when the screen opens). */
  declare about: About | null;

  constructor() {
    super();
    this.micLevel = null;
    this.language = 'en';
    this.notice = '';
    this.devices = null;
    this.audio = null;
    this.about = null;
  }

  connectedCallback() {
    super.connectedCallback();
    // An old backend without About leaves the line out.
    this.store.api.about().then((a) => { this.about = a; }, () => {});
  }

  createRenderRoot() {
    return this;
  }

  /** The microphone test: its level for about four seconds, while the screen is shown. */
  private async testMic() {
    this.micLevel = -100;
    try {
      for (let i = 0; i < 12 && this.isConnected; i++) {
        this.micLevel = await this.store.api.micLevel();
      }
    } catch (e) {
      this.store.set({ notice: (e as Error).message });
    } finally {
      this.micLevel = null;
    }
  }

  /** The element's appearance (the host's theme attribute, else the saved choice). */
  private theme(): Theme {
    return ((this.getRootNode() as ShadowRoot).host as HTMLElement | undefined)?.getAttribute('theme') as Theme ?? 'auto';
  }

  private setTheme(th: Theme) {
    saveTheme(th);
    const host = (this.getRootNode() as ShadowRoot).host as (HTMLElement & { theme: Theme }) | undefined;
    if (host) host.theme = th;
  }

  render() {
    const s = this.store;
    const close = () => this.dispatchEvent(new CustomEvent('vd-settings-close', { bubbles: true, composed: true }));
    return html`<section class="settings" aria-labelledby="settings-h">
        <div class="bar">
          <button type="button" class="back" @click=${close}>← ${t('home.back')}</button>
          <h2 id="settings-h">${t('settings.title')}</h2>
        </div>
        <label for="settings-language">${t('settings.language')}</label>
        <select id="settings-language"
          @change=${(e: Event) => s.action(this.setLanguage((e.target as HTMLSelectElement).value))}>
          ${LANGUAGES.map((l) => html`<option value=${l.code} ?selected=${l.code === this.language}>${l.name}</option>`)}
        </select>
        <label for="settings-theme">${t('settings.theme')}</label>
        <select id="settings-theme" @change=${(e: Event) => this.setTheme((e.target as HTMLSelectElement).value as Theme)}>
          ${THEMES.map((th) => html`<option value=${th} ?selected=${th === this.theme()}>${t(`settings.themes.${th}`)}</option>`)}
        </select>
        ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : ''}
      </section>
      <vd-desktop-settings .api=${s.api} language=${this.language}></vd-desktop-settings>
      <vd-audio-settings .devices=${this.devices} .settings=${this.audio} .micLevel=${this.micLevel} language=${this.language}
        @vd-audio-refresh=${() => void s.loadAudio()}
        @vd-audio-test=${(e: CustomEvent<{ kind: string }>) => s.action(s.api.testSound(e.detail.kind))}
        @vd-mic-test=${() => void this.testMic()}
        @vd-audio-settings=${(e: CustomEvent<AudioSettings>) =>
          // What the backend kept (a device may have been refused) is shown.
          s.action(s.api.setAudioSettings(e.detail).finally(() => s.loadAudio()))}></vd-audio-settings>
      <vd-headset-status .api=${s.api} language=${this.language}></vd-headset-status>
      <vd-auto-answer-settings .api=${s.api} language=${this.language}></vd-auto-answer-settings>
      <vd-integration-settings .api=${s.api} language=${this.language}></vd-integration-settings>
      ${this.about ? html`<p class="about">VoiceDesk · ${t('settings.version')} ${this.about.version}${this.about.commit ? ` (${this.about.commit})` : ''}</p>` : ''}`;
  }

  private async setLanguage(lang: string) {
    await this.store.api.setPhoneLanguage(lang);
    await this.store.applyLanguage(lang);
  }
}

customElements.define('vd-settings-view', SettingsView);
