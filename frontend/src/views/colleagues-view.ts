import { LitElement, css, html } from 'lit';
import { t } from '../i18n';

import type { Colleague, Colleagues } from '../types';

/** How long typing pauses before the search goes out. */
export const SEARCH_DELAY_MS = 150;

/** The words that say a colleague's presence (never the colour alone). */
export function presenceLabel(c: Colleague): string {
  if (c.kind === 'queue') {
    return t('colleagues.queue', { free: c.membersAvailable ?? 0, members: c.members ?? 0 });
  }
  if (c.presence === 'unavailable' && c.statusId) return t(`status.${c.statusId}`);
  return t(`presence.${c.presence}`);
}

/**
 * The Colleagues view (a VoiceDesk addition): the platform's users and
 * queues with their live availability, searched as the agent types;
 * favourites first. Each row calls, or, during a connected call, transfers
 * directly or after consulting. Names and notes come from the network and
 * are rendered as text only.
 */
export class ColleaguesView extends LitElement {
  static properties = {
    colleagues: { attribute: false },
    query: { type: String },
    error: { type: String },
    language: { type: String },
    inCall: { type: Boolean },
    typed: { state: true },
  };
  declare colleagues: Colleagues | null;
  /** The words of the search whose answer is shown. */
  declare query: string;
  declare error: string;
  declare language: string;
  /** A call is connected: rows offer Transfer and Consult. */
  declare inCall: boolean;
  /** What is in the search field (the answer may lag it). */
  declare typed: string;

  private timer = 0;

  constructor() {
    super();
    this.colleagues = null;
    this.query = '';
    this.error = '';
    this.language = 'en';
    this.inCall = false;
    this.typed = '';
  }

  static styles = css`
    :host { display: block; font-family: system-ui, 'Segoe UI', Roboto, sans-serif; color: var(--vd-text, #1c2430); }
    section { background: var(--vd-surface, #fff); border-radius: 12px; padding: 16px 20px; box-shadow: 0 1px 3px rgba(0,0,0,.12); margin-top: 14px; }
    label { display: block; font-size: 13px; font-weight: 600; margin-bottom: 4px; }
    input { box-sizing: border-box; width: 100%; font: inherit; font-size: 16px; padding: 9px 10px; border: 1px solid var(--vd-border-strong, #8a94a6); border-radius: 8px; background: var(--vd-surface, #fff); color: inherit; }
    input:focus-visible, button:focus-visible { outline: 3px solid #f5a623; outline-offset: 1px; }
    h2 { font-size: 14px; margin: 16px 0 6px; color: var(--vd-muted, #4a5566); text-transform: none; }
    ul { list-style: none; padding: 0; margin: 0; }
    li { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 10px; padding: 8px 0; border-top: 1px solid var(--vd-border, #e3e7ee); }
    li:first-child { border-top: 0; }
    .who { flex: 1 1 160px; min-width: 0; }
    .name { font-weight: 600; overflow-wrap: anywhere; }
    .meta { font-size: 12px; color: var(--vd-muted, #4a5566); overflow-wrap: anywhere; }
    .presence { display: inline-flex; align-items: center; gap: 5px; font-size: 12px; font-weight: 600; }
    .dot { width: 9px; height: 9px; border-radius: 50%; flex: none; box-sizing: border-box; }
    .p-available .dot { background: #1b7f3a; }
    .p-on-call .dot { background: #b3261e; }
    .p-unavailable .dot { background: #c77700; }
    .p-unknown .dot { background: transparent; border: 2px solid var(--vd-muted, #6b7585); }
    .p-available { color: var(--vd-ok, #14602c); }
    .p-on-call { color: var(--vd-error, #a4161a); }
    .p-unavailable { color: var(--vd-warn, #6b4a00); }
    .p-unknown { color: var(--vd-muted, #4a5566); }
    .actions { display: flex; gap: 6px; flex-wrap: wrap; }
    button { font: inherit; font-weight: 600; padding: 7px 11px; border-radius: 8px; border: 0; cursor: pointer; }
    .go { background: #1b7f3a; color: #fff; }
    .ctl { background: var(--vd-soft, #e7edf7); color: var(--vd-accent, #133d7a); }
    .star { background: transparent; padding: 4px 6px; line-height: 0; color: var(--vd-muted, #6b7585); }
    .star[aria-pressed='true'] { color: #c77700; }
    .star svg { width: 20px; height: 20px; }
    .hint { font-size: 12px; color: var(--vd-muted, #4a5566); margin: 8px 0 0; }
    .error { color: var(--vd-error, #a4161a); font-weight: 600; font-size: 14px; margin: 8px 0 0; }
  `;

