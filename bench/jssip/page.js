// The browser phone's stack for make bench: JsSIP registering to the lab's
// Kamailio over WebSocket and calling the lab's tone phone, with Chromium's
// WebRTC (fake microphone). run.mjs drives it; every time is
// performance.now() in this page.
import JsSIP from 'jssip';

// Only PCMU (and telephone-event) offered, for the G.711 run.
const pcmuOnly = (sdp) => {
  const lines = sdp.split('\r\n');
  const keep = new Set(['0']);
  for (const l of lines) {
    const m = /^a=rtpmap:(\d+) telephone-event\/8000/.exec(l);
    if (m) keep.add(m[1]);
  }
  return lines
    .filter((l) => {
      const m = /^a=(?:rtpmap|fmtp|rtcp-fb):(\d+)/.exec(l);
      return !m || keep.has(m[1]);
    })
    .map((l) => (l.startsWith('m=audio ') ? l.split(' ').filter((f, i) => i < 3 || keep.has(f)).join(' ') : l))
    .join('\r\n');
};

const loopbackOnly = (sdp) =>
  // Only 127.0.0.1 candidates are offered: the lab's media stays on loopback.
  sdp.replace(/a=candidate:[^\r\n]*\r\n/g, (line) => (/ 127\.0\.0\.1 /.test(line) ? line : ''));

// The far end's audio is played, as the browser phone does (without a
// consumer Chromium decodes nothing). JsSIP creates an outgoing call's peer
// connection inside ua.call() and emits its 'peerconnection' event there, so
// a handler attached after the call returns would miss it: the connection
// is taken from the session instead.
const playOut = (pc) => {
  pc.addEventListener('track', (ev) => {
    const el = new Audio();
    el.srcObject = ev.streams[0] ?? new MediaStream([ev.track]);
    el.play().catch((err) => console.error(`playing the far end: ${err}`));
    window.__audio = el;
  });
};

window.bench = {
  ua: null,
  register(cfg) {
    return new Promise((resolve, reject) => {
      const socket = new JsSIP.WebSocketInterface(cfg.ws);
      const ua = new JsSIP.UA({ sockets: [socket], uri: cfg.uri, password: cfg.password, register: true, session_timers: false });
      ua.on('registered', () => resolve(true));
      ua.on('registrationFailed', (e) => reject(new Error(`registration failed: ${e.cause}`)));
      ua.start();
      this.ua = ua;
    });
  },
  // start places a call as the browser phone does: the far end played
  // out, only loopback candidates offered (and only PCMU, if asked).
  start(target, codec = 'opus') {
    const session = this.ua.call(target, {
      mediaConstraints: { audio: true, video: false },
      pcConfig: { iceServers: [] },
      rtcOfferConstraints: { offerToReceiveAudio: true },
    });
    playOut(session.connection);
    session.on('sdp', (e) => {
      if (e.originator === 'local') {
        e.sdp = loopbackOnly(e.sdp);
        if (codec === 'PCMU') e.sdp = pcmuOnly(e.sdp);
      }
    });
    return session;
  },
  // One call: the times of its steps from the "call" action, and the call
  // kept up for holdMs.
  call(target, holdMs, codec = 'opus') {
    return new Promise((resolve, reject) => {
      const t = { call: performance.now() };
      let session;
      const pcWatch = () => {
        const pc = session.connection;
        const poll = async () => {
          if (!session || session.isEnded()) return;
          const stats = await pc.getStats();
          for (const s of stats.values()) {
            if (s.type === 'inbound-rtp' && s.kind === 'audio') {
              t.codec = stats.get(s.codecId)?.mimeType;
              if (!t.firstRtp && s.packetsReceived > 0) t.firstRtp = performance.now();
              if (!t.firstPlayed && (s.jitterBufferEmittedCount ?? 0) > 0) t.firstPlayed = performance.now();
            }
          }
          // Polled only until the figures are in (a second at most after the
          // first packet), so that the stats do not weigh on the CPU figure.
          const done = t.firstRtp && t.codec && (t.firstPlayed || performance.now() - t.firstRtp > 1000);
          if (!done) setTimeout(poll, 2);
        };
        void poll();
      };
      session = this.start(target, codec);
      session.on('sending', () => (t.invite = performance.now()));
      session.on('accepted', () => {
        t.ok = performance.now();
        pcWatch();
      });
      session.on('failed', (e) => reject(new Error(`call failed: ${e.cause}`)));
      session.on('confirmed', () => {
        setTimeout(() => {
          session.terminate();
          resolve(t);
        }, holdMs);
      });
    });
  },
  // A call kept up until hangup(), for the mouth-to-ear bench: resolves
  // when it is confirmed. The microphone is the browser phone's default
  // (echo cancellation, noise suppression and gain control on).
  dial(target) {
    return new Promise((resolve, reject) => {
      const session = this.start(target);
      this.held = session;
      session.on('failed', (e) => reject(new Error(`call failed: ${e.cause}`)));
      session.on('confirmed', () => resolve(true));
    });
  },
  hangup() {
    this.held?.terminate();
    this.held = null;
  },
  stop() {
    this.ua?.stop();
  },
};
