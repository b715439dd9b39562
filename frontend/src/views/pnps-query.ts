import { LitElement, css, html } from 'lit';
import { t } from '../i18n';

/** A due PNPS query (the platform's question and scale). */
export interface PNPSQuery {
  Id: string;
  MissionType: string;
  Question: string;
  ScaleMin: number;
  ScaleMax: number;
}

/**
 * The PNPS query card: a 0-10 score, an optional comment, Send or Not now.
 * The question is the platform's text and is rendered as text.
 */
export class PnpsQueryView extends LitElement {
  static properties = { query: { attribute: false }, language: { type: String }, score: { state: true }, comment: { state: true } };
  declare query: PNPSQuery | null;
  declare language: string;
  declare score: number | null;
  declare comment: string;

  constructor() {
    super();
    this.query = null;
    this.language = 'en';
    this.score = null;
    this.comment = '';
  }

  static styles = css`
    :host { display: block; font-family: system-ui, 'Segoe UI', Roboto, sans-serif; color: var(--vd-text, #1c2430); }
    section { background: var(--vd-surface, #fff); border-radius: 12px; padding: 16px 20px; box-shadow: 0 1px 3px rgba(0,0,0,.12); margin-top: 16px; }
    h2 { font-size: 15px; margin: 0 0 10px; }
    .scale { display: flex; flex-wrap: wrap; gap: 4px; }
    .scale button { min-width: 30px; padding: 6px 0; border-radius: 6px; border: 1px solid var(--vd-border-strong, #8a94a6); background: var(--vd-surface, #fff); font: inherit; cursor: pointer; }
    .scale button[aria-pressed='true'] { background: #1f5fbf; color: #fff; border-color: #1f5fbf; }
    .ends { display: flex; justify-content: space-between; font-size: 12px; color: var(--vd-muted, #4a5566); margin: 4px 0 8px; }
    label { display: block; font-size: 13px; font-weight: 600; margin: 8px 0 4px; }
    textarea { box-sizing: border-box; width: 100%; font: inherit; padding: 6px 8px; border: 1px solid var(--vd-border-strong, #8a94a6); border-radius: 8px; }
    .actions { display: flex; gap: 8px; margin-top: 10px; }
    .actions button { flex: 1; font: inherit; font-weight: 600; padding: 8px; border-radius: 8px; border: 0; cursor: pointer; }
    .send { background: #1f5fbf; color: #fff; }
    .send[disabled] { opacity: .6; cursor: default; }
    .later { background: var(--vd-soft, #e7edf7); color: var(--vd-accent, #133d7a); }
    button:focus-visible, textarea:focus-visible { outline: 3px solid #f5a623; outline-offset: 1px; }
  `;

  private send() {
    if (this.score === null || !this.query) return;
    this.dispatchEvent(new CustomEvent('vd-pnps-answer', { detail: { id: this.query.Id, score: this.score, comment: this.comment.trim() } }));
  }

  render() {
    const q = this.query;
    if (!q) return html``;
    const scores = Array.from({ length: q.ScaleMax - q.ScaleMin + 1 }, (_, i) => q.ScaleMin + i);
    return html`<section aria-labelledby="pnps-q">
      <h2 id="pnps-q">${q.Question}</h2>
      <div class="scale" role="group" aria-label=${t('pnps.scale')}>
        ${scores.map((n) => html`<button type="button" aria-pressed=${this.score === n ? 'true' : 'false'} @click=${() => (this.score = n)}>${n}</button>`)}
      </div>
      <div class="ends"><span>${t('pnps.unlikely')}</span><span>${t('pnps.likely')}</span></div>
      <label for="pnps-comment">${t('pnps.comment')}</label>
      <textarea id="pnps-comment" rows="2" maxlength="1000" .value=${this.comment}
        @input=${(e: Event) => (this.comment = (e.target as HTMLTextAreaElement).value)}></textarea>
      <div class="actions">
        <button class="send" type="button" ?disabled=${this.score === null} @click=${this.send}>${t('pnps.send')}</button>
        <button class="later" type="button" @click=${() => this.dispatchEvent(new CustomEvent('vd-pnps-dismiss', { detail: { id: q.Id } }))}>${t('pnps.later')}</button>
      </div>
    </section>`;
  }
}

customElements.define('vd-pnps-query', PnpsQueryView);
