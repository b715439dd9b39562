import { LitElement, css, html } from 'lit';
import { t } from '../i18n';

import type { CallView, Colleague, Colleagues, RecentCall } from '../types';
import { presenceLabel, SEARCH_DELAY_MS } from './colleagues-view';

export type { CallState, CallView, RecentCall } from '../types';

import { clock } from './clock';

export { clock } from './clock';

const DIALPAD: [string, string][] = [['1', ''], ['2', 'ABC'], ['3', 'DEF'], ['4', 'GHI'], ['5', 'JKL'], ['6', 'MNO'],
  ['7', 'PQRS'], ['8', 'TUV'], ['9', 'WXYZ'], ['*', ''], ['0', '+'], ['#', '']];

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

/**
 * The phone's calls: incoming calls to answer or reject (first, as they
 * cannot wait), the calls under way with their timer, line quality and
 * controls, the dialer (number field, dial pad, Call) and the recent calls.
 * Numbers and names are rendered as text only (they come from the network).
 */
export class CallPanel extends LitElement {
  static properties = {
    calls: { attribute: false },
    recording: { attribute: false },
    notice: { type: String },
    language: { type: String },
    number: { state: true },
    keypadFor: { state: true },
    transferFor: { state: true },
    transferNumber: { state: true },
    recent: { attribute: false },
    quality: { attribute: false },
    superviseTarget: { state: true },
    wrapUp: { attribute: false },
    view: { type: String },
    padOpen: { state: true },
    searchColleagues: { attribute: false },
    suggestions: { state: true },
  };
  /** Which view is under the calls: 'dialer' or 'colleagues' (the slot named colleagues). */
  declare view: string;
  /** The dialer's dial pad shown (true) or folded (false); null: shown only while no call is under way. */
  declare padOpen: boolean | null;
  /** Searches the directory for the transfer form's suggestions (null: none). */
  declare searchColleagues: ((q: string) => Promise<Colleagues>) | null;
  /** The transfer form's suggestions for what is typed there. */
  declare suggestions: Colleague[];
  /** The wrap-up after a service call: until when (ms since the epoch) and the queue; null for none. */
  declare wrapUp: { until: number; queue: string } | null;
  /** The agent user id typed in the listen-in form. */
  declare superviseTarget: string;
  declare recent: RecentCall[];
  /** Per call id: 'good' | 'fair' | 'poor' from the call's stats. */
  declare quality: Record<string, string>;
  declare calls: CallView[];
  /** Ids of the calls being recorded. */
  declare recording: Set<string>;
  declare notice: string;
  declare language: string;
  declare number: string;
  /** The call whose keypad is open, if any. */
  declare keypadFor: string | null;
  /** The call whose transfer form is open, and the number typed there. */
  declare transferFor: string | null;
  declare transferNumber: string;

  constructor() {
    super();
    this.calls = [];
    this.recording = new Set();
    this.notice = '';
    this.language = 'en';
    this.number = '';
    this.keypadFor = null;
    this.transferFor = null;
    this.transferNumber = '';
    this.recent = [];
    this.quality = {};
    this.superviseTarget = '';
    this.wrapUp = null;
    this.view = 'dialer';
    this.padOpen = null;
    this.searchColleagues = null;
    this.suggestions = [];
  }

  /** The wrap-up's time left (ms): it is on show while above zero. */
  private wrapUpLeft(): number {
    return this.wrapUp ? this.wrapUp.until - Date.now() : 0;
  }

