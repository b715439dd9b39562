import { html } from 'lit';
import { t } from '../i18n';
import { SettingsSection } from './section';
import type { AutoAnswerSettings } from '../types';

const MODES: AutoAnswerSettings['mode'][] = ['off', 'all', 'queue', 'requested'];

/**
 * The settings' Auto-answer section (VoiceDesk's addition): which calls
 * the phone answers by itself and after how many seconds. Locked by the
 * administrator's policy, it is shown but cannot be changed.
 */
export class AutoAnswerSettingsView extends SettingsSection {
  static properties = { ...SettingsSection.properties, settings: { state: true } };
  declare settings: AutoAnswerSettings | null;

  constructor() {
    super();
    this.settings = null;
  }

  protected async load() {
    try {
      this.settings = await this.api.autoAnswerSettings();
    } catch {
      this.settings = null; // an older backend: no section
    }
  }

  private set(patch: Partial<AutoAnswerSettings>) {
    if (!this.settings) return;
    const next = { ...this.settings, ...patch };
    this.settings = next;
    this.notice = '';
    this.api
      .setAutoAnswerSettings(next)
      .catch((err) => (this.notice = (err as Error).message))
      .finally(() => void this.load());
  }

  render() {
    const s = this.settings;
    if (!s) return '';
    return html`<section class="settings auto-answer" aria-labelledby="auto-answer-h">
      <h2 id="auto-answer-h">${t('autoAnswer.title')}</h2>
      <label>${t('autoAnswer.mode')}
        <select id="auto-answer-mode" ?disabled=${s.locked}
          @change=${(e: Event) => this.set({ mode: (e.target as HTMLSelectElement).value as AutoAnswerSettings['mode'] })}>
          ${MODES.map((m) => html`<option value=${m} ?selected=${s.mode === m}>${t(`autoAnswer.modes.${m}`)}</option>`)}
        </select>
      </label>
      ${s.mode !== 'off'
        ? html`<label>${t('autoAnswer.delay')}
            <input id="auto-answer-delay" type="number" min="0" max="60" .value=${String(s.delaySeconds)} ?disabled=${s.locked}
              @change=${(e: Event) => this.set({ delaySeconds: Number((e.target as HTMLInputElement).value) })} /></label>
            <p class="hint">${t('autoAnswer.hint')}</p>`
        : ''}
      ${s.locked ? html`<p class="hint" id="auto-answer-locked">${t('autoAnswer.locked')}</p>` : ''}
      ${this.notice ? html`<p class="notice error" role="alert">${this.notice}</p>` : ''}
    </section>`;
  }
}

customElements.define('vd-auto-answer-settings', AutoAnswerSettingsView);
