// The phone's UI in Debian Chromium, driven by playwright-core, against the
// real backend (the built app, headless behind its bridge) and the lab.
// test/ui/ui_test.go starts all of that and runs this file with node --test;
// the far end is steered through the Go test's control server (VD_CONTROL).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (test/ui/ui_test.go sets it)`);
  return v;
};
const PAGE = env('VD_URL');
const CONTROL = env('VD_CONTROL');
const SHOTS = env('VD_SHOTS');
const USER = env('VD_USER');
const PASS = env('VD_PASS');
const TONE = env('VD_TONE');
const reference = JSON.parse(readFileSync(new URL('./reference.json', import.meta.url), 'utf8'));

let browser, page;
const problems = []; // script errors, dialogs, CSP violations: none allowed
let shot = 0;

async function screenshot(name) {
  shot++;
  const path = `${SHOTS}/ui-${String(shot).padStart(2, '0')}-${name}.png`;
  await page.screenshot({ path });
  return path;
}

/**
 * An accessibility audit of the page as it is (axe-core, WCAG 2 A and AA,
 * shadow DOM included): no serious or critical violation — names, roles,
 * contrast, keyboard access.
 */
async function audit(screen) {
  const found = await page.evaluate(async (src) => {
    if (!window.axe) (0, eval)(src);
    const r = await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] });
    // Checks that passed prove the audit looked at the page at all.
    if (!r.passes.some((p) => p.id === 'color-contrast') || !r.passes.some((p) => p.id === 'button-name')) return ['the audit checked no contrast or button names'];
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' >> ')).slice(0, 3).join(', ')}`);
  }, AXE);
  assert.deepEqual(found, [], `accessibility on the ${screen} screen`);
}

async function control(path, method = 'POST') {
  const res = await fetch(CONTROL + path, { method });
  const body = await res.text();
  if (!res.ok) throw new Error(`control ${path}: ${res.status} ${body}`);
  return body ? JSON.parse(body) : null;
}

/** The element's events, as the page saw them. */
async function seen(name) {
  return page.evaluate((n) => window.__events.filter((e) => e.name === n), name);
}

async function count(name) {
  return (await seen(name)).length;
}

/** Waits for the count-th event of that name (counting from the page's start). */
async function waitEvent(name, count = 1, timeout = 15000) {
  try {
    await page.waitForFunction(([n, c]) => window.__events.filter((e) => e.name === n).length >= c, [name, count], { timeout });
  } catch (e) {
    const names = await page.evaluate(() => window.__events.map((x) => x.name));
    throw new Error(`no ${count}. ${name} within ${timeout} ms; the element dispatched: ${names.join(', ')}`);
  }
  return (await seen(name)).at(-1).detail;
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 420, height: 760 }, locale: 'en-US' });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => { problems.push(`dialog: ${d.type()} ${d.message()}`); void d.dismiss(); });
  page.on('console', (m) => { if (/Content Security Policy|Refused to/.test(m.text())) problems.push(`console: ${m.text()}`); });
  // Every event the element dispatches is kept for the checks, and every
  // CSP violation.
  await page.addInitScript((names) => {
    window.__events = [];
    window.addEventListener('securitypolicyviolation', (e) => window.__events.push({ name: 'csp', detail: e.violatedDirective }));
    const hook = () => {
      const el = document.querySelector('webrtc-client-ui');
      if (!el) return requestAnimationFrame(hook);
      for (const n of names) el.addEventListener(n, (e) => window.__events.push({ name: n, detail: e.detail ?? null }));
    };
    hook();
  }, [...reference.events, 'conference-started', 'conference-ended', 'colleague-status-changed']); // and VoiceDesk's own
  await page.goto(PAGE);
});

after(async () => {
  await browser?.close();
});

test('the login screen, and the token out of the address bar', async () => {
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await waitEvent('init');
  assert.ok(!page.url().includes('token='), `the token stayed in the address: ${page.url()}`);
  await screenshot('login');
  await audit('login');
});

test('the language changes at run time, and back', async () => {
  await page.getByLabel('Language').selectOption('fi');
  await page.getByRole('heading', { name: 'Kirjaudu sisään' }).waitFor();
  await screenshot('login-fi');
  await page.getByLabel('Kieli').selectOption('en');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
});

test('a wrong password is refused with the reference message', async () => {
  await page.getByLabel('Username').fill(USER);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: 'incorrect' }).waitFor();
});

test('sign in: the main screen with availability and role', async () => {
  await page.getByLabel('Password').fill(PASS);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await waitEvent('logged-in');
  await page.getByRole('textbox', { name: 'Number to call' }).waitFor();
  await page.getByLabel('Availability').waitFor();
  await page.waitForFunction(() => {
    const el = document.querySelector('webrtc-client-ui');
    return el?.store?.userStatus != null;
  });
  await screenshot('main');
  // The dark appearance (VoiceDesk's theme attribute; the OS's choice by
  // default): the cards turn dark and their text light, the page too.
  const colours = () => page.evaluate(() => {
    const el = document.querySelector('webrtc-client-ui');
    const card = el.shadowRoot.querySelector('vd-home-view').shadowRoot.querySelector('section');
    return { card: getComputedStyle(card).backgroundColor, text: getComputedStyle(card).color, page: getComputedStyle(document.body).backgroundColor };
  });
  const light = await colours();
  await page.evaluate(() => { document.querySelector('webrtc-client-ui').theme = 'dark'; });
  await page.waitForFunction(() => document.documentElement.dataset.vdTheme === 'dark');
  const dark = await colours();
  await screenshot('main-dark');
  await audit('main-dark');
  const lum = (rgb) => { const [r, g, b] = rgb.match(/\d+/g).map(Number); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  assert.ok(lum(light.card) > 200 && lum(dark.card) < 60, `card ${light.card} -> ${dark.card}: want it dark`);
  assert.ok(lum(dark.text) > 180, `text in dark ${dark.text}: want it light`);
  assert.ok(lum(dark.page) < 40, `page in dark ${dark.page}`);
  await page.evaluate(() => { document.querySelector('webrtc-client-ui').theme = 'auto'; });
});

test('dial the tone phone from the dial pad: timer, line quality, mute, hold, keypad, hang up', async () => {
  const ended0 = await count('call-ended');
  const number = page.getByRole('textbox', { name: 'Number to call' });
  // A + typed, the rest from the dial pad.
  await number.fill('+');
  const pad = page.getByRole('group', { name: 'Dial pad' });
  for (const d of TONE.slice(1)) await pad.getByRole('button', { name: d, exact: true }).click();
  assert.equal(await number.inputValue(), TONE);
  await screenshot('main-dialpad');
  await audit('main');
  await page.getByRole('button', { name: 'Call', exact: true }).click();
  const started = await waitEvent('call-started');
  assert.equal(started.callDirection, 'outbound');
  await waitEvent('call-confirmed');
  await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor();
  await page.getByRole('timer').waitFor();
  await page.getByText(/Line quality (good|fair|poor)/).waitFor({ timeout: 10000 });
  // The timer counts.
  try {
    await page.getByRole('timer').filter({ hasText: /^00:0[1-9]$/ }).waitFor({ timeout: 5000 });
  } catch (e) {
    const dbg = await page.evaluate(() => {
      const el = document.querySelector('webrtc-client-ui');
      const panel = el.shadowRoot.querySelector('vd-call-panel');
      return { real: Date.now(), calls: panel.calls.map((c) => c.connectedAt), timer: panel.shadowRoot.querySelector('[role=timer]')?.textContent };
    });
    throw new Error(`the timer does not count: ${JSON.stringify(dbg)}`);
  }
  await screenshot('in-call');
  await audit('in-call');

  await page.getByRole('button', { name: 'Mute', exact: true }).click();
  await waitEvent('call-muted');
  await page.getByRole('button', { name: 'Unmute' }).click();
  await waitEvent('call-unmuted');

  await page.getByRole('button', { name: 'Hold', exact: true }).click();
  await waitEvent('call-paused');
  await page.getByRole('status').filter({ hasText: 'On hold' }).waitFor();
  await screenshot('on-hold');
  await page.getByRole('button', { name: 'Resume' }).click();
  await waitEvent('call-resumed');

  // Reloaded mid-call (or the bridge reconnecting): the call is on the
  // screen again, connected, its timer counting from the answer, from the
  // backend's state (State().calls), not an empty list.
  const seen = await page.evaluate(() => window.__events);
  await page.reload();
  // The run's record of events goes on across the reload (later checks count them).
  await page.evaluate((before) => window.__events.unshift(...before), seen);
  await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor();
  await page.getByRole('timer').filter({ hasText: /^00:(0[3-9]|[1-5][0-9])$/ }).waitFor({ timeout: 5000 });
  await screenshot('in-call-reloaded');

  const { offset } = await control('/tone/dtmf?since=0', 'GET');
  await page.getByRole('button', { name: 'Keypad' }).click();
  const keypad = page.getByRole('group', { name: 'Keypad' });
  await keypad.getByRole('button', { name: '5', exact: true }).click();
  await keypad.getByRole('button', { name: '#', exact: true }).click();
  await screenshot('keypad');
  let digits = '';
  for (let i = 0; i < 40 && digits !== '5#'; i++) {
    await new Promise((r) => setTimeout(r, 250));
    digits = (await control(`/tone/dtmf?since=${offset}`, 'GET')).digits;
  }
  assert.equal(digits, '5#', 'the tone phone received these keys');

  await page.getByRole('button', { name: 'Hang up' }).click();
  const ended = await waitEvent('call-ended', ended0 + 1);
  assert.equal(ended.callId, started.callId);
  // The call is in the recent calls, and can be dialled again from there.
  await page.getByRole('button', { name: `Call ${TONE} again` }).first().waitFor();
});

test('an incoming call rings, is answered with Alt+A and hung up with Alt+H', async () => {
  const incoming0 = await count('call-incoming');
  const ended0 = await count('call-ended');
  await control('/caller/dial');
  const incoming = await waitEvent('call-incoming', incoming0 + 1);
  assert.equal(incoming.callDirection, 'incoming');
  // The ringing dialog is named by its caller, and its Answer button has the focus (the agent
  // is on no call): a screen reader reads both as the call comes in.
  const dialog = page.getByRole('alertdialog', { name: /^Incoming call/ });
  await dialog.waitFor();
  assert.match(await dialog.getAttribute('aria-labelledby'), /^incoming-h who-/);
  await page.waitForFunction(() => {
    const panel = document.querySelector('webrtc-client-ui').shadowRoot.querySelector('vd-call-panel');
    return panel?.shadowRoot?.activeElement?.textContent === 'Answer';
  }, null, { timeout: 5000 });
  await screenshot('incoming');
  await audit('incoming call');
  await page.keyboard.press('Alt+KeyA');
  await waitEvent('call-answered');
  await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor();
  await page.keyboard.press('Alt+KeyH');
  await waitEvent('call-ended', ended0 + 1);
});

test('a three-way call: hold, a call waiting answered, merged, split, and each hung up', async () => {
  // Counted before each step: an event can come before the next line runs.
  const [ended0, incoming0, confirmed0, paused0, answered0] = await Promise.all(
    ['call-ended', 'call-incoming', 'call-confirmed', 'call-paused', 'call-answered'].map((n) => count(n)));
  await page.getByRole('textbox', { name: 'Number to call' }).fill(TONE);
  await page.getByRole('button', { name: 'Call', exact: true }).click();
  const tone = await waitEvent('call-confirmed', confirmed0 + 1);
  await page.getByRole('button', { name: 'Hold', exact: true }).click();
  await waitEvent('call-paused', paused0 + 1);
  await control('/caller/dial');
  const caller = await waitEvent('call-incoming', incoming0 + 1);
  await page.getByRole('alertdialog', { name: /^Incoming call/ }).getByRole('button', { name: 'Answer' }).click();
  await waitEvent('call-answered', answered0 + 1);
  await page.getByRole('button', { name: 'Merge calls' }).click();
  const started = await waitEvent('conference-started');
  assert.deepEqual(started.callIds, [caller.callId, tone.callId]);
  const items = page.locator('li[data-call]');
  await page.getByText('Three-way call').nth(1).waitFor();
  assert.equal(await items.filter({ hasText: 'On hold' }).count(), 0, 'the held call is taken off hold');
  await screenshot('three-way');
  await audit('three-way call');
  // Split, keeping the caller: the tone phone goes back on hold.
  await page.getByRole('button', { name: /^Split: keep / }).first().click();
  const ended = await waitEvent('conference-ended');
  assert.equal(ended.reason, 'split');
  await page.getByText('Three-way call').first().waitFor({ state: 'detached' });
  await items.filter({ hasText: 'On hold' }).waitFor();
  for (let i = 0; i < 2; i++) await page.getByRole('button', { name: 'Hang up' }).first().click().then(() => waitEvent('call-ended', ended0 + i + 1));
});

test('a call from a queue shows the queue, and its wrap-up counts down after it', async () => {
  const incoming0 = await count('call-incoming');
  const ended0 = await count('call-ended');
  await control('/caller/dial-queue');
  const incoming = await waitEvent('call-incoming', incoming0 + 1);
  assert.equal(incoming.queueName, 'Sales');
  assert.equal(incoming.wrapUpDuration, '60', "the queue's wrap-up time comes with the call");
  assert.match(incoming.callId, /^[0-9a-f]{20}$/, "callId is the platform's id of the call (lab/API.md)");
  assert.ok(incoming.sipCallId && incoming.sipCallId !== incoming.callId, 'sipCallId is the SIP Call-ID, beside it');
  await page.getByRole('alertdialog', { name: 'Incoming call' }).getByText('Queue: Sales').waitFor();
  await page.keyboard.press('Alt+KeyA');
  await waitEvent('call-answered');
  await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor();
  await page.keyboard.press('Alt+KeyH');
  const ended = await waitEvent('call-ended', ended0 + 1);
  assert.equal(ended.callId, incoming.callId, 'the same id for the whole call');
  assert.equal(ended.wrapUpDuration, '60');
  const wrapUp = page.getByRole('timer').filter({ hasText: 'Wrap-up · Sales' });
  await wrapUp.waitFor();
  assert.match(await wrapUp.innerText(), /0?0:(59|60|58)|01:00/);
  await screenshot('wrap-up');
  await wrapUp.getByRole('button', { name: 'Ready' }).click();
  await wrapUp.waitFor({ state: 'detached' });
});

test('colleagues: the directory of 1,005 searched as typed, presence in words, a favourite, a change seen live', async () => {
  await control('/directory/people?count=1000');
  try {
    await page.getByRole('tab', { name: 'Colleagues' }).click();
    const search = page.getByRole('searchbox', { name: 'Search by name or number' });
    await search.waitFor();
    await page.getByText('Showing 50 of 1005: type to narrow the list').waitFor();
    // The first of 1,005 by name, each presence in words.
    const first = await page.locator('li[data-colleague] .presence').allTextContents();
    for (const p of ['Available', 'On a call', 'Unknown']) assert.ok(first.includes(p), `no "${p}" in ${first}`);
    await screenshot('colleagues');
    await audit('colleagues');
    const bob = page.locator('li[data-colleague]').filter({ hasText: 'Bob Agent' });
    // As the agent types: a name's start, then a number's digits.
    await search.fill('bo');
    await bob.getByText('Available').waitFor();
    await search.fill('aino vir');
    await page.getByText('Aino Virtanen').first().waitFor();
    const names = await page.locator('li[data-colleague] .name').allTextContents();
    assert.ok(names.length > 0 && names.every((n) => n.startsWith('Aino Vir')), `aino vir found ${names}`);
    await search.fill('401000002');
    await bob.waitFor();
    assert.equal(await page.locator('li[data-colleague]').count(), 1);
    // Starred, Bob heads the list without a search.
    await bob.getByRole('button', { name: 'Favourite: Bob Agent' }).click();
    await search.fill('');
    await page.getByRole('heading', { name: 'Favourites' }).waitFor();
    const fav = page.getByRole('list', { name: 'Favourites' }).locator('li').filter({ hasText: 'Bob Agent' });
    await fav.waitFor();
    // Bob goes away elsewhere: the row says so (colleague-status-changed).
    await control('/bob/status?id=6&note=lunch');
    await fav.getByText('Away').waitFor({ timeout: 5000 });
    await fav.getByText('lunch').waitFor();
    await screenshot('colleagues-live');
    await control('/bob/status?id=1');
    await fav.getByText('Available').waitFor({ timeout: 5000 });
    await fav.getByRole('button', { name: 'Favourite: Bob Agent' }).click();
    await page.getByRole('heading', { name: 'Favourites' }).waitFor({ state: 'detached' });
  } finally {
    await control('/directory/people?count=0');
    await page.getByRole('tab', { name: 'Dialer' }).click();
  }
  await page.getByRole('textbox', { name: 'Number to call' }).waitFor();
});

test('the main screen fits a 340 px window and a full-screen kiosk', async () => {
  const box = (sel) => page.evaluate((s) => {
    const r = document.querySelector('webrtc-client-ui').shadowRoot.querySelector(s).getBoundingClientRect();
    return { left: r.left, right: r.right, top: r.top, width: r.width };
  }, sel);
  try {
    await page.setViewportSize({ width: 340, height: 720 });
    await page.getByRole('textbox', { name: 'Number to call' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px at 340 px`);
    const home = await box('vd-home-view'), calls = await box('vd-call-panel');
    assert.ok(calls.top > home.top && home.right <= 340 && calls.right <= 340, `one column at 340 px: ${JSON.stringify({ home, calls })}`);
    // Nothing in the panel reaches past its cards' edge (the Call button did).
    const past = await page.evaluate(() => {
      const panel = document.querySelector('webrtc-client-ui').shadowRoot.querySelector('vd-call-panel');
      return [...panel.shadowRoot.querySelectorAll('section')].flatMap((sec) => {
        const edge = sec.getBoundingClientRect().right;
        return [...sec.querySelectorAll('button, input')].filter((b) => b.getBoundingClientRect().right > edge + 0.5).map((b) => b.textContent || b.id);
      });
    });
    assert.deepEqual(past, [], 'controls past their card at 340 px');
    await screenshot('narrow-340');
    await audit('340 px');
    await page.setViewportSize({ width: 1600, height: 900 });
    await page.waitForFunction(() => {
      const root = document.querySelector('webrtc-client-ui').shadowRoot;
      return root.querySelector('vd-call-panel').getBoundingClientRect().left > root.querySelector('vd-home-view').getBoundingClientRect().right;
    }, null, { timeout: 5000 });
    const wideCalls = await box('vd-call-panel');
    assert.ok(wideCalls.width > 600, `the calls get the room at 1600 px: ${wideCalls.width} px wide`);
    await page.getByRole('tab', { name: 'Colleagues' }).click();
    await page.getByRole('searchbox', { name: 'Search by name or number' }).waitFor();
    await screenshot('kiosk-1600');
    await audit('1600 px');
    await page.getByRole('tab', { name: 'Dialer' }).click();
  } finally {
    await page.setViewportSize({ width: 420, height: 760 });
  }
});