  static styles = css`
    :host { display: block; font-family: system-ui, 'Segoe UI', Roboto, sans-serif; color: var(--vd-text, #1c2430); }
    section { background: var(--vd-surface, #fff); border-radius: 12px; padding: 16px 20px; box-shadow: 0 1px 3px rgba(0,0,0,.12); margin-top: 14px; }
    label { display: block; font-size: 13px; font-weight: 600; margin-bottom: 4px; }
    form { display: flex; gap: 8px; }
    input { flex: 1; min-width: 0; font: inherit; font-size: 16px; padding: 9px 10px; border: 1px solid var(--vd-border-strong, #8a94a6); border-radius: 8px; }
    button { font: inherit; font-weight: 600; padding: 9px 14px; border-radius: 8px; border: 0; cursor: pointer; }
    button:focus-visible, input:focus-visible { outline: 3px solid #f5a623; outline-offset: 1px; }
    .go { background: #1b7f3a; color: #fff; }
    .stop { background: #b3261e; color: #fff; }
    .rec { background: var(--vd-soft, #e7edf7); color: var(--vd-accent, #133d7a); }
    .rec[aria-pressed='true'] { background: var(--vd-error-bg, #fdecec); color: var(--vd-error, #a4161a); }
    ul { list-style: none; padding: 0; margin: 12px 0 0; }
    li { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; padding: 8px 0; border-top: 1px solid var(--vd-border, #e3e7ee); }
    li:first-child { border-top: 0; padding-top: 0; }
    .who { flex: 1 1 150px; min-width: 0; }
    .actions { display: flex; flex-wrap: wrap; gap: 6px; }
    .ctl { background: var(--vd-soft, #e7edf7); color: var(--vd-accent, #133d7a); }
    .ctl[aria-pressed='true'] { background: var(--vd-pressed, #133d7a); color: #fff; }
    .transfer { flex: 1 1 100%; display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
    .transfer label { flex: 1 1 100%; margin: 0; }
    .keypad { flex: 1 1 100%; display: grid; grid-template-columns: repeat(3, 1fr); gap: 6px; }
    .keypad button { background: var(--vd-bg, #f4f6f9); border: 1px solid var(--vd-border, #b9c3d3); font-size: 18px; }
    .num { font-weight: 600; overflow-wrap: anywhere; }
    .state { font-size: 13px; color: var(--vd-muted, #4a5566); }
    .queue { font-size: 13px; color: var(--vd-accent, #133d7a); font-weight: 600; overflow-wrap: anywhere; }
    .wrapup { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin-top: 12px; padding: 8px 12px; border-radius: 8px; background: var(--vd-soft2, #e8f1fb); color: var(--vd-accent, #133d7a); font-weight: 600; font-size: 14px; }
    .wrapup span:first-child { flex: 1 1 auto; overflow-wrap: anywhere; }
    .wrapup button { background: var(--vd-surface, #fff); border: 1px solid var(--vd-border, #b9c3d3); }
    .ended { font-size: 13px; color: var(--vd-muted, #4a5566); margin: 10px 0 0; }
    section.status { padding: 10px 20px; }
    /* On a wide screen (a kiosk) the dialer keeps a phone's proportions. */
    #panel-dialer form, .dialpad, .edit { max-width: 480px; }
    section.status > :first-child { margin-top: 0; }
    h2 { font-size: 15px; margin: 0 0 8px; }
    .incoming { border: 2px solid #1b7f3a; }
    .incoming .num { font-size: 18px; }
    .hint { font-size: 12px; color: var(--vd-muted, #4a5566); margin: 6px 0 0; }
    .timer { font-variant-numeric: tabular-nums; }
    li[data-call]:focus { outline: none; }
    .q { display: inline-block; font-size: 12px; font-weight: 600; padding: 1px 6px; border-radius: 6px; margin-left: 6px; }
    .q-good { background: var(--vd-ok-bg, #e3f4e8); color: var(--vd-ok, #14602c); }
    .q-fair { background: var(--vd-warn-bg, #fff3d6); color: var(--vd-warn, #6b4a00); }
    .q-poor { background: var(--vd-error-bg, #fdecec); color: var(--vd-error, #a4161a); }
    .dialpad { display: grid; grid-template-columns: repeat(3, 1fr); gap: 6px; margin-top: 10px; }
    .dialpad button { background: var(--vd-bg, #f4f6f9); border: 1px solid var(--vd-border, #b9c3d3); font-size: 20px; padding: 8px 0; line-height: 1.1; }
    .dialpad small { display: block; font-size: 10px; font-weight: 500; color: var(--vd-muted, #4a5566); letter-spacing: .08em; min-height: 11px; }
    .edit { display: flex; gap: 6px; margin-top: 6px; }
    .edit button { background: var(--vd-soft, #e7edf7); color: var(--vd-accent, #133d7a); flex: 1; }
    .recent li { padding: 6px 0; }
    .recent .meta { font-size: 12px; color: var(--vd-muted, #4a5566); }
    .recent .missed { color: var(--vd-error, #a4161a); font-weight: 600; }
    .recent button { background: var(--vd-soft, #e7edf7); color: var(--vd-accent, #133d7a); padding: 6px 10px; }
    summary { font-weight: 600; cursor: pointer; }
    summary:focus-visible { outline: 3px solid #f5a623; outline-offset: 1px; }
    .supervise { flex-wrap: wrap; margin-top: 8px; }
    .supervise label { flex: 1 1 100%; margin: 0; }
    [role='tablist'] { display: flex; gap: 4px; margin-top: 14px; border-bottom: 2px solid var(--vd-border, #e3e7ee); }
    [role='tab'] { background: transparent; color: var(--vd-muted, #4a5566); border-radius: 8px 8px 0 0; padding: 8px 14px; margin-bottom: -2px; border-bottom: 3px solid transparent; }
    [role='tab'][aria-selected='true'] { color: var(--vd-accent, #133d7a); border-bottom-color: var(--vd-accent, #133d7a); }
    [role='tab']:focus-visible { outline: 3px solid #f5a623; outline-offset: -3px; }
    .padtoggle { background: transparent; color: var(--vd-accent, #133d7a); padding: 6px 0; margin-top: 6px; font-size: 13px; }
    .suggest { flex: 1 1 100%; list-style: none; margin: 0; padding: 0; border: 1px solid var(--vd-border, #e3e7ee); border-radius: 8px; }
    .suggest li { padding: 0; border-top: 1px solid var(--vd-border, #e3e7ee); }
    .suggest li:first-child { border-top: 0; }
    .suggest button { width: 100%; text-align: left; background: transparent; color: inherit; font-weight: 500; padding: 6px 10px; border-radius: 0; display: flex; gap: 8px; flex-wrap: wrap; }
    .suggest .sname { font-weight: 600; }
    .suggest .smeta { font-size: 12px; color: var(--vd-muted, #4a5566); }
  `;

