// Measures the browser phone's stack for make bench: JsSIP in Debian
// Chromium (fake microphone), on the same lab as VoiceDesk. With DISPLAY set
// (callbench's Xvfb) Chromium runs with a window, as the browser phone does
// on a desktop, and plays the far end out through PULSE_SERVER; headless
// Chromium plays nothing out.
// Prints one JSON object on stdout; bench/callbench puts it in the table.
//   VD_WS VD_URI VD_PASS VD_TARGET [VD_RUNS=5] [VD_CPU_SECONDS=60] node run.mjs
import { createServer } from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const env = (k, d) => process.env[k] ?? d ?? (() => { throw new Error(`${k} is not set`); })();
const cfg = { ws: env('VD_WS'), uri: env('VD_URI'), password: env('VD_PASS') };
const target = env('VD_TARGET');
const runs = Number(env('VD_RUNS', '5'));
const cpuSeconds = Number(env('VD_CPU_SECONDS', '60'));
const TICK = 100; // USER_HZ
const hold = process.env.VD_MODE === 'hold';

const page = readFileSync(new URL('./dist/page.js', import.meta.url));
const server = createServer((req, res) => {
  if (req.url === '/page.js') {
    res.writeHead(200, { 'content-type': 'text/javascript' });
    return res.end(page);
  }
  res.writeHead(200, { 'content-type': 'text/html' });
  res.end('<!doctype html><title>JsSIP bench</title><script src="/page.js"></script>');
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/`;

/** The pids of pid and all its descendants. */
function tree(root) {
  const parent = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* gone */ }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [p, pp] of parent) if (pp === out[i]) out.push(p);
  return out;
}
function cpuSecondsOf(pids) {
  let ticks = 0;
  for (const p of pids) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]); // utime, stime
    } catch { /* gone */ }
  }
  return ticks / TICK;
}
function pssMB(pids) {
  let kb = 0;
  for (const p of pids) {
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch { /* gone */ }
  }
  return kb / 1024;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const started = performance.now();
const browserServer = await chromium.launchServer({
  executablePath: '/usr/bin/chromium',
  headless: !process.env.DISPLAY,
  // Playwright mutes by default; the far end's audio is to be played out.
  ignoreDefaultArgs: ['--mute-audio'],
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream',
    '--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required',
    // The mouth-to-ear run uses the sound server's microphone; the others a
    // fake one (a beep).
    ...(hold ? [] : ['--use-fake-device-for-media-stream'])],
});
const browser = await chromium.connect(browserServer.wsEndpoint());
const root = browserServer.process().pid;
const tab = await browser.newPage();
await tab.goto(url);
// The page has loaded and run its script: the browser phone's "login
// screen" moment.
const pageMs = performance.now() - started;
await tab.evaluate((c) => window.bench.register(c), cfg);
const registeredMs = performance.now() - started;
if (hold) {
  // soundbench's baseline: one call to VD_TARGET, held until stdin closes.
  await tab.evaluate((to) => window.bench.dial(to), target);
  console.log(JSON.stringify({ confirmed: true, chromium: browser.version(), headless: !process.env.DISPLAY,
    jssip: JSON.parse(readFileSync(new URL('./node_modules/jssip/package.json', import.meta.url))).version }));
  process.stdin.resume();
  await new Promise((r) => process.stdin.on('end', r));
  await tab.evaluate(() => window.bench.hangup());
  await sleep(300);
  await browser.close();
  await browserServer.close();
  server.close();
  process.exit(0);
}
await sleep(5000);
const result = { chromium: browser.version(), jssip: JSON.parse(readFileSync(new URL('./node_modules/jssip/package.json', import.meta.url))).version,
  headless: !process.env.DISPLAY, launchToPageMs: pageMs, launchToRegisteredMs: registeredMs, idlePssMB: pssMB(tree(root)), calls: [] };
let c0 = cpuSecondsOf(tree(root));
await sleep(10000);
result.idleCpuPerMinute = ((cpuSecondsOf(tree(root)) - c0) / 10) * 60;
for (let i = 0; i < runs; i++) {
  const t = await tab.evaluate(([to]) => window.bench.call(to, 1500), [target]);
  result.calls.push({ invite: t.invite - t.call, ok: t.ok - t.call, firstRtp: t.firstRtp - t.call, firstPlayed: t.firstPlayed - t.call, answerToRtp: t.firstRtp - t.ok });
  await sleep(1000);
}
// One long Opus call: CPU per call-minute and PSS in the call.
c0 = cpuSecondsOf(tree(root));
const long = tab.evaluate(([to, ms]) => window.bench.call(to, ms), [target, cpuSeconds * 1000]);
await sleep((cpuSeconds * 1000) / 2);
result.callPssMB = pssMB(tree(root));
await long;
result.callCpuPerMinute = ((cpuSecondsOf(tree(root)) - c0) / cpuSeconds) * 60;
// The same with G.711 (PCMU only offered).
c0 = cpuSecondsOf(tree(root));
const pcmu = await tab.evaluate(([to, ms]) => window.bench.call(to, ms, 'PCMU'), [target, cpuSeconds * 1000]);
result.pcmuCodec = pcmu.codec;
result.pcmuCpuPerMinute = ((cpuSecondsOf(tree(root)) - c0) / cpuSeconds) * 60;
await tab.evaluate(() => window.bench.stop());
await browser.close();
await browserServer.close();
server.close();
console.log(JSON.stringify(result));
