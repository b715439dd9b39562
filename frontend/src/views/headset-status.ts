import { html } from 'lit';
import { t } from '../i18n';
import { SettingsSection } from './section';
import type { HeadsetStatus } from '../types';

/**
 * The settings' "Headset buttons" line: the headset whose buttons answer,
 * hang up and mute (the one matching the chosen speaker), and whether they
 * work, or why not.
 */
export class HeadsetStatusView extends SettingsSection {
  static properties = { ...SettingsSection.properties, status: { state: true } };
  declare status: HeadsetStatus | null;

  constructor() {
    super();
    this.status = null;
  }

  protected async load() {
    try {
      this.status = await this.api.headsetStatus();
    } catch {
      this.status = null; // a backend without headsets: no line
    }
  }

  render() {
    const s = this.status;
    if (!s) return '';
    const name = s.name ?? '';
    const reason = s.reason ?? '';
    return html`<section class="settings headset" aria-labelledby="headset-h">
      <h2 id="headset-h">${t('headset.title')}</h2>
      <p id="headset-line" class=${s.state === 'working' ? 'ok' : 'hint'}>${t(`headset.${s.state}`, { name, reason })}</p>
    </section>`;
  }
}

customElements.define('vd-headset-status', HeadsetStatusView);
