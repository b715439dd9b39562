import { html } from 'lit';
import { t } from '../i18n';
import { SettingsSection } from './section';
import type { DesktopSettings, LinkHandlerState } from '../types';

/**
 * The settings' Desktop section: keep running, start in the tray, start at
 * login, and which app opens phone links. It reads and writes the window
 * surface itself. Rendered in the settings screen's tree (no shadow root of
 * its own), so the element's styles and ids reach it.
 */
export class DesktopSettingsView extends SettingsSection {
  static properties = { ...SettingsSection.properties, settings: { state: true }, links: { state: true } };
  declare settings: DesktopSettings | null;
  declare links: LinkHandlerState | null;

  constructor() {
    super();
    this.settings = null;
    this.links = null;
  }

  /** Reads the desktop choices and the link handler. */
  protected async load() {
    try {
      this.settings = await this.api.desktopSettings();
    } catch {
      this.settings = null; // an older backend, or none: no section
      return;
    }
    if (!this.settings.available) return;
    try {
      this.links = await this.api.linkHandler();
      this.notice = '';
    } catch (err) {
      this.links = null;
      this.notice = (err as Error).message; // e.g. no xdg-utils: said, not hidden
    }
  }

  private set(patch: Partial<DesktopSettings>) {
    if (!this.settings) return;
    const next = { ...this.settings, ...patch };
    this.settings = next;
    this.api
      .setDesktopSettings(next)
      .catch((err) => (this.notice = (err as Error).message))
      .finally(() => void this.load());
  }

  /** Makes VoiceDesk the desktop's app for tel:, callto: and sip: links. */
  private register() {
    this.notice = '';
    this.api
      .registerLinkHandler()
      .then((st) => (this.links = st))
      .catch((err) => (this.notice = (err as Error).message));
  }

  private renderLinks() {
    const lh = this.links;
    const self = lh?.self || 'voicedesk.desktop';
    const other = lh && !lh.ours ? Object.values(lh.handlers).find((h) => h && h !== self) : '';
    return html`<div class="links">
      <span class="links-title">${t('desktop.links')}</span>
      ${lh?.ours
        ? html`<span id="links-ours" class="ok">✓ ${t('desktop.linksOurs')}</span>`
        : html`<button type="button" id="links-register" @click=${() => this.register()}>${t('desktop.linksRegister')}</button>`}
      ${other ? html`<p class="hint">${t('desktop.linksOther', { app: other.replace(/\.desktop$/, '') })}</p>` : ''}
      ${lh?.confirmInSettings && !lh.ours ? html`<p class="hint" id="links-confirm">${t('desktop.linksConfirm')}</p>` : ''}
      ${this.notice ? html`<p class="notice error" role="alert">${this.notice}</p>` : ''}
    </div>`;
  }

  render() {
    const d = this.settings;
    if (!d?.available || d.kiosk) return '';
    const check = (id: string, on: boolean, key: keyof DesktopSettings, label: string) =>
      html`<label class="check"><input type="checkbox" id=${id} .checked=${on}
        @change=${(e: Event) => this.set({ [key]: (e.target as HTMLInputElement).checked })} />${t(label)}</label>`;
    return html`<section class="settings desktop" aria-labelledby="desktop-h">
      <h2 id="desktop-h">${t('desktop.title')}</h2>
      ${check('keep-running', d.keepRunning, 'keepRunning', 'desktop.keepRunning')}
      ${check('start-minimized', d.startMinimized, 'startMinimized', 'desktop.startMinimized')}
      ${check('autostart', !!d.autostart, 'autostart', 'desktop.autostart')}
      ${d.tray ? '' : html`<p class="hint">${t('desktop.noTray')}</p>`}
      ${this.renderLinks()}
    </section>`;
  }
}

customElements.define('vd-desktop-settings', DesktopSettingsView);
