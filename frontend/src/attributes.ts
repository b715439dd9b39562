import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { PhoneApi } from './api';

/** The element's attributes that change the phone. */
export interface PhoneAttributes {
  discoveryUrl: string | undefined;
  clientId: string;
  pnpsMissionType: string;
  disablePnpsQuery: boolean;
  /** auto-answer and auto-answer-delay: VoiceDesk's addition. */
  autoAnswer: string | undefined;
  autoAnswerDelay: number | undefined;
}

type Key = keyof PhoneAttributes;

/** What the backend starts with: an attribute left so is not sent at start. */
const DEFAULTS: PhoneAttributes = {
  discoveryUrl: undefined,
  clientId: 'voice-for-browser',
  pnpsMissionType: 'default',
  disablePnpsQuery: false,
  autoAnswer: undefined,
  autoAnswerDelay: undefined,
};

/**
 * Carries the element's attributes (discovery-url, client-id,
 * pnps-mission-type, disable-pnps-query; auto-answer, auto-answer-delay) to the backend: at start, and
 * whenever one changes afterwards, as the browser phone's take effect.
 * What was sent is remembered, so a method that set the same value
 * (setClientId) is not sent twice; a refusal (pnps-mission-type after
 * login) goes to onError.
 */
export class AttributeSync implements ReactiveController {
  private sent: Partial<Record<Key, unknown>> = {};
  private started = false;

  constructor(
    private readonly host: ReactiveControllerHost & PhoneAttributes,
    private readonly api: PhoneApi,
    private readonly onError: (err: Error) => void,
  ) {
    host.addController(this);
  }

  /** Sends the attributes that differ from the backend's start; later changes follow by themselves. */
  async start() {
    this.sent = { ...DEFAULTS };
    await this.push();
    this.started = true;
  }

  /** A method set this value itself: nothing to send for it. */
  noteSent(key: Key, value: unknown) {
    this.sent[key] = value;
  }

  hostUpdated() {
    if (this.started) void this.push().catch((err) => this.onError(err as Error));
  }

  private async push() {
    const h = this.host;
    const send: Record<Key, (v: never) => Promise<unknown>> = {
      discoveryUrl: (v: string) => this.api.setDiscoveryUrl(v),
      clientId: (v: string) => this.api.setClientId(v),
      pnpsMissionType: (v: string) => this.api.setPNPSMissionType(v),
      disablePnpsQuery: (v: boolean) => this.api.disablePNPSQuery(v),
      // The two auto-answer attributes are one setting: either sends both.
      autoAnswer: (v: string) => this.api.setAutoAnswer(v, h.autoAnswerDelay ?? 0),
      autoAnswerDelay: (v: number) => (h.autoAnswer === undefined ? Promise.resolve() : this.api.setAutoAnswer(h.autoAnswer, v)),
    };
    for (const key of Object.keys(send) as Key[]) {
      const value = h[key];
      if (value === undefined || value === this.sent[key]) continue;
      this.sent[key] = value;
      // The auto-answer pair went together: the other half is sent too.
      if (key === 'autoAnswer') this.sent.autoAnswerDelay = h.autoAnswerDelay;
      if (key === 'autoAnswerDelay' && h.autoAnswer !== undefined) this.sent.autoAnswer = h.autoAnswer;
      await send[key](value as never);
    }
  }
}
