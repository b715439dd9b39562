// The browser phone's stack for make bench: JsSIP registering to the lab's
// Kamailio over WebSocket and calling the lab's tone phone, with Chromium's
// WebRTC (fake microphone). run.mjs drives it; every time is
// performance.now() in this page.
import JsSIP from 'jssip';

const loopbackOnly = (sdp) =>
  // Only 127.0.0.1 candidates are offered: the lab's media stays on loopback.
  sdp.replace(/a=candidate:[^\r\n]*\r\n/g, (line) => (/ 127\.0\.0\.1 /.test(line) ? line : ''));

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
  // One call: the times of its steps from the "call" action, and the call
  // kept up for holdMs.
  call(target, holdMs) {
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
              if (!t.firstRtp && s.packetsReceived > 0) t.firstRtp = performance.now();
              if (!t.firstPlayed && (s.jitterBufferEmittedCount ?? 0) > 0) t.firstPlayed = performance.now();
            }
          }
          if (!t.firstPlayed) setTimeout(poll, 2);
        };
        void poll();
      };
      session = this.ua.call(target, {
        mediaConstraints: { audio: true, video: false },
        pcConfig: { iceServers: [] },
        rtcOfferConstraints: { offerToReceiveAudio: true },
      });
      session.on('peerconnection', (e) => {
        // The far end's audio is played, as the browser phone does: without
        // a consumer Chromium decodes nothing.
        e.peerconnection.addEventListener('track', (ev) => {
          const el = new Audio();
          el.srcObject = ev.streams[0] ?? new MediaStream([ev.track]);
          void el.play();
          window.__audio = el;
        });
      });
      session.on('sdp', (e) => {
        if (e.originator === 'local') e.sdp = loopbackOnly(e.sdp);
      });
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
  stop() {
    this.ua?.stop();
  },
};