  firstUpdated() {
    // After sign-in the agent's next step is to dial: put the cursor there.
    this.shadowRoot?.querySelector<HTMLInputElement>('#dial-number')?.focus();
  }

  /** Calls seen connected, so that focus follows a call only as it connects. */
  private seenConnected = new Set<string>();
  /** Calls seen ringing, so that focus goes to a ringing call once. */
  private seenRinging = new Set<string>();

  // When a call connects while the cursor is in the number field, focus
  // moves to the call (its item, which a screen reader announces): the
  // agent's next step is the call, and a caret left blinking in the field
  // costs WebKit a paint every 0.6 s for the whole call (0.3 CPU-s a
  // minute; bench/README, issue 20). Focus anywhere else stays put.
  updated(changed: Map<string, unknown>): void {
    if (!changed.has('calls')) return;
    this.focusRinging();
    const connected = this.calls.filter((c) => c.state === 'connected').map((c) => c.detail.callId);
    const fresh = connected.filter((id) => !this.seenConnected.has(id));
    this.seenConnected = new Set(connected);
    if (!fresh.length || this.shadowRoot?.activeElement?.id !== 'dial-number') return;
    this.shadowRoot.querySelector<HTMLElement>(`li[data-call="${CSS.escape(fresh[fresh.length - 1])}"]`)?.focus();
  }