  connectedCallback(): void {
    super.connectedCallback();
    this.typed = this.query;
    // The first look shows the favourites and the start of everyone.
    if (!this.colleagues) this.dispatchEvent(new CustomEvent('vd-colleague-search', { detail: { query: this.typed } }));
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.timer);
  }

  firstUpdated(): void {
    this.shadowRoot?.querySelector<HTMLInputElement>('#colleague-search')?.focus();
  }

  private onInput(e: Event) {
    this.typed = (e.target as HTMLInputElement).value;
    clearTimeout(this.timer);
    this.timer = window.setTimeout(() => {
      this.dispatchEvent(new CustomEvent('vd-colleague-search', { detail: { query: this.typed.trim() } }));
    }, SEARCH_DELAY_MS);
  }

  private send(name: string, detail: object) {
    this.dispatchEvent(new CustomEvent(name, { detail }));
  }

  private row(c: Colleague) {
    return html`<li data-colleague=${c.id}>
      <div class="who">
        <div class="name">${c.name}</div>
        <div class="meta">${c.number}${c.note ? html` · ${c.note}` : ''}</div>
        <div class="presence p-${c.presence}"><span class="dot" aria-hidden="true"></span>${presenceLabel(c)}</div>
      </div>
      <div class="actions">
        ${this.inCall
          ? html`<button class="go" aria-label=${t('colleagues.transferTo', { name: c.name })}
                @click=${() => this.send('vd-transfer', { number: c.number, kind: 'direct' })}>${t('colleagues.transfer')}</button>
              <button class="ctl" aria-label=${t('colleagues.consult', { name: c.name })}
                @click=${() => this.send('vd-transfer', { number: c.number, kind: 'consulted' })}>${t('colleagues.consultShort')}</button>`
          : html`<button class="go" aria-label=${t('colleagues.callTo', { name: c.name })}
              @click=${() => this.send('vd-call', { number: c.number })}>${t('call.call')}</button>`}
        <button class="star" aria-pressed=${c.favourite ? 'true' : 'false'} aria-label=${t('colleagues.favourite', { name: c.name })}
          @click=${() => this.send('vd-favourite', { colleague: c })}>
          <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill=${c.favourite ? 'currentColor' : 'none'} stroke="currentColor" stroke-width="1.8" stroke-linejoin="round"
            d="M12 3.2l2.7 5.5 6 .9-4.4 4.2 1 6-5.3-2.8-5.3 2.8 1-6L3.3 9.6l6-.9z"/></svg>
        </button>
      </div>
    </li>`;
  }

  render() {
    const found = this.colleagues;
    const favIds = new Set(found?.favourites.map((c) => c.id) ?? []);
    const others = found?.results.filter((c) => !favIds.has(c.id)) ?? [];
    const shown = found?.results.length ?? 0;
    return html`<section aria-label=${t('colleagues.title')}>
      <label for="colleague-search">${t('colleagues.search')}</label>
      <input id="colleague-search" type="search" autocomplete="off" spellcheck="false" .value=${this.typed} @input=${this.onInput}
        aria-describedby="colleague-count" />
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      ${found && found.favourites.length
        ? html`<h2 id="fav-h">${t('colleagues.favourites')}</h2><ul aria-labelledby="fav-h">${found.favourites.map((c) => this.row(c))}</ul>`
        : found && !this.query
          ? html`<p class="hint">${t('colleagues.noFavourites')}</p>`
          : ''}
      ${found
        ? html`${others.length
              ? html`<h2 id="all-h">${this.query ? t('colleagues.results') : t('colleagues.everyone')}</h2>
                  <ul aria-labelledby="all-h">${others.map((c) => this.row(c))}</ul>`
              : ''}
            <p class="hint" id="colleague-count" role="status">${found.total === 0 && this.query
              ? t('colleagues.none', { query: this.query })
              : found.total > shown
                ? t('colleagues.more', { shown, total: found.total })
                : ''}</p>`
        : ''}
    </section>`;
  }
}

customElements.define('vd-colleagues-view', ColleaguesView);
