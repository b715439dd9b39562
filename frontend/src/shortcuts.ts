import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { PhoneStore } from './store';

/** What a shortcut does to a call. */
export interface CallActions {
  answerCall(id: string): Promise<void>;
  rejectCall(id: string): Promise<void>;
  endCall(id: string): Promise<void>;
}

/**
 * Alt+A answers and Alt+R rejects the ringing call, Alt+H hangs up the
 * call under way: an agent's hands stay on the keyboard. (Alt, not Ctrl:
 * Ctrl+A/R/H are the text field's and the browser's.) Listens on the
 * window while its host is connected.
 */
export class Shortcuts implements ReactiveController {
  private readonly onKey = (e: KeyboardEvent) => this.key(e);

  constructor(
    host: ReactiveControllerHost,
    private readonly store: PhoneStore,
    private readonly calls: CallActions,
  ) {
    host.addController(this);
  }

  hostConnected() {
    window.addEventListener('keydown', this.onKey);
  }

  hostDisconnected() {
    window.removeEventListener('keydown', this.onKey);
  }

  private key(e: KeyboardEvent) {
    const { loggedIn, calls } = this.store;
    if (!loggedIn || !e.altKey || e.ctrlKey || e.metaKey) return;
    const ringing = calls.find((c) => c.state === 'incoming');
    const current = calls.find((c) => c.state !== 'incoming' && !c.held) ?? calls.find((c) => c.state !== 'incoming');
    let act: Promise<unknown> | null = null;
    if (e.code === 'KeyA' && ringing) act = this.calls.answerCall(ringing.detail.callId);
    else if (e.code === 'KeyR' && ringing) act = this.calls.rejectCall(ringing.detail.callId);
    else if (e.code === 'KeyH' && current) act = this.calls.endCall(current.detail.callId);
    if (!act) return;
    e.preventDefault();
    this.store.action(act);
  }
}