test('a hostile caller name shows as text and runs nothing', async () => {
  const hostile = '<img src=x onerror=alert(1)>';
  const incoming0 = await count('call-incoming');
  const ended0 = await count('call-ended');
  await control('/hostile/dial');
  const incoming = await waitEvent('call-incoming', incoming0 + 1);
  assert.equal(incoming.displayName, hostile, 'the name reaches the page unchanged');
  const dialog = page.getByRole('alertdialog', { name: 'Incoming call' });
  await dialog.getByText(hostile).waitFor();
  await screenshot('hostile-caller');
  const imgs = await page.evaluate(() => {
    const all = [];
    const walk = (root) => { for (const el of root.querySelectorAll('*')) { if (el.tagName === 'IMG') all.push(el.outerHTML); if (el.shadowRoot) walk(el.shadowRoot); } };
    walk(document);
    return all;
  });
  assert.deepEqual(imgs, [], 'no <img> element was made from the name');
  await dialog.getByRole('button', { name: 'Reject' }).click();
  await waitEvent('call-ended', ended0 + 1);
  await control('/hostile/hangup');
  // A missed call from that name in the recent calls, as text too.
  await page.locator('.recent').getByText(hostile).first().waitFor();
});

test('the element has every method and event of the reference, and each method reaches the backend', async () => {
  const missing = await page.evaluate((methods) => {
    const el = document.querySelector('webrtc-client-ui');
    return methods.filter((m) => typeof el[m] !== 'function');
  }, reference.methods);
  assert.deepEqual(missing, [], 'methods missing on the element');
  // Each method called with no (or harmless) arguments, signed in with no
  // call: never "not available" or "method not found" (the call did not
  // reach Go), and the answer reference.json expects.
  const answers = await page.evaluate(async (probe) => {
    const el = document.querySelector('webrtc-client-ui');
    const out = {};
    for (const [m, args] of Object.entries(probe)) {
      try {
        const r = await Promise.race([Promise.resolve(el[m](...args)), new Promise((res) => setTimeout(() => res('timeout'), 3000))]);
        out[m] = 'resolves ' + (Array.isArray(r) ? 'array' : r === null ? 'null' : typeof r);
      } catch (e) {
        out[m] = 'rejects ' + String(e?.message ?? e);
      }
    }
    return out;
  }, reference.probe);
  // Each answers as the reference has it (its result's type, or its
  // rejection's message), not only "it reached Go".
  for (const [m, a] of Object.entries(answers)) {
    assert.ok(!/not available|method not found|not connected/i.test(a), `${m} did not reach the backend: ${a}`);
    assert.ok(a.startsWith(reference.expect[m]), `${m}: ${a}, want ${reference.expect[m]}`);
  }
  const dispatched = new Set((await page.evaluate(() => window.__events.map((e) => e.name))));
  for (const e of ['init', 'logged-in', 'call-started', 'call-in-progress', 'call-incoming', 'call-answered', 'call-confirmed',
    'call-ended', 'call-paused', 'call-resumed', 'call-muted', 'call-unmuted', 'user-status-changed']) {
    assert.ok(dispatched.has(e), `the element never dispatched ${e} in this run`);
  }
});