  // A call that starts ringing while the agent is on no call takes the
  // focus, on its Answer button, unless the agent is typing elsewhere than
  // the number field: a screen reader then reads the ringing dialog, whose
  // name is "Incoming call" and the caller, and its description the keys
  // (Alt+A, Alt+R). In a call, the ringing one only announces itself (the
  // alertdialog) and the focus stays on the call's controls.
  private focusRinging() {
    const ringing = this.calls.filter((c) => c.state === 'incoming').map((c) => c.detail.callId);
    const fresh = ringing.filter((id) => !this.seenRinging.has(id));
    this.seenRinging = new Set(ringing);
    if (!fresh.length || this.calls.some((c) => c.state === 'connected')) return;
    const focused = this.shadowRoot?.activeElement;
    if (focused && focused.id !== 'dial-number') return;
    this.shadowRoot?.querySelector<HTMLElement>(`li[data-call="${CSS.escape(fresh[fresh.length - 1])}"] button.go`)?.focus();
  }

  private dial(e: Event) {
    e.preventDefault();
    const number = this.number.trim();
    if (!number) return;
    this.dispatchEvent(new CustomEvent('vd-call', { detail: { number } }));
  }

  private suggestTimer = 0;
  private suggestSeq = 0;

  // What is typed in the transfer form is looked up in the directory (a
  // name or a number's digits, from two characters on), as in the
  // Colleagues view; the first five matches, favourites first, are offered.
  private transferTyped(value: string) {
    this.transferNumber = value;
    clearTimeout(this.suggestTimer);
    const q = value.trim();
    if (!this.searchColleagues || q.length < 2) {
      this.suggestions = [];
      return;
    }
    const search = this.searchColleagues;
    this.suggestTimer = window.setTimeout(() => {
      const seq = ++this.suggestSeq;
      search(q)
        .then((found) => {
          if (seq !== this.suggestSeq || this.transferNumber.trim() !== q) return;
          const seen = new Set<string>();
          this.suggestions = [...found.favourites, ...found.results].filter((c) => !seen.has(c.id) && seen.add(c.id)).slice(0, 5);
        })
        .catch(() => (this.suggestions = [])); // the number typed still works
    }, SEARCH_DELAY_MS);
  }

  private pickSuggestion(c: Colleague) {
    this.transferNumber = c.number;
    this.suggestions = [];
    this.shadowRoot?.querySelector<HTMLInputElement>('#transfer-number')?.focus();
  }

  private transfer(e: SubmitEvent, id: string) {
    e.preventDefault();
    const number = this.transferNumber.trim();
    if (!number) return;
    const kind = (e.submitter as HTMLButtonElement | null)?.value === 'consulted' ? 'consulted' : 'direct';
    this.dispatchEvent(new CustomEvent('vd-transfer', { detail: { id, number, kind } }));
    this.transferFor = null;
    this.transferNumber = '';
    this.suggestions = [];
  }

