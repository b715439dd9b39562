import { LitElement, css, html } from 'lit';
import { t } from '../i18n';

export interface AudioDevice {
  id: string;
  name: string;
  default: boolean;
}

export interface AudioDevices {
  inputs: AudioDevice[];
  outputs: AudioDevice[];
}

/** The backend's AudioSettings (app's sound.go). */
export interface AudioSettings {
  mic: string;
  speaker: string;
  ringer: string;
  echoCancel: boolean;
  noiseSuppression: boolean;
  autoGain: boolean;
  handling: 'default' | 'legacy';
  alerts: boolean;
}

/**
 * The sound settings: microphone, speaker, a separate ringer (so a call is
 * heard on the desk speakers while talking in the headset), echo
 * cancellation, noise suppression, automatic gain, audio handling and the ringtone. Every
 * change is sent up at once as vd-audio-settings.
 */
export class AudioSettingsView extends LitElement {
  static properties = {
    devices: { attribute: false },
    settings: { attribute: false },
    language: { type: String },
    micLevel: { attribute: false },
  };
  /** The microphone's level (dBFS) while its test runs; null otherwise. */
  declare micLevel: number | null;
  declare devices: AudioDevices | null;
  declare settings: AudioSettings | null;
  declare language: string;

  constructor() {
    super();
    this.devices = null;
    this.settings = null;
    this.language = 'en';
    this.micLevel = null;
  }

  static styles = css`
    :host { display: block; font-family: system-ui, 'Segoe UI', Roboto, sans-serif; color: var(--vd-text, #1c2430); }
    section { background: var(--vd-surface, #fff); border-radius: 12px; padding: 12px 20px; box-shadow: 0 1px 3px rgba(0,0,0,.12); margin-top: 16px; }
    h2 { font-size: 16px; margin: 4px 0 8px; }
    select:focus-visible, input:focus-visible { outline: 3px solid #f5a623; outline-offset: 1px; }
    label { display: block; font-size: 13px; color: var(--vd-muted, #4a5566); margin-top: 10px; }
    select { display: block; width: 100%; font: inherit; padding: 6px; margin-top: 4px; border-radius: 6px; border: 1px solid var(--vd-border, #b9c3d3); }
    .check { display: flex; gap: 8px; align-items: center; color: var(--vd-text, #1c2430); font-size: 14px; }
    .none { color: var(--vd-error, #a33); font-size: 14px; }
    .test { display: flex; align-items: center; gap: 10px; margin-top: 6px; flex-wrap: wrap; }
    .test button { font: inherit; font-size: 13px; font-weight: 600; padding: 6px 10px; border-radius: 8px; border: 0; background: var(--vd-soft, #e7edf7); color: var(--vd-accent, #133d7a); cursor: pointer; }
    .test button:focus-visible { outline: 3px solid #f5a623; outline-offset: 1px; }
    .test .meter { margin: 0; }
    meter { flex: 1; min-width: 120px; height: 14px; }
  `;

  /** Showing the settings re-reads the devices: one may have been plugged in. */
  connectedCallback(): void {
    super.connectedCallback();
    this.dispatchEvent(new CustomEvent('vd-audio-refresh'));
  }

  private test(kind: 'speaker' | 'ringer') {
    this.dispatchEvent(new CustomEvent('vd-audio-test', { detail: { kind } }));
  }

  private change(patch: Partial<AudioSettings>) {
    if (!this.settings) return;
    this.settings = { ...this.settings, ...patch };
    this.dispatchEvent(new CustomEvent('vd-audio-settings', { detail: this.settings }));
  }

  private deviceSelect(label: string, list: AudioDevice[], value: string, key: 'mic' | 'speaker' | 'ringer') {
    const id = `sel-${key}`;
    return html`<label for=${id}>${label}</label>
      <select id=${id} @change=${(e: Event) => this.change({ [key]: (e.target as HTMLSelectElement).value })}>
        <option value="" ?selected=${value === ''}>${t('audio.systemDefault')}</option>
        ${list.map((d) => html`<option value=${d.id} ?selected=${d.id === value}>${d.name || d.id}</option>`)}
        ${value && !list.some((d) => d.id === value)
          ? html`<option value=${value} selected>${t('audio.missing', { id: value })}</option>`
          : ''}
      </select>`;
  }

  render() {
    const s = this.settings;
    if (!s) return html``;
    const d = this.devices ?? { inputs: [], outputs: [] };
    return html`
      <section aria-labelledby="sound-h">
        <h2 id="sound-h">${t('audio.title')}</h2>
        ${!this.devices ? html`<p class="none" role="status">${t('audio.noDevices')}</p>` : ''}
        ${this.deviceSelect(t('audio.mic'), d.inputs, s.mic, 'mic')}
        <div class="test">
          <button type="button" @click=${() => this.dispatchEvent(new CustomEvent('vd-mic-test'))} ?disabled=${this.micLevel !== null}>${t('audio.testMic')}</button>
          ${this.micLevel !== null
            ? html`<label class="meter" for="mic-level">${t('audio.micLevel')}</label>
                <meter id="mic-level" min="-60" max="0" low="-40" high="-6" optimum="-20" .value=${Math.max(-60, this.micLevel)}>${Math.round(this.micLevel)} dBFS</meter>`
            : ''}
        </div>
        ${this.deviceSelect(t('audio.speaker'), d.outputs, s.speaker, 'speaker')}
        <div class="test"><button type="button" @click=${() => this.test('speaker')}>${t('audio.testSpeaker')}</button></div>
        ${this.deviceSelect(t('audio.ringer'), d.outputs, s.ringer, 'ringer')}
        <div class="test"><button type="button" @click=${() => this.test('ringer')}>${t('audio.testRinger')}</button></div>
        <label class="check"><input type="checkbox" .checked=${s.alerts}
          @change=${(e: Event) => this.change({ alerts: (e.target as HTMLInputElement).checked })} />${t('audio.alerts')}</label>
        <label class="check"><input type="checkbox" .checked=${s.echoCancel}
          @change=${(e: Event) => this.change({ echoCancel: (e.target as HTMLInputElement).checked })} />${t('audio.echoCancel')}</label>
        <label class="check"><input type="checkbox" .checked=${s.noiseSuppression}
          @change=${(e: Event) => this.change({ noiseSuppression: (e.target as HTMLInputElement).checked })} />${t('audio.noiseSuppression')}</label>
        <label class="check"><input type="checkbox" id="auto-gain" .checked=${s.autoGain}
          @change=${(e: Event) => this.change({ autoGain: (e.target as HTMLInputElement).checked })} />${t('audio.autoGain')}</label>
        <label for="sel-handling">${t('audio.handling')}</label>
        <select id="sel-handling" @change=${(e: Event) => this.change({ handling: (e.target as HTMLSelectElement).value as AudioSettings['handling'] })}>
          <option value="default" ?selected=${s.handling === 'default'}>${t('audio.handlingDefault')}</option>
          <option value="legacy" ?selected=${s.handling === 'legacy'}>${t('audio.handlingLegacy')}</option>
        </select>
      </section>
    `;
  }
}

customElements.define('vd-audio-settings', AudioSettingsView);