test('settings: the devices are listed, a change is kept by the backend, the language switches', async () => {
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Settings' }).waitFor();
  // The last line: the release and revision the app was built from (make app stamps them).
  const about = page.locator('.about');
  await about.waitFor();
  assert.match(await about.textContent(), /^VoiceDesk · Version \d+\.\d+\.\d+ \([0-9a-f]{12}(\+changes)?\)$/);
  // exact: "Automatic gain (raises a quiet microphone)" is labelled with the word too.
  const mic = page.getByLabel('Microphone', { exact: true });
  await mic.waitFor();
  const options = await mic.locator('option').allTextContents();
  assert.ok(options.some((o) => /Headset/i.test(o)), `microphones offered: ${options}`);
  // The lab's microphone (the source the test feeds), picked by name.
  const value = await mic.locator('option', { hasText: /^Microphone$/ }).first().getAttribute('value');
  await mic.selectOption(value);
  await screenshot('settings');
  // Read back from Go, not from the page's own state.
  let kept = '';
  for (let i = 0; i < 20 && kept !== value; i++) {
    await new Promise((r) => setTimeout(r, 200));
    kept = await page.evaluate(async () => (await document.querySelector('webrtc-client-ui').transport.invoke('AudioSettings')).mic);
  }
  assert.equal(kept, value);
  // Automatic gain: off until ticked, then kept by the backend.
  const gain = page.getByRole('checkbox', { name: /Automatic gain/ });
  assert.equal(await gain.isChecked(), false);
  await gain.check();
  let gainKept = false;
  for (let i = 0; i < 20 && !gainKept; i++) {
    await new Promise((r) => setTimeout(r, 200));
    gainKept = await page.evaluate(async () => (await document.querySelector('webrtc-client-ui').transport.invoke('AudioSettings')).autoGain);
  }
  assert.equal(gainKept, true, 'the backend did not keep automatic gain');
  await audit('settings');
  // The test sound plays on the chosen speaker (heard on its monitor)...
  await page.getByRole('button', { name: 'Play a test sound' }).click();
  await new Promise((r) => setTimeout(r, 300));
  const heard = await control('/pulse/heard?sink=speaker&ms=800', 'GET');
  assert.ok(Math.abs(heard.hz - 440) < 15, `the speaker played ${heard.hz} Hz at ${heard.level} dBFS, want the 440 Hz test tone`);
  // ...and the microphone's meter moves with what the microphone hears.
  await control('/pulse/feed?hz=1000');
  await page.getByRole('button', { name: 'Test the microphone' }).click();
  const meter = page.getByRole('meter', { name: 'Microphone level' });
  await meter.waitFor();
  await page.waitForFunction(() => {
    const m = document.querySelector('webrtc-client-ui').shadowRoot.querySelector('vd-audio-settings').shadowRoot.querySelector('meter');
    return m && m.value > -40;
  }, null, { timeout: 5000 });
  await screenshot('settings-mic-test');
  // Auto-answer (VoiceDesk's addition): queue calls after 3 s, kept by the backend.
  const mode = page.getByLabel('Answer by itself');
  await mode.scrollIntoViewIfNeeded();
  await mode.selectOption('queue');
  const delay = page.getByLabel('After (seconds)');
  await delay.fill('3');
  await delay.dispatchEvent('change');
  let auto = {};
  for (let i = 0; i < 20 && !(auto.mode === 'queue' && auto.delaySeconds === 3); i++) {
    await new Promise((r) => setTimeout(r, 200));
    auto = await page.evaluate(async () => await document.querySelector('webrtc-client-ui').transport.invoke('AutoAnswerSettings'));
  }
  assert.deepEqual({ mode: auto.mode, delaySeconds: auto.delaySeconds, locked: auto.locked }, { mode: 'queue', delaySeconds: 3, locked: false });
  await screenshot('settings-auto-answer');
  await mode.selectOption('off'); // the later steps ring calls for the agent
  await page.getByLabel('Language').selectOption('sv');
  await page.getByRole('heading', { name: 'Inställningar' }).waitFor();
  await screenshot('settings-sv');
  await page.getByLabel('Språk').selectOption('en');
  await page.getByRole('button', { name: /Back to the phone/ }).click();
  await page.getByRole('textbox', { name: 'Number to call' }).waitFor();
});

test('no script error, dialog or CSP violation on the way', async () => {
  const csp = await seen('csp');
  assert.deepEqual([...problems, ...csp.map((c) => `CSP: ${c.detail}`)], []);
});