  /** The buttons of a connected call: mute, hold, keypad, transfer, record. */
  private controls(c: CallView) {
    const id = c.detail.callId;
    const toggle = (name: string, on: boolean) => this.dispatchEvent(new CustomEvent(name, { detail: { id, on } }));
    const recording = this.recording.has(id);
    const who = c.detail.displayName || c.detail.phoneNumber;
    // Merge is offered on the call being talked to when another is
    // connected beside it (on hold, as after a consultation).
    const others = this.calls.filter((o) => o.state === 'connected' && o.detail.callId !== id);
    const canMerge = !c.merged && !c.held && others.length === 1 && !others[0].merged;
    const merge = canMerge ? html`<button class="go" @click=${() => this.dispatchEvent(new CustomEvent('vd-merge'))}>${t('call.merge')}</button>` : '';
    if (c.detail.isConsulted && !c.merged) {
      // A consultation: complete the transfer, merge all three, or hang up
      // to go back.
      return html`<button class="go" @click=${() => this.dispatchEvent(new CustomEvent('vd-confirm-transfer', { detail: { id } }))}>${t('call.completeTransfer')}</button>
        ${merge}`;
    }
    return html`<button class="ctl" aria-pressed=${c.muted ? 'true' : 'false'} @click=${() => toggle('vd-mute', !c.muted)}>${c.muted ? t('call.unmute') : t('call.mute')}</button>
      <button class="ctl" aria-pressed=${c.held ? 'true' : 'false'} @click=${() => toggle('vd-hold', !c.held)}>${c.held ? t('call.resume') : t('call.hold')}</button>
      ${merge}
      ${c.merged
        ? html`<button class="ctl" aria-label=${t('call.splitLabel', { who })} @click=${() => this.act('vd-split', id)}>${t('call.split')}</button>`
        : ''}
      <button class="ctl" aria-expanded=${this.keypadFor === id ? 'true' : 'false'} @click=${() => (this.keypadFor = this.keypadFor === id ? null : id)}>${t('call.keypad')}</button>
      ${c.merged
        ? ''
        : html`<button class="ctl" aria-expanded=${this.transferFor === id ? 'true' : 'false'} @click=${() => ((this.suggestions = []), (this.transferFor = this.transferFor === id ? null : id))}>${t('call.transfer')}</button>`}
      <button class="rec" aria-pressed=${recording ? 'true' : 'false'} @click=${() => toggle('vd-record', !recording)}>${recording ? t('call.stopRecording') : t('call.record')}</button>`;
  }

  private act(name: string, id: string) {
    this.dispatchEvent(new CustomEvent(name, { detail: { id } }));
  }

  render() {
    const incoming = this.calls.filter((c) => c.state === 'incoming');
    const active = this.calls.filter((c) => c.state !== 'incoming');
    return html`
      ${incoming.length
        ? html`<section class="incoming" role="alertdialog" aria-labelledby="incoming-h who-${incoming[incoming.length - 1].detail.callId}" aria-describedby="incoming-hint">
            <h2 id="incoming-h">${t('call.state.incoming')}</h2>
            <ul aria-label=${t('call.state.incoming')}>${incoming.map((c) => this.callItem(c))}</ul>
            <p class="hint" id="incoming-hint">${t('call.shortcuts')}</p>
          </section>`
        : ''}
      ${active.length
        ? html`<section aria-label=${t('call.calls')}><ul aria-label=${t('call.calls')}>${active.map((c) => this.callItem(c))}</ul></section>`
        : ''}
      ${this.notice || this.wrapUpLeft() > 0
        ? html`<section class="status">
            ${this.notice ? html`<p class="ended" role="status">${this.notice}</p>` : ''}
            ${this.wrapUpLeft() > 0
              ? html`<div class="wrapup" role="timer" aria-live="off">
                  <span>${this.wrapUp!.queue ? t('call.wrapUpQueue', { queue: this.wrapUp!.queue }) : t('call.wrapUp')}</span>
                  <vd-clock class="timer" .until=${this.wrapUp!.until} @vd-clock-end=${() => this.requestUpdate()}></vd-clock>
                  <button type="button" class="ctl" @click=${() => this.dispatchEvent(new CustomEvent('vd-wrapup-done'))}>${t('call.wrapUpDone')}</button>
                </div>`
              : ''}
          </section>`
        : ''}
      <div role="tablist" aria-label=${t('tabs.label')} @keydown=${this.tabKeys}>
        ${(['dialer', 'colleagues'] as const).map((v) => html`<button role="tab" id="tab-${v}" aria-selected=${this.view === v ? 'true' : 'false'}
          aria-controls="panel-${v}" tabindex=${this.view === v ? '0' : '-1'} @click=${() => this.showView(v)}>${t(`tabs.${v}`)}</button>`)}
      </div>
      ${this.view === 'colleagues'
        ? html`<div role="tabpanel" id="panel-colleagues" aria-labelledby="tab-colleagues"><slot name="colleagues"></slot></div>`
        : html`<div role="tabpanel" id="panel-dialer" aria-labelledby="tab-dialer">${this.dialer(active.length > 0)}</div>`}
    `;
  }

