import { afterEach, describe, expect, it } from 'vitest';
import './call-panel';
import type { CallPanel, CallView } from './call-panel';

const call = (id: string, state: CallView['state'], extra: Partial<CallView['detail']> = {}): CallView => ({
  state,
  detail: { callId: id, callDirection: state === 'incoming' ? 'incoming' : 'outbound', phoneNumber: '+358401000090', startTime: new Date(), isConsulted: false, ...extra },
});

async function mount(calls: CallView[]) {
  const el = document.createElement('vd-call-panel') as CallPanel;
  el.calls = calls;
  document.body.append(el);
  await el.updateComplete;
  return el;
}

describe('<vd-call-panel>', () => {
  afterEach(() => document.body.replaceChildren());

  it('offers Answer and Reject for an incoming call, and says who calls, as text', async () => {
    const el = await mount([call('in1', 'incoming', { displayName: '<img src=x onerror=alert(1)>', phoneNumber: 'caller' })]);
    const got: string[] = [];
    for (const n of ['vd-answer', 'vd-reject', 'vd-end']) el.addEventListener(n, (e) => got.push(`${n}:${(e as CustomEvent).detail.id}`));
    const buttons = [...el.shadowRoot!.querySelectorAll('li button')] as HTMLButtonElement[];
    expect(buttons.map((b) => b.textContent)).toEqual(['Answer', 'Reject']);
    buttons.forEach((b) => b.click());
    expect(got).toEqual(['vd-answer:in1', 'vd-reject:in1']);
    expect(el.shadowRoot!.querySelector('.num')!.textContent).toBe('<img src=x onerror=alert(1)> caller');
    expect(el.shadowRoot!.querySelector('img')).toBeNull();
  });

  it('shows the queue of an incoming service call, as text', async () => {
    const el = await mount([call('in2', 'incoming', { queueId: 'q1', queueName: '<i>Sales</i>', queueArrivalTime: '2026-12-02T06:00:00Z' })]);
    expect(el.shadowRoot!.querySelector('.queue')!.textContent).toBe('Queue: <i>Sales</i>');
    expect(el.shadowRoot!.querySelector('i')).toBeNull();
  });

  it('offers Record and Hang up for a connected call and shows its state', async () => {
    const el = await mount([call('out1', 'connected')]);
    expect(el.shadowRoot!.querySelector('.state')!.textContent).toBe('Connected');
    const buttons = [...el.shadowRoot!.querySelectorAll('li button')] as HTMLButtonElement[];
    expect(buttons.map((b) => b.textContent!.trim())).toEqual(['Mute', 'Hold', 'Keypad', 'Transfer', 'Record', 'Hang up']);
    const got: unknown[] = [];
    el.addEventListener('vd-record', (e) => got.push((e as CustomEvent).detail));
    buttons[4].click();
    el.recording = new Set(['out1']);
    await el.updateComplete;
    const rec = el.shadowRoot!.querySelector('button.rec') as HTMLButtonElement;
    expect(rec.textContent!.trim()).toBe('Stop recording');
    expect(rec.getAttribute('aria-pressed')).toBe('true');
    rec.click();
    expect(got).toEqual([{ id: 'out1', on: true }, { id: 'out1', on: false }]);
  });

  it('mutes, holds and sends keypad digits for a connected call, and shows its state', async () => {
    const el = await mount([call('c1', 'connected')]);
    const got: string[] = [];
    for (const n of ['vd-mute', 'vd-hold', 'vd-dtmf']) el.addEventListener(n, (e) => got.push(`${n}:${JSON.stringify((e as CustomEvent).detail)}`));
    const button = (label: string) => [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('li button')].find((b) => b.textContent!.trim() === label)!;
    button('Mute').click();
    button('Hold').click();
    button('Keypad').click();
    await el.updateComplete;
    const keys = [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('.keypad button')];
    expect(keys.map((k) => k.textContent)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#']);
    keys[11].click();
    expect(got).toEqual(['vd-mute:{"id":"c1","on":true}', 'vd-hold:{"id":"c1","on":true}', 'vd-dtmf:{"id":"c1","key":"#"}']);
    el.calls = [{ ...call('c1', 'connected'), held: true, muted: true }];
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('.state')!.textContent).toBe('On hold · Muted');
    expect(button('Resume').getAttribute('aria-pressed')).toBe('true');
    expect(button('Unmute').getAttribute('aria-pressed')).toBe('true');
  });

  it('transfers a connected call to the number typed in its transfer form', async () => {
    const el = await mount([call('c1', 'connected')]);
    const got: unknown[] = [];
    el.addEventListener('vd-transfer', (e) => got.push((e as CustomEvent).detail));
    [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('li button')].find((b) => b.textContent!.trim() === 'Transfer')!.click();
    await el.updateComplete;
    const input = el.shadowRoot!.querySelector<HTMLInputElement>('#transfer-number')!;
    input.value = ' +358401000090 ';
    input.dispatchEvent(new Event('input'));
    el.shadowRoot!.querySelector<HTMLButtonElement>('form.transfer button[value=consulted]')!.click();
    await el.updateComplete;
    expect(got).toEqual([{ id: 'c1', number: '+358401000090', kind: 'consulted' }]);
    expect(el.shadowRoot!.querySelector('form.transfer')).toBeNull();
  });

  it('offers Complete transfer on a consultation call', async () => {
    const el = await mount([call('k1', 'connected', { isConsulted: true })]);
    const got: unknown[] = [];
    el.addEventListener('vd-confirm-transfer', (e) => got.push((e as CustomEvent).detail));
    const buttons = [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('li button')];
    expect(buttons.map((b) => b.textContent!.trim())).toEqual(['Complete transfer', 'Hang up']);
    buttons[0].click();
    expect(got).toEqual([{ id: 'k1' }]);
    expect(el.shadowRoot!.querySelector('.queue')!.textContent).toBe('Consultation');
  });

  it('dials the typed number, trimmed, and ignores an empty one', async () => {
    const el = await mount([]);
    const got: string[] = [];
    el.addEventListener('vd-call', (e) => got.push((e as CustomEvent).detail.number));
    const input = el.shadowRoot!.querySelector('#dial-number') as HTMLInputElement;
    const form = el.shadowRoot!.querySelector('form')!;
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    input.value = ' +358401000090 ';
    input.dispatchEvent(new Event('input'));
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    expect(got).toEqual(['+358401000090']);
  });
});

