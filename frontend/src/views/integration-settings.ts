import { html } from 'lit';
import { t } from '../i18n';
import { SettingsSection } from './section';
import type { IntegrationSettings } from '../types';

/**
 * The settings' Integration API section: on or off, its port and pages,
 * its address and token (shown, copied, renewed). Changes apply at once
 * and are kept; what the backend put in force is shown, not what was
 * typed. Rendered in the settings screen's tree (no shadow root).
 */
export class IntegrationSettingsView extends SettingsSection {
  static properties = { ...SettingsSection.properties, settings: { state: true }, showToken: { state: true } };
  declare settings: IntegrationSettings | null;
  declare showToken: boolean;

  constructor() {
    super();
    this.settings = null;
    this.showToken = false;
  }

  protected async load() {
    try {
      this.settings = await this.api.integrationSettings();
    } catch {
      this.settings = null; // not the window's backend (a browser on the bridge): no section
    }
  }

  private set(patch: Partial<IntegrationSettings>) {
    if (!this.settings) return;
    const next = { ...this.settings, ...patch };
    this.settings = next;
    this.notice = '';
    this.api
      .setIntegrationSettings(next)
      .then((v) => (this.settings = v))
      .catch((err) => {
        this.notice = (err as Error).message;
        void this.load();
      });
  }

  private renew() {
    this.notice = '';
    this.api
      .renewIntegrationToken()
      .then((v) => {
        this.settings = v;
        this.notice = t('integration.renewed');
      })
      .catch((err) => (this.notice = (err as Error).message));
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
      this.notice = t('integration.copied');
    } catch (err) {
      this.notice = (err as Error).message;
    }
  }

  render() {
    const g = this.settings;
    if (!g?.available) return '';
    const value = (e: Event) => (e.target as HTMLInputElement | HTMLTextAreaElement).value;
    return html`<section class="settings integration" aria-labelledby="integration-h">
      <h2 id="integration-h">${t('integration.title')}</h2>
      <p class="hint">${t('integration.about')}</p>
      <label class="check"><input type="checkbox" id="integration-on" .checked=${g.enabled} ?disabled=${g.fixed}
        @change=${(e: Event) => this.set({ enabled: (e.target as HTMLInputElement).checked })} />${t('integration.enabled')}</label>
      ${g.fixed ? html`<p class="hint">${t('integration.fixed')}</p>` : ''}
      <label for="integration-port">${t('integration.port')}</label>
      <input id="integration-port" type="number" min="1024" max="65535" .value=${String(g.port)} ?disabled=${g.fixed}
        @change=${(e: Event) => this.set({ port: Number(value(e)) })} />
      <label for="integration-origins">${t('integration.origins')}</label>
      <textarea id="integration-origins" rows="2" placeholder="https://crm.example.com" .value=${g.origins.join('\n')} ?disabled=${g.fixed}
        @change=${(e: Event) => this.set({ origins: value(e).split('\n') })}></textarea>
      ${g.rpc
        ? html`<div class="field"><span>${t('integration.address')}</span>
              <button type="button" id="integration-copy-rpc" @click=${() => void this.copy(g.rpc!)}>${t('integration.copy')}</button>
              <code id="integration-rpc">${g.rpc}</code></div>
            <div class="field"><span>${t('integration.token')}</span>
              <button type="button" id="integration-show" @click=${() => (this.showToken = !this.showToken)}>${this.showToken ? t('integration.hide') : t('integration.show')}</button>
              <button type="button" id="integration-copy-token" @click=${() => void this.copy(g.token!)}>${t('integration.copy')}</button>
              <button type="button" id="integration-renew" ?disabled=${g.tokenFixed} title=${t('integration.renewHint')} @click=${() => this.renew()}>${t('integration.renew')}</button>
              <code id="integration-token">${this.showToken ? g.token : '•'.repeat(16)}</code></div>`
        : ''}
      ${g.error ? html`<p class="notice error" role="alert">${g.error}</p>` : ''}
      ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : ''}
    </section>`;
  }
}

customElements.define('vd-integration-settings', IntegrationSettingsView);