  private showView(view: 'dialer' | 'colleagues') {
    if (view !== this.view) this.dispatchEvent(new CustomEvent('vd-view', { detail: { view } }));
  }

  // The tabs as the ARIA pattern has them: the arrow keys, Home and End
  // move between them (and show the one reached).
  private tabKeys(e: KeyboardEvent) {
    const order = ['dialer', 'colleagues'] as const;
    const i = order.indexOf(this.view as 'dialer');
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: order.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    const v = order[(next + order.length) % order.length];
    this.showView(v);
    void this.updateComplete.then(() => this.shadowRoot?.querySelector<HTMLElement>(`#tab-${v}`)?.focus());
  }

  /** The dialer: the number field, the dial pad (folded during a call), the recent calls, listening in. */
  private dialer(inCall: boolean) {
    const pad = this.padOpen ?? !inCall;
    return html`
      <section>
        <form @submit=${this.dial}>
          <div style="flex:1;min-width:0">
            <label for="dial-number">${t('call.dialLabel')}</label>
            <div style="display:flex;gap:8px">
              <input id="dial-number" type="tel" inputmode="tel" autocomplete="off" autofocus .value=${this.number}
                @input=${(e: Event) => (this.number = (e.target as HTMLInputElement).value)} />
              <button class="go" type="submit">${t('call.call')}</button>
            </div>
          </div>
        </form>
        ${inCall
          ? html`<button type="button" class="padtoggle" aria-expanded=${pad ? 'true' : 'false'} aria-controls="dialpad"
              @click=${() => (this.padOpen = !pad)}>${pad ? t('call.hideDialpad') : t('call.showDialpad')}</button>`
          : ''}
        ${pad
          ? html`<div class="dialpad" id="dialpad" role="group" aria-label=${t('call.dialpad')}>
              ${DIALPAD.map(([k, letters]) => html`<button type="button" aria-label=${k} @click=${() => this.press(k)}>${k}<small aria-hidden="true">${letters}</small></button>`)}
            </div>
            <div class="edit">
              <button type="button" @click=${() => this.edit(this.number.slice(0, -1))} ?disabled=${!this.number}>${t('call.backspace')}</button>
              <button type="button" @click=${() => this.edit('')} ?disabled=${!this.number}>${t('call.clearNumber')}</button>
            </div>`
          : ''}
      </section>
      <section class="recent" aria-labelledby="recent-h">
        <h2 id="recent-h">${t('call.recent')}</h2>
        ${this.recent.length
          ? html`<ul>${this.recent.map((r) => html`<li>
              <div class="who">
                <div class="num">${r.name ? `${r.name} ` : ''}${r.number}</div>
                <div class="meta">${r.missed ? html`<span class="missed">${t('call.missed')}</span>` : r.direction === 'incoming' ? t('call.incomingCall') : t('call.outgoing')}
                  · <time datetime=${new Date(r.at).toISOString()}>${new Date(r.at).toLocaleString(this.language, { dateStyle: 'short', timeStyle: 'short' })}</time>
                  ${r.connectedMs ? html` · ${clock(r.connectedMs)}` : ''}</div>
              </div>
              <button type="button" aria-label=${t('call.callBack', { number: r.number })}
                @click=${() => this.dispatchEvent(new CustomEvent('vd-call', { detail: { number: r.number } }))}>${t('call.call')}</button>
            </li>`)}</ul>`
          : html`<p class="meta">${t('call.noRecent')}</p>`}
      </section>
      <section>
        <details>
          <summary>${t('call.supervise')}</summary>
          <form class="supervise" @submit=${this.supervise}>
            <label for="supervise-target">${t('call.superviseTarget')}</label>
            <input id="supervise-target" autocomplete="off" spellcheck="false" .value=${this.superviseTarget}
              @input=${(e: Event) => (this.superviseTarget = (e.target as HTMLInputElement).value)} />
            <button class="ctl" type="submit">${t('call.superviseStart')}</button>
          </form>
        </details>
      </section>
    `;
  }