describe('<vd-call-panel> timer, dial pad and recent calls', () => {
  afterEach(() => document.body.replaceChildren());

  it('formats durations', async () => {
    const { clock } = await import('./call-panel');
    expect([clock(0), clock(61_000), clock(3_599_000), clock(3_600_000), clock(-5)]).toEqual(['00:00', '01:01', '59:59', '1:00:00', '00:00']);
  });

  it('counts a connected call up every second and shows its line quality', async () => {
    const el = await mount([{ ...call('c1', 'connected'), connectedAt: Date.now() - 5_000 }]);
    el.quality = { c1: 'fair' };
    await new Promise((r) => setTimeout(r, 1100));
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[role=timer]')!.textContent).toBe('00:06');
    expect(el.shadowRoot!.querySelector('.q')!.textContent).toBe('Line quality fair');
  });

  it('counts a wrap-up down, and takes it off the screen when it ends', async () => {
    const el = await mount([]);
    el.wrapUp = { until: Date.now() + 1_200, queue: 'Sales' };
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('.wrapup .timer')!.textContent).toBe('00:02');
    await new Promise((r) => setTimeout(r, 400));
    expect(el.shadowRoot!.querySelector('.wrapup .timer')!.textContent).toBe('00:01');
    await new Promise((r) => setTimeout(r, 1_000));
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('.wrapup')).toBeNull();
  });

  it('moves focus from the number field to a call as it connects, and leaves focus elsewhere alone', async () => {
    const el = await mount([call('o1', 'calling')]);
    const input = el.shadowRoot!.querySelector<HTMLInputElement>('#dial-number')!;
    input.focus();
    el.calls = [call('o1', 'connected')];
    await el.updateComplete;
    expect(el.shadowRoot!.activeElement?.getAttribute('data-call')).toBe('o1');
    // A second call connecting while the agent types in another field (the keypad, a transfer): focus stays.
    const supervise = el.shadowRoot!.querySelector<HTMLInputElement>('#supervise-target')!;
    supervise.focus();
    el.calls = [call('o1', 'connected'), call('o2', 'connected')];
    await el.updateComplete;
    expect(el.shadowRoot!.activeElement).toBe(supervise);
    // Already connected calls do not take the focus again.
    input.focus();
    el.calls = [call('o1', 'connected'), call('o2', 'connected')];
    await el.updateComplete;
    expect(el.shadowRoot!.activeElement).toBe(input);
  });

  it('gives a ringing call the focus on its Answer button, named by its caller, when the agent is on no call', async () => {
    const el = await mount([]);
    el.shadowRoot!.querySelector<HTMLInputElement>('#dial-number')!.focus();
    el.calls = [call('r1', 'incoming', { displayName: 'Bob Buyer', phoneNumber: '+358401000091' })];
    await el.updateComplete;
    const focused = el.shadowRoot!.activeElement as HTMLElement;
    expect(focused?.textContent).toBe('Answer');
    // The dialog a screen reader reads as the focus enters: "Incoming call, Bob Buyer +358…", and the keys.
    const dialog = el.shadowRoot!.querySelector('[role=alertdialog]')!;
    const name = dialog.getAttribute('aria-labelledby')!.split(' ').map((id) => el.shadowRoot!.getElementById(id)!.textContent).join(', ');
    expect(name).toBe('Incoming call, Bob Buyer +358401000091');
    expect(el.shadowRoot!.getElementById(dialog.getAttribute('aria-describedby')!)!.textContent).toContain('Alt+A');
    // On a call, a second ringing call does not take the focus from the call's controls.
    el.calls = [call('c1', 'connected')];
    await el.updateComplete;
    const mute = el.shadowRoot!.querySelector<HTMLButtonElement>('li .ctl')!;
    mute.focus();
    el.calls = [call('c1', 'connected'), call('r2', 'incoming')];
    await el.updateComplete;
    expect(el.shadowRoot!.activeElement).toBe(mute);
  });

  it('builds the number from the dial pad and edits it', async () => {
    const el = await mount([]);
    const pad = (k: string) => el.shadowRoot!.querySelector<HTMLButtonElement>(`.dialpad button[aria-label="${k}"]`)!.click();
    for (const k of ['0', '4', '0', '#']) pad(k);
    await el.updateComplete;
    const input = el.shadowRoot!.querySelector<HTMLInputElement>('#dial-number')!;
    expect(input.value).toBe('040#');
    el.shadowRoot!.querySelectorAll<HTMLButtonElement>('.edit button')[0].click();
    await el.updateComplete;
    expect(input.value).toBe('040');
  });

  it('lists recent calls as text and dials one again', async () => {
    const el = await mount([]);
    el.recent = [{ number: '+358401000091', name: '<b>x</b>', direction: 'incoming', missed: true, at: Date.now(), connectedMs: 0 }];
    await el.updateComplete;
    const got: string[] = [];
    el.addEventListener('vd-call', (e) => got.push((e as CustomEvent).detail.number));
    expect(el.shadowRoot!.querySelector('.recent .num')!.textContent).toBe('<b>x</b> +358401000091');
    expect(el.shadowRoot!.querySelector('.recent b')).toBeNull();
    expect(el.shadowRoot!.querySelector('.recent .missed')!.textContent).toBe('Missed');
    el.shadowRoot!.querySelector<HTMLButtonElement>('.recent button')!.click();
    expect(got).toEqual(['+358401000091']);
  });

  it('asks to listen in on the agent whose user id is typed', async () => {
    const el = await mount([]);
    const got: string[] = [];
    el.addEventListener('vd-supervise', (e) => got.push((e as CustomEvent).detail.target));
    const input = el.shadowRoot!.querySelector<HTMLInputElement>('#supervise-target')!;
    const form = el.shadowRoot!.querySelector<HTMLFormElement>('form.supervise')!;
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    input.value = ' 6f1f0a40-0c3e-4f0b-9a51-000000000002 ';
    input.dispatchEvent(new Event('input'));
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    expect(got).toEqual(['6f1f0a40-0c3e-4f0b-9a51-000000000002']);
  });

  it('folds the dial pad while a call is under way (the call has its own keypad), and shows it on request', async () => {
    const el = await mount([]);
    expect(el.shadowRoot!.querySelector('.dialpad')).not.toBeNull();
    expect(el.shadowRoot!.querySelector('.padtoggle')).toBeNull();
    el.calls = [call('c1', 'connected')];
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('.dialpad')).toBeNull();
    const toggle = el.shadowRoot!.querySelector<HTMLButtonElement>('.padtoggle')!;
    expect([toggle.textContent, toggle.getAttribute('aria-expanded')]).toEqual(['Show dial pad', 'false']);
    toggle.click();
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('.dialpad')).not.toBeNull();
    expect(el.shadowRoot!.querySelector('.padtoggle')!.getAttribute('aria-expanded')).toBe('true');
    el.calls = [];
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('.dialpad')).not.toBeNull();
  });

  it('suggests colleagues from the directory in the transfer form, favourites first, and takes the one picked', async () => {
    const el = await mount([call('c1', 'connected')]);
    const asked: string[] = [];
    const bob = { kind: 'user' as const, id: 'u-bob', name: 'Bob Agent', number: '+358401000002', presence: 'on-call' as const, favourite: true };
    const bea = { kind: 'user' as const, id: 'u-bea', name: 'Bea Bauer', number: '+358403000009', presence: 'available' as const, favourite: false };
    el.searchColleagues = async (q) => (asked.push(q), { favourites: [bob], results: [bea, bob], total: 2 });
    [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('li button')].find((b) => b.textContent!.trim() === 'Transfer')!.click();
    await el.updateComplete;
    const input = el.shadowRoot!.querySelector<HTMLInputElement>('#transfer-number')!;
    input.value = 'b';
    input.dispatchEvent(new Event('input'));
    input.value = 'be';
    input.dispatchEvent(new Event('input'));
    await new Promise((r) => setTimeout(r, 200));
    await el.updateComplete;
    expect(asked).toEqual(['be']); // from two characters, once typing paused
    const picks = [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('#transfer-suggestions button')];
    expect(picks.map((b) => b.textContent!.replace(/\s+/g, ' ').trim())).toEqual(['Bob Agent +358401000002 · On a call', 'Bea Bauer +358403000009 · Available']);
    picks[1].click();
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector<HTMLInputElement>('#transfer-number')!.value).toBe('+358403000009');
    expect(el.shadowRoot!.querySelector('#transfer-suggestions')).toBeNull();
    const got: unknown[] = [];
    el.addEventListener('vd-transfer', (e) => got.push((e as CustomEvent).detail));
    el.shadowRoot!.querySelector<HTMLButtonElement>('.transfer button.go')!.click();
    expect(got).toEqual([{ id: 'c1', number: '+358403000009', kind: 'direct' }]);
  });

  it('offers Merge on the call being talked to when another is on hold, and Split on merged calls', async () => {
    const held = { ...call('h1', 'connected'), held: true };
    const el = await mount([held, call('a1', 'connected', { phoneNumber: '+358401000091' })]);
    const buttons = (id: string) => [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>(`li[data-call="${id}"] .actions button`)];
    expect(buttons('a1').map((b) => b.textContent!.trim())).toContain('Merge calls');
    expect(buttons('h1').map((b) => b.textContent!.trim())).not.toContain('Merge calls');
    const got: string[] = [];
    for (const n of ['vd-merge', 'vd-split']) el.addEventListener(n, (e) => got.push(`${n}:${(e as CustomEvent).detail?.id ?? ''}`));
    buttons('a1').find((b) => b.textContent!.trim() === 'Merge calls')!.click();
    el.calls = [{ ...call('h1', 'connected'), merged: true }, { ...call('a1', 'connected', { phoneNumber: '+358401000091' }), merged: true }];
    await el.updateComplete;
    for (const id of ['h1', 'a1']) {
      const labels = buttons(id).map((b) => b.textContent!.trim());
      expect(labels).toEqual(['Mute', 'Hold', 'Split', 'Keypad', 'Record', 'Hang up']); // no Transfer, no Merge
      expect(el.shadowRoot!.querySelector(`li[data-call="${id}"] .queue`)!.textContent).toBe('Three-way call');
    }
    const split = buttons('a1').find((b) => b.textContent!.trim() === 'Split')!;
    expect(split.getAttribute('aria-label')).toBe('Split: keep +358401000091, hold the other');
    split.click();
    expect(got).toEqual(['vd-merge:', 'vd-split:a1']);
  });

  it('offers Merge beside Complete transfer during a consultation', async () => {
    const el = await mount([{ ...call('o1', 'connected'), held: true }, call('c1', 'connected', { isConsulted: true })]);
    const labels = [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('li[data-call="c1"] .actions button')].map((b) => b.textContent!.trim());
    expect(labels).toEqual(['Complete transfer', 'Merge calls', 'Hang up']);
  });
});
