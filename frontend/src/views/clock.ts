/** mm:ss, or h:mm:ss past an hour. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const two = (n: number) => String(n).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}` : `${two(Math.floor(s / 60))}:${two(s % 60)}`;
}

/**
 * <vd-clock>: a running time as mm:ss text, counting up from `from` (ms
 * since the epoch: a call's time connected) or down to `until` (a
 * wrap-up's end, whole seconds rounded up). At the end of a countdown it
 * shows 00:00 and fires `vd-clock-end` on itself.
 *
 * It changes only its own text node, and only when the shown second turns
 * (one timer, set for that moment). The call panel used to re-render its
 * whole template every second for its timers: in a call that cost the
 * page's process 0.3 CPU-s a minute of the 0.45 it used (bench/README,
 * issue 20); a text node's new data costs the layout of one line and the
 * paint of its box.
 */
export class Clock extends HTMLElement {
  private readonly text = document.createTextNode('');
  private timer: ReturnType<typeof setTimeout> | null = null;
  private fromMs = 0;
  private untilMs = 0;
  private ended = false;

  /** Counts up from this time (ms since the epoch). */
  set from(v: number) {
    this.fromMs = v;
    this.untilMs = 0;
    this.tick();
  }
  get from(): number {
    return this.fromMs;
  }

  /** Counts down to this time (ms since the epoch). */
  set until(v: number) {
    if (v !== this.untilMs) this.ended = false;
    this.untilMs = v;
    this.fromMs = 0;
    this.tick();
  }
  get until(): number {
    return this.untilMs;
  }

  connectedCallback() {
    if (this.text.parentNode !== this) this.append(this.text);
    this.tick();
  }

  disconnectedCallback() {
    this.stop();
  }

  private stop() {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private readonly tick = () => {
    this.stop();
    if (!this.isConnected || (!this.fromMs && !this.untilMs)) return;
    const now = Date.now();
    let shown: string;
    let next: number; // ms until the shown second turns
    if (this.untilMs) {
      const left = this.untilMs - now;
      if (left <= 0) {
        this.show(clock(0));
        if (!this.ended) {
          this.ended = true;
          this.dispatchEvent(new CustomEvent('vd-clock-end'));
        }
        return;
      }
      shown = clock(left + 999);
      next = left % 1000 || 1000;
    } else {
      const elapsed = Math.max(0, now - this.fromMs);
      shown = clock(elapsed);
      next = 1000 - (elapsed % 1000);
    }
    this.show(shown);
    this.timer = setTimeout(this.tick, next);
  };

  private show(s: string) {
    if (this.text.data !== s) this.text.data = s;
  }
}

if (!customElements.get('vd-clock')) customElements.define('vd-clock', Clock);