  private supervise(e: Event) {
    e.preventDefault();
    const target = this.superviseTarget.trim();
    if (!target) return;
    this.dispatchEvent(new CustomEvent('vd-supervise', { detail: { target } }));
  }

  private press(key: string) {
    this.edit(this.number + key);
  }

  private edit(number: string) {
    this.number = number;
    this.shadowRoot?.querySelector<HTMLInputElement>('#dial-number')?.focus();
  }

  private callItem(c: CallView) {
    const q = this.quality[c.detail.callId];
    return html`<li tabindex="-1" data-call=${c.detail.callId}>
      <div class="who">
        <div class="num" id="who-${c.detail.callId}">${c.detail.displayName ? `${c.detail.displayName} ` : ''}${c.detail.phoneNumber}</div>
        ${c.detail.isConsulted && !c.merged ? html`<div class="queue">${t('call.consultation')}</div>` : ''}
        ${c.merged ? html`<div class="queue">${t('call.merged')}</div>` : ''}
        ${c.detail.queueName ? html`<div class="queue">${t('call.queue')}: ${c.detail.queueName}</div>` : ''}
        <div class="state" role="status">${c.held ? t('call.onHold') : t(`call.state.${c.state}`)}${c.muted ? ` · ${t('call.muted')}` : ''}</div>
        ${c.connectedAt
          ? html`<div class="meta"><vd-clock class="timer" role="timer" aria-label=${t('call.duration')} .from=${c.connectedAt}></vd-clock>${q
              ? html`<span class="q q-${q}">${t(`call.quality${q[0].toUpperCase()}${q.slice(1)}`)}</span>`
              : ''}</div>`
          : ''}
      </div>
      <div class="actions">
      ${c.state === 'incoming'
        ? html`<button class="go" aria-keyshortcuts="Alt+A" @click=${() => this.act('vd-answer', c.detail.callId)}>${t('call.answer')}</button>
            <button class="stop" aria-keyshortcuts="Alt+R" @click=${() => this.act('vd-reject', c.detail.callId)}>${t('call.reject')}</button>`
        : html`${c.state === 'connected' ? this.controls(c) : ''}
            <button class="stop" aria-keyshortcuts="Alt+H" @click=${() => this.act('vd-end', c.detail.callId)}>${t('call.hangup')}</button>`}
      </div>
      ${this.transferFor === c.detail.callId && c.state === 'connected'
        ? html`<form class="transfer" @submit=${(e: SubmitEvent) => this.transfer(e, c.detail.callId)}>
            <label for="transfer-number">${t('call.transferTo')}</label>
            <input id="transfer-number" type="text" autocomplete="off" spellcheck="false" .value=${this.transferNumber}
              aria-describedby=${this.suggestions.length ? 'transfer-suggestions' : ''}
              @input=${(e: Event) => this.transferTyped((e.target as HTMLInputElement).value)} />
            ${this.suggestions.length
              ? html`<ul class="suggest" id="transfer-suggestions" aria-label=${t('colleagues.suggestions')}>
                  ${this.suggestions.map((s) => html`<li><button type="button" @click=${() => this.pickSuggestion(s)}>
                    <span class="sname">${s.name}</span> <span class="smeta">${s.number} · ${presenceLabel(s)}</span></button></li>`)}
                </ul>`
              : ''}
            <button class="go" type="submit" value="direct">${t('call.transferNow')}</button>
            <button class="ctl" type="submit" value="consulted">${t('call.consultFirst')}</button>
          </form>`
        : ''}
      ${this.keypadFor === c.detail.callId && c.state === 'connected'
        ? html`<div class="keypad" role="group" aria-label=${t('call.keypad')}>
            ${KEYS.map((k) => html`<button type="button" @click=${() => this.dispatchEvent(new CustomEvent('vd-dtmf', { detail: { id: c.detail.callId, key: k } }))}>${k}</button>`)}
          </div>`
        : ''}
    </li>`;
  }
}

customElements.define('vd-call-panel', CallPanel);
